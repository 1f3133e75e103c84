"""Reporters for a test run: a readable text summary, JSON, and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict

from engine.i18n import N_, _, language
from engine.i18n.formats import format_number
from engine.testing.results import CATEGORIES, CATEGORY_TITLES, CaseResult, PolicyCoverage, TestRun

MARK = {"passed": N_("ok"), "failed": N_("FAIL"), "skipped": N_("skip"), "errored": N_("ERROR")}
STATUS = {"passed": N_("passed"), "failed": N_("failed"), "skipped": N_("skipped"), "errored": N_("errored")}


def summary_line(run: TestRun) -> str:
    parts = [_("{n} passed", n=run.count("passed")), _("{n} failed", n=run.count("failed"))]
    if run.count("skipped"):
        parts.append(_("{n} skipped", n=run.count("skipped")))
    if run.count("errored"):
        parts.append(_("{n} errored", n=run.count("errored")))
    return ", ".join(parts)


def _digits(value: str) -> str:
    """An expected or actual value for a person: its numbers in the reader's digits (``95 ± 0,5``); quoted
    labels as they are.  JSON keeps the plain value."""
    from engine.explain.localize import numbers

    return numbers(value, language()) or value


def render_text(run: TestRun, coverage: bool = False) -> str:
    """One line per test, the details of each failure (expectation, actual value, derivation),
    skipped tests with their reasons, then the totals (and the coverage report when asked)."""
    lines: list[str] = []
    for case in run.cases:
        lines.append(f"{_(MARK[case.status]):<5} {case.file}:{case.line} {case.name}")
    problems = [c for c in run.cases if c.status in ("failed", "errored")]
    for case in problems:
        lines += ["", f"--- {_(STATUS[case.status])}: {case.file}:{case.line} {case.name}"]
        if case.source:
            lines.append(_("    source: {source}", source=case.source))
        if case.message:
            lines += [f"    {x}" for x in case.message.splitlines()]
        for f in case.failures:
            lines.append(f"    {f.what}" + (_(" (subject {id})", id=f.subject) if f.subject else ""))
            lines.append(_("      expected: {value}", value=_digits(f.expected)))
            lines.append(_("      actual:   {value}", value=_digits(f.actual)))
            if f.derivation:
                lines.append(_("      derivation:"))
                lines += [f"        {x}" for x in f.derivation.rstrip("\n").splitlines()]
    skipped = [c for c in run.cases if c.status == "skipped"]
    if skipped:
        lines += ["", _("skipped:")] + [f"  {c.file}:{c.line} {c.name}: {c.message}" for c in skipped]
    if coverage:
        lines += [""] + render_coverage(run).rstrip("\n").split("\n")
    lines += ["", summary_line(run)]
    return "\n".join(lines) + "\n"


def render_coverage(run: TestRun) -> str:
    """Per policy: the share covered in each category and the uncovered items by dotted id."""
    lines = [_("coverage:")]
    if not run.coverage:
        lines.append(_("  no test evaluated a policy"))
    for cov in run.coverage:
        lines.append(f"  {cov.policy} ({cov.file}): {format_number(cov.percent, 1)}%")
        for cat in CATEGORIES:
            done, total = cov.share(cat)
            if total:
                lines.append(f"    {_(CATEGORY_TITLES[cat]):<24} {done}/{total}")
        missing = [i for i in cov.items if not i.covered]
        if missing:
            lines.append(_("    not covered:"))
            lines += [f"      {i.id}  ({i.description})" for i in missing]
    if run.untested:
        lines.append(_("  policies without tests: {names}", names=", ".join(run.untested)))
    return "\n".join(lines) + "\n"


def render_json(run: TestRun) -> str:
    return json.dumps(run.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_junit(run: TestRun, timings: bool = True) -> str:
    """JUnit XML: ``testsuites`` > one ``testsuite`` per test file > ``testcase`` with
    ``failure`` (an expectation did not hold), ``error`` (the test could not run) or
    ``skipped``; counts on both levels.  ``timings=False`` writes every time as 0."""
    by_file: dict[str, list[CaseResult]] = defaultdict(list)
    for case in run.cases:
        by_file[case.file].append(case)
    root = ET.Element("testsuites", _counts(run.cases, timings) | {"name": "kinerja test"})
    for file, cases in by_file.items():
        suite = ET.SubElement(root, "testsuite", {"name": file} | _counts(cases, timings))
        for case in cases:
            suite.append(_testcase(case, timings))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _counts(cases: list[CaseResult], timings: bool) -> dict[str, str]:
    def n(status: str) -> str:
        return str(sum(c.status == status for c in cases))
    return {"tests": str(len(cases)), "failures": n("failed"), "errors": n("errored"), "skipped": n("skipped"),
            "time": _time(sum(c.seconds for c in cases), timings)}


def _time(seconds: float, timings: bool) -> str:
    return f"{seconds:.3f}" if timings else "0.000"


def _testcase(case: CaseResult, timings: bool) -> ET.Element:
    classname = case.file.removesuffix(".yaml").replace("/", ".")
    el = ET.Element("testcase", {"classname": classname, "name": case.name, "file": case.file,
                                 "line": str(case.line), "time": _time(case.seconds, timings)})
    if case.status == "failed":
        first = case.failures[0]
        msg = _("{what}: expected {expected}, got {actual}", what=first.what, expected=first.expected,
                actual=first.actual)
        body = "\n".join(_("{what}: expected {expected}, actual {actual}", expected=f.expected, actual=f.actual,
                            what=f.what + (_(" (subject {id})", id=f.subject) if f.subject else ""))
                          + (f"\n{f.derivation.rstrip()}" if f.derivation else "") for f in case.failures)
        ET.SubElement(el, "failure", {"message": msg, "type": "expectation"}).text = body
    elif case.status == "errored":
        ET.SubElement(el, "error", {"message": case.message.splitlines()[0] if case.message else "",
                                    "type": case.diagnostic.code if case.diagnostic else "test-error"}
                      ).text = case.message
    elif case.status == "skipped":
        ET.SubElement(el, "skipped", {"message": case.message})
    return el


def coverage_failures(coverage: list[PolicyCoverage], minimum: float) -> list[str]:
    """The policies whose coverage is below ``minimum`` percent."""
    return [f"{c.policy} ({c.file}) {format_number(c.percent, 1)}% < {format_number(minimum)}%" for c in coverage
            if c.percent + 1e-9 < minimum]
