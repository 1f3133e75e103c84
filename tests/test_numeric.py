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
    assert num.lt_float(1.0, 2.0)
    assert not num.lt_float(2.0, 2.0 + 1e-13)  # by hand: 2 < 2.0000000000001 - 2e-12 is false
    assert not num.lt_float(float("nan"), 1.0) and not num.lt_float(1.0, float("nan"))  # lt gives NaN: not 1.0

def _snap_every_block(x: np.ndarray, digits: int = 12) -> np.ndarray:
    """The snap of every value through ``_snap`` (the logarithms), block by block: the reference."""
    out = np.empty_like(x)
    for lo in range(0, x.size, num.SNAP_BLOCK):
        out[lo:lo + num.SNAP_BLOCK] = num._snap(x[lo:lo + num.SNAP_BLOCK], digits)
    return out


def _blocks_of_kinds() -> dict[str, np.ndarray]:
    """Columns of one kind each, a whole block long, as results files carry them."""
    rng = np.random.default_rng(11)
    size = num.SNAP_BLOCK
    letters = np.array([100, 90, 80, 70, 60, 50, 30, 0], dtype=np.float64)
    edges = np.array([90, 80, 70, 60, 50, 30, 0.5, 1.0, 100.0])
    near_edges = np.concatenate([edges, np.nextafter(edges, 0), np.nextafter(edges, 200)])
    halves = np.array([2.675, 0.125, 62.385, 70.005, 89.995, -2.5, -0.005, 1.005])
    return {
        "inputs, 6 decimals": np.round(rng.uniform(0, 100, size), 6),
        "letter-scale averages": np.round(letters[rng.integers(0, 8, (size, 6))].sum(axis=1)
                                          / rng.integers(1, 7, size), 6),
        "scores rounded half away": num.round_half_away(rng.uniform(-100, 100, size), 2),
        "halves rounded": num.round_half_away(np.resize(halves, size), 2),
        "band edges": np.resize(edges, size),
        "band edges and neighbours": np.resize(near_edges, size),
        "float noise (0.1 + 0.2)": np.resize([0.1 + 0.2, 0.7 + 0.1, 2.675 * 3 / 3, 1 - 0.9, 53.2666666 * 3 / 3], size),
        "weighted sums": (rng.uniform(0, 100, size) * 0.2 + rng.uniform(0, 100, size) * 0.3),
        "13 significant digits": np.round(rng.uniform(1, 10, size), 12),
        "12 significant digits": np.round(rng.uniform(1, 10, size), 11),
        "mixed magnitudes": np.round(rng.uniform(0, 1, size), 6) * 10.0 ** rng.integers(-9, 9, size),
        "tiny": np.resize([1e-11, 3e-12, 1.5e-10, 0.0, 1e-300, 5e-324], size),
        "huge": np.resize([1e11, 123456789012.0, 1e15, 9.99e14, 2.0 ** 60], size),
        "powers of ten and neighbours": np.resize(np.concatenate([10.0 ** np.arange(-12, 16),
                                                                  np.nextafter(10.0 ** np.arange(-12, 16), 0)]), size),
        "missing, zeros, infinities": np.resize([np.nan, 0.0, -0.0, 42.5, np.nan, np.inf, -np.inf], size),
        "missing and zeros": np.resize([np.nan, 0.0, -0.0, 42.5, np.nan], size),
        "all missing": np.full(size, np.nan),
    }


def test_snap_skips_no_value_it_would_change() -> None:
    # A block found already exact at 12 digits is copied, not snapped: for every kind of column,
    # and for all of them end to end in one column, the bits equal snapping every value (the
    # sign bit included: -0.0 stays -0.0).
    kinds = _blocks_of_kinds()
    everything = np.concatenate(list(kinds.values()))
    shuffled = np.random.default_rng(3).permutation(everything)
    for name, col in [*kinds.items(), ("all kinds", everything), ("shuffled", shuffled)]:
        for digits in (12, 3, 14, 15):
            want, got = _snap_every_block(col, digits), num.snap(col, digits)
            assert np.array_equal(got.view(np.int64), want.view(np.int64)), (name, digits)
    # By hand: 0.1 + 0.2 is 0.30000000000000004, which 12 digits show as 0.3; 62.385 half away is 62.39.
    assert num.snap(np.full(num.SNAP_BLOCK, 0.1 + 0.2))[0] == 0.3
    assert num.snap(num.round_half_away(np.full(num.SNAP_BLOCK, 62.385), 2))[0] == 62.39


def test_snap_copies_blocks_already_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # Echoed inputs (6 decimals), rounded scores and missing values are never put through the
    # logarithms; a column carrying float noise is.
    calls = []
    real = num._snap
    monkeypatch.setattr(num, "_snap", lambda x, digits: calls.append(len(x)) or real(x, digits))
    kinds = _blocks_of_kinds()
    for name in ("inputs, 6 decimals", "letter-scale averages", "scores rounded half away", "halves rounded",
                 "band edges", "missing and zeros", "all missing"):
        num.snap(kinds[name])
        assert calls == [], name
    for name in ("float noise (0.1 + 0.2)", "band edges and neighbours", "weighted sums", "13 significant digits",
                 "tiny", "missing, zeros, infinities"):
        num.snap(kinds[name])
        assert calls, name
        calls.clear()
