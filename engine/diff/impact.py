"""The impact of a policy change on reference data: the same data evaluated under both versions.

Subjects are matched by id.  A subject's score is the value of the policy's
first (top) scorecard, its rating the label of the rating of that scorecard
(else the policy's first rating).  Band order is each version's declaration
order (the first band is the highest), so a "drop" of k bands is
``index(new label in new) - index(old label in old)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine import api
from engine import nodes as n
from engine.evaluate import Result
from engine.plan import Plan

NONE = "—"  # no rating (missing score, or the subject was not evaluated)
SAME = 1e-9  # scores closer than this are unchanged


@dataclass
class Mover:
    subject: str
    agency: str | None
    old: float | None
    new: float | None
    delta: float
    old_rating: str
    new_rating: str
    node: str | None  # the direct child of the top scorecard whose contribution changed most
    node_delta: float | None


@dataclass
class AgencySummary:
    agency: str
    subjects: int = 0
    changed_score: int = 0
    changed_rating: int = 0
    mean_delta: float = 0.0


@dataclass
class Impact:
    scorecard: str
    rating: str | None
    subjects: int
    changed_score: int
    changed_rating: int
    labels: list[str]  # rows/columns of the transition table, highest band first, then NONE
    transitions: dict[tuple[str, str], int]
    movers: list[Mover]
    agencies: list[AgencySummary]
    max_drop: int = 0
    drops: dict[str, int] = field(default_factory=dict)  # subject -> bands dropped (only drops >= 1)

    def share(self, count: int) -> float:
        return 0.0 if self.subjects == 0 else 100.0 * count / self.subjects


def evaluate_version(path: Path, root: Path | None, data: Sequence[str | Path], policy: str | None = None) -> api.Run:
    policies = api.compile_policies([path], root=root)
    return api.evaluate_files(policies, list(data), policy=policy)


def impact(old: api.Run, new: api.Run, movers: int = 10) -> Impact:
    top_old, top_new = _top(old.plan), _top(new.plan)
    rating_old, rating_new = _rating(old.plan, top_old), _rating(new.plan, top_new)
    order_old, order_new = _order(old.plan, rating_old), _order(new.plan, rating_new)
    ro, rn = old.result, new.result
    ids = [str(s) for s in rn.subject_ids]
    rows_old = {str(s): i for i, s in enumerate(ro.subject_ids)}
    labels = order_old + [x for x in order_new if x not in order_old] + [NONE]
    out = Impact(top_new, rating_new, 0, 0, 0, labels, {}, [], [])
    per: dict[str, AgencySummary] = {}
    all_movers = []
    for j, sid in enumerate(ids):
        i = rows_old.get(sid)
        if i is None:
            continue
        out.subjects += 1
        a, b = _num(ro.steps[top_old].value[i]), _num(rn.steps[top_new].value[j])
        la, lb = _label(ro, rating_old, i), _label(rn, rating_new, j)
        moved = _changed(a, b)
        relabel = la != lb
        out.changed_score += moved
        out.changed_rating += relabel
        out.transitions[(la, lb)] = out.transitions.get((la, lb), 0) + 1
        drop = _drop(la, lb, order_old, order_new)
        if drop > 0:
            out.drops[sid] = drop
            out.max_drop = max(out.max_drop, drop)
        agency = rn.agencies[j]
        s = per.setdefault(str(agency), AgencySummary(str(agency)))
        s.subjects += 1
        s.changed_score += moved
        s.changed_rating += relabel
        delta = (b or 0.0) - (a or 0.0) if a is not None and b is not None else math.nan
        s.mean_delta += 0.0 if math.isnan(delta) else delta
        if moved:
            node, nd = _mover_node(ro, i, top_old, rn, j, top_new)
            all_movers.append(Mover(sid, None if agency is None else str(agency), a, b, delta, la, lb, node, nd))
    for s in per.values():
        s.mean_delta = s.mean_delta / s.subjects if s.subjects else 0.0
    out.agencies = sorted(per.values(), key=lambda s: s.agency)
    all_movers.sort(key=lambda m: (-(abs(m.delta) if not math.isnan(m.delta) else math.inf), m.subject))
    out.movers = all_movers[:movers]
    return out


def _top(plan: Plan) -> str:
    return plan.top_scorecard().name


def _rating(plan: Plan, top: str) -> str | None:
    ratings = [i for i in plan.module.items if isinstance(i, n.Rating)]
    chosen = next((r for r in ratings if r.of == top), ratings[0] if ratings else None)
    return chosen.name if chosen else None


def _order(plan: Plan, rating: str | None) -> list[str]:
    if rating is None:
        return []
    decl = plan.step(rating).decl
    assert isinstance(decl, n.Rating)
    return list(dict.fromkeys(b.label.value for b in decl.bands))


def _num(x: object) -> float | None:
    v = float(x)  # type: ignore[arg-type]
    return None if math.isnan(v) else v


def _label(result: Result, rating: str | None, row: int) -> str:
    if rating is None or rating not in result.steps:
        return NONE
    v = result.steps[rating].value[row]
    return NONE if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _changed(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > SAME


def _drop(la: str, lb: str, order_old: list[str], order_new: list[str]) -> int:
    if la not in order_old or lb not in order_new:
        return 0
    return order_new.index(lb) - order_old.index(la)


def _mover_node(ro: Result, i: int, top_old: str, rn: Result, j: int, top_new: str) -> tuple[str | None, float | None]:
    """The direct child of the top scorecard whose contribution changed most (absent counts as 0)."""
    co, cn = ro.steps[top_old].contributions, rn.steps[top_new].contributions
    best, best_d = None, -1.0
    for child in [*co, *[c for c in cn if c not in co]]:
        x = float(co[child][i]) if child in co else 0.0
        y = float(cn[child][j]) if child in cn else 0.0
        d = (0.0 if np.isnan(y) else y) - (0.0 if np.isnan(x) else x)
        if abs(d) > best_d + SAME:
            best, best_d = child, abs(d)
            signed = d
    return (best, signed) if best is not None else (None, None)
