"""Evaluator: aggregation methods, weights, re-weighting, child missing-data treatments, require."""

from __future__ import annotations

import math

import numpy as np
import pytest
from evaluate_kit import batch, plan

from engine.evaluate import evaluate_plan

LEAVES = "indicator a { score raw } indicator b { score raw } indicator c { score raw }\n"


def run(tree: str, rows: list[dict]):
    return evaluate_plan(plan(LEAVES + tree), batch(rows))


@pytest.mark.parametrize("agg, expected", [
    ("mean", 90.0),  # 0.5*80 + 0.5*100
    ("geometric", 89.4427191),  # sqrt(80 * 100)
    ("harmonic", 1 / (0.5 / 80 + 0.5 / 100)),  # 88.888...
    ("min", 80.0),
    ("max", 100.0),
])
def test_aggregation_methods(agg, expected):
    r = run(f"scorecard s aggregate {agg} {{ a weight 50% b weight 50% }}", [{"a": 80, "b": 100}])
    assert r.steps["s"].value[0] == pytest.approx(expected, abs=1e-7)


def test_weighted_sum_and_plain_weights():
    r = run("scorecard s aggregate sum { a weight 2 b weight 1 }", [{"a": 10, "b": 5}])
    assert r.steps["s"].value[0] == 25.0  # 2*10 + 1*5
    r = run("scorecard s { a weight 3 b weight 1 }", [{"a": 80, "b": 40}])
    assert r.steps["s"].value[0] == 70.0  # (3*80 + 40) / 4


def test_reweighting_present_siblings_60_40():
    r = run("scorecard s { a weight 60% b weight 40% }", [{"a": 80, "b": None}, {"a": 80, "b": 90}])
    s = r.steps["s"]
    assert s.value[0] == 80.0  # b left out: a carries all the weight
    assert s.weights["a"][0] == 1.0 and s.weights["b"][0] == 0.0
    assert s.value[1] == pytest.approx(84.0)  # 48 + 36
    assert s.contributions["a"][1] == pytest.approx(48.0) and s.contributions["b"][1] == pytest.approx(36.0)
    assert [e.code for e in r.events_at(0, "s")] == ["eval.reweighted"]


def test_reweighting_three_children():
    r = run("scorecard s { a weight 50% b weight 30% c weight 20% }", [{"a": 80, "b": None, "c": 100}])
    s = r.steps["s"]
    assert s.weights["a"][0] == pytest.approx(50 / 70) and s.weights["c"][0] == pytest.approx(20 / 70)
    assert s.value[0] == pytest.approx((80 * 50 + 100 * 20) / 70)  # 85.714...


@pytest.mark.parametrize("leaf, expected, code", [
    ("missing zero", 48.0, "eval.missing-zero"),  # 0.6*80 + 0.4*0
    ("missing value 50", 68.0, "eval.missing-value"),  # 48 + 20
    ("missing exclude", 80.0, "eval.reweighted"),
])
def test_leaf_missing_treatments(leaf, expected, code):
    r = run(f"scorecard s {{ a weight 60% b weight 40% {leaf} }}", [{"a": 80, "b": None}])
    assert r.steps["s"].value[0] == pytest.approx(expected)
    assert [e.code for e in r.events_at(0, "s")] == [code]


def test_node_missing_fail_records_error():
    r = run("scorecard s missing fail { a weight 60% b weight 40% }", [{"a": 80, "b": None}])
    assert math.isnan(r.steps["s"].value[0])
    ev = r.events_at(0, "s")
    assert [(e.code, e.kind) for e in ev] == [("eval.missing-refused", "error")]


def test_node_treatment_applies_unless_the_leaf_says_otherwise():
    r = run("scorecard s missing zero { a weight 50% b weight 50% missing value 40 }",
            [{"a": None, "b": None}])
    assert r.steps["s"].value[0] == 20.0  # 0.5*0 + 0.5*40


def test_require_share_of_present_weight():
    tree = "scorecard s require 50% { a weight 60% b weight 40% }"
    r = run(tree, [{"a": None, "b": 90}, {"a": 70, "b": None}, {"a": 50, "b": 50}])
    v = r.steps["s"].value
    assert math.isnan(v[0])  # 40% present < 50%
    assert v[1] == 70.0 and v[2] == 50.0  # 60% present is enough
    assert "eval.below-required-share" in [e.code for e in r.events_at(0, "s")]


def test_geometric_of_zero_is_recorded_not_a_number():
    r = run("scorecard s aggregate geometric { a weight 50% b weight 50% }", [{"a": 0, "b": 100}, {"a": -1, "b": 4}])
    assert np.isnan(r.steps["s"].value).all()
    for row in (0, 1):
        assert [(e.code, e.kind) for e in r.events_at(row, "s")] == [("eval.geometric-nonpositive", "error")]


def test_geometric_contributions_are_factors():
    r = run("scorecard s aggregate geometric { a weight 50% b weight 50% }", [{"a": 80, "b": 100}])
    c = r.steps["s"].contributions
    assert c["a"][0] * c["b"][0] == pytest.approx(r.steps["s"].value[0])  # sqrt(80) * sqrt(100)
    assert c["a"][0] == pytest.approx(math.sqrt(80))


def test_nested_tree_and_round():
    tree = """scorecard s round 2 {
        perspective p weight 25% { a weight 1 b weight 2 }
        perspective q weight 75% { c }
    }"""
    r = run(tree, [{"a": 10, "b": 20, "c": 33.335}])
    # p = (10 + 40) / 3 = 16.6667; s = 0.25 * 16.6667 + 0.75 * 33.335 = 4.16667 + 25.00125 = 29.16792 -> 29.17
    assert r.steps["p"].value[0] == pytest.approx(50 / 3)
    assert r.steps["s"].value[0] == 29.17
    assert r.steps["s"].extra["unrounded"][0] == pytest.approx(0.25 * 50 / 3 + 0.75 * 33.335)


def test_all_children_missing_is_missing_with_a_decision():
    r = run("scorecard s { a b }", [{"a": None, "b": None}])
    assert math.isnan(r.steps["s"].value[0])
    assert "eval.all-missing" in [e.code for e in r.events_at(0, "s")]


BKN = """
indicator kuantitas { target 1 }
indicator kualitas { target 100 }
indicator waktu { target 12 score piecewise {
    when value == 0 -> 0
    when 100 - value / target * 100 <= 24 -> (1.76 * target - value) / target * 100
    otherwise 76 - ((1.76 * target - value) / target * 100 - 100)
} }
indicator biaya { target 170395000 score piecewise {
    when value == 0 -> 0
    when 100 - value / target * 100 <= 24 -> (1.76 * target - value) / target * 100
    otherwise 76 - ((1.76 * target - value) / target * 100 - 100)
} }
scorecard skp round 2 { kuantitas kualitas waktu biaya }
rating predikat of skp {
    "Sangat Baik" when > 90
    "Baik" when > 75 and <= 90
    "Cukup" when > 60 and <= 75
    "Kurang" when > 50 and <= 60
    "Buruk" otherwise
}
"""


def test_perka_bkn_1_2013_worked_example():
    # Published example: aspects 100, 90, 76, 76 -> 342 / 4 = 85.50, Baik.
    # Without a cost aspect the activity is divided by 3: (100 + 90 + 76) / 3 = 88.666.. -> 88.67.
    rows = [{"kuantitas": 1, "kualitas": 90, "waktu": 12, "biaya": 170395000},
            {"kuantitas": 1, "kualitas": 90, "waktu": 12, "biaya": None}]
    r = evaluate_plan(plan(BKN), batch(rows))
    s = r.steps
    assert [s[k].value[0] for k in ("kuantitas", "kualitas")] == [100.0, 90.0]
    assert s["waktu"].value[0] == pytest.approx(76.0) and s["biaya"].value[0] == pytest.approx(76.0)
    assert s["skp"].value[0] == 85.5
    assert s["predikat"].value[0] == "Baik"
    assert s["skp"].value[1] == 88.67 and s["predikat"].value[1] == "Baik"


def test_sum_is_not_reweighted_when_a_child_is_missing():
    r = run("scorecard s aggregate sum { a weight 2 b weight 1 }", [{"a": 10, "b": None}])
    assert r.steps["s"].value[0] == 20.0  # 2*10; the missing b adds nothing (no scaling up to 30)


def test_a_refused_child_makes_its_parent_fail_instead_of_being_reweighted():
    body = ("indicator a { score raw missing fail } indicator b { score raw }\n"
            "scorecard s { group g weight 50% { a weight 50% b weight 50% } c weight 50% }\n"
            "indicator c { score raw }\n")
    r = evaluate_plan(plan(body), batch([{"a": None, "b": 80, "c": 90}, {"a": 70, "b": 80, "c": 90}]))
    assert np.isnan(r.steps["g"].value[0]) and np.isnan(r.steps["s"].value[0])
    assert [e.code for e in r.events_at(0, "g")] == ["eval.child-failed"]
    assert [e.code for e in r.events_at(0, "s")] == ["eval.child-failed"]
    assert r.steps["s"].value[1] == pytest.approx(0.5 * 75 + 0.5 * 90)  # the other row is unaffected
