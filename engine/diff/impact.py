"""The impact of a policy change on reference data: the same data evaluated under both versions.

Subjects are matched by id.  A subject's score is the value of the policy's
first (top) scorecard, its rating the label of the rating of that scorecard
(else the policy's first rating).  Band order is each version's declaration
order (the first band is the highest), so a "drop" of k bands is
``index(new label in new) - index(old label in old)``.

The data is read once, chunk by chunk (``engine.analysis.passes``): each chunk is
evaluated under both versions and folded into counts, the transition table, the
per-agency sums, the largest movers and the (capped) list of rating changes, so
memory does not grow with the file; ``changes_to`` writes every rating change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine import api
from engine import nodes as n
from engine.analysis.common import main_rating
from engine.analysis.passes import Evaluation, Reading, fold
from engine.api import Progress
from engine.diff.changes import ChangeWriter, Mover
from engine.evaluate import Result
from engine.plan import Plan

NONE = "—"  # no rating (missing score, or the subject was not evaluated)
SAME = 1e-9  # scores closer than this are unchanged
CHANGES = 25  # rating changes kept for the report (all of them with ``changes_to``)


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
    drops: dict[int, int] = field(default_factory=dict)  # bands dropped (>= 1) -> number of subjects
    changes: list[Mover] = field(default_factory=list)  # the first rating changes in data order (capped)

    def share(self, count: int) -> float:
        return 0.0 if self.subjects == 0 else 100.0 * count / self.subjects


@dataclass(frozen=True)
class Side:
    """One version's top scorecard, its rating and band order."""

    top: str
    rating: str | None
    order: list[str]

    @classmethod
    def of(cls, plan: Plan) -> Side:
        top = plan.top_scorecard().name
        rating = _rating(plan, top)
        return cls(top, rating, _order(plan, rating))


def evaluate_version(path: Path, root: Path | None, data: Sequence[str | Path], policy: str | None = None) -> api.Run:
    # A national file is scored with the agency files extending it, as `eval` of its folder would.
    from engine.diff.sources import scored_path

    policies = api.compile_policies([scored_path(path)], root=root, dependents=True)
    return api.evaluate_files(policies, list(data), policy=policy)


def impact(old: api.Run, new: api.Run, movers: int = 10, changes: int = CHANGES) -> Impact:
    """The impact between two whole evaluations."""
    acc = ImpactFold(Side.of(old.plan), Side.of(new.plan), movers, changes)
    acc.add([old.result, new.result])
    return acc.finish()


def impact_on(old: api.Policies, new: api.Policies, reading: Reading, policy: str | None = None,
              movers: int = 10, changes: int = CHANGES, changes_to: str | Path | None = None,
              progress: Progress | None = None) -> Impact:
    """The impact of ``old`` -> ``new`` on the data, in one streamed pass (both versions per chunk).

    A policy whose version is chosen row by row (several versions, a period column) is evaluated
    whole, as ``kinerja eval`` does."""
    plans = [p.select(policy) for p in (old, new)]
    writer = ChangeWriter(changes_to) if changes_to is not None else None
    try:
        if any(len(p.versions(policy)) > 1 for p in (old, new)):
            runs = [api.evaluate_files(p, list(reading.data), policy=policy, layout=reading.layout,
                                       known_agencies=reading.known_agencies, sheet=reading.sheet) for p in (old, new)]
            acc = ImpactFold(Side.of(runs[0].plan), Side.of(runs[1].plan), movers, changes, writer)
            acc.add([runs[0].result, runs[1].result])
        else:
            evaluations = [Evaluation(plan, p.agencies_of(plan)) for p, plan in zip((old, new), plans)]
            acc, _ = fold(reading, evaluations, lambda: ImpactFold(Side.of(plans[0]), Side.of(plans[1]), movers,
                                                                   changes, writer),
                          progress=progress)
        found = acc.finish()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        writer.close()
    return found


class ImpactFold:
    """Folds chunks of (old result, new result) into an ``Impact``."""

    def __init__(self, old: Side, new: Side, movers: int, changes: int, writer: ChangeWriter | None = None):
        self.old, self.new = old, new
        self.limit, self.cap, self.writer = movers, changes, writer
        labels = old.order + [x for x in new.order if x not in old.order] + [NONE]
        self.out = Impact(new.top, new.rating, 0, 0, 0, labels, {}, [], [])
        self.rank = {x: k for k, x in enumerate(old.order)}, {x: k for k, x in enumerate(new.order)}
        self.per: dict[str, AgencySummary] = {}
        self.sums: dict[str, float] = {}

    def add(self, results: Sequence[Result]) -> None:
        ro, rn = results
        i, j = _match(ro.subject_ids, rn.subject_ids)
        if not j.size:
            return
        a, b = _scores(ro, self.old.top)[i], _scores(rn, self.new.top)[j]
        la, lb = _labels(ro, self.old.rating)[i], _labels(rn, self.new.rating)[j]
        both = ~np.isnan(a) & ~np.isnan(b)
        with np.errstate(invalid="ignore"):
            moved = np.where(both, np.abs(a - b) > SAME, np.isnan(a) != np.isnan(b))
            delta = np.where(both, b - a, np.nan)
        relabel = la != lb
        out = self.out
        out.subjects += int(j.size)
        out.changed_score += int(moved.sum())
        out.changed_rating += int(relabel.sum())
        drop = self._transitions(la, lb)
        agencies = np.array([str(x) for x in rn.agencies[j]], dtype=object)
        self._agencies(agencies, moved, relabel, delta)
        ids = np.array([str(x) for x in rn.subject_ids[j]], dtype=object)
        self._movers(ro, rn, i, j, ids, moved, delta, a, b, la, lb)
        changed = np.flatnonzero(relabel)
        if changed.size and len(out.changes) < self.cap:
            out.changes += [self._mover(ro, rn, i[k], j[k], ids[k], delta[k], a[k], b[k], la[k], lb[k], False)
                            for k in changed[: self.cap - len(out.changes)]]
        if self.writer is not None and changed.size:
            self.writer.write(ids[changed], rn.agencies[j][changed], a[changed], b[changed], delta[changed],
                              la[changed], lb[changed], drop[changed])

    def _transitions(self, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
        """Count (old, new) pairs in order of first appearance; the bands each subject dropped."""
        pairs = np.char.add(np.char.add(la.astype(str), "\x1f"), lb.astype(str))
        keys, first, inverse, counts = np.unique(pairs, return_index=True, return_inverse=True, return_counts=True)
        drop_of = np.zeros(keys.size, dtype=np.int64)
        for k in np.argsort(first, kind="stable"):
            old, new = str(keys[k]).split("\x1f")
            self.out.transitions[(old, new)] = self.out.transitions.get((old, new), 0) + int(counts[k])
            if old in self.rank[0] and new in self.rank[1]:
                drop_of[k] = self.rank[1][new] - self.rank[0][old]
        drop = drop_of[inverse.reshape(-1)]
        for bands, count in zip(*np.unique(drop[drop > 0], return_counts=True)):
            self.out.drops[int(bands)] = self.out.drops.get(int(bands), 0) + int(count)
            self.out.max_drop = max(self.out.max_drop, int(bands))
        return drop

    def _agencies(self, agencies: np.ndarray, moved: np.ndarray, relabel: np.ndarray, delta: np.ndarray) -> None:
        names, first, codes = np.unique(agencies, return_index=True, return_inverse=True)
        codes = codes.reshape(-1)
        k = names.size
        # The running sums come first, so bincount adds each agency's deltas to it in row order.
        start = np.array([self.sums.get(str(x), 0.0) for x in names])
        deltas = np.concatenate([start, np.nan_to_num(delta, nan=0.0)])
        sums = np.bincount(np.concatenate([np.arange(k), codes]), deltas, minlength=k)
        counts = np.bincount(codes, minlength=k), np.bincount(codes, moved, k), np.bincount(codes, relabel, k)
        for x in np.argsort(first, kind="stable"):
            s = self.per.setdefault(str(names[x]), AgencySummary(str(names[x])))
            s.subjects += int(counts[0][x])
            s.changed_score += int(counts[1][x])
            s.changed_rating += int(counts[2][x])
            self.sums[s.agency] = float(sums[x])

    def _movers(self, ro: Result, rn: Result, i: np.ndarray, j: np.ndarray, ids: np.ndarray, moved: np.ndarray,
                delta: np.ndarray, a: np.ndarray, b: np.ndarray, la: np.ndarray, lb: np.ndarray) -> None:
        """The chunk's best candidates merged with the best so far: the largest |change| first (a score
        that appeared or vanished counts as infinite), then by subject id."""
        rows = np.flatnonzero(moved)
        if not rows.size or not self.limit:
            return
        key = np.where(np.isnan(delta[rows]), -np.inf, -np.abs(delta[rows]))
        if rows.size > self.limit:
            cut = np.partition(key, self.limit - 1)[self.limit - 1]
            rows, key = rows[key <= cut], key[key <= cut]
        best = sorted(zip(key.tolist(), ids[rows].tolist(), rows.tolist()))[: self.limit]
        found = [self._mover(ro, rn, i[k], j[k], ids[k], delta[k], a[k], b[k], la[k], lb[k], True) for _, _, k in best]
        merged = self.out.movers + found
        merged.sort(key=lambda m: (-(abs(m.delta) if not math.isnan(m.delta) else math.inf), m.subject))
        self.out.movers = merged[: self.limit]

    def _mover(self, ro: Result, rn: Result, i: int, j: int, sid: str, delta: float, a: float, b: float,
               la: str, lb: str, node: bool) -> Mover:
        agency = rn.agencies[j]
        found, nd = _mover_node(ro, int(i), self.old.top, rn, int(j), self.new.top) if node else (None, None)
        return Mover(sid, None if agency is None else str(agency), _num(a), _num(b), float(delta), str(la), str(lb),
                     found, nd)

    def finish(self) -> Impact:
        for s in self.per.values():
            s.mean_delta = self.sums[s.agency] / s.subjects if s.subjects else 0.0
        self.out.agencies = sorted(self.per.values(), key=lambda s: s.agency)
        return self.out


def _match(old: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (old, new) of the subjects in both, in the new result's order."""
    if old.shape == new.shape and bool(np.all(old == new)):
        idx = np.arange(new.size)
        return idx, idx
    rows_old = {str(s): k for k, s in enumerate(old)}
    pairs = [(rows_old[str(s)], k) for k, s in enumerate(new) if str(s) in rows_old]
    if not pairs:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    i, j = zip(*pairs)
    return np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)


def _scores(result: Result, top: str) -> np.ndarray:
    col = result.steps[top].value
    return col.astype(np.float64) if col.dtype != object else np.array([float(x) for x in col], dtype=np.float64)


def _labels(result: Result, rating: str | None) -> np.ndarray:
    if rating is None or rating not in result.steps:
        return np.full(result.n, NONE, dtype=object)
    col = result.steps[rating].value
    return np.array([NONE if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in col],
                    dtype=object)


def _rating(plan: Plan, top: str) -> str | None:
    chosen = main_rating(plan, top)
    return chosen.name if chosen else None


def _order(plan: Plan, rating: str | None) -> list[str]:
    if rating is None:
        return []
    decl = plan.step(rating).decl
    assert isinstance(decl, n.Rating)
    return list(dict.fromkeys(b.label.value for b in decl.bands))


def _num(x: float) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v


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
