"""Every command of the README's command list and of the docs' command examples runs and succeeds
on the bundled policies and data."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).parent.parent
BLOCK = re.search(r"## What you can do with it\n\n```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
COMMANDS = [line.split("  #")[0].strip() for line in BLOCK.group(1).splitlines()] if BLOCK else []
DOC_BLOCKS = re.findall(r"```sh\n(.*?)```", (ROOT / "docs" / "evaluation.md").read_text(), re.S)
COMMANDS += [line.strip() for b in DOC_BLOCKS for line in b.splitlines() if line.startswith("kinerja ")]
# the officers' guide in Bahasa Indonesia and the README's Indonesian quick start
GUIDE_BLOCKS = re.findall(r"```sh\n(.*?)```", (ROOT / "docs" / "id" / "panduan.md").read_text(), re.S)
COMMANDS += [line.strip() for b in GUIDE_BLOCKS for line in b.splitlines() if line.startswith("kinerja ")]
ID_QUICK = re.search(r"### Mulai cepat \(Bahasa Indonesia\)\n.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(),
                     re.S)
COMMANDS += [line.strip().replace(".venv/bin/kinerja", "kinerja") for line in (ID_QUICK.group(1) if ID_QUICK else "")
             .splitlines() if line.startswith(".venv/bin/kinerja ")]


def test_the_readme_lists_commands() -> None:
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    words = shlex.split(command.replace("out/", f"{tmp_path}/"))
    if ">" in words:  # shell redirection: keep the command, capture stdout instead
        words = words[: words.index(">")]
    if any(w.startswith("git:") for w in words) and not (ROOT / ".git").exists():
        pytest.skip("git: sources need a git checkout")
    assert words[0] == "kinerja"
    result = CliRunner().invoke(cli.main, words[1:])
    assert result.exit_code == 0, result.output + (result.stderr or "")
