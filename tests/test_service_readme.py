"""The README's Service block runs as written: serve on the embedded default, create a token,
submit the example with curl, read the scores (in a scratch folder, on a free port)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.service_kit import ROOT, free_port

BLOCK = re.search(r"## Service\n.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_the_readme_service_block_runs(tmp_path: Path) -> None:
    assert BLOCK is not None
    port = free_port()
    script = BLOCK.group(1).replace("8000", str(port)).replace("--policies policies/",
                                                                f"--policies policies/ --port {port}")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "kinerja"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m cli "$@"\n')
    shim.chmod(0o755)
    for name in ("policies", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "out").mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["bash", "-c", "set -e\ntrap 'kill %1 2>/dev/null; wait' EXIT\n" + script],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.splitlines()[-1])
    # kemenkeu's own row of the example is scored (the other 60 agencies' rows are rejects)
    assert [r["subject_id"] for r in rows] == ["kemenkeu"] and rows[0]["predikat_kinerja"] == "Sangat Baik"
    submission = json.loads((tmp_path / "out" / "submission.json").read_text())
    assert submission["run"]["rows"] == {"read": 61, "scored": 1, "rejected": 60}
    assert (tmp_path / "kinerja-data" / "kinerja.db").exists()  # the embedded default
