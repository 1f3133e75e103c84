"""The policy library: every file in policies/ checks clean (strict), is fmt-stable, and passes its tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import testing
from engine.compiler import check_paths
from engine.fmt import format_text
from engine.resolve import discover

ROOT = Path(__file__).parent.parent
POLICIES = ROOT / "policies"


@pytest.fixture(scope="module")
def library_run() -> testing.TestRun:
    return testing.run([POLICIES])


def test_library_checks_clean_without_warnings() -> None:
    report = check_paths([POLICIES], root=ROOT)
    assert [f"{d.span.file}:{d.span.line} {d.code}" for d in report.diagnostics] == []
    assert len(report.files) >= 19


def test_library_is_fmt_stable() -> None:
    files, _ = discover([POLICIES])
    changed = [str(f) for f in files if format_text(f.read_text(encoding="utf-8"), str(f)) != f.read_text()]
    assert changed == []


def test_every_policy_has_tests_and_they_pass(library_run: testing.TestRun) -> None:
    failing = [f"{c.file}:{c.line} {c.name}" for c in library_run.cases if c.status in ("failed", "errored")]
    assert failing == []
    assert library_run.count("passed") >= 200
    assert library_run.untested == []


def test_skipped_policy_tests_say_why(library_run: testing.TestRun) -> None:
    skipped = [c for c in library_run.cases if c.status == "skipped"]
    assert skipped and all(len(c.message) > 20 for c in skipped)
