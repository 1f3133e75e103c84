"""Evaluating a plan's levels: members folded into groups, each level's batch evaluated under its
sub-plan by the one evaluator, the aggregates' missing-data decisions recorded as its events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import nodes as n
from engine.batch import Batch, Origin
from engine.evaluate import numeric as num
from engine.evaluate.result import Result
from engine.i18n import _
from engine.levels.compile import AGENCY, LevelPlan
from engine.levels.fold import SEP, Column, Fold, Sums
from engine.levels.nodes import Aggregate
from engine.plan import Plan


@dataclass
class LevelResult:
    """One level's evaluation: its result (one row per group) and how many member rows it used."""

    plan: LevelPlan
    result: Result
    members: np.ndarray  # per group: members in it
    unassigned: int  # member rows whose key was missing

    def table(self) -> dict[str, np.ndarray]:
        """The level's results: id, keys, members, every aggregate and every other result, errors."""
        r = self.result
        out: dict[str, np.ndarray] = {"subject_id": r.subject_ids, "level": np.full(r.n, self.plan.name, object)}
        out |= {k: r.batch.columns[k] if k != AGENCY else r.agencies for k in self.plan.keys}
        out["members"] = self.members
        out["policy_version"] = r.plan_version
        out |= {name: step.value for name, step in r.steps.items()}
        out["errors"] = r.events.count(r.n, "error")
        return out


class Levels:
    """All levels of a plan, fed the rows' results chunk by chunk (``add``), evaluated at ``finish``."""

    def __init__(self, plan: Plan):
        self.plans = plan.levels
        self.folds = {lp.name: _fold(lp) for lp in self.plans if lp.member is None}

    def add(self, result: Result) -> None:
        for fold in self.folds.values():
            fold.add(columns(result), result.n)

    def finish(self) -> dict[str, LevelResult]:
        out: dict[str, LevelResult] = {}
        for lp in self.plans:  # members first
            fold = self.folds.get(lp.name)
            if fold is None:
                fold = _fold(lp)
                member = out[lp.member].result  # type: ignore[index]
                fold.add(columns(member), member.n)
            out[lp.name] = evaluate_level(lp, fold)
        return out


def evaluate_levels(plan: Plan, result: Result) -> dict[str, LevelResult]:
    """The levels of ``plan`` over one in-memory result."""
    levels = Levels(plan)
    levels.add(result)
    return levels.finish()


def columns(result: Result) -> Column:
    """A result's columns by name: a step's values, else a submitted column, ``agency`` the agency."""
    def column(name: str) -> np.ndarray:
        if name == AGENCY:
            return np.asarray(result.agencies, dtype=object)
        if name in result.steps:
            return result.steps[name].value
        col = result.batch.columns.get(name)
        return col if col is not None else np.full(result.n, np.nan)
    return column


def evaluate_level(lp: LevelPlan, fold: Fold) -> LevelResult:
    from engine.evaluate import evaluate_plan

    groups = fold.group_keys()
    size = len(groups)
    cols: dict[str, np.ndarray] = {k: np.array([g[i] for g in groups], dtype=object) for i, k in enumerate(lp.keys)}
    events = []
    for agg in lp.level.aggregates():
        s = fold.sums[agg.name]
        s.grow(size)
        cols[agg.name], found = value(agg, s, lp)
        events += found
    ids = np.array([SEP.join(g) for g in groups], dtype=object)
    agencies = cols[AGENCY] if AGENCY in lp.keys else np.full(size, None, dtype=object)
    batch = Batch(ids, agencies, {k: v for k, v in cols.items() if k != AGENCY},
                  [Origin(f"level {lp.name}", str(i)) for i in ids])
    result = evaluate_plan(lp.plan, batch)
    for rows, step, code, kind, message in events:
        result.events.add(rows, step, code, kind, message)
    members = np.concatenate([fold.members, np.zeros(size - fold.members.size)])
    return LevelResult(lp, result, members, fold.unassigned)


def value(agg: Aggregate, s: Sums, lp: LevelPlan) -> tuple[np.ndarray, list[tuple]]:
    """The aggregate per group, and the events: missing values refused, too few present, no members."""
    m, p = s.members, s.present
    with np.errstate(invalid="ignore", divide="ignore"):
        per = {"mean": s.total / p, "sum": s.total, "min": s.lo, "max": s.hi,
               "count": m if agg.arg is None else p if isinstance(agg.arg, n.Ref) else s.total,
               "share": s.total / p}[agg.func]
    out = np.where(p > 0, num.snap(per), np.nan) if agg.func != "count" else per.astype(np.float64)
    events: list[tuple] = []
    ref = agg.member()
    what = f"`{ref.name}`" if ref is not None else _("a value")
    roles = (" " + _("or") + " ").join(f'"{r.value}"' for r in agg.roles)
    who = _("no member with role {roles}", roles=roles) if roles else _("no member")
    empty = (p == 0) & (agg.func != "count")
    events.append((np.flatnonzero(empty), agg.name, "eval.no-members", "decision",
                   _("{who} of this {level} has {what}: {name} is missing", who=who, level=lp.name, what=what,
                     name=agg.name)))
    if agg.missing is not None and agg.missing.treatment == "fail":
        bad = p < m
        out = np.where(bad, np.nan, out)
        events.append((np.flatnonzero(bad), agg.name, "eval.member-missing", "error",
                       _("a member has no {what} and `missing fail` refuses it: {name} is missing", what=what,
                         name=agg.name)))
    if agg.require is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            low = num.holds("<", np.where(m > 0, p / m, 0.0), num.to_float(agg.require.value)) & ~empty
        out = np.where(low, np.nan, out)
        events.append((np.flatnonzero(low), agg.name, "eval.below-required-share", "decision",
                       _("fewer than {share}% of the members have {what}: {name} is missing",
                         share=num.fmt(num.to_float(agg.require.value) * 100), what=what, name=agg.name)))
    if agg.round is not None:
        out = num.round_half_away(out, int(agg.round.value))
    return out, events


def _fold(lp: LevelPlan) -> Fold:
    return Fold(lp.keys, lp.level.aggregates(), lp.level.role.name if lp.level.role is not None else None)
