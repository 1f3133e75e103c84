"""Decimal-faithful comparisons and rounding on float64 columns.

Regulations are written in decimal arithmetic; the evaluator computes in binary
float64 for speed.  The two disagree only by representation noise: ``0.1 + 0.2``
is ``0.30000000000000004``, ``2.675`` is stored as ``2.67499999999999982...``.
Such noise must never move a value across a band edge, a branch condition or a
rounding half-way point, so every comparison and every rounding here treats two
numbers as equal when they agree to ``REL`` relative to the larger magnitude
(with a floor of 1, so noise around zero, e.g. ``0.1 + 0.2 - 0.3``, is zero):

    a == b   iff   |a - b| <= REL * max(1, |a|, |b|)

``REL = 1e-12`` is about 10 000 times float64's own rounding error (2.2e-16), so
a chain of a few dozen operations cannot exceed it; and it is a million times
finer than any figure a regulation states (scores, weights, edges and targets
have at most ~6 significant decimals), so no two figures that differ on paper
are ever judged equal.  The one consequence to know: for values above 1, two
numbers agreeing to 12 significant digits compare equal (Rp 1 000 000 000 000
and Rp 1 000 000 000 000.5 do).

Comparisons return float64 truth columns: 1.0 true, 0.0 false, NaN when either
side is missing (the same encoding as boolean inputs).
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

REL = 1e-12

Column = np.ndarray | float


def to_float(value: Decimal | float | int) -> float:
    """A literal from the AST as a float, converted once (Decimal -> nearest double)."""
    return float(value)


def _tol(a: Column, b: Column) -> Column:
    if np.ndim(b) == 0:
        # Near an edge |a| ~ |b|, so the scalar side alone sets the tolerance: one constant.
        return REL * max(1.0, abs(float(b)))
    if np.ndim(a) == 0:
        return REL * max(1.0, abs(float(a)))
    return REL * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


def _truth(result: np.ndarray | np.bool_, a: Column, b: Column) -> np.ndarray:
    out = np.asarray(result, dtype=np.float64)
    missing = np.isnan(a) | np.isnan(b)
    if np.any(missing):
        out = np.where(missing, np.nan, out)
    return out


def le(a: Column, b: Column) -> np.ndarray:
    """``a <= b`` up to representation noise."""
    with np.errstate(invalid="ignore"):
        return _truth(np.less_equal(a, np.add(b, _tol(a, b))), a, b)


def lt(a: Column, b: Column) -> np.ndarray:
    """``a < b`` and not equal up to representation noise."""
    with np.errstate(invalid="ignore"):
        return _truth(np.less(a, np.subtract(b, _tol(a, b))), a, b)


def lt_float(a: float, b: float) -> bool:
    """``lt(a, b) == 1.0`` for two Python floats, without numpy's per-call cost (explanations
    compare one subject's value with a range): the same operations on the same doubles."""
    return a < b - REL * max(1.0, abs(b))


def ge(a: Column, b: Column) -> np.ndarray:
    return le(b, a)


def gt(a: Column, b: Column) -> np.ndarray:
    return lt(b, a)


def eq(a: Column, b: Column) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return _truth(np.abs(np.subtract(a, b)) <= _tol(a, b), a, b)


def ne(a: Column, b: Column) -> np.ndarray:
    out = eq(a, b)
    return np.where(np.isnan(out), np.nan, 1.0 - out)


COMPARE = {"<=": le, "<": lt, ">=": ge, ">": gt, "==": eq, "!=": ne}


def holds(op: str, a: Column, b: Column) -> np.ndarray:
    """Where ``a op b`` is definitely true (False where either side is missing): the same
    rows as ``COMPARE[op](a, b) == 1.0``, as one boolean pass instead of a truth column."""
    with np.errstate(invalid="ignore"):
        if op == "<=":
            return np.less_equal(a, np.add(b, _tol(a, b)))
        if op == "<":
            return np.less(a, np.subtract(b, _tol(a, b)))
        if op == ">=":
            return np.less_equal(b, np.add(a, _tol(b, a)))
        if op == ">":
            return np.less(b, np.subtract(a, _tol(b, a)))
    return COMPARE[op](a, b) == 1.0


def is_zero(x: Column) -> np.ndarray:
    """Where ``x`` is zero on paper (noise around zero included); False where missing."""
    return np.abs(x) <= REL


def round_half_away(x: Column, ndigits: int = 0) -> np.ndarray:
    """Round half away from zero, as regulations and spreadsheets do (2.675 -> 2.68).

    The scaled value's fractional part is compared with one half up to ``REL``, so
    a half-way point stored a hair below (2.675 * 100 = 267.49999999999997) rounds
    up like its decimal original.  Missing stays missing.
    """
    arr = np.asarray(x, dtype=np.float64)
    scale = 10.0 ** ndigits
    y = np.abs(arr) * scale
    whole = np.floor(y)
    with np.errstate(invalid="ignore"):
        up = (y - whole) >= 0.5 - REL * np.maximum(1.0, y)
    # Divide by the scale (not multiply by 10**-n): 268 / 100 is the double nearest 2.68.
    return np.copysign((whole + up) / scale, arr)


SNAP_BLOCK = 1 << 15


def snap(x: Column, digits: int = 12) -> np.ndarray:
    """``x`` rounded to ``digits`` significant decimal digits (for display and keys).

    A long column is done in blocks of ``SNAP_BLOCK`` values: the same operations per value,
    but the temporaries stay in the CPU cache instead of faulting in fresh memory (4x faster).
    A block whose values are all already exact at ``digits`` significant digits (``_is_snapped``:
    echoed inputs, rounded scores) is copied as it is: the same doubles, without the logarithms."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        return _snap(arr, digits)
    out = np.empty_like(arr)
    for lo in range(0, arr.size, SNAP_BLOCK):
        block = arr[lo:lo + SNAP_BLOCK]
        out[lo:lo + SNAP_BLOCK] = block if _is_snapped(block, digits) else _snap(block, digits)
    return out


def _is_snapped(block: np.ndarray, digits: int) -> bool:
    """Whether ``_snap(block, digits)`` would return ``block`` unchanged, bit for bit (NaN included).

    With ``m`` the largest finite magnitude, every value is tested at ``e = digits - 3 - floor(log10
    m)`` (``digits - 2`` significant digits of ``m``, one less again for a logarithm off by one ulp
    at a power of ten): ``x == round(x * 10**e) / 10**e`` says ``x`` is the double nearest ``N /
    10**e`` for an integer ``N``.  ``_snap`` gives ``x`` its own exponent ``e' >= e``, and ``x *
    10**e'`` is within ``10**(digits + 1) * 2**-52`` (far below 1/2) of the integer ``N * 10**(e' -
    e)``, so it rounds to it exactly, and dividing by ``10**e'`` gives back the double nearest ``N /
    10**e``: ``x``.  This needs ``10**e`` and ``10**e'`` exact (``_EXACT``), so a tiny value, an
    infinity, a scale outside the exact powers or any value failing the test sends the block
    through ``_snap``.  The first values are tested alone first: a column of computed values
    (which fail at once) costs little more than ``_snap``."""
    if digits > 14:  # 10**(digits + 1) * 2**-52 must stay below 1/2
        return False
    lowest = 10.0 ** (digits - _EXACT)  # below it a value's own exponent may pass ``_EXACT``
    for part in (block[:64], block):
        with np.errstate(invalid="ignore"):
            top = max(float(np.fmax.reduce(part, initial=0.0)), -float(np.fmin.reduce(part, initial=0.0)))
            if not math.isfinite(top):
                return False
            if top == 0.0:  # zeros and missing values only (NaN is skipped): their own snap
                continue
            exponent = digits - 3 - math.floor(math.log10(top))
            if not 0 <= exponent <= _EXACT:
                return False
            # A nonzero value below ``lowest`` fails the test below when ``10**-exponent`` is at least
            # ``lowest`` (it rounds to 0 or to 10**-exponent); otherwise it is looked for.
            if exponent > _EXACT - digits and bool(np.any((np.abs(part) < lowest) & (part != 0.0))):
                return False
            scale = _POW10_FLOATS[exponent + _P]
            y = np.multiply(part, scale)
            np.round(y, out=y)
            np.divide(y, scale, out=y)
            same = y == part
            if not (bool(same.all()) or bool(np.all(same | np.isnan(part)))):
                return False
    return True


_P = 400  # |digits - 1 - magnitude| stays below this for every double and any sensible digits
# 10.0 ** k by the same ufunc ``10.0 ** column`` would use, looked up instead of computed per value.
with np.errstate(over="ignore"):
    _POW10 = np.power(10.0, np.arange(-_P, _P + 1, dtype=np.float64))


_POW10_FLOATS = _POW10.tolist()
# The powers 10.0 ** k of the table that are exact (k = 0..22 at most: 5**22 < 2**53).
_EXACT = next((k for k in range(23) if _POW10_FLOATS[_P + k] != float(10 ** k)), 23) - 1


def snap_float(x: float, digits: int = 12) -> float:
    """``float(snap(x))`` for one Python float, without numpy's per-call overhead (explanations
    snap every number they show): the same doubles, the same operations in the same order
    (``x * 10**e``, round half to even, ``/ 10**e``), so the same result bit for bit; values
    whose scale leaves the table (below ~1e-296) go through ``snap``."""
    if x == 0.0 or x != x or x in (math.inf, -math.inf):
        return x  # zero (of either sign), missing and infinite are their own snap
    exponent = digits - 1 - math.floor(math.log10(abs(x)))
    if abs(exponent) >= _P or exponent > 308:
        return float(_snap(np.float64(x), digits))
    scale = _POW10_FLOATS[exponent + _P]
    return float(round(x * scale)) / scale


def _snap(arr: np.ndarray, digits: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # floor(log10|x|) is non-finite exactly where x is 0, missing or infinite: magnitude 0 there.
        mag = np.floor(np.log10(np.abs(arr)))
        mag = np.where(np.isfinite(mag), mag, 0.0)
        exponent = np.subtract(digits - 1, mag)
        widest = float(np.abs(exponent).max(initial=0.0))  # above 308 only for values below ~1e-296
        if np.ndim(exponent) == 0 or widest >= _P:
            scale = 10.0 ** exponent
        else:
            scale = _POW10.take(exponent.astype(np.intp) + _P)
        out = np.where(np.isfinite(arr), np.round(arr * scale) / scale, arr)
    if widest <= 308:  # 10 ** exponent is finite: nothing was lost (the common case: no extra pass)
        return out
    lost = np.isfinite(arr) & ~np.isfinite(out)  # below ~1e-296 the scale overflows: round by the decimal text
    if np.ndim(out) == 0:
        return np.float64(f"{float(arr):.{digits}g}") if lost else out
    out[lost] = [float(f"{v:.{digits}g}") for v in arr[lost]]
    return out


def fmt(x: float | None, places: int | None = None) -> str:
    """A number for people: up to 10 decimals, trailing zeros dropped (``—`` when missing)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    v = snap_float(float(x))
    if places is not None:
        return f"{v:.{places}f}"
    text = f"{v:.10f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
