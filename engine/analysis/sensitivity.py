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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.analysis.benchmark import competition_ranks
from engine.analysis.common import default_plan, labels, main_rating, no_nan, numeric, top_tree
from engine.analysis.variants import Scenario, compile_variant, tree_nodes, weighted_members
from engine.evaluate import Result, evaluate

THRESHOLD = 0.10


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
    runs: int
    seed: int
    weight_range: float
    aggregations: list[str]
    treatments: list[str]
    threshold: float
    top: str
    rating: str | None
    subjects: list[Stability] = field(default_factory=list)

    def subject(self, sid: object) -> Stability:
        return next(s for s in self.subjects if s.subject == str(sid))

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return no_nan(asdict(self))  # type: ignore[return-value]


def scenarios(result: Result, runs: int, seed: int, weight_range: float, aggregations: Sequence[str] = (),
              treatments: Sequence[str] = ()) -> list[Scenario]:
    """The runs' scenarios, drawn in a fixed order from one seeded generator."""
    module = default_plan(result).module
    members = weighted_members(module)
    nodes = tree_nodes(module)
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
    plan = default_plan(result)
    top = top_tree(plan).name
    decl = main_rating(plan) if rating is None else plan.step(rating).decl
    rating_name = decl.name if decl is not None else None
    ranks = np.full((runs, result.n), np.nan)
    changed = np.zeros(result.n)
    actual = labels(result, rating_name) if rating_name else None
    for k, sc in enumerate(scenarios(result, runs, seed, weight_range, aggregations, treatments)):
        variant = _evaluate(result, sc)
        ranks[k] = competition_ranks(numeric(variant, top))
        if actual is not None and rating_name is not None:
            changed += labels(variant, rating_name) != actual
    base_rank = competition_ranks(numeric(result, top))
    score = numeric(result, top)
    out = Sensitivity(runs, seed, weight_range, list(aggregations), list(treatments), threshold, top, rating_name)
    for i in range(result.n):
        col = ranks[:, i][~np.isnan(ranks[:, i])]
        share = float(changed[i] / runs) if runs else 0.0
        agency = result.agencies[i]
        out.subjects.append(Stability(
            str(result.subject_ids[i]), None if agency is None else str(agency), float(score[i]), float(base_rank[i]),
            float(col.min()) if col.size else np.nan, float(col.max()) if col.size else np.nan,
            float(np.median(col)) if col.size else np.nan, None if actual is None else actual[i], share,
            share > threshold))
    return out


def _evaluate(result: Result, sc: Scenario) -> Result:
    """The data evaluated under the scenario's variant of every plan the result used."""
    built: dict[int, object] = {}
    plans = {}
    for key, plan in result.plans.items():
        if id(plan) not in built:  # agencies sharing a plan share its variant
            built[id(plan)] = compile_variant(plan.module, sc)
        plans[key] = built[id(plan)]
    return evaluate(plans, result.batch, plans[None])  # type: ignore[arg-type]
