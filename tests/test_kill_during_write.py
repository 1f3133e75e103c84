"""A run killed while it writes never leaves a complete-looking set: the results file is either
absent or whole, and a manifest exists only when it vouches (``kinerja verify``) for what is there."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "instansi-2026.csv"
ROWS = 300_000  # more than one streamed chunk (262,144 rows), so the results are written piece by piece


def national(path: Path, variant: str) -> None:
    """ROWS subjects built from the example's valid rows, ids made unique."""
    rows = list(csv.reader(EXAMPLE.open(encoding="utf-8")))
    header, good = rows[0], [r for r in rows[1:11]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for k in range(ROWS):
            row = list(good[k % len(good)])
            row[0] = f"{variant}{k}"
            out.writerow(row)


def eval_args(data: Path, out: Path) -> list[str]:
    return ["eval", "policies/", str(data), "--policy", "bsc_instansi", "-o", str(out)]


def lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("national")
    national(folder / "old.csv", "a")
    national(folder / "new.csv", "b")
    return folder / "old.csv", folder / "new.csv"


@pytest.mark.parametrize("delay", [1.0, 3.0])
def test_sigkill_during_a_run_leaves_no_complete_looking_partial_set(delay: float, inputs: tuple[Path, Path],
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    (old, new), out = inputs, tmp_path / "r.csv"
    assert CliRunner().invoke(cli.main, eval_args(old, out)).exit_code == 0
    manifest = tmp_path / "r.manifest.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "cli", *eval_args(new, out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if out.exists():
        assert lines(out) == ROWS + 1  # whole: the old run's results or the new run's, never a part
    if manifest.exists():
        result = CliRunner().invoke(cli.main, ["verify", str(manifest)])
        assert result.exit_code == 0, result.stderr  # it vouches only for files exactly as recorded
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".csv", ".json") and p.name.startswith(".")
                and not p.name.endswith(".part")]
