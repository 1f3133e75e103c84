"""Explaining one group of a level: its aggregates, each with the members it used and a line that
redoes by hand, then the level's own nodes (``engine.explain``), and the list of its members
(capped in text, complete in JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.diagnostics import did_you_mean, fail
from engine.explain import numbers as nb
from engine.explain.model import Explanation, NodeExplanation, Note
from engine.levels.compile import AGENCY
from engine.levels.fold import _texts, member_values, treated
from engine.levels.nodes import Aggregate
from engine.levels.run import LevelResult, columns, evaluate_levels

if TYPE_CHECKING:
    from engine.api import Run
    from engine.evaluate.result import Result

SHOWN = 10  # members and operands listed in text; JSON lists every member


def explain_level(run: Run, level: str, subject_id: object, places: int = 2) -> Explanation:
    """The explanation of group ``subject_id`` of ``level`` (``kinerja explain --level``)."""
    from engine.explain import explain

    levels = evaluate_levels(run.plan, run.result)
    if level not in levels:
        known = list(levels) or ["(this policy has no levels)"]
        raise fail("explain.unknown-level", f"the policy has no level `{level}`",
                   did_you_mean(level, known) or "levels: " + ", ".join(known))
    lr = levels[level]
    out = explain(lr.result, subject_id, places)
    member = run.result if lr.plan.member is None else levels[lr.plan.member].result
    row = lr.result.row(subject_id)
    rows = _members(lr, member, row)
    ids = [str(x) for x in np.asarray(member.subject_ids)[rows]]
    aggs = [_aggregate(a, lr, member, rows, row, places) for a in lr.plan.level.aggregates()]
    out.nodes = aggs + [n for n in out.nodes if n.name not in {a.name for a in aggs}]
    out.members = ids
    out.members_of = lr.plan.subject
    return out


def _members(lr: LevelResult, member: Result, row: int) -> np.ndarray:
    """The member rows of the group at ``row`` (in member order)."""
    col = columns(member)
    group = lr.result
    match = np.ones(member.n, dtype=bool)
    for k in lr.plan.keys:
        want = group.agencies[row] if k == AGENCY else group.batch.columns[k][row]
        match &= np.equal(_texts(col(k)), want)
    return np.flatnonzero(match)


def _aggregate(agg: Aggregate, lr: LevelResult, member: Result, rows: np.ndarray, row: int,
               places: int) -> NodeExplanation:
    col = columns(member)
    used = rows
    if agg.roles and lr.plan.level.role is not None:
        roles = _texts(col(lr.plan.level.role.name))[rows]
        used = rows[np.isin(roles, np.array([r.value for r in agg.roles], dtype=object))]
    x = treated(agg, member_values(agg, lambda k: col(k)[used], used.size))
    value = _scalar(lr.result.steps[agg.name].value[row])
    node = NodeExplanation(agg.name, agg.name, "aggregate", agg.label, value, nb.fixed(value, places))
    node.formula = _line(agg, x, rows.size, used.size, node.shown)
    ids = [str(s) for s in np.asarray(member.subject_ids)[used]]
    shown = ", ".join(f"{i} {nb.show(float(v), None)}" for i, v in zip(ids[:SHOWN], x[:SHOWN]))
    more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    node.lookups = [f"members ({len(ids)}): {shown}{more}"] if ids else ["members: none"]
    node.notes = [Note(e.code, e.kind, e.message) for e in lr.result.events_at(row, agg.name)]
    return node


def _line(agg: Aggregate, x: np.ndarray, members: int, kept: int, result: str) -> str:
    """``mean(nilai) over 2 of 3 members (1 without a value, excluded): (100 + 80) / 2 = 90.00``."""
    present = x[~np.isnan(x)]
    what = f"{agg.func}({_arg(agg)})"
    scope = f"{present.size} of {members} members" + (f" ({kept} with role "
                                                      + " or ".join(r.value for r in agg.roles) + ")"
                                                      if agg.roles else "")
    if agg.func == "count":
        return f"{what}: {present.size if agg.arg is not None else kept} of {members} members = {result}"
    terms = [nb.show(float(v), None) for v in present]
    total = nb.show(float(present.sum()), None)
    listed = " + ".join(terms) if len(terms) <= SHOWN else f"(sum of {len(terms)} values) {total}"
    body = {"mean": f"({listed}) / {present.size}", "sum": listed, "share": f"({listed}) / {present.size}",
            "min": f"min({', '.join(terms[:SHOWN])}{', ...' if len(terms) > SHOWN else ''})",
            "max": f"max({', '.join(terms[:SHOWN])}{', ...' if len(terms) > SHOWN else ''})"}[agg.func]
    return f"{what} over {scope}: {body if present.size else '(no values)'} = {result}"


def _arg(agg: Aggregate) -> str:
    from engine.fmt.expr import expr

    return expr(agg.arg) if agg.arg is not None else ""


def _scalar(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)  # type: ignore[arg-type]
