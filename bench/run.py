"""The national benchmark: Kinerja (API and `kinerja eval`) against hand-written numpy and polars.

    python bench/run.py                    # 1,000,000 rows, 3 runs each
    python bench/run.py -n 4300000 --repeat 3
    python bench/run.py --smoke            # 3,000 rows, 1 run (the test suite runs this)

Every run is a fresh process that loads the Parquet file, computes the
scorecard and writes the results as Parquet; it reports its load, compute and
write times, and the parent measures its wall time and peak memory (the
child's maximum resident set, from ``wait4``).  Medians over ``--repeat`` runs
are printed with the ratios Kinerja / numpy and Kinerja / polars.  Before any
figure is printed the outputs are compared: every node score within 1e-9 and
the rating identical on every row, or the run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
IMPLS = ("kinerja", "kinerja-cli", "kinerja-cli-csv", "kinerja-cli-koma", "numpy", "polars")
SOURCES = {"kinerja-cli": ".parquet", "kinerja-cli-csv": ".csv", "kinerja-cli-koma": "-koma.csv"}
TOLERANCE = 1e-9


# ------------------------------------------------------------------ workers (one run in this process)

def _work(impl: str, data: Path, out: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    times: dict[str, float] = {}
    if impl == "kinerja":
        sys.path.insert(0, str(ROOT))
        from engine import api
        from engine.data import load, schema_from_plan
        from engine.evaluate import evaluate
        from engine.output import write_results

        policies = api.compile_policies([HERE / "policy" / "bsc-bench.kin"])
        plan = policies.select()
        t1 = time.perf_counter()
        loaded = load([data], schema_from_plan(plan))
        t2 = time.perf_counter()
        result = evaluate(policies.agencies_of(plan), loaded.batch, plan)
        t3 = time.perf_counter()
        write_results(result.table(), out)
        times["compile"] = t1 - t0
    elif impl == "numpy":
        import baselines
        import pyarrow as pa
        import pyarrow.parquet as pq
        import spec

        t1 = time.perf_counter()
        table = pq.read_table(data)
        cols = {i.name: table.column(i.name).to_numpy() for i in spec.INDICATORS}
        ids = table.column("id")
        del table
        t2 = time.perf_counter()
        res = baselines.numpy_scorecard(cols)
        t3 = time.perf_counter()
        arrays = {"id": ids}
        for k, v in res.items():
            arrays[k] = pa.array(v, mask=None if v.dtype == object else v != v)
        pq.write_table(pa.table(arrays), out, compression="zstd")
    elif impl == "polars":
        import baselines
        import polars as pl

        t1 = time.perf_counter()
        frame = pl.read_parquet(data)
        t2 = time.perf_counter()
        res = baselines.polars_scorecard(frame)
        t3 = time.perf_counter()
        res.with_columns(frame["id"]).write_parquet(out, compression="zstd")
    else:
        raise SystemExit(f"unknown implementation {impl}")
    t4 = time.perf_counter()
    times.update(load=t2 - t1, compute=t3 - t2, write=t4 - t3, total=t4 - t0)
    return times


def _spawn(cmd: list[str]) -> tuple[str, float, float]:
    """Run ``cmd``; its stdout, wall seconds and peak resident memory in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return out.decode(), wall, usage.ru_maxrss / 1024


def run_once(impl: str, data: Path, out: Path) -> dict[str, float]:
    if impl in SOURCES:  # streamed chunk by chunk (engine/api.py: score)
        source = data.with_name(data.stem + SOURCES[impl])
        if impl == "kinerja-cli-koma" and not source.exists():
            import generate

            generate.comma_copy(data)
        cmd = [sys.executable, "-m", "cli", "eval", str(HERE / "policy" / "bsc-bench.kin"), str(source), "-o", str(out)]
        _, wall, peak = _spawn(cmd)
        return {"wall": wall, "peak_mb": peak}
    text, wall, peak = _spawn([sys.executable, str(Path(__file__)), "--worker", impl, "--data", str(data),
                               "--out", str(out)])
    times = json.loads(text.strip().splitlines()[-1])
    times.update(wall=wall, peak_mb=peak)
    return times


# ------------------------------------------------------------------ agreement

def check_agreement(outputs: dict[str, Path]) -> list[str]:
    """Every pair of outputs: node scores within TOLERANCE, ratings identical, on every row."""
    import baselines
    import numpy as np
    import pyarrow.parquet as pq
    import spec

    problems = []
    tables = {k: pq.read_table(p) for k, p in outputs.items()}
    ref_name, ref = next(iter(tables.items()))
    ref_ids = ref.column("id" if "id" in ref.column_names else "subject_id").to_numpy(zero_copy_only=False)
    for name, t in tables.items():
        ids = t.column("id" if "id" in t.column_names else "subject_id").to_numpy(zero_copy_only=False)
        if len(ids) != len(ref_ids) or not (ids == ref_ids).all():
            problems.append(f"{name}: subjects differ from {ref_name}")
            continue
        for col in baselines.OUTPUTS:
            a = t.column(col).to_numpy(zero_copy_only=False)
            b = ref.column(col).to_numpy(zero_copy_only=False)
            if col == spec.RATING:
                bad = int(np.count_nonzero(a != b))
            else:
                a, b = a.astype(np.float64), b.astype(np.float64)
                both = np.isnan(a) & np.isnan(b)
                with np.errstate(invalid="ignore"):
                    bad = int(np.count_nonzero(~both & ~(np.abs(a - b) <= TOLERANCE)))
            if bad:
                problems.append(f"{name} vs {ref_name}: {col} differs on {bad} row(s)")
    return problems


# ------------------------------------------------------------------ driver

def _have_polars() -> bool:
    try:
        import polars  # noqa: F401
    except ImportError:
        return False
    return True


def bench(data: Path, repeat: int, impls: list[str], workdir: Path) -> tuple[dict[str, dict[str, float]], list[str]]:
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in impls}
    outputs = {k: workdir / f"out-{k}.parquet" for k in impls}
    for _ in range(repeat):
        for impl in impls:  # interleaved, so a noisy moment hits every implementation alike
            runs[impl].append(run_once(impl, data, outputs[impl]))
    problems = check_agreement(outputs)
    medians = {k: {m: statistics.median(r[m] for r in rs) for m in rs[0]} for k, rs in runs.items()}
    return medians, problems


def report(n: int, medians: dict[str, dict[str, float]]) -> str:
    lines = [f"{n:,} rows, medians", f"{'':14}{'load s':>9}{'compute s':>11}{'M rows/s':>10}{'write s':>9}"
             f"{'e2e wall s':>12}{'peak MB':>9}"]
    for k, m in medians.items():
        compute = m.get("compute")
        rate = f"{n / compute / 1e6:10.2f}" if compute else f"{'':>10}"

        def f(key: str, width: int, m: dict[str, float] = m) -> str:
            return f"{m[key]:{width}.3f}" if key in m else " " * width
        lines.append(f"{k:14}{f('load', 9)}{f('compute', 11)}{rate}{f('write', 9)}{m['wall']:12.3f}"
                     f"{m['peak_mb']:9.0f}")
    k = medians.get("kinerja")
    for base in ("numpy", "polars"):
        b = medians.get(base)
        if k and b:
            lines.append(f"kinerja / {base}: compute {k['compute'] / b['compute']:.2f}x, "
                         f"API end-to-end {k['wall'] / b['wall']:.2f}x"
                         + (f", `kinerja eval` end-to-end {medians['kinerja-cli']['wall'] / b['wall']:.2f}x"
                            if "kinerja-cli" in medians else "")
                         + (f", `kinerja eval` from CSV {medians['kinerja-cli-csv']['wall'] / b['wall']:.2f}x"
                            if "kinerja-cli-csv" in medians else ""))
    if "kinerja-cli-koma" in medians and "kinerja-cli-csv" in medians:
        ratio = medians["kinerja-cli-koma"]["wall"] / medians["kinerja-cli-csv"]["wall"]
        lines.append(f"`kinerja eval` from a decimal-comma CSV / from the CSV: {ratio:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="3,000 rows in a temporary folder, 1 run")
    ap.add_argument("--only", nargs="*", choices=IMPLS, help="run only these implementations")
    ap.add_argument("--json", type=Path, help="also write the medians as JSON")
    ap.add_argument("--worker", choices=IMPLS, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_work(args.worker, args.data, args.out)))
        return 0
    import generate

    impls = list(args.only or IMPLS)
    if not _have_polars() and "polars" in impls:
        print("polars is not installed: its column is skipped (pip install '.[bench]')", file=sys.stderr)
        impls.remove("polars")
    with tempfile.TemporaryDirectory() as tmp:
        if args.smoke:
            args.n, args.repeat = 3000, 1
            data = generate.write(args.n, Path(tmp), csv="kinerja-cli-csv" in impls)[0]
        else:
            data = generate.paths(args.n)[0]
            if not data.exists() or ("kinerja-cli-csv" in impls and not data.with_suffix(".csv").exists()):
                print(f"generating {data} ...", file=sys.stderr)
                generate.write(args.n)
        medians, problems = bench(data, args.repeat, impls, Path(tmp))
    if problems:
        print("DISAGREEMENT:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"all {len(impls)} implementations agree (scores within {TOLERANCE:g}, identical ratings)")
    print(report(args.n, medians))
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "repeat": args.repeat, "medians": medians}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
