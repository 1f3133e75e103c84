"""Improvement areas: the points each indicator costs, and the smallest single change to the next band.

**Points lost.** An indicator's full mark is 100 (the score at target) or, for
``score raw``, its target (its cap without a target).  Its shortfall is
``max(0, full - score)`` and it costs ``path weight x shortfall`` points of the top
score, where the path weight is the product of the effective weights (after
missing children were re-weighted) from the top scorecard down to it.  Under
weighted means the points lost by all indicators add up to the distance of the
top score from a full score; under geometric or harmonic means it is the
first-order share.

**Next band.** For each submitted indicator, the smallest change of its raw value
alone (all else equal) that lifts the main rating to the next band up or beyond.
It is solved on the evaluator itself: candidate values between the current value
and each end of the indicator's ``range`` are put in one batch and evaluated under
the subject's own plan; the first candidate that reaches the band is refined by
evaluating a finer grid between it and its predecessor (``rounds`` times), so the
answer is exact to ``range / grid**(rounds+1)`` and always on the reaching side.
The direction with the smaller change wins.  When no value within the range
reaches the band, the indicator cannot do it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engine import nodes as n
from engine.analysis.common import band_order, labels, main_rating, numeric, path_weights
from engine.evaluate import Result, evaluate
from engine.evaluate.numeric import snap

GRID = 24
ROUNDS = 4


@dataclass
class Loss:
    indicator: str
    label: str
    score: float
    full: float
    shortfall: float
    weight: float
    points: float


@dataclass
class NextBand:
    """The smallest change of one indicator that reaches the next band (``needed`` is None if none)."""

    indicator: str
    label: str
    current: float
    needed: float | None
    change: float | None

    @property
    def reachable(self) -> bool:
        return self.needed is not None


@dataclass
class Improvement:
    subject: str
    top: str
    score: float
    rating: str | None
    band: str | None
    next_band: str | None
    losses: list[Loss] = field(default_factory=list)
    steps: list[NextBand] = field(default_factory=list)

    def loss(self, name: str) -> Loss:
        return next(x for x in self.losses if x.indicator == name)

    def step(self, name: str) -> NextBand:
        return next(x for x in self.steps if x.indicator == name)


def full_mark(ind: n.Indicator) -> float | None:
    s = ind.score
    if s is not None and s.method == "raw":
        mark = ind.target or s.cap
        return float(mark.value) if mark is not None else None
    return 100.0


def improvement_areas(result: Result, subjects: list[object] | None = None, rating: str | None = None,
                      grid: int = GRID, rounds: int = ROUNDS) -> list[Improvement]:
    """Per subject: losses sorted by points (largest first) and next-band steps sorted by |change|."""
    rows = list(range(result.n)) if subjects is None else [result.row(s) for s in subjects]
    plan = result.plans[None]
    tree = plan.top_scorecard()
    decl = main_rating(plan) if rating is None else plan.step(rating).decl
    weights = path_weights(result, tree)
    top = numeric(result, tree.name)
    leaves = [m.name for m in tree.members() if isinstance(plan.step(m.name).decl, n.Indicator)
              and isinstance(m.node, n.Leaf)]
    found = labels(result, decl.name) if isinstance(decl, n.Rating) else np.full(result.n, None)
    out = []
    for r in rows:
        band = found[r]
        order = band_order(result.plan_at(r).step(decl.name).decl) if isinstance(decl, n.Rating) else []
        nxt = order[order.index(band) - 1] if band in order and order.index(band) > 0 else None
        imp = Improvement(str(result.subject_ids[r]), tree.name, float(top[r]),
                          decl.name if isinstance(decl, n.Rating) else None, band, nxt)
        imp.losses = _losses(result, r, leaves, weights)
        out.append(imp)
    if isinstance(decl, n.Rating):
        _solve(result, out, rows, decl.name, leaves, grid, rounds)
    return out


def _losses(result: Result, r: int, leaves: list[str], weights: dict[str, np.ndarray]) -> list[Loss]:
    plan = result.plan_at(r)
    out = []
    for name in leaves:
        ind = plan.step(name).decl
        assert isinstance(ind, n.Indicator)
        full = full_mark(ind)
        score = float(numeric(result, name)[r])
        if full is None:
            continue
        short = max(0.0, full - score) if not np.isnan(score) else 0.0
        w = float(weights[name][r])
        out.append(Loss(name, ind.label or name, score, full, short, w, float(snap(np.asarray(w * short)))))
    return sorted(out, key=lambda x: (-x.points, x.indicator))


# ------------------------------------------------------------ next band solver


@dataclass
class _Probe:
    """One search: subject row ``row``, indicator ``name``, from ``a`` towards ``b``."""

    imp: Improvement
    row: int
    name: str
    a: float
    b: float
    hit: float | None = None


def _solve(result: Result, imps: list[Improvement], rows: list[int], rating: str, leaves: list[str],
           grid: int, rounds: int) -> None:
    probes: list[_Probe] = []
    for imp, r in zip(imps, rows):
        if imp.next_band is None:
            continue
        for name in leaves:
            col = result.batch.columns.get(name)
            if col is None or col.dtype == object or np.isnan(col[r]):
                continue  # derived from other fields, or not submitted: no single value to move
            lo, hi = _bounds(result.plan_at(r).step(name).decl, float(col[r]))
            probes += [_Probe(imp, r, name, float(col[r]), end) for end in (lo, hi) if end != col[r]]
    goal = {id(p): set(_at_or_above(result, p.row, rating, p.imp.next_band)) for p in probes}
    active = probes
    for _ in range(rounds + 1):
        if not active:
            break
        t = np.arange(1, grid + 1) / grid
        cand = np.concatenate([p.a + (p.b - p.a) * t for p in active])
        got = _evaluate(result, [p.row for p in active for _ in t], [p.name for p in active for _ in t], cand, rating)
        still = []
        for k, p in enumerate(active):
            seg = got[k * grid:(k + 1) * grid]
            j = next((i for i, lab in enumerate(seg) if lab in goal[id(p)]), None)
            if j is None:
                continue  # never reached in this direction (or the refinement lost it: keep the last hit)
            prev = p.a if j == 0 else p.a + (p.b - p.a) * t[j - 1]
            p.hit = float(p.a + (p.b - p.a) * t[j])
            p.a, p.b = prev, p.hit
            still.append(p)
        active = still
    _collect(imps, probes, result)


def _collect(imps: list[Improvement], probes: list[_Probe], result: Result) -> None:
    best: dict[tuple[int, str], float | None] = {}
    for p in probes:
        key = (id(p.imp), p.name)
        cur = float(result.batch.columns[p.name][p.row])
        if p.hit is not None and (best.get(key) is None or abs(p.hit - cur) < abs(best[key] - cur)):  # type: ignore[operator]
            best[key] = p.hit
        best.setdefault(key, None)
    for imp in imps:
        r = result.row(imp.subject)
        for (owner, name), hit in best.items():
            if owner != id(imp):
                continue
            cur = float(result.batch.columns[name][r])
            label = result.plan_at(r).step(name).decl.label or name  # type: ignore[union-attr]
            imp.steps.append(NextBand(name, label, cur, hit, None if hit is None else hit - cur))
        # Units differ between indicators: order by the change as a share of each one's range.
        imp.steps.sort(key=lambda s: (s.change is None, abs(s.change or 0.0) / _width(result, r, s), s.indicator))


def _width(result: Result, row: int, s: NextBand) -> float:
    lo, hi = _bounds(result.plan_at(row).step(s.indicator).decl, s.current)
    return max(hi - lo, 1e-12)


def _bounds(ind: n.Decl, current: float) -> tuple[float, float]:
    """The search interval: the indicator's ``range``, else a generous one around the value."""
    if isinstance(ind, n.Indicator) and ind.range is not None:
        return float(ind.range.lo.value), float(ind.range.hi.value)
    target = float(ind.target.value) if isinstance(ind, n.Indicator) and ind.target is not None else 0.0
    span = max(abs(current), abs(target), 1.0) * 4
    return min(0.0, current), span


def _at_or_above(result: Result, row: int, rating: str, band: str | None) -> list[str]:
    order = band_order(result.plan_at(row).step(rating).decl)  # type: ignore[arg-type]
    return order[: order.index(band) + 1] if band in order else []


def _evaluate(result: Result, rows: list[int], names: list[str], values: np.ndarray, rating: str) -> np.ndarray:
    """The rating label of each candidate row: subject ``rows[i]`` with ``names[i]`` set to ``values[i]``,
    evaluated by the same evaluator under the same plans."""
    batch = result.batch.take(np.asarray(rows, dtype=np.int64), origins=False)  # columns copied: ours to set
    names_arr = np.asarray(names, dtype=object)
    for name in set(names):
        mask = names_arr == name
        batch.columns[name][mask] = values[mask]
    batch = replace(batch, subject_ids=np.asarray([f"{result.batch.subject_ids[r]}#{i}" for i, r in enumerate(rows)],
                                                  dtype=object))
    out = evaluate(result.plans, batch, result.plans[None])
    return labels(out, rating)
