"""The policy test runner: the YAML format, running, failures with derivations, reporters (golden)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import testing
from engine.testing.spec import SpecError, load_test_file

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "testing"
GOLDEN = ROOT / "tests" / "golden" / "testing"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths in reports are shown relative to the working directory


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def cli_run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ running


def test_failures_skips_and_errors_are_told_apart() -> None:
    run = testing.run(["tests/data/testing/gagal_test.yaml"])
    assert [c.status for c in run.cases] == ["passed", "failed", "failed", "skipped", "errored", "failed"]
    wrong = run.cases[1]
    assert [(f.what, f.expected, f.actual) for f in wrong.failures] == [
        ("expect.nilai", "95 ± 0.5", "94"),            # 60%*90 + 40%*100 = 94, outside 95 ± 0.5
        ("expect.tunjangan", '"Sebagian"', '"Penuh"'),  # Baik + PNS -> row 2 "Penuh"
    ]
    # The derivation of the failing node, trimmed to its subtree: the table and what it reads.
    assert wrong.failures[1].derivation.startswith('tunjangan "Tunjangan" [table] = "Penuh"')
    assert "row 2" in wrong.failures[1].derivation and "nilai" not in wrong.failures[1].derivation
    assert "outside the range 0 .. 200" in run.cases[4].message
    # A field the policy does not read is ignored (as in a submission) and named when the test fails:
    # hasil missing -> `missing zero` -> 0; nilai = 60%*0 + 40%*100 = 40, not 94.
    typo = run.cases[5]
    assert [(f.what, f.actual) for f in typo.failures] == [
        ("expect.nilai", "40"), ("given.hasill", "not one: ignored (did you mean `hasil`?)")]
    assert run.cases[3].message == "menunggu regulasi"
    assert not run.ok


def test_golden_text_summary_and_junit() -> None:
    run = testing.run(["tests/data/testing/gagal_test.yaml"])
    golden("summary.txt", testing.render_text(run))
    golden("junit.xml", testing.render_junit(run, timings=False))


def test_junit_is_well_formed_with_consistent_counts() -> None:
    # Structural check against the common JUnit schema (Jenkins junit-10.xsd): no XSD validator is
    # available offline, so the elements, required attributes and counts are checked here.
    run = testing.run(["tests/data/testing/gagal_test.yaml", "tests/data/testing/kecil"])
    root = ET.fromstring(testing.render_junit(run))
    assert root.tag == "testsuites"
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name")
        cases = list(suite)
        assert all(c.tag == "testcase" and c.get("name") and c.get("classname") for c in cases)
        assert float(suite.get("time", "x")) >= 0
        counts = {"tests": len(cases),
                  "failures": sum(c.find("failure") is not None for c in cases),
                  "errors": sum(c.find("error") is not None for c in cases),
                  "skipped": sum(c.find("skipped") is not None for c in cases)}
        assert {k: int(suite.get(k, "-1")) for k in counts} == counts
        for c in cases:
            assert len(list(c)) <= 1 and all(x.tag in ("failure", "error", "skipped") for x in c)
        total = {k: total[k] + counts[k] for k in total}
    assert {k: int(root.get(k, "-1")) for k in total} == total == {"tests": 10, "failures": 3, "errors": 1,
                                                                    "skipped": 1}


def test_json_report_carries_statuses_and_coverage() -> None:
    run = testing.run(["tests/data/testing/kecil"])
    doc = json.loads(testing.render_json(run))
    assert doc["summary"] == {"passed": 4, "failed": 0, "skipped": 0, "errored": 0, "tests": 4}
    assert doc["coverage"][0]["categories"]["rows"] == {"covered": 3, "total": 4, "uncovered": ["tunjangan.rows.4"]}


def test_violations_are_an_exact_set(tmp_path: Path) -> None:
    (tmp_path / "k_test.yaml").write_text(f"""
policy: {DATA / 'kecil' / 'kecil.kin'}
tests:
  - name: none expected but one happens
    subjects:
      - {{id: p1, unit: U1, hasil: 120, layanan: 4, disiplin: true}}
    expect_violations: []
""", encoding="utf-8")
    [case] = testing.run([tmp_path]).cases
    assert case.status == "failed"
    assert "quota kurva rule 1" in case.failures[0].actual


def test_expect_diagnostics_for_a_policy_that_must_be_rejected() -> None:
    run = testing.run(["policies/nasional/bsc-instansi_test.yaml"])
    last = run.cases[-1]
    assert last.status == "passed" and "ditolak" in last.name


def test_the_national_bsc_tests_pass() -> None:
    run = testing.run(["policies/nasional/bsc-instansi_test.yaml"])
    bad = [(c.file, c.line, c.name, c.message, [f.what for f in c.failures]) for c in run.cases
           if c.status in ("failed", "errored")]
    assert bad == []
    assert run.count("passed") >= 10


# ------------------------------------------------------------- file format


@pytest.mark.parametrize(("text", "line", "message"), [
    ("policy: a.kin\ntests:\n  - name: x\n    given: {a: 1}\n    expcet: {a: 1}\n", 5, "unknown key `expcet`"),
    ("policy: a.kin\ntests:\n  - name: x\n    given: {a: 1}\n    expect:\n      a:\n", 6, "write `missing`"),
    ("policy: a.kin\ntests:\n  - name: x\n    given: {a: 1}\n    given: {b: 2}\n", 5, "written twice"),
    ("policy: a.kin\ntests:\n  - name: x\n    expect: {a: 1}\n", 3, "expectations need inputs"),
    ("policy: a.kin\ntests:\n  - name: x\n    given: {a: [1, 2]}\n", 4, "not a list"),
    ("policy: a.kin\ntests:\n  - name: x\n    given: {a: 1\n", 5, "not valid YAML"),
    ("tests:\n  - name: x\n    skip: later\n", 1, "`policy` is required"),
])
def test_malformed_files_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "x_test.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_test_file(path, "x_test.yaml")
    assert info.value.line == line
    assert message in info.value.message


def test_a_malformed_file_is_an_errored_entry_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "x_test.yaml").write_text("policy: a.kin\ntests: []\n", encoding="utf-8")
    [case] = testing.run([tmp_path]).cases
    assert case.status == "errored" and re.search(r"x_test\.yaml:2:8: error\[test\.invalid\]: tests", case.message)
    assert case.diagnostic is not None and case.diagnostic.code == "test.invalid"


# --------------------------------------------------------------------- CLI


def test_cli_exit_codes_junit_and_fail_on_skip(tmp_path: Path) -> None:
    code, out, _ = cli_run("test", "tests/data/testing/kecil")
    assert code == 0 and out.endswith("4 passed, 0 failed\n")
    code, out, _ = cli_run("test", "tests/data/testing/gagal_test.yaml", "--junit", str(tmp_path / "j.xml"))
    assert code == 1 and (tmp_path / "j.xml").exists()
    skip = tmp_path / "s_test.yaml"
    skip.write_text(f"policy: {DATA / 'kecil' / 'kecil.kin'}\ntests:\n  - name: s\n    skip: later\n", encoding="utf-8")
    assert cli_run("test", str(skip))[0] == 0
    assert cli_run("test", str(skip), "--fail-on-skip")[0] == 1


def test_cli_min_coverage(tmp_path: Path) -> None:
    code, out, err = cli_run("test", "tests/data/testing/kecil", "--min-coverage", "80")
    assert code == 1 and "75.0% < 80%" in err and "coverage:" in out
    assert cli_run("test", "tests/data/testing/kecil", "--min-coverage", "75")[0] == 0
    code, out, _ = cli_run("test", "tests/data/testing/kecil", "--format", "json")
    assert json.loads(out)["summary"]["passed"] == 4
