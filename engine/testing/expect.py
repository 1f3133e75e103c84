"""Comparing a test's expectations with what the compiler and the evaluator produced."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from engine import explain as explain_mod
from engine.diagnostics import Diagnostic, did_you_mean
from engine.evaluate import Result
from engine.i18n import _
from engine.testing.results import Failure
from engine.testing.spec import MISSING, Approx, Case, DiagnosticSpec, SubjectExpect, ViolationSpec


def check_diagnostics(case: Case, diags: list[Diagnostic]) -> list[Failure]:
    """Every expected checker code (optionally at a line) must be among the policy's findings."""
    out = []
    found = sorted({_("{code} (line {line})", code=d.code, line=d.span.line) for d in diags})
    for k, want in enumerate(case.expect_diagnostics):
        spec = want if isinstance(want, DiagnosticSpec) else DiagnosticSpec(code=want)
        hit = any(d.code == spec.code and (spec.line is None or d.span.line == spec.line) for d in diags)
        if not hit:
            shown = _("{code} at line {line}", code=spec.code, line=spec.line) if spec.line is not None else spec.code
            out.append(Failure(f"expect_diagnostics[{k}]", shown, ", ".join(found) or _("no diagnostics")))
    return out


def check_result(case: Case, result: Result, tolerance: float) -> list[Failure]:
    out: list[Failure] = []
    single = bool(case.expect or case.expect_missing or case.expect_errors)
    if single and result.n != 1:
        out.append(Failure("expect", _("exactly one subject"), _("{n} subjects", n=result.n),
                           derivation=_("use `expect_subjects` to give expectations per subject id")))
        single = False
    if single:
        sid = result.subject_ids[0]
        out += _values(result, 0, case.expect, "expect", tolerance)
        out += _events(result, 0, case.expect_missing, "expect_missing", None)
        out += _events(result, 0, case.expect_errors, "expect_errors", "error")
        for f in out:
            f.subject = None if case.given is not None else str(sid)  # `given` names no subject
    out += _subjects(result, case.expect_subjects, "expect_subjects", tolerance)
    if case.expect_levels:
        out += _levels(result, case.expect_levels, tolerance)
    if case.expect_violations is not None:
        out += _violations(result, case.expect_violations)
    return out


def _subjects(result: Result, expects: Mapping[str, SubjectExpect], where: str, tolerance: float) -> list[Failure]:
    """Each named subject's (or a level's group's) values, missing-data decisions and errors."""
    out: list[Failure] = []
    for sid, want in expects.items():
        try:
            row = result.row(sid)
        except KeyError:
            out.append(Failure(f"{where}.{sid}", _("subject `{id}`", id=sid), _("no such subject in the data"),
                               subject=sid))
            continue
        found = _values(result, row, want.values, f"{where}.{sid}", tolerance)
        found += _events(result, row, want.expect_missing, f"{where}.{sid}.expect_missing", None)
        found += _events(result, row, want.expect_errors, f"{where}.{sid}.expect_errors", "error")
        for f in found:
            f.subject = sid
        out += found
    return out


def _levels(result: Result, want: Mapping[str, Mapping[str, SubjectExpect]], tolerance: float) -> list[Failure]:
    """``expect_levels: {unit: {"k1 / U1": {...}}}``: the groups of the policy's subject levels."""
    from engine.levels.run import evaluate_levels

    levels = evaluate_levels(result.plans[None], result)
    out: list[Failure] = []
    for level, groups in want.items():
        if level not in levels:
            hint = did_you_mean(level, list(levels))
            out.append(Failure(f"expect_levels.{level}", _("level `{name}`", name=level),
                               _("no such level in the policy") + (f" ({hint})" if hint else "")))
            continue
        out += _subjects(levels[level].result, groups, f"expect_levels.{level}", tolerance)
    return out


# ------------------------------------------------------------------ values


def _values(result: Result, row: int, want: Mapping[str, object], where: str, tolerance: float) -> list[Failure]:
    out = []
    for node, expected in want.items():
        actual, name = _actual(result, row, node)
        what = f"{where}.{node}"
        if name is None:
            hint = did_you_mean(node, list(result.steps))
            out.append(Failure(what, show(expected), _("no such node in the policy") + (f" ({hint})" if hint else ""),
                               node=node))
            continue
        if not matches(expected, actual, tolerance):
            out.append(Failure(what, show(expected), show(actual), node=name,
                               derivation=derivation(result, row, name)))
    return out


def _actual(result: Result, row: int, node: str) -> tuple[object, str | None]:
    """The node's value at ``row`` (``raw(x)`` reads an indicator's raw value)."""
    raw = node.startswith("raw(") and node.endswith(")")
    name = node[4:-1].strip() if raw else node
    step = result.steps.get(name)
    if step is None:
        return None, None
    col = step.raw if raw and step.raw is not None else step.value
    return col[row], name


def is_missing(v: object) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and math.isnan(v))


def matches(expected: object, actual: object, tolerance: float) -> bool:
    if expected == MISSING:
        return is_missing(actual)
    if is_missing(actual):
        return False
    if isinstance(expected, Approx):
        within = tolerance if expected.within is None else expected.within
        return _number_close(float(expected.value), actual, float(within))
    if isinstance(expected, bool):
        return _number_close(1.0 if expected else 0.0, actual, 0.0)
    if isinstance(expected, (int, float)):
        return _number_close(float(expected), actual, tolerance)
    if isinstance(actual, str):
        return actual == expected
    try:  # a number written as text, compared as a number
        return _number_close(float(str(expected)), actual, tolerance)
    except ValueError:
        return False


def _number_close(expected: float, actual: object, within: float) -> bool:
    if isinstance(actual, str):
        return False
    return abs(float(actual) - expected) <= within  # type: ignore[arg-type]


def show(v: object) -> str:
    """A value for a report: numbers to 15 significant digits (no float noise), labels quoted."""
    if isinstance(v, Approx):
        return f"{show(v.value)} ± {show(v.within) if v.within is not None else _('the default tolerance')}"
    if is_missing(v):
        return MISSING
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, np.floating, np.integer)):
        return format(float(v), ".15g")
    if v == MISSING:
        return MISSING
    return f'"{v}"'


def derivation(result: Result, row: int, name: str) -> str:
    """The explanation of ``name`` for the subject at ``row``, trimmed to that node's subtree."""
    sid = result.subject_ids[row]
    try:
        full = explain_mod.explain(result, sid)
    except (KeyError, IndexError, ValueError):
        return ""
    node = next((x for x in full.walk() if x.name == name), None)
    if node is None:
        return ""
    trimmed = replace(full, nodes=[node], violations=[])  # in the explanation's language
    text = explain_mod.render(trimmed, "text")
    return text.split("\n", 1)[1]  # without the subject header line: the failure names the subject


# ------------------------------------------------------------------ events


def _events(result: Result, row: int, want: Mapping[str, object], where: str, kind: str | None) -> list[Failure]:
    out = []
    for node, codes in want.items():
        if node not in result.steps:
            out.append(Failure(f"{where}.{node}", str(codes), _("no such node in the policy"), node=node))
            continue
        events = [e for e in result.events_at(row, node) if kind is None or e.kind == kind]
        have = {e.code for e in events}
        for code in [codes] if isinstance(codes, str) else list(codes):  # type: ignore[arg-type]
            if code not in have:
                actual = ", ".join(sorted(have)) or (_("no error at {node}", node=node) if kind else
                                                     _("no event at {node}", node=node))
                out.append(Failure(f"{where}.{node}", code, actual, node=node,
                                   derivation=derivation(result, row, node)))
    return out


# -------------------------------------------------------------- violations


def _violations(result: Result, want: list[ViolationSpec]) -> list[Failure]:
    """The listed violations must all occur, and no other (an empty list asserts none)."""
    def hit(spec: ViolationSpec, v: object) -> bool:
        return (spec.quota == v.quota and (spec.group is None or str(spec.group) == v.group)  # type: ignore[attr-defined]
                and (spec.rule is None or spec.rule == v.rule))  # type: ignore[attr-defined]

    out = []
    actual = result.violations
    shown = "; ".join(_("{quota} group {group} rule {rule}", quota=v.quota, group=v.group, rule=v.rule)
                      for v in actual) or _("no violations")
    for k, spec in enumerate(want):
        if not any(hit(spec, v) for v in actual):
            text = spec.quota + (" " + _("group {group}", group=spec.group) if spec.group is not None else "") + (
                " " + _("rule {rule}", rule=spec.rule) if spec.rule is not None else "")
            out.append(Failure(f"expect_violations[{k}]", text, shown))
    for v in actual:
        if not any(hit(spec, v) for spec in want):
            out.append(Failure("expect_violations", _("no other violation"), v.message))
    return out
