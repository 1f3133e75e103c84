"""The evaluator's fast paths give exactly the numbers of the plain formulas they replace."""

from __future__ import annotations

import numpy as np
import pytest

from engine.evaluate import numeric as num


def _plain_snap(x: np.ndarray, digits: int) -> np.ndarray:
    """The textbook formula (what ``snap`` computed before its table of powers of ten); below
    ~1e-296 the scale overflows, and the value's decimal text is rounded instead."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mag = np.where((x == 0) | ~np.isfinite(x), 0.0, np.floor(np.log10(np.abs(x))))
        scale = 10.0 ** (digits - 1 - mag)
        out = np.where(np.isfinite(x), np.round(x * scale) / scale, x)
    tiny = np.isfinite(x) & ~np.isfinite(scale)
    out[tiny] = [float(f"{v:.{digits}g}") for v in x[tiny]]
    return out


@pytest.mark.parametrize("digits", [3, 12, 15])
def test_snap_is_bit_identical_to_the_formula(digits: int) -> None:
    rng = np.random.default_rng(7)
    edges = 10.0 ** np.arange(-300, 300)
    x = np.concatenate([rng.random(100_000) * 120, 10.0 ** rng.uniform(-320, 308, 100_000),
                        -rng.random(1000), np.nextafter(edges, 0), np.nextafter(edges, np.inf),
                        [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1.7976931348623157e308, 0.1 + 0.2]])
    rng.shuffle(x)
    got = num.snap(x, digits)  # long: done in blocks, powers of ten looked up
    assert got.tobytes() == _plain_snap(x, digits).tobytes()
    assert float(num.snap(0.1 + 0.2)) == 0.3 and num.snap(np.array([2.675 * 100]))[0] == 267.5


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_holds_is_the_truth_column_being_true(op: str) -> None:
    rng = np.random.default_rng(3)
    a = np.round(rng.uniform(-3, 3, 20_000), 1) + rng.choice([0.0, 1e-13, -1e-13, 1e-9], 20_000)
    a[::11] = np.nan
    b = np.roll(a, 5)
    for left, right in ((a, 1.5), (a, 0.0), (0.3, a), (a, b), (a, 0.1 + 0.2)):
        assert np.array_equal(num.holds(op, left, right), num.COMPARE[op](left, right) == 1.0)
