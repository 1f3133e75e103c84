"""Evaluator: scoring methods, indicator missing-data treatments, derived values, runtime errors.

Every expected number is computed by hand in the comment beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from evaluate_kit import batch, plan

from engine.evaluate import evaluate_plan


def score(decl: str, rows: list[dict], name: str = "x") -> np.ndarray:
    return evaluate_plan(plan(decl), batch(rows)).steps[name].value


def codes(result, row: int, step: str | None = None) -> list[str]:
    return [e.code for e in result.events_at(row, step)]


@pytest.mark.parametrize("decl, raw, expected", [
    ("better higher target 95", 92, 92 / 95 * 100),  # 96.842105...
    ("better higher target 100 score ratio cap 120", 130, 120.0),  # 130, capped
    ("better lower target 3 score ratio cap 120", 2.5, (2 - 2.5 / 3) * 100),  # 116.67
    ("better lower target 3", 4, (2 - 4 / 3) * 100),  # 66.67
    ("better lower target 3", 7, 0.0),  # (2 - 7/3) * 100 < 0: floored at 0
    ("better within 95 .. 105", 100, 100.0),
    ("better within 95 .. 105", 105, 100.0),  # edge inside
    ("better within 95 .. 105", 110, 110 / 105 * 100),  # above: raw / hi
    ("better within 95 .. 105", 90, 90 / 95 * 100),  # below: raw / lo
    ("baseline 80 target 95 score progress", 92, 80.0),  # (92-80)/(95-80) = 12/15
    ("baseline 80 target 95 score progress", 70, 0.0),  # negative progress floors at 0
    ("baseline 80 target 95 score progress cap 110", 99.5, 110.0),  # 130 capped
    ("score goalposts 0 .. 200", 50, 25.0),
    ("score goalposts 0 .. 200", 250, 100.0),  # clipped
    ("better lower score goalposts 0 .. 200", 50, 75.0),  # reversed
    ("score formula value * 2 + 1", 10, 21.0),
    ("target 4 score formula value / target * 50", 3, 37.5),
    ("score raw", -7, -7.0),  # raw: no floor
    ("", 50, 50.0),  # default ratio without a target: no score, recorded
])
def test_scoring_methods(decl, raw, expected):
    if not decl:
        r = evaluate_plan(plan("indicator x { }"), batch([{"x": raw}]))
        assert math.isnan(r.steps["x"].value[0])
        assert codes(r, 0, "x") == ["eval.no-target"]
        return
    assert score(f"indicator x {{ {decl} }}", [{"x": raw}])[0] == pytest.approx(expected, abs=1e-9)


PIECEWISE = """
indicator x { target 100 score piecewise {
    when value == 0 -> 0
    when 100 - value / target * 100 <= 24 -> (1.76 * target - value) / target * 100
    otherwise 76 - ((1.76 * target - value) / target * 100 - 100)
} }
"""


def test_piecewise_first_match_and_exact_24_branch():
    # raw 76: efficiency 100 - 76/100*100 is exactly 24 on paper -> first formula:
    # (176 - 76) / 100 * 100 = 100 (the other piece would give 76 - 0 = 76).
    # raw 70: efficiency 30 > 24 -> 76 - ((176 - 70) - 100) = 70. raw 0 -> 0.
    out = score(PIECEWISE, [{"x": 76}, {"x": 70}, {"x": 0}, {"x": 100}])
    assert out[0] == pytest.approx(100.0)
    assert out[1] == pytest.approx(70.0)
    assert out[2] == 0.0
    assert out[3] == pytest.approx(76.0)  # (176 - 100) / 100 * 100


def test_piecewise_case_column_records_the_piece():
    r = evaluate_plan(plan(PIECEWISE), batch([{"x": 76}, {"x": 70}, {"x": 0}]))
    assert list(r.steps["x"].extra["case"]) == [1, 2, 0]


@pytest.mark.parametrize("treatment, expected, code", [
    ("exclude", math.nan, "eval.missing-excluded"),
    ("zero", 0.0, "eval.missing-zero"),
    ("baseline", 80 / 95 * 100, "eval.missing-baseline"),  # raw := 80
    ("value 50", 50 / 95 * 100, "eval.missing-value"),  # raw := 50
    ("fail", math.nan, "eval.missing-refused"),
])
def test_indicator_missing_treatments(treatment, expected, code):
    r = evaluate_plan(plan(f"indicator x {{ baseline 80 target 95 missing {treatment} }}"),
                      batch([{"x": None}, {"x": 95}]))
    got = r.steps["x"].value
    assert (math.isnan(got[0]) if math.isnan(expected) else got[0] == pytest.approx(expected))
    assert got[1] == pytest.approx(100.0)
    assert codes(r, 0, "x") == [code]
    assert codes(r, 1) == []
    kind = r.events_at(0, "x")[0].kind
    assert kind == ("error" if treatment == "fail" else "decision")


def test_division_by_zero_is_missing_and_recorded():
    body = "input a { } input b { } value r = a / b value safe = if b == 0 then 0 else a / b"
    r = evaluate_plan(plan(body), batch([{"a": 1, "b": 0}, {"a": 6, "b": 3}, {"a": 1, "b": 0.1 + 0.2 - 0.3}]))
    v = r.steps["r"].value
    assert math.isnan(v[0]) and v[1] == 2.0 and math.isnan(v[2])  # 0.1 + 0.2 - 0.3 is zero on paper
    assert codes(r, 0, "r") == ["eval.division-by-zero"] and codes(r, 2, "r") == ["eval.division-by-zero"]
    assert codes(r, 1) == []
    # the branch a row does not take records nothing
    assert list(r.steps["safe"].value[:2]) == [0.0, 2.0]
    assert codes(r, 0, "safe") == []
    assert not np.isinf(v).any()


def test_derived_indicator_division_error_is_not_hidden_by_missing_zero():
    body = "input a { } input b { } indicator x = a / b { target 10 missing zero }"
    r = evaluate_plan(plan(body), batch([{"a": 5, "b": 0}, {"a": None, "b": 1}]))
    v = r.steps["x"].value
    assert math.isnan(v[0]) and codes(r, 0, "x") == ["eval.division-by-zero"]
    assert v[1] == 0.0 and codes(r, 1, "x") == ["eval.missing-zero"]


def test_expressions_functions_logic_and_labels():
    body = """
    input a { } input b { } input k { type one of ("X", "Y") } input f { type boolean }
    value m = min(a, b, 10) + max(a, b) + abs(0 - a)
    value s = sum(a, b) + mean(a, b)
    value rd = round(a / 3, 2)
    value lg = if (k in ("X") and f) or not f then 1 else 2
    value eqk = if k == "Y" then 7 else 8
    indicator i { target 50 }
    value rw = raw(i) + i
    """
    r = evaluate_plan(plan(body), batch([{"a": 2, "b": 4, "k": "X", "f": 1, "i": 25},
                                         {"a": 1, "b": None, "k": None, "f": 0, "i": 25}]))
    s = r.steps
    assert s["m"].value[0] == 2 + 4 + 2
    assert s["s"].value[0] == 6 + 3
    assert s["rd"].value[0] == 0.67  # 0.6666 -> 0.67
    assert list(s["lg"].value) == [1.0, 1.0]  # missing k: "not f" is true, so `or` is true
    assert s["eqk"].value[0] == 8.0 and math.isnan(s["eqk"].value[1])  # missing label: missing branch
    assert s["rw"].value[0] == 25 + 50  # raw 25, score 25/50*100
    assert math.isnan(s["m"].value[1])  # missing propagates


def test_batch_of_one_equals_the_same_row_in_a_batch_of_many():
    rows = [{"x": v} for v in (92, None, 70, 101, 0)]
    many = evaluate_plan(plan(PIECEWISE), batch(rows))
    for i, row in enumerate(rows):
        single = evaluate_plan(plan(PIECEWISE), batch([row]))
        a, b = single.steps["x"].value[0], many.steps["x"].value[i]
        assert (math.isnan(a) and math.isnan(b)) or a == b
        assert codes(single, 0) == codes(many, i)


def test_le_24_branch_when_float_noise_lands_above_24():
    body = PIECEWISE.replace("target 100", "target 0.2")
    r = evaluate_plan(plan(body), batch([{"x": 0.152}]))
    # 100 - 0.152 / 0.2 * 100 computes to 24.000000000000014; on paper it is 24 -> first formula:
    # (1.76 * 0.2 - 0.152) / 0.2 * 100 = 100 (the `otherwise` piece would give 76).
    assert 100 - 0.152 / 0.2 * 100 > 24
    assert r.steps["x"].value[0] == pytest.approx(100.0)
    assert r.steps["x"].extra["case"][0] == 1
