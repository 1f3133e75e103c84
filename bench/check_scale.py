"""`kinerja check` at national scale: the national BSC template plus N generated agency policies.

    python bench/check_scale.py              # 600 agencies, 5 runs: median wall of `kinerja check`
    python bench/check_scale.py -n 50 --repeat 1

Each agency extends ``policies/nasional/bsc-instansi.kin`` with overrides inside
its constraints (seeded: perspective weights, targets and a cap), the shape of
``policies/instansi/kemenkeu.kin``.  Every run is a fresh `kinerja check` process
over the folder; the check must pass (exit 0).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "policies" / "nasional" / "bsc-instansi.kin"
# (hasil, keuangan, proses_internal, pembelajaran) in percent: inside the constraints, summing to 100.
WEIGHTS = [(40, 15, 25, 20), (35, 20, 25, 20), (45, 10, 25, 20), (50, 10, 20, 20), (35, 15, 30, 20),
           (40, 20, 20, 20), (45, 15, 25, 15), (35, 20, 20, 25)]


def agency(k: int, rng: random.Random) -> str:
    w = rng.choice(WEIGHTS)
    return f'''# Generated agency {k} for bench/check_scale.py.
agency a{k:03d} "Instansi {k}" extends "../nasional/bsc-instansi.kin" {{
    peer_group {rng.choice(["kementerian", "lembaga", "provinsi", "kabupaten"])}

    indicator capaian_iku {{ target {rng.choice([100, 102, 105, 110])} }}
    indicator ikm {{ target {rng.choice(["88.31", "89", "90", "92.5"])} }}
    indicator waktu_layanan {{ target {rng.choice([3, 4, 5])} }}

    scorecard nilai_kinerja {{
        perspective hasil weight {w[0]}%
        perspective keuangan weight {w[1]}%
        perspective proses_internal weight {w[2]}%
        perspective pembelajaran weight {w[3]}%
    }}
}}
'''


def write(folder: Path, n: int, seed: int = 6) -> Path:
    rng = random.Random(seed)
    (folder / "nasional").mkdir(parents=True, exist_ok=True)
    (folder / "instansi").mkdir(parents=True, exist_ok=True)
    shutil.copy(NATIONAL, folder / "nasional" / NATIONAL.name)
    for k in range(n):
        (folder / "instansi" / f"a{k:03d}.kin").write_text(agency(k, rng), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp), args.n)
        walls = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "cli", "check", str(folder)], cwd=ROOT,
                                  capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
    print(f"kinerja check: national policy + {args.n} agencies: median {statistics.median(walls):.3f} s "
          f"(runs: {', '.join(f'{w:.2f}' for w in walls)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
