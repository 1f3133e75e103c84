"""Robustness of ranks and ratings (OECD/JRC composite-indicator practice): seeded Monte Carlo runs.

Each run draws a scenario, builds the variant of every plan used (the national
one and each agency's) on the AST, compiles it and evaluates the same data with
the same evaluator:

* every declared weight of a tree member is multiplied by a factor drawn
  uniformly from ``[1 - r, 1 + r]`` (``weight_range`` r), siblings renormalised;
* with ``aggregations`` given, every tree node draws its aggregation method from
  them (independently, uniformly);
* with ``treatments`` given, the run draws one missing-data treatment applied to
  every indicator (``missing fail`` stays: a required value is never invented).

Per subject: its rank in every run (competition ranking of the top score), the
interval [lowest, highest] rank over the runs in which it was ranked, the median
rank, and the share of runs in which its rating differs from its actual rating
(a rating that goes missing counts as a change).  A subject is *unstable* when
that share exceeds ``threshold``.  The same seed and options give the same
numbers: draws come from one ``numpy.random.default_rng(seed)`` in a fixed order.

At national scale the data is read once (``engine.analysis.passes``): every chunk is
evaluated under the actual plans and each run's variant, one after the other.  A
variant evaluates only the steps it changes (the tree nodes, what reads them, and the
indicators a drawn treatment changes): the others are taken from the actual result
(``engine.evaluate.given``, ``variants.shared_steps``), so a run costs the aggregation
and rating, not the indicator scores.  Each run keeps only its top scores (appended to
one file per run in a temporary folder) and the count of rating changes.  A run's ranks need all its scores, so
after the pass each run's file is read back (one score column, 34 MB for 4.3M
subjects), ranked, and folded into the interval; the median reads the ranks of a
block of subjects from every run.  Memory holds a few per-subject columns, never
``runs x subjects``.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.analysis.benchmark import competition_ranks
from engine.analysis.common import default_plan, labels, main_rating, no_nan, numeric
from engine.analysis.variants import Scenario, compile_variant, shared_steps, tree_nodes, weighted_members
from engine.evaluate import Result, evaluate
from engine.evaluate.given import Given
from engine.plan import Plan

THRESHOLD = 0.10
BLOCK = 1 << 16  # subjects per block when taking the median rank over the runs
COLLECT = 1 << 14  # chunks of at least this many rows collect the garbage after every variant
COLUMNS = ("subject", "agency", "score", "rank", "rank_low", "rank_high", "rank_median", "rating", "changed",
           "unstable")


@dataclass
class Stability:
    subject: str
    agency: str | None
    score: float
    rank: float
    rank_low: float
    rank_high: float
    rank_median: float
    rating: str | None
    changed: float  # share of runs in which the rating differs from the actual one
    unstable: bool


@dataclass
class Sensitivity:
    """The options of the runs and, in ``table``, one entry per subject in every column of ``COLUMNS``
    (data order)."""

    runs: int
    seed: int
    weight_range: float
    aggregations: list[str]
    treatments: list[str]
    threshold: float
    top: str
    rating: str | None
    table: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.table.get("subject", ()))

    def rows(self, idx: Sequence[int] | np.ndarray) -> list[Stability]:
        t = self.table
        return [Stability(str(t["subject"][i]), None if t["agency"][i] is None else str(t["agency"][i]),
                          float(t["score"][i]), float(t["rank"][i]), float(t["rank_low"][i]),
                          float(t["rank_high"][i]), float(t["rank_median"][i]),
                          None if t["rating"][i] is None else str(t["rating"][i]), float(t["changed"][i]),
                          bool(t["unstable"][i])) for i in idx]

    @property
    def subjects(self) -> list[Stability]:
        """Every subject as an object (for small sets; see ``least_stable`` for national ones)."""
        return self.rows(range(self.size))

    def subject(self, sid: object) -> Stability:
        hits = np.flatnonzero(self.table["subject"] == str(sid))
        if not hits.size:
            raise StopIteration(sid)
        return self.rows(hits[:1])[0]

    @property
    def unstable(self) -> int:
        return int(np.count_nonzero(self.table["unstable"])) if self.size else 0

    def least_stable(self, count: int) -> list[Stability]:
        """The ``count`` subjects whose rating changed most often (then widest interval, best rank)."""
        t = self.table
        width = np.nan_to_num(t["rank_high"] - t["rank_low"], nan=-1.0)
        order = np.lexsort((np.nan_to_num(t["rank"], nan=np.inf), -width, -t["changed"]))
        return self.rows(order[:count])

    def to_dict(self, limit: int | None = None) -> dict[str, object]:
        """Plain data; with ``limit``, only the ``limit`` least stable subjects (and the counts)."""
        from dataclasses import asdict

        shown = self.subjects if limit is None else self.least_stable(limit)
        head = {k: v for k, v in asdict(self).items() if k != "table"}
        if limit is not None:
            head.update(count=self.size, unstable=self.unstable)
        return no_nan({**head, "subjects": [asdict(s) for s in shown]})  # type: ignore[return-value]


def scenarios(result: Result, runs: int, seed: int, weight_range: float, aggregations: Sequence[str] = (),
              treatments: Sequence[str] = ()) -> list[Scenario]:
    return draw(default_plan(result), runs, seed, weight_range, aggregations, treatments)


def draw(plan: Plan, runs: int, seed: int, weight_range: float, aggregations: Sequence[str] = (),
         treatments: Sequence[str] = ()) -> list[Scenario]:
    """The runs' scenarios, drawn in a fixed order from one seeded generator."""
    members = weighted_members(plan.module)
    nodes = tree_nodes(plan.module)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(runs):
        factors = dict(zip(members, 1.0 + rng.uniform(-weight_range, weight_range, len(members))))
        agg = {t: str(aggregations[i]) for t, i in zip(nodes, rng.integers(0, len(aggregations), len(nodes)))} \
            if aggregations else {}
        missing = str(treatments[int(rng.integers(0, len(treatments)))]) if treatments else None
        out.append(Scenario(factors, agg, missing))
    return out


def sensitivity(result: Result, runs: int = 200, seed: int = 0, weight_range: float = 0.2,
                aggregations: Sequence[str] = (), treatments: Sequence[str] = (), rating: str | None = None,
                threshold: float = THRESHOLD) -> Sensitivity:
    """The runs over one evaluated result."""
    with SensitivityFold(result.plans, runs, seed, weight_range, aggregations, treatments, rating,
                         threshold) as acc:
        acc.add([result])
        return acc.finish()


class SensitivityFold:
    """Folds chunks of actual results into per-run score files and rating-change counts."""

    def __init__(self, plans: dict[str | None, Plan], runs: int = 200, seed: int = 0, weight_range: float = 0.2,
                 aggregations: Sequence[str] = (), treatments: Sequence[str] = (), rating: str | None = None,
                 threshold: float = THRESHOLD):
        plan = plans[None]
        self.top = plan.top_scorecard().name
        decl = main_rating(plan) if rating is None else plan.step(rating).decl
        self.rating = decl.name if decl is not None else None
        self.out = Sensitivity(runs, seed, weight_range, list(aggregations), list(treatments), threshold, self.top,
                               self.rating)
        self.variants = [_variants(plans, sc) for sc in draw(plan, runs, seed, weight_range, aggregations,
                                                             treatments)]
        # What a variant did not change is the actual evaluation's: only the rest is evaluated per run.
        self.shared = {id(v): shared_steps(plans[k], v) for variant in self.variants for k, v in variant.items()}
        self._dir = tempfile.TemporaryDirectory(prefix="kinerja-sensitivity-")
        self.files = [Path(self._dir.name) / f"run-{k}.f8" for k in range(runs)]
        self.cols: dict[str, list[np.ndarray]] = {c: [] for c in ("subject", "agency", "score", "rating", "changed")}
        # The collection after each big variant (below) then walks only what the runs make, not the
        # compiled policies and their variants (tens of thousands of objects, ~30 ms a walk idle).
        gc.collect()
        gc.freeze()

    def __enter__(self) -> SensitivityFold:
        return self

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()
        self._dir.cleanup()

    def add(self, results: Sequence[Result]) -> None:
        (result,) = results
        actual = labels(result, self.rating) if self.rating else None
        changed = np.zeros(result.n, dtype=np.int64)
        for path, plans in zip(self.files, self.variants):
            variant = evaluate(plans, result.batch, plans[None],  # type: ignore[arg-type]
                               Given(result, lambda p: self.shared[id(p)]))
            with path.open("ab") as fh:
                numeric(variant, self.top).tofile(fh)
            if actual is not None and self.rating is not None:
                changed += labels(variant, self.rating) != actual
            del variant
            if result.n >= COLLECT:  # the variant's evaluation state holds reference cycles: a big one is
                gc.collect()  # freed now; a small one (a few rows) costs less than a full collection
        self.cols["subject"].append(np.array([str(x) for x in result.subject_ids], dtype=object))
        self.cols["agency"].append(np.array([None if a is None else str(a) for a in result.agencies], dtype=object))
        self.cols["score"].append(numeric(result, self.top))
        self.cols["rating"].append(actual if actual is not None else np.full(result.n, None, dtype=object))
        self.cols["changed"].append(changed)

    def finish(self) -> Sensitivity:
        t = {k: np.concatenate(v) if v else np.empty(0) for k, v in self.cols.items()}
        self.cols.clear()
        size, runs = t["score"].size, self.out.runs
        low, high = np.full(size, np.nan), np.full(size, np.nan)
        ranks = [p.with_suffix(".f4") for p in self.files]
        for path, out in zip(self.files, ranks):
            r = competition_ranks(np.fromfile(path, dtype=np.float64))
            low, high = np.fmin(low, r), np.fmax(high, r)
            r.astype(np.float32).tofile(out)  # ranks are whole numbers < 2**24: exact in float32
            path.unlink()
        t["rank"] = competition_ranks(t["score"])
        t["rank_low"], t["rank_high"] = low, high
        t["rank_median"] = _medians(ranks, size)
        share = t.pop("changed") / runs if runs else np.zeros(size)
        t["changed"], t["unstable"] = share, share > self.out.threshold
        self.out.table = {c: t[c] for c in COLUMNS}
        return self.out


def _medians(ranks: list[Path], size: int) -> np.ndarray:
    """Per subject, the median of its present ranks over the runs, a block of subjects at a time."""
    out = np.full(size, np.nan)
    for start in range(0, size, BLOCK):
        stop = min(size, start + BLOCK)
        block = np.empty((len(ranks), stop - start))
        for k, path in enumerate(ranks):
            block[k] = np.fromfile(path, dtype=np.float32, count=stop - start, offset=start * 4)
        gaps = np.isnan(block)
        full, some = ~gaps.any(axis=0), gaps.any(axis=0) & ~gaps.all(axis=0)
        # The subjects ranked in every run (nearly all): a plain median, which numpy computes about 7x
        # faster than ``nanmedian`` (for fewer than 600 runs that is a masked-array median per column).
        out[start:stop][full] = np.median(block[:, full], axis=0)
        if some.any():
            out[start:stop][some] = np.nanmedian(block[:, some], axis=0)
    return out


def _variants(plans: dict[str | None, Plan], sc: Scenario) -> dict[str | None, Plan]:
    """The scenario's variant of every plan (agencies sharing a plan share its variant)."""
    built: dict[int, Plan] = {}
    out = {}
    for key, plan in plans.items():
        if id(plan) not in built:
            built[id(plan)] = compile_variant(plan.module, sc)
        out[key] = built[id(plan)]
    return out
