"""A sensitivity variant evaluates only what it changes: the steps it shares with the actual plans
(``engine.analysis.variants.shared_steps``) are taken from the actual result (``engine.evaluate.given``).

The reference is the full evaluation of every variant (every step computed, as before this path
existed): every column of every step and every event must be the same, on the example policies and
data (agency plans included), with and without row blocks and agency parts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import api
from engine.analysis.sensitivity import SensitivityFold
from engine.analysis.variants import shared_steps
from engine.evaluate import Result, evaluate
from engine.evaluate import blocks as evaluator
from engine.evaluate.given import Given

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "instansi-2026.csv"
OPTIONS = [dict(runs=6, seed=1), dict(runs=6, seed=7, weight_range=0.3, aggregations=["mean", "geometric", "min"]),
           dict(runs=6, seed=3, treatments=["exclude", "zero"])]


@pytest.fixture(scope="module")
def actual() -> Result:
    policies = api.compile_policies([ROOT / "policies"])
    return api.evaluate_files(policies, [DATA], policy="bsc_instansi").result


def _columns(result: Result) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for name, sr in result.steps.items():
        for key, col in sr.columns().items():
            out[f"{name}/{key}"] = ["nan" if isinstance(x, float) and np.isnan(x) else x for x in col.tolist()]
    return out


def _events(result: Result) -> set[tuple[int, str, str, str]]:
    return {(e.row, e.step, e.code, e.message) for e in result.events}


def _fold(actual: Result, options: dict[str, object]) -> SensitivityFold:
    return SensitivityFold(actual.plans, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("block", [None, 16])
def test_a_variant_with_the_shared_steps_given_equals_its_full_evaluation(
        actual: Result, options: dict[str, object], block: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if block:  # row blocks of 16 (the probe of 4): the blocked path with given steps
        monkeypatch.setattr(evaluator, "BLOCK", block)
        monkeypatch.setattr(evaluator, "PROBE", 4)
    with _fold(actual, options) as fold:
        assert len({id(p) for p in actual.plans.values()}) > 1  # agency plans: the rows in parts
        for plans in fold.variants:
            full = evaluate(plans, actual.batch, plans[None])
            given = evaluate(plans, actual.batch, plans[None], Given(actual, lambda p: fold.shared[id(p)]))
            assert _columns(given) == _columns(full)
            assert _events(given) == _events(full)


def test_shared_steps_are_the_unchanged_ones_that_read_nothing_changed(actual: Result) -> None:
    plan = actual.plans[None]
    with _fold(actual, dict(runs=1, seed=1)) as weights, _fold(actual, OPTIONS[2]) as treated:
        shared = weights.shared[id(weights.variants[0][None])]
        kinds = {s.name: s.kind for s in plan.steps}
        # Weights change only the tree nodes: every indicator and input is shared, no tree node or
        # rating (the ratings read the top score).
        assert {k for k, kind in kinds.items() if kind in ("indicator", "input")} <= shared
        assert not {k for k, kind in kinds.items() if kind in ("tree", "rating")} & shared
        # A missing-data treatment drawn for a run changes the indicators it applies to.
        variant = treated.variants[0][None]
        changed = {s.name for s in variant.steps if s.kind == "indicator" and s.decl != plan.step(s.name).decl}
        assert changed and not changed & treated.shared[id(variant)]
    assert shared_steps(plan, plan) == frozenset(s.name for s in plan.steps if s.kind != "tree"
                                                 and all(kinds[d] != "tree" for d in s.deps))


def test_given_steps_are_taken_not_computed(actual: Result) -> None:
    """Doubling the given indicator scores moves the variant's top score: the columns were read from
    the given result, not evaluated again."""
    plan = actual.plans[None]
    with _fold(actual, dict(runs=1, seed=1)) as fold:
        plans = fold.variants[0]
        doubled = Result(**{**actual.__dict__, "steps": dict(actual.steps)})
        for s in plan.steps:
            if s.kind == "indicator":
                sr = actual.steps[s.name]
                doubled.steps[s.name] = type(sr)(sr.name, sr.kind, sr.value * 2, sr.raw, extra=dict(sr.extra))
        top = plan.top_scorecard().name
        once = evaluate(plans, actual.batch, plans[None], Given(actual, lambda p: fold.shared[id(p)]))
        twice = evaluate(plans, actual.batch, plans[None], Given(doubled, lambda p: fold.shared[id(p)]))
        a, b = once.steps[top].value, twice.steps[top].value
        ok = ~np.isnan(a) & (a > 0)
        assert ok.any() and not np.allclose(a[ok], b[ok])
