"""Subject levels at scale: `kinerja eval` of N employees with and without two levels (units of
about 100 employees, agencies of about 100 units), streamed from one CSV file.

Runs alternate (with levels, without, ...) in fresh processes; the parent reports each run's wall
time and peak resident memory (``wait4``), and checks that the streamed level files equal those of
an in-memory run on the same data.

    python bench/levels.py -n 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "language.md"


def policy(with_levels: bool) -> str:
    """The language reference's level example (so the benchmark runs what the docs show)."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("policy unit_dari_pegawai")
    body = text[start:text.index("```", start)]
    return body if with_levels else re.sub(r"\nlevel .*", "\n", body, flags=re.S) + \
        'value pakai_unit "Unit dan peran" = unit_kerja == "x" or peran == "staf"\n'


def generate(path: Path, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    units = np.maximum(n // 100, 1)
    unit = rng.integers(0, units, n)
    agency = unit // 100
    nilai = np.round(rng.uniform(50, 120, n), 2).astype(str)
    nilai[rng.random(n) < 0.02] = ""
    peran = np.where(rng.random(n) < 0.1, "pimpinan", "staf")
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,agency,unit_kerja,peran,nilai\n")
        for start in range(0, n, 200_000):
            stop = min(start + 200_000, n)
            rows = (f"e{i},a{agency[i]},u{unit[i]},{peran[i]},{nilai[i]}\n" for i in range(start, stop))
            fh.write("".join(rows))


def run(policy_file: Path, data: Path, out: Path, stream: bool = True) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `kinerja eval` in a fresh process."""
    cmd = [sys.executable, "-m", "cli", "eval", str(policy_file), str(data), "-o", str(out)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"kinerja eval failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "pegawai.csv"
        generate(data, args.n)
        files = {}
        for label, levels in (("with levels", True), ("without", False)):
            files[label] = folder / f"{label.split()[0]}.kin"
            files[label].write_text(policy(levels), encoding="utf-8")
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in files}
        for _ in range(args.repeat):
            for label, pol in files.items():
                times[label].append(run(pol, data, folder / "out" / f"{label.split()[0]}.csv"))
        print(f"{args.n:,} employees, {max(args.n // 100, 1):,} units, {max(args.n // 10_000, 1):,} agencies; "
              f"{args.repeat} alternated run(s) each")
        for label, got in times.items():
            print(f"  {label:12s} median {statistics.median(t for t, _ in got):6.2f} s   "
                  f"peak RSS {max(m for _, m in got):7.0f} MB")
        _agree(files["with levels"], data, folder)


def _agree(policy_file: Path, data: Path, folder: Path) -> None:
    """The streamed level files equal an in-memory run's."""
    sys.path.insert(0, str(ROOT))
    from engine import api
    from engine.streaming import score_to_file

    policies = api.compile_policies([policy_file])
    score_to_file(policies, [data], folder / "mem" / "h.csv", stream=False)
    for level in ("unit", "instansi"):
        same = (folder / "mem" / f"h.{level}.csv").read_bytes() == (folder / "out" / f"with.{level}.csv").read_bytes()
        print(f"  level {level}: streamed file {'equals' if same else 'DIFFERS FROM'} the in-memory one")


if __name__ == "__main__":
    main()
