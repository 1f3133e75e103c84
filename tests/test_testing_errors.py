"""A test file that cannot be used is one coded ``test.*`` diagnostic with its file, line, column and a
hint, shown by ``kinerja test`` (text, JSON, JUnit) and never a traceback.  One broken file per code in
tests/golden/testing/errors/ (named after its code), each with its golden rendering (regenerate with
UPDATE_GOLDEN=1 and read every change); every code is in the docs' appendix of codes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine.diagnostics import render_text
from engine.testing.spec import SpecError, load_test_file

ROOT = Path(__file__).resolve().parent.parent
ERRORS = ROOT / "tests" / "golden" / "testing" / "errors"
CASES = sorted(ERRORS.glob("*_test.yaml"))


def _code(case: Path) -> str:
    return "test." + case.name.removesuffix("_test.yaml")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_broken_test_file_is_one_coded_diagnostic(case: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_test_file(case, case.name)
    [d] = info.value.diagnostics
    assert d.code == _code(case) and d.help and d.span.file == case.name and d.span.line >= 1 and d.span.column >= 1
    rendered = render_text([d], {case.name: info.value.source} if info.value.source is not None else {})
    golden = case.with_name(case.name.removesuffix(".yaml") + ".txt")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_places_point_at_the_key_or_the_value() -> None:
    # unknown-key_test.yaml line 4 is `    gven: {realisasi: 80}`: the key starts in column 5.
    spans = {_code(c): load_span(c) for c in CASES}
    assert spans["test.unknown-key"] == (4, 5)
    # wrong-type_test.yaml line 2 is `tolerance: sedikit`: the value starts in column 12.
    assert spans["test.wrong-type"] == (2, 12)
    # duplicate-key_test.yaml: the second `given:` is on line 5, column 5.
    assert spans["test.duplicate-key"] == (5, 5)


def load_span(case: Path) -> tuple[int, int]:
    with pytest.raises(SpecError) as info:
        load_test_file(case, case.name)
    span = info.value.diagnostics[0].span
    return span.line, span.column


def test_kinerja_test_reports_them_in_text_json_and_junit(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    runner = CliRunner()
    text = runner.invoke(cli.main, ["test", str(ERRORS), "--junit", str(junit)])
    assert text.exit_code == 1 and "Traceback" not in text.output
    assert text.stdout.count("(test file)") == 2 * len(CASES)  # the list, then each one's details
    assert "error[test.unknown-key]: unknown key `gven`" in text.stdout and "help: did you mean `given`?" in text.stdout
    assert 'type="test.wrong-type"' in junit.read_text(encoding="utf-8")
    out = runner.invoke(cli.main, ["test", str(ERRORS), "--format", "json"])
    cases = json.loads(out.stdout)["tests"]
    assert sorted(c["diagnostic"]["code"] for c in cases) == sorted(_code(c) for c in CASES)


def test_every_test_code_has_a_broken_file_and_is_in_the_docs_appendix() -> None:
    source = (ROOT / "engine" / "testing" / "spec.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'"(test\.[a-z]+(?:-[a-z]+)*)"', source))
    assert codes == {_code(c) for c in CASES}
    appendix = (ROOT / "docs" / "language.md").read_text(encoding="utf-8").split("## Appendix: diagnostic codes")[1]
    entry = appendix.split("`test.*`", 1)[1].split("\n- ")[0]
    assert [c for c in sorted(codes) if f"`{c.split('.', 1)[1]}`" not in entry] == []
