"""Golden renderings for the syntax.* and resolve.* diagnostic codes (check.* goldens live in
tests/golden/diagnostics and test_checks.py). Regenerate with UPDATE_GOLDEN=1 and read every change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import syntax
from engine.compiler import check_paths
from engine.diagnostics import KinerjaError, render_text

GOLDEN = Path(__file__).parent / "golden"
SYNTAX = sorted((GOLDEN / "syntax").glob("*.kin"))
RESOLVE = sorted(p for p in (GOLDEN / "resolve").iterdir() if p.is_dir())


def _compare(rendered: str, expected: Path) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(rendered, encoding="utf-8")
    assert rendered == expected.read_text(encoding="utf-8")


def _code(stem: str) -> str:
    return stem.replace("-", ".", 1)


@pytest.mark.parametrize("case", SYNTAX, ids=lambda p: p.stem)
def test_syntax_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case.parent)
    with pytest.raises(KinerjaError) as info:
        syntax.parse_file(case.name)
    diags = info.value.diagnostics
    assert _code(case.stem) in [d.code for d in diags]
    text = case.read_bytes().decode("utf-8", errors="replace")
    _compare(render_text(diags, {case.name: text}), case.with_suffix(".txt"))


@pytest.mark.parametrize("case", RESOLVE, ids=lambda p: p.name)
def test_resolve_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    report = check_paths(["."], root=".")
    assert _code(case.name) in [d.code for d in report.diagnostics]
    _compare(render_text(report.diagnostics, report.sources), case / "expected.txt")


def test_every_syntax_and_resolve_code_has_a_golden() -> None:
    import re

    source = "".join(p.read_text() for p in (Path(__file__).parent.parent / "engine").rglob("*.py"))
    codes = set(re.findall(r'"((?:syntax|resolve)\.[a-z-]+)"', source))
    codes |= {f"syntax.unknown-{w}" for w in re.findall(r'"(\w+)": "[a-z -]+",', source.split("_NOUNS")[1][:600])}
    covered = {_code(p.stem) for p in SYNTAX} | {_code(p.name) for p in RESOLVE}
    # no-such-path and unreadable are about the file system: tested in test_resolve.py
    assert codes - covered - {"resolve.no-such-path", "resolve.unreadable"} == set()
