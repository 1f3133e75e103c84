"""Explaining one group of a level: its aggregates, each with the members it used and a line that
redoes by hand, then the level's own nodes (``engine.explain``), and the list of its members
(capped in text, complete in JSON)."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import TYPE_CHECKING

import numpy as np

from engine import nodes as n
from engine.diagnostics import did_you_mean, fail
from engine.explain import localize
from engine.explain import numbers as nb
from engine.explain.model import GroupExplanation, NodeExplanation, Note
from engine.i18n import _, using
from engine.levels.compile import AGENCY
from engine.levels.fold import member_values, texts, treated
from engine.levels.nodes import Aggregate
from engine.levels.run import LevelResult, columns, evaluate_levels

if TYPE_CHECKING:
    from engine.api import Run
    from engine.evaluate.result import Result

SHOWN = 10  # members and operands listed in text; JSON lists every member


def explain_level(run: Run, level: str, subject_id: object, places: int = 2) -> GroupExplanation:
    """The explanation of group ``subject_id`` of ``level`` (``kinerja explain --level``)."""
    from engine.explain import explain

    levels = evaluate_levels(run.plan, run.result)
    if level not in levels:
        known = list(levels) or ["(" + _("this policy has no levels") + ")"]
        raise fail("explain.unknown-level", _("the policy has no level {level}", level=f"`{level}`"),
                   did_you_mean(level, known) or _("levels: {names}", names=", ".join(known)))
    lr = levels[level]
    out = explain(lr.result, subject_id, places)  # the level's own nodes, in the language in force
    member = run.result if lr.plan.member is None else levels[lr.plan.member].result
    row = lr.result.row(subject_id)
    rows = _members(lr, member, row)
    ids = [str(x) for x in np.asarray(member.subject_ids)[rows]]
    with using(out.lang):
        aggs = [_aggregate(a, lr, member, rows, row, places) for a in lr.plan.level.aggregates()]
    localize.explanation(replace(out, nodes=aggs))  # their numbers in the reader's form, as explain() does
    out.nodes = aggs + [n for n in out.nodes if n.name not in {a.name for a in aggs}]
    return GroupExplanation(**{f.name: getattr(out, f.name) for f in fields(out)}, members=ids,
                            members_of=lr.plan.subject)


def _members(lr: LevelResult, member: Result, row: int) -> np.ndarray:
    """The member rows of the group at ``row`` (in member order)."""
    col = columns(member)
    group = lr.result
    match = np.ones(member.n, dtype=bool)
    for k in lr.plan.keys:
        want = group.agencies[row] if k == AGENCY else group.batch.columns[k][row]
        match &= np.equal(texts(col(k)), want)
    return np.flatnonzero(match)


def _aggregate(agg: Aggregate, lr: LevelResult, member: Result, rows: np.ndarray, row: int,
               places: int) -> NodeExplanation:
    col = columns(member)
    used = rows
    if agg.roles and lr.plan.level.role is not None:
        roles = texts(col(lr.plan.level.role.name))[rows]
        used = rows[np.isin(roles, np.array([r.value for r in agg.roles], dtype=object))]
    x = treated(agg, member_values(agg, lambda k: col(k)[used], used.size))
    value = _scalar(lr.result.steps[agg.name].value[row])
    node = NodeExplanation(agg.name, agg.name, "aggregate", agg.label, value, nb.fixed(value, places))
    node.formula = _line(agg, x, rows.size, used.size, node.shown)
    ids = [str(s) for s in np.asarray(member.subject_ids)[used]]
    # ids in backticks: a numeric id (a NIP) is a name, never reformatted as a number
    shown = ", ".join(f"`{i}` {nb.show(float(v), None)}" for i, v in zip(ids[:SHOWN], x[:SHOWN]))
    if len(ids) > SHOWN:
        shown += " " + _("and {count} more", count=len(ids) - SHOWN)
    node.lookups = [_("members ({count}): {listed}", count=len(ids), listed=shown)] if ids else \
        [_("members: none")]
    node.notes = [Note(e.code, e.kind, e.message) for e in lr.result.events_at(row, agg.name)]
    return node


def _line(agg: Aggregate, x: np.ndarray, members: int, kept: int, result: str) -> str:
    """``mean(nilai)`` (marked as code) over 2 of 3 members (1 without a value, excluded): (100 + 80) / 2 = 90.00``."""
    present = x[~np.isnan(x)]
    what = f"`{agg.func}({_arg(agg)})`"  # the policy's aggregate as written: code
    scope = _("{count} of {members} members", count=present.size, members=members)
    if agg.roles:
        scope += " " + _("({count} with role {roles})", count=kept, roles=", ".join(f'"{r.value}"' for r in agg.roles))
    if agg.func == "count":
        meeting = kept if agg.arg is None else present.size if isinstance(agg.arg, n.Ref) else int(present.sum())
        return _("{what}: {count} of {members} members = {result}", what=what, count=meeting, members=members,
                 result=result)
    terms = [nb.show(float(v), None) for v in present]
    total = nb.show(float(present.sum()), None)
    listed = " + ".join(terms) if len(terms) <= SHOWN else _("(sum of {count} values) {total}", count=len(terms),
                                                              total=total)
    body = {"mean": f"({listed}) / {present.size}", "sum": listed, "share": f"({listed}) / {present.size}",
            "min": f"min({', '.join(terms[:SHOWN])}{', ...' if len(terms) > SHOWN else ''})",
            "max": f"max({', '.join(terms[:SHOWN])}{', ...' if len(terms) > SHOWN else ''})"}[agg.func]
    return _("{what} over {scope}: {body} = {result}", what=what, scope=scope,
             body=body if present.size else _("(no values)"), result=result)


def _arg(agg: Aggregate) -> str:
    from engine.fmt.expr import expr

    return expr(agg.arg) if agg.arg is not None else ""


def _scalar(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)  # type: ignore[arg-type]
