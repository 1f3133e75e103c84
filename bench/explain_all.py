"""`kinerja eval --explain-all` at national scale: wall, CPU (user + system, all processes), CPU per
subject, peak resident memory of the largest process, and the explanations' size; then a check of
the output's shape (one line per scored subject, in the results' order).

    python bench/explain_all.py                      # 1,000,000 rows, gzip output; generates the data when missing
    python bench/explain_all.py --rows 5000          # the first 5,000 rows of that file
    python bench/explain_all.py --plain --rows 2000  # uncompressed JSONL (about 48 KB per subject)
    python bench/explain_all.py --smoke              # 300 rows in a temporary folder (the test suite)
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from analyses import spawn  # noqa: E402  (bench/ is not a package)


def data_file(n: int, rows: int | None, work: Path) -> Path:
    """The national benchmark file of ``n`` rows (generated when missing), or its first ``rows`` rows."""
    import generate

    full = generate.paths(n)[0]
    if not full.exists():
        print(f"generating {full} ...", file=sys.stderr)
        generate.write(n, csv=False)
    if rows is None or rows >= n:
        return full
    head = work / f"national-{n}-head-{rows}.parquet"
    pq.write_table(pq.read_table(full).slice(0, rows), head)
    return head


def shape(explanations: Path, results: Path) -> dict[str, object]:
    """Lines and bytes of the explanations, checked against the results: as many lines as scored
    subjects, the first and last in the results' order."""
    opener = gzip.open if explanations.name.endswith(".gz") else open
    lines, size, first, last = 0, 0, None, b""
    with opener(explanations, "rb") as fh:
        for line in fh:
            lines += 1
            size += len(line)
            first = first or line
            last = line
    ids = pq.read_table(results, columns=["subject_id"]).column("subject_id").to_pylist()
    problems = []
    if lines != len(ids):
        problems.append(f"{lines} explanations for {len(ids)} scored subjects")
    elif lines and [json.loads(first or b"{}")["subject_id"], json.loads(last)["subject_id"]] != [ids[0], ids[-1]]:
        problems.append("the explanations are not in the results' order")
    return {"lines": lines, "json_bytes": size, "file_bytes": explanations.stat().st_size, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000, help="the national file's rows (bench/data/national-N)")
    ap.add_argument("--rows", type=int, help="only the first ROWS rows of it")
    ap.add_argument("--plain", action="store_true", help="write .jsonl, not .jsonl.gz")
    ap.add_argument("--smoke", action="store_true", help="300 rows in a temporary folder")
    ap.add_argument("--work", type=Path, help="folder for the outputs (default: a temporary one)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kinerja-explain-all-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.smoke:
            import generate

            data = generate.write(300, work, csv=False)[0]
        else:
            data = data_file(args.n, args.rows, work)
        out = work / "out.parquet"
        explanations = work / ("explanations.jsonl" if args.plain else "explanations.jsonl.gz")
        cmd = [sys.executable, "-m", "cli", "eval", str(HERE / "policy" / "bsc-bench.kin"), str(data), "-o", str(out),
               "--explain-all", str(explanations)]
        _, wall, cpu, peak = spawn(cmd)
        got = shape(explanations, out)
        n = got["lines"] or 1
        print(f"{data.name}: {got['lines']:,} subjects, wall {wall:.1f} s, CPU {cpu:.1f} s "
              f"({cpu / n * 1000:.2f} ms per subject), peak {peak:.0f} MB, explanations "
              f"{got['json_bytes'] / 1e6:,.0f} MB of JSON in a {got['file_bytes'] / 1e6:,.0f} MB file")
        for p in got["problems"]:  # type: ignore[attr-defined]
            print(f"  problem: {p}")
        return 1 if got["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
