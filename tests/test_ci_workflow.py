"""The GitHub Actions workflow documented in docs/ci.md passes on this repository (issue #12):
every `kinerja` step is run as written, the diff against HEAD instead of the pull request's base."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent


def _steps() -> list[str]:
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    workflow = doc.split("# .github/workflows/kinerja.yml", 1)[1].split("```", 1)[0]
    # `run: kinerja ...` on one line, or a `run: |` block of continued lines
    joined = re.sub(r"\\\n\s*", "", workflow)
    return [m.group(1).strip() for m in re.finditer(r"^\s*(?:run: |\s{2})(kinerja .+)$", joined, re.MULTILINE)]


def test_the_workflow_has_its_steps() -> None:
    assert [s.split()[1] for s in _steps()] == ["check", "check", "fmt", "test", "diff"]


@pytest.mark.parametrize("step", _steps())
def test_every_kinerja_step_of_the_documented_workflow_passes(step: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    if subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    command = step.split(" > ")[0].replace("origin/${{ github.base_ref }}", "HEAD")
    args = [a.replace("out/", f"{tmp_path}/") for a in shlex.split(command)[1:]]
    res = CliRunner().invoke(cli.main, args)
    assert res.exit_code == 0, f"{step}\n{res.stderr}"
