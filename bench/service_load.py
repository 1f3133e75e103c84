"""A bounded load test of `kinerja serve`, on the loopback address only.

    python bench/service_load.py                          # SQLite and PostgreSQL, 10 and 50 clients
    python bench/service_load.py --db sqlite --clients 10 --each 20 --rows 300 --workers 2
    python bench/service_load.py --db sqlite --clients 10 --no-explain   # without the background explainer

Each client has its own agency and submitter token and sends ``--each`` distinct
submissions of ``--rows`` rows (the example file's values, every row of the
client's agency); one step is: POST the file (201 = scored and durably stored),
then GET its results (readable); a 503 (the server's request timeout) is retried
with the same Idempotency-Key and the step's latency includes the retries.
Printed per run: throughput, p50/p95/max step latency, and the server's CPU seconds per step
(all its processes, from /proc: independent of other load on the machine).  Afterwards every
acknowledged submission must be stored exactly once with all its rows scored,
and the audit chain must verify; otherwise exit 1.  PostgreSQL is a throwaway
server started from the machine's binaries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.service_kit import Server, start_postgres  # noqa: E402

EXAMPLE = ROOT / "examples" / "instansi-2026.csv"


def submission(agency: str, rows: int, n: int) -> bytes:
    """``rows`` subjects of ``agency`` (ids agency-u0001…) with the example's values, distinct per ``n``."""
    header, *lines = EXAMPLE.read_text().splitlines()
    out = [header]
    for i in range(rows):
        cells = lines[i % len(lines)].split(",")
        cells[0], cells[1] = f"{agency}-u{i:04d}", agency
        cells[3] = f"{80 + (n * 7 + i) % 2000 / 100:.2f}"  # capaian_iku: varies per submission
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kinerja-load-") as tmp:
            yield f"sqlite:///{tmp}/kinerja.db"
        return
    server = start_postgres(durable=True)  # fsync on, as SQLite's synchronous=FULL
    pg = next(server)
    try:
        yield pg.create_database()
    finally:
        next(server, None)


def tokens(url: str, clients: int) -> list[tuple[str, str]]:
    from engine.service import auth, db

    engine = db.connect(url)
    db.migrate(engine)
    with db.writing(engine) as conn:
        made = [(f"agency_{k:03d}", auth.create_token(conn, f"agency_{k:03d}", "submitter")[1])
                for k in range(clients)]
    engine.dispose()
    return made


def run(kind: str, clients: int, each: int, rows: int, workers: int, explain: bool = True) -> dict[str, float]:
    with database(kind) as url:
        made = tokens(url, clients)
        server = Server(url, extra=["--workers", str(workers), "--explain" if explain else "--no-explain"],
                        ready_within=180)
        latencies: list[float] = []
        acked: list[str] = []
        failures: list[str] = []
        lock = threading.Lock()

        def client(agency: str, token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.base, headers=headers, timeout=120) as http:
                for n in range(each):
                    body = submission(agency, rows, n)
                    start = time.perf_counter()
                    for _attempt in range(5):  # a 503 (timeout) is retried with the same key, as docs/service.md says
                        r = http.post("/api/v1/submissions", files={"file": (f"{agency}.csv", body)},
                                      data={"period": "2026", "policy": "bsc_instansi"},
                                      headers={"Idempotency-Key": f"{agency}-{n}"})
                        if r.status_code != 503:
                            break
                    ok = r.status_code in (200, 201)
                    if ok:
                        got = http.get(f"/api/v1/submissions/{r.json()['id']}/results")
                        ok = got.status_code == 200 and len(got.json()) == r.json()["run"]["rows"]["scored"]
                    took = time.perf_counter() - start
                    with lock:
                        latencies.append(took)
                        (acked.append(r.json()["id"]) if ok else failures.append(f"{agency} {n}: {r.status_code}"))

        threads = [threading.Thread(target=client, args=pair) for pair in made]
        cpu_before = tree_cpu(server.proc.pid)
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        cpu = tree_cpu(server.proc.pid) - cpu_before
        server.stop()
        check = verify(url, acked, rows)
    q = statistics.quantiles(latencies, n=20)
    return {"submissions": len(acked), "failures": len(failures) + len(check), "wall": wall,
            "throughput": len(acked) / wall, "p50": statistics.median(latencies), "p95": q[18],
            "max": max(latencies), "cpu": cpu / max(len(latencies), 1),
            "problems": failures[:5] + check[:5]}  # type: ignore[dict-item]


def tree_cpu(pid: int, skip: str = "engine.service.explainer") -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and all its descendants (Linux /proc)
    except the background explainer (``skip``): the work of answering requests, whatever the machine's
    load (wall-clock latency is not)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if skip.encode() in (entry / "cmdline").read_bytes():
                    continue
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (ppid, _) in stats.items() if ppid == parent]
        tree.update(children)
        frontier += children
    return sum(stats[p][1] for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")


def verify(url: str, acked: list[str], rows: int) -> list[str]:
    """Every acknowledged submission stored once with every row scored; the audit chain intact."""
    from sqlalchemy import text

    from engine.service import audit, db

    engine = db.connect(url)
    problems = []
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM submissions"))]
        scored = dict(conn.execute(text("SELECT r.submission_id, count(x.position) FROM runs r "
                                        "JOIN results x ON x.run_id = r.id GROUP BY r.submission_id")).all())
        expected = dict(conn.execute(text("SELECT submission_id, rows_scored FROM runs")).all())
        complete = conn.execute(text("SELECT count(*) FROM runs WHERE rows_read = :n AND "
                                     "rows_scored + rows_rejected = rows_read"), {"n": rows}).scalar()
        v = audit.verify(conn)
    if sorted(ids) != sorted(acked):
        problems.append(f"stored {len(ids)} submissions, acknowledged {len(acked)} (lost or duplicated)")
    problems += [f"{sid}: {scored.get(sid, 0)} result rows" for sid in acked if scored.get(sid) != expected.get(sid)]
    if complete != len(ids):
        problems.append(f"{len(ids) - complete} runs do not reconcile {rows} rows read")
    problems += [f"audit: {p}" for p in v.problems]
    engine.dispose()
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    ap.add_argument("--each", type=int, default=20)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-explain", dest="explain", action="store_false",
                    help="serve without the background explainer (kinerja serve --no-explain)")
    args = ap.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    bad = 0
    print(f"{'database':<11} {'clients':>7} {'subm.':>6} {'wall s':>7} {'subm/s':>7} {'p50 s':>6} {'p95 s':>6} "
          f"{'max s':>6} {'CPU s/subm.':>11}  problems")
    for kind in kinds:
        for clients in args.clients:
            r = run(kind, clients, args.each, args.rows, args.workers, args.explain)
            bad += int(r["failures"])
            print(f"{kind:<11} {clients:>7} {r['submissions']:>6} {r['wall']:>7.1f} {r['throughput']:>7.2f} "
                  f"{r['p50']:>6.2f} {r['p95']:>6.2f} {r['max']:>6.2f} {r['cpu']:>11.3f}  "
                  f"{r['problems'] or 'none'}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
