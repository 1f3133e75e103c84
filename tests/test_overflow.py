"""Overflow and underflow: recorded per row as `eval.overflow`, never an infinity in a result or a file."""

from __future__ import annotations

import json
import math

import numpy as np
from evaluate_kit import batch, plan

from engine.evaluate import evaluate_plan
from engine.evaluate.numeric import snap


def codes(result, row: int, step: str) -> list[str]:
    return [e.code for e in result.events_at(row, step)]


def test_overflowing_arithmetic_is_a_recorded_error_on_that_row_only() -> None:
    body = ("input a { } input b { } value p = a * b value s = a + b + a value q = a * b / b "
            "value t = sum(a, a) value d = a / b")
    r = evaluate_plan(plan(body), batch([{"a": 1e200, "b": 1e200}, {"a": 2, "b": 3}, {"a": 1e308, "b": 1e-5}]))
    # row 0: 1e200 * 1e200 = 1e400 > 1.8e308; row 2: 1e308 + 1e-5 + 1e308 = 2e308 and 1e308 / 1e-5 = 1e313
    for step in ("p", "q"):
        assert math.isnan(r.steps[step].value[0]) and codes(r, 0, step) == ["eval.overflow"]
    assert list(r.steps["p"].value[1:]) == [6.0, 1e308 * 1e-5]  # 2 * 3; 1e303, finite
    assert r.steps["q"].value[1] == 2.0  # 2 * 3 / 3
    assert math.isnan(r.steps["s"].value[2]) and codes(r, 2, "s") == ["eval.overflow"]
    assert math.isnan(r.steps["t"].value[2]) and codes(r, 2, "t") == ["eval.overflow"]
    assert math.isnan(r.steps["d"].value[2]) and codes(r, 2, "d") == ["eval.overflow"]
    assert codes(r, 1, "p") == [] and codes(r, 1, "d") == []
    for step in "pqstd":
        assert not np.isinf(r.steps[step].value).any()
    table = r.table()
    json.dumps([float(x) for x in table["p"] if not math.isnan(x)], allow_nan=False)  # no Infinity anywhere


def test_tiny_values_keep_twelve_significant_digits_for_display() -> None:
    # 10 ** (11 + 300) overflows the scale used for ordinary values: the decimal text rounds instead.
    got = snap(np.array([1e-300, 1.23456789012345e-310, 0.1 + 0.2, 5e-324]))
    assert list(got) == [1e-300, 1.23456789012e-310, 0.3, 5e-324]
    assert float(snap(1e-300)) == 1e-300
