"""Start-up: what a small `kinerja eval` imports (the times themselves are bench/startup.py's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "nasional" / "skp" / "kinerja-pegawai-2022.kin"

# Heavy modules a small eval does not need: lark (the policy is in the parsed-policy cache),
# pyarrow.compute (about 290 generated wrappers; engine.data.compute calls the kernels),
# networkx (only to describe a cycle), the explainer, Excel's zip writer, the other command
# families (cli.group imports the one of the command run) and Babel (its locale data; the quota
# messages' shares are laid out by engine.i18n.formats).
NOT_NEEDED = ("lark", "pyarrow.compute", "networkx", "engine.explain", "zipfile", "openpyxl",
              "cli.service", "cli.analysis", "cli.ci", "cli.policy", "babel")

# `python -m cli` ends the process itself (cli.__main__.leave): the probe reads the modules from an
# atexit handler, which runs before the process ends.
PROBE = """
import atexit, runpy, sys
sys.argv = ["kinerja", *sys.argv[1:]]
atexit.register(lambda: print(" ".join(sorted(sys.modules))))
runpy.run_module("cli", run_name="__main__")
"""


def run_eval(tmp_path: Path, cache: Path) -> tuple[str, set[str]]:
    """The modules a 300-row eval imported (bench/startup.py's run); the process's exit code."""
    data = tmp_path / "kecil.csv"
    lines = (ROOT / "examples" / "pegawai-2026.csv").read_text(encoding="utf-8").splitlines()[:301]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "KINERJA_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), "KINERJA_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", PROBE, "eval", str(POLICY), str(data), "-o", str(tmp_path / "o.csv")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "  quota: " in done.stderr  # a violation's message shows its share (formatted in engine.i18n.formats)
    return f"exit {done.returncode}", set(done.stdout.strip().splitlines()[-1].split())


def test_a_small_eval_with_its_policy_cached_imports_no_heavy_module(tmp_path: Path) -> None:
    first_exit, first = run_eval(tmp_path, tmp_path / "cache")
    assert "lark" in first  # the first run parses and fills the cache
    exit_line, modules = run_eval(tmp_path, tmp_path / "cache")
    assert exit_line == first_exit == "exit 0"
    assert {"numpy", "pyarrow", "engine.evaluate", "engine.data"} <= modules  # the run really ran
    assert sorted(m for m in modules if m.split(".")[0] in NOT_NEEDED or m in NOT_NEEDED
                  or any(m.startswith(x + ".") for x in NOT_NEEDED)) == []
    assert (tmp_path / "o.csv").read_text(encoding="utf-8").count("\n") == 1 + 295
    # header + 295 scored: of the 300 rows, five are rejected (read in the file): line 9's `Diatas
    # Ekspektasi` and line 122's `Ahli Pratama` are no option of `hasil_kerja`/`jenjang`, line 162's
    # `Sangat Baik` none of `predikat_unit`; line 42's month 13 is outside 1 .. 12, line 82's `dua belas`
    # is no number
