"""Data-loading speed check: a seeded wide CSV (and Parquet) of N subjects through ``engine.data.load``.

Run: ``python bench/data_load.py [N] [--xlsx M]`` (default N = 200000).  Prints the
median of three loads per format; not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.data import Field, Schema, load  # noqa: E402

N_INDICATORS = 24


def schema() -> Schema:
    fields = {f"i{k:02d}": Field(f"i{k:02d}", lo=0.0, hi=200.0, range_text="0 .. 200", kind="indicator")
              for k in range(N_INDICATORS)}
    fields["unit"] = Field("unit", "text")
    fields["inovasi"] = Field("inovasi", "boolean")
    return Schema(fields)


def table(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {
        "id": [f"E{i:08d}" for i in range(n)],
        "agency": [f"A{a:03d}" for a in rng.integers(0, 600, n)],
        "unit": [f"U{u:05d}" for u in rng.integers(0, 20000, n)],
        "inovasi": rng.choice(np.array(["true", "false"]), n),
    }
    for k in range(N_INDICATORS):
        values = np.round(rng.uniform(40, 120, n), 2)
        missing = rng.random(n) < 0.02  # about 2% missing, as in the national benchmark
        cols[f"i{k:02d}"] = pa.array(values, mask=missing)
    return pa.table(cols)


def timed(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=200_000)
    ap.add_argument("--xlsx", type=int, default=0, help="also time an XLSX of this many rows (slow to write)")
    args = ap.parse_args()
    sch = schema()
    t = table(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, pq_path = Path(tmp) / "d.csv", Path(tmp) / "d.parquet"
        pcsv.write_csv(t, csv_path)
        pq.write_table(t, pq_path)
        for path in (csv_path, pq_path):
            res = load(path, sch)
            assert res.report.reconciles and res.batch.n == args.n, res.report.files
            secs = timed(lambda p=path: load(p, sch))
            print(f"{path.suffix:9} {args.n:>9} rows  {secs:7.3f} s  {args.n / secs / 1e6:6.2f} M rows/s")
        if args.xlsx:
            from engine.output import write_results

            xlsx_path = Path(tmp) / "d.xlsx"
            small = t.slice(0, args.xlsx)
            write_results({c: small.column(c).to_numpy(zero_copy_only=False) for c in small.column_names}, xlsx_path)
            secs = timed(lambda: load(xlsx_path, sch), runs=1)
            print(f"{'.xlsx':9} {args.xlsx:>9} rows  {secs:7.3f} s  {args.xlsx / secs / 1e6:6.2f} M rows/s")


if __name__ == "__main__":
    main()
