"""Kinerja against OpenFisca on the SAKIP rules of PermenPANRB 88/2021, every row compared.

    python bench/openfisca_sakip.py                   # 1,000,000 rows, 3 runs each, alternated
    python bench/openfisca_sakip.py -n 20000 --repeat 1
    python bench/openfisca_sakip.py --openfisca-python /path/to/venv-of/bin/python

OpenFisca (openfisca-core) pins its own numpy, so it lives in a separate virtual environment
(bench/README.md, "OpenFisca baseline"); this script runs in Kinerja's and starts the other
interpreter for the OpenFisca side (``--openfisca-python``, default ``$KINERJA_OPENFISCA_PYTHON``
or ``/work/venv-of/bin/python``).

The model is ``policies/nasional/sakip/sakip-88-2021.kin`` written as OpenFisca variables:
12 sub-component inputs (0..100), 4 components (Keberadaan 20%, Kualitas 30%, Pemanfaatan
50%), the total ``nilai_akip`` (weights 30/30/15/25, rounded to 2 decimals) and the predikat
(AA > 90, A > 80, BB > 70, B > 60, CC > 50, C > 30, D).  It is configured to agree with
Kinerja on every row: 64-bit floats (OpenFisca's default is float32) and rounding half away
from zero with the same decimal tolerance (OpenFisca's ``round_`` is numpy's half to even).
OpenFisca makes no input checks; Kinerja's checks (types, ranges, duplicate ids, agencies)
all stay on.

Each run is a fresh process that reads the same Parquet file and writes Parquet: ``kinerja``
is ``kinerja eval POLICY DATA -o OUT.parquet``, ``openfisca`` builds the tax-benefit system,
sets the inputs, calculates the predikat (and with it every component) and writes the
components, total and predikat.  Wall time and peak memory come from ``wait4``; runs
alternate.  Afterwards the components (within 1e-9), the total (exactly) and the predikat of
every row are compared; a disagreement fails the run (exit 1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = ROOT / "policies" / "nasional" / "sakip" / "sakip-88-2021.kin"
DATA = HERE / "data"
COMPONENTS = {"perencanaan": 30, "pengukuran": 30, "pelaporan": 15, "evaluasi": 25}
PARTS = {"keberadaan": 0.2, "kualitas": 0.3, "pemanfaatan": 0.5}
INPUTS = [f"{c}_{p}" for c in COMPONENTS for p in PARTS]
BANDS = [("AA", 90), ("A", 80), ("BB", 70), ("B", 60), ("CC", 50), ("C", 30)]  # lower edges, exclusive
LETTERS = [100, 90, 80, 70, 60, 50, 30, 0]  # the answer scale of the evaluation sheet
REL = 1e-12  # Kinerja's decimal tolerance (engine/evaluate/numeric.py)
ROW_GROUP = 1 << 18


def generate(n: int, seed: int = 88) -> Path:
    """``bench/data/sakip-N.parquet``: id, agency and the 12 sub-component averages (seeded)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = DATA / f"sakip-{n}.parquet"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    columns = {"id": pa.array([f"S{i:07d}" for i in range(1, n + 1)]),
               "agency": pa.array([f"A{i:03d}" for i in rng.integers(1, 601, n)])}
    letters = np.array(LETTERS, dtype=np.float64)
    for name in INPUTS:  # each sub-component is the mean of 1-6 criteria answered on the letter scale
        criteria = rng.integers(1, 7, n)
        answers = letters[rng.integers(0, len(LETTERS), (n, 6))]
        answers[np.arange(6) >= criteria[:, None]] = 0.0
        columns[name] = pa.array(np.round(answers.sum(axis=1) / criteria, 6))
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table(columns), tmp, row_group_size=ROW_GROUP)
    tmp.replace(path)
    return path


# ------------------------------------------------------------------ the OpenFisca side (its own venv)

def openfisca_run(data: Path, out: Path) -> dict[str, float]:
    """Read ``data``, compute with an OpenFisca tax-benefit system, write ``out``; phase times."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openfisca_core import periods, variables
    from openfisca_core.entities import build_entity
    from openfisca_core.indexed_enums import Enum
    from openfisca_core.model_api import Variable, select
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    start = time.perf_counter()
    variables.config.VALUE_TYPES[float]["dtype"] = np.float64  # float32 by default
    table = pq.read_table(data)
    loaded = time.perf_counter()

    agency = build_entity(key="agency", plural="agencies", label="Instansi pemerintah", is_person=True)
    tbs = TaxBenefitSystem([agency])

    def add(name: str, formula: object = None, value_type: type = float, **extra: object) -> None:
        body = {"value_type": value_type, "entity": agency, "definition_period": periods.DateUnit.YEAR,
                "label": name, **extra}
        if formula is not None:
            body["formula"] = formula
        tbs.add_variable(type(name, (Variable,), body))

    for name in INPUTS:
        add(name)
    def component_of(comp: str):  # type: ignore[no-untyped-def]
        def component(agencies, period):  # type: ignore[no-untyped-def]
            weighted = sum(w * agencies(f"{comp}_{p}", period) for p, w in PARTS.items())
            return weighted / sum(PARTS.values())
        return component

    for comp in COMPONENTS:
        add(comp, component_of(comp))

    def nilai_akip(agencies, period):  # type: ignore[no-untyped-def]
        total = sum(w * agencies(c, period) for c, w in COMPONENTS.items()) / sum(COMPONENTS.values())
        y = np.abs(total) * 100.0  # half away from zero, with Kinerja's decimal tolerance
        whole = np.floor(y)
        up = (y - whole) >= 0.5 - REL * np.maximum(1.0, y)
        return np.copysign((whole + up) / 100.0, total)
    add("nilai_akip", nilai_akip)

    Predikat = Enum("Predikat", [(k, k) for k, _ in BANDS] + [("D", "D")])

    def predikat_akip(agencies, period):  # type: ignore[no-untyped-def]
        nilai = agencies("nilai_akip", period)
        return select([nilai > edge for _, edge in BANDS], [Predikat[k] for k, _ in BANDS], default=Predikat.D)
    add("predikat_akip", predikat_akip, value_type=Enum, possible_values=Predikat, default_value=Predikat.D)

    sim = SimulationBuilder().build_default_simulation(tbs, count=table.num_rows)
    for name in INPUTS:
        sim.set_input(name, "2026", table.column(name).to_numpy())
    built = time.perf_counter()
    predikat = sim.calculate("predikat_akip", "2026").decode_to_str()
    outputs = {c: sim.calculate(c, "2026") for c in [*COMPONENTS, "nilai_akip"]}
    computed = time.perf_counter()
    result = pa.table({"id": table.column("id"), **{k: pa.array(v) for k, v in outputs.items()},
                       "predikat_akip": pa.array(predikat.astype(str))})
    pq.write_table(result, out)
    return {"load": loaded - start, "build": built - loaded, "compute": computed - built,
            "write": time.perf_counter() - computed}


# ------------------------------------------------------------------ the driver (Kinerja's venv)

def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak MB from ``wait4``, stdout) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_bytes = proc.stdout.read() if proc.stdout else b""  # type: ignore[union-attr]
    err_bytes = proc.stderr.read() if proc.stderr else b""  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err_bytes.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024, out_bytes.decode()


def compare(kinerja_out: Path, openfisca_out: Path, n: int) -> None:
    """Every row: the components within 1e-9, the total exactly, the predikat identical."""
    import numpy as np
    import pyarrow.parquet as pq

    k = pq.read_table(kinerja_out, columns=["subject_id", *COMPONENTS, "nilai_akip", "predikat_akip"])
    o = pq.read_table(openfisca_out)
    if k.num_rows != n or o.num_rows != n:
        raise SystemExit(f"row counts differ: kinerja {k.num_rows}, openfisca {o.num_rows}, data {n}")
    if k.column("subject_id").to_pylist() != o.column("id").to_pylist():
        raise SystemExit("the two outputs list the subjects in different orders")
    for name in COMPONENTS:
        a, b = (t.column(name).to_numpy() for t in (k, o))
        if not np.all(np.abs(a - b) <= 1e-9):
            raise SystemExit(f"{name} differs on {int(np.sum(np.abs(a - b) > 1e-9))} rows")
    if not np.array_equal(k.column("nilai_akip").to_numpy(), o.column("nilai_akip").to_numpy()):
        raise SystemExit("nilai_akip differs")
    if k.column("predikat_akip").to_pylist() != o.column("predikat_akip").to_pylist():
        raise SystemExit("predikat_akip differs")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--openfisca-python",
                    default=os.environ.get("KINERJA_OPENFISCA_PYTHON", "/work/venv-of/bin/python"))
    ap.add_argument("--openfisca-run", nargs=2, type=Path, metavar=("DATA", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.openfisca_run:  # inside the OpenFisca venv
        print(" ".join(f"{k}={v:.3f}" for k, v in openfisca_run(*args.openfisca_run).items()))
        return 0
    if not Path(args.openfisca_python).exists():
        print(f"no OpenFisca interpreter at {args.openfisca_python}: see bench/README.md, 'OpenFisca baseline'")
        return 2
    data = generate(args.n)
    walls: dict[str, list[float]] = {"kinerja": [], "openfisca": []}
    peaks: dict[str, list[float]] = {"kinerja": [], "openfisca": []}
    phases: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        outs = {"kinerja": Path(tmp) / "kinerja.parquet", "openfisca": Path(tmp) / "openfisca.parquet"}
        cmds = {"kinerja": [sys.executable, "-m", "cli", "eval", str(POLICY), str(data), "-o", str(outs["kinerja"])],
                "openfisca": [args.openfisca_python, str(Path(__file__).resolve()), "--openfisca-run",
                              str(data), str(outs["openfisca"])]}
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                wall, peak, out = measured(cmd, env if name == "kinerja" else None)
                walls[name].append(wall)
                peaks[name].append(peak)
                if name == "openfisca":
                    phases.append(out.strip())
        compare(outs["kinerja"], outs["openfisca"], args.n)
    print(f"{args.n:,} rows, SAKIP 88/2021 (12 inputs, 4 components, total, predikat); all rows agree")
    for name in walls:
        print(f"  {name:10} e2e wall median {statistics.median(walls[name]):.3f} s "
              f"(runs {', '.join(f'{w:.2f}' for w in walls[name])}), peak {max(peaks[name]):.0f} MB")
    print(f"  openfisca phases (last run): {phases[-1]}")
    ratio = statistics.median(walls["kinerja"]) / statistics.median(walls["openfisca"])
    print(f"  kinerja eval / openfisca: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
