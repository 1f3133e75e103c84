"""Start-up and small-input latency: `kinerja --help` and `kinerja eval` of a few hundred rows.

    python bench/startup.py                 # 10 runs each: median and min wall, plus the slowest imports
    python bench/startup.py --repeat 20 --rows 300

Every run is a fresh process (as an officer's terminal or a CI job runs it);
the input is the first ``--rows`` rows of ``examples/pegawai-2026.csv`` under
the SKP policy (quotas included).  ``-X importtime`` of one eval lists the
modules whose import costs most (cumulative microseconds).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "nasional" / "skp" / "kinerja-pegawai-2022.kin"
EXAMPLE = ROOT / "examples" / "pegawai-2026.csv"


def timed(cmd: list[str], repeat: int) -> list[float]:
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    return walls


def slowest_imports(cmd: list[str], top: int = 12) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], cwd=ROOT, capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rows", type=int, default=300)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "submission.csv"
        lines = EXAMPLE.read_text(encoding="utf-8").splitlines()[: args.rows + 1]
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        commands = {
            "kinerja --help": [sys.executable, "-m", "cli", "--help"],
            f"kinerja eval ({args.rows} rows)": [sys.executable, "-m", "cli", "eval", str(POLICY), str(data),
                                                 "-o", str(Path(tmp) / "out.csv")],
        }
        for label, cmd in commands.items():
            walls = timed(cmd, args.repeat)
            print(f"{label:28} median {statistics.median(walls):.3f} s, min {min(walls):.3f} s ({args.repeat} runs)")
        print("slowest imports of the eval (cumulative ms):")
        for micros, name in slowest_imports(commands[f"kinerja eval ({args.rows} rows)"]):
            print(f"  {micros / 1000:8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
