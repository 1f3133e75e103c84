"""``mean_present(...)``: the mean of the arguments that have a value, each left-out one recorded."""

from __future__ import annotations

import numpy as np
from evaluate_kit import batch, plan

from engine import syntax
from engine.diagnostics import KinerjaError
from engine.evaluate import evaluate_plan

POLICY = """
input a { missing fail }
input b
input c
value m = mean_present(a, b, c)
value plain = mean(a, b, c)
"""


def _run(rows):
    return evaluate_plan(plan(POLICY), batch(rows))


def test_mean_of_the_present_arguments_and_the_left_out_ones_are_named() -> None:
    r = _run([{"id": "x", "a": 1, "b": None, "c": 4}])
    assert r.steps["m"].value[0] == 2.5            # (1 + 4) / 2
    assert np.isnan(r.steps["plain"].value[0])     # mean() stays strict
    events = [(e.code, e.message) for e in r.events_at(0, "m")]
    assert events == [("eval.missing-excluded", "mean_present() at line 8 left out `b` (missing)")]


def test_all_present_is_bit_identical_to_mean() -> None:
    rows = [{"id": str(i), "a": 0.1 * i, "b": 0.2, "c": 1 / 3} for i in range(1, 50)]
    r = _run(rows)
    assert np.array_equal(r.steps["m"].value, r.steps["plain"].value)
    assert r.events_at(0, "m") == []


def test_a_failed_argument_is_not_missing_data() -> None:
    r = _run([{"id": "x", "b": 3, "c": 4}])       # a is missing under `missing fail`: an error
    assert np.isnan(r.steps["m"].value[0])
    assert [e.code for e in r.events_at(0, "m")] == ["eval.child-failed"]


def test_nothing_present_is_missing_without_a_decision() -> None:
    text = 'policy p "P" version "1"\ninput b\ninput c\nvalue m = mean_present(b, c)\n'
    r = evaluate_plan(plan(text, header=""), batch([{"id": "x", "b": None, "c": None}]))
    assert np.isnan(r.steps["m"].value[0]) and r.events_at(0, "m") == []


def test_needs_an_argument() -> None:
    try:
        syntax.parse('policy p "P" version "1"\nvalue m = mean_present()\n', "p.kin")
    except KinerjaError as e:
        assert "`mean_present` takes at least 1 argument(s), got 0" in e.diagnostics[0].message
        assert e.diagnostics[0].span.line == 2
    else:
        raise AssertionError("mean_present() without arguments must be refused")
