"""Decimal-faithful comparisons and half-away-from-zero rounding on float64 columns."""

from __future__ import annotations

import numpy as np
import pytest

from engine.evaluate import numeric as num


@pytest.mark.parametrize("x, places, expected", [
    (2.675, 2, 2.68), (-2.675, 2, -2.68), (0.125, 2, 0.13), (1.005, 2, 1.01), (2.5, 0, 3.0), (-2.5, 0, -3.0),
    (0.5, 0, 1.0), (1.4999, 0, 1.0), (85.50000000000001, 2, 85.5), (2.665, 2, 2.67), (1.0049, 2, 1.0),
    (0.0, 2, 0.0), (123.456, 1, 123.5), (-0.004, 2, -0.0),
])
def test_round_half_away_from_zero(x, places, expected):
    assert float(num.round_half_away(x, places)) == expected


def test_round_keeps_missing_and_works_on_columns():
    out = num.round_half_away(np.array([2.675, np.nan, 1.005]), 2)
    assert out[0] == 2.68 and np.isnan(out[1]) and out[2] == 1.01


@pytest.mark.parametrize("computed", [
    100 - 76.0 / 100 * 100,  # exactly 24 on paper
    1.76 * 100 - 152,  # 24.000000000000014 in float64
    (0.1 + 0.2) * 80,  # 24.000000000000004
    24 + 3e-15,
])
def test_exact_24_takes_the_le_24_branch(computed):
    assert num.le(computed, 24.0) == 1.0
    assert num.gt(computed, 24.0) == 0.0
    assert num.eq(computed, 24.0) == 1.0


def test_noise_around_zero_is_zero():
    assert num.eq(0.1 + 0.2 - 0.3, 0.0) == 1.0
    assert num.is_zero(np.array([0.1 + 0.2 - 0.3]))[0]
    assert num.le(0.1 + 0.2, 0.3) == 1.0 and num.ge(0.1 + 0.2, 0.3) == 1.0 and num.lt(0.1 + 0.2, 0.3) == 0.0


def test_regulation_precision_still_separates_values():
    # Figures a regulation can state (6 significant decimals) never collapse.
    assert num.lt(89.999999, 90.0) == 1.0
    assert num.gt(90.000001, 90.0) == 1.0
    assert num.ne(0.000001, 0.0) == 1.0


def test_array_comparisons_propagate_missing():
    a = np.array([1.0, np.nan, 3.0])
    b = np.array([1.0 + 1e-15, 2.0, 2.0])
    out = num.le(a, b)
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 0.0
    assert np.isnan(num.ne(a, b)[1])


def test_fmt():
    assert num.fmt(96.84210526315789, 2) == "96.84"
    assert num.fmt(0.1 + 0.2) == "0.3"
    assert num.fmt(float("nan")) == "—"


def test_snap_float_is_snap_bit_for_bit() -> None:
    # The explainer's scalar path must give the very double the column path gives: random values
    # over the whole range, powers of ten and their neighbours (where floor(log10) could tip),
    # half-way cases at the 12th digit, both zeros, missing, infinities and subnormals.
    rng = np.random.default_rng(7)
    p = 10.0 ** np.arange(-300, 300)
    wide = rng.standard_normal(20000) * 10.0 ** rng.integers(-300, 300, 20000)
    xs = np.concatenate([rng.uniform(-1e3, 1e3, 20000), wide,
                         p, np.nextafter(p, 0), np.nextafter(p, np.inf), 5 * p,
                         [2.675, 0.1 + 0.2, 123456789012.5, -2.5, 0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e-300]])
    for digits in (12, 3, 15):
        want = num.snap(xs, digits)
        got = np.array([num.snap_float(x, digits) for x in xs.tolist()])
        # equal doubles of equal sign are the same bits (the sign bit tells 0.0 from -0.0)
        assert np.array_equal(got, want, equal_nan=True) and np.array_equal(np.signbit(got), np.signbit(want))
    assert num.snap_float(0.1 + 0.2) == 0.3 and num.snap_float(2.675) == 2.675  # noise dropped, by hand
    assert str(num.snap_float(-0.0)) == "-0.0"


def test_lt_float_is_lt_of_two_floats() -> None:
    # Edges where the tolerance decides: 105 against 105 +- a hair, 1e-13 apart (noise: equal, so
    # not less), 1e-9 apart (a real difference), zero and negatives, large values, one side NaN.
    edges = [105.0, 0.0, -3.5, 1e15, 0.1 + 0.2, 1.0]
    xs = [e + d for e in edges for d in (0.0, 1e-13, -1e-13, 1e-9, -1e-9, 5e-12 * max(1.0, abs(e)),
                                        -5e-12 * max(1.0, abs(e)))] + [0.3, 2.675, -0.0]
    for a in xs:
        for b in xs:
            assert num.lt_float(a, b) == (num.lt(a, b) == 1.0), (a, b)
    assert num.lt_float(1.0, 2.0) and not num.lt_float(2.0, 2.0 + 1e-13)  # by hand: 2 < 2.0000000000001 - 2e-12 is false
    assert not num.lt_float(float("nan"), 1.0) and not num.lt_float(1.0, float("nan"))  # lt gives NaN: not 1.0
