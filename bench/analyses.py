"""The analyses at national scale: `kinerja diff --data`, `benchmark`, `compare`, `sensitivity` and `report`
against one `kinerja eval` of the same file, each a fresh process (wall seconds, peak resident memory).

    python bench/analyses.py                         # 1,000,000 rows; generates the data when missing
    python bench/analyses.py -n 4300000 --runs 100   # the national file (run it alone on the machine)
    python bench/analyses.py --only diff benchmark   # a subset
    python bench/analyses.py --csv --only eval report  # from the CSV copy of the data (generated when missing)
    python bench/analyses.py --smoke                 # 3,000 rows in a temporary folder (the test suite)

`diff` compares the benchmark policy with a copy whose first ten indicator targets are raised
by 10% (gate `changed-rating>50%`); `compare` compares the data with a second file of the same
employees drawn with another seed; `report` writes the HTML report of one employee without rank
intervals (`--runs 0`: tree, benchmark position, improvement areas), `report-runs` with them (`--runs`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
COMMANDS = ("eval", "diff", "benchmark", "compare", "sensitivity", "report", "report-runs")
RAISED = 10  # indicators whose target the changed policy raises


def raised_policy(text: str, count: int = RAISED) -> str:
    """The policy with the first ``count`` `target N` values raised by 10% (a national rule change)."""
    seen = 0

    def bump(m: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return f"target {float(m.group(1)) * 1.1:g}" if seen <= count else m.group(0)

    return re.sub(r"target (\d+(?:\.\d+)?)", bump, text)


def spawn(cmd: list[str]) -> tuple[str, float, float, float]:
    """Run ``cmd`` (exit 0 or 1 accepted: a gate may trip); stdout, wall seconds, CPU seconds (user + system,
    the figure a loaded machine distorts least) and peak resident MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}):\n{err.decode()[-2000:]}")
    return out.decode(), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def commands(data: Path, second: Path, work: Path, runs: int) -> dict[str, list[str]]:
    policy = HERE / "policy" / "bsc-bench.kin"
    changed = work / "bsc-bench-raised.kin"
    changed.write_text(raised_policy(policy.read_text(encoding="utf-8")), encoding="utf-8")
    cli = [sys.executable, "-m", "cli"]
    return {
        "eval": [*cli, "eval", str(policy), str(data), "-o", str(work / "out.parquet")],
        "diff": [*cli, "diff", str(policy), str(changed), "--data", str(data), "--fail-if", "changed-rating>50%"],
        "benchmark": [*cli, "benchmark", str(policy), str(data)],
        "compare": [*cli, "compare", str(policy), str(data), str(second)],
        "sensitivity": [*cli, "sensitivity", str(policy), str(data), "--runs", str(runs), "--seed", "1"],
        "report": [*cli, "report", str(policy), str(data), "--id", "E0000007", "--runs", "0",
                   "-o", str(work / "r.html")],
        "report-runs": [*cli, "report", str(policy), str(data), "--id", "E0000007", "--runs", str(runs), "--seed", "1",
                        "-o", str(work / "r.html")],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20, help="sensitivity runs")
    ap.add_argument("--only", nargs="*", choices=COMMANDS)
    ap.add_argument("--smoke", action="store_true", help="3,000 rows in a temporary folder")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--csv", action="store_true", help="read the data from its CSV copy (national-N.csv)")
    args = ap.parse_args(argv)
    import generate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.smoke:
            args.n, args.runs = 3000, 5
            data = generate.write(args.n, work, csv=False)[0]
            second = generate.write(args.n, work / "second", seed=2027, csv=False)[0]
        else:
            data = generate.paths(args.n)[args.csv]
            second = generate.paths(args.n, generate.DATA / "seed-2027")[args.csv]
            if not data.exists():
                print(f"generating {data} ...", file=sys.stderr)
                generate.write(args.n, csv=args.csv)
            if not second.exists() and (not args.only or "compare" in args.only):
                print(f"generating {second} ...", file=sys.stderr)
                generate.write(args.n, second.parent, seed=2027, csv=args.csv)
        figures = {}
        for name, cmd in commands(data, second, work, args.runs).items():
            if args.only and name not in args.only:
                continue
            out, wall, cpu, peak = spawn(cmd)
            figures[name] = {"wall": wall, "cpu": cpu, "peak_mb": peak, "stdout_lines": out.count("\n")}
            print(f"{name:12} {wall:8.2f} s wall {cpu:8.2f} s cpu {peak:8.0f} MB {out.count(chr(10)):9d} lines",
                  flush=True)
    base = figures.get("eval")
    if base:
        for name, f in figures.items():
            if name != "eval":
                print(f"{name} / eval: wall {f['wall'] / base['wall']:.2f}x, cpu {f['cpu'] / base['cpu']:.2f}x, "
                      f"memory {f['peak_mb'] / base['peak_mb']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "runs": args.runs, "figures": figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
