"""Analyses drop nothing silently: counts and rejects like eval, and options without effect are errors (#12)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
BASE = ("policies/", "examples/instansi-2026.csv", "--policy", "bsc_instansi")
# examples/instansi-2026.csv: 61 data rows, 5 of them rejected on purpose (lines 12, 22, 32, 42, 62:
# out of range, not a number, decimal comma, unknown option, duplicate id).
COUNTS = "read 61 row(s): 56 scored, 5 rejected"


@pytest.fixture(autouse=True)
def _root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def _rejects(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [r["row"] for r in csv.DictReader(fh)]


def test_benchmark_reports_counts_and_writes_rejects(tmp_path: Path) -> None:
    res = _run("benchmark", *BASE, "--rejects", str(tmp_path / "r.csv"))
    assert res.exit_code == 0 and COUNTS in res.stderr and "rejected examples/instansi-2026.csv line 12" in res.stderr
    assert _rejects(tmp_path / "r.csv") == ["line 12", "line 22", "line 32", "line 42", "line 62"]


def test_sensitivity_and_report_report_counts(tmp_path: Path) -> None:
    res = _run("sensitivity", *BASE, "--runs", "5", "--seed", "1")
    assert res.exit_code == 0 and COUNTS in res.stderr
    rep = _run("report", *BASE, "--id", "kemenkeu", "--runs", "5", "-o", str(tmp_path / "k.html"))
    assert rep.exit_code == 0 and COUNTS in rep.stderr
    assert len(_rejects(tmp_path / "k.rejects.csv")) == 5  # beside the report, as eval puts it


def test_compare_reports_both_periods(tmp_path: Path) -> None:
    res = _run("compare", "policies/", "examples/instansi-2025.csv", "examples/instansi-2026.csv", "--policy",
               "bsc_instansi", "--rejects", str(tmp_path / "r.csv"))
    assert res.exit_code == 0 and COUNTS in res.stderr and res.stderr.count("read ") == 2
    assert (tmp_path / "r.base.csv").exists() and len(_rejects(tmp_path / "r.current.csv")) == 5


@pytest.mark.parametrize("args, option", [
    (("benchmark", *BASE, "--by", "peer_group"), "--by"),
    (("benchmark", *BASE, "--within", "peer_group"), "--within"),
    (("compare", "policies/", "examples/instansi-2025.csv", "examples/instansi-2026.csv", "--policy",
      "bsc_instansi", "--periods", "2025,2026"), "--periods"),
])
def test_an_option_without_effect_is_a_usage_error(args: tuple[str, ...], option: str) -> None:
    res = _run(*args)
    assert res.exit_code == 2 and f"error[analysis.no-effect]: {option} has no effect without" in res.stderr
