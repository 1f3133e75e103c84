"""How an explanation shows numbers, so that every line can be redone by hand.

The rule (docs/evaluation.md, "Reading the numbers"):

- A result (what a line ends with, a node's value) is shown rounded half away
  from zero to ``places`` decimals (``--precision``, default 2), or to the
  declaration's own ``round`` if that is finer, with its trailing zeros
  (``83.00``): the digits shown say the precision a line is exact to.
- Submitted data and policy literals are shown exactly as they are.
- A computed number used as an operand is shown to ``places`` decimals, unless
  redoing the line from the shown operands would then not give the shown result
  at that precision: the operands of that line are then shown with the fewest
  extra decimals that make it so (:func:`fit`).
- A rounding step shows the unrounded value with enough decimals to see what
  was rounded, and only when rounding changed the value.

Numbers become decimals through their shortest float representation after
snapping representation noise (12 significant digits), so ``2.675`` is 2.675
and ``0.1 + 0.2`` is 0.3, exactly as ``engine.evaluate.numeric`` treats them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

import numpy as np

from engine.evaluate import numeric as num
from engine.explain import arith
from engine.i18n import _

MAX_PLACES = 12


def dec(x: float) -> Decimal:
    """The decimal a float stands for (noise beyond 12 significant digits dropped)."""
    x = float(x)
    return _dec(x) if x else Decimal(repr(x))  # 0.0 and -0.0 are one key of a memo: not memoised


@lru_cache(maxsize=1 << 16)  # pure; an explanation shows each of its numbers several times
def _dec(x: float) -> Decimal:
    return Decimal(repr(num.snap_float(x)))


def text(d: Decimal) -> str:
    out = f"{d:f}"
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def missing(x: object) -> bool:
    return x is None or (isinstance(x, (float, np.floating)) and bool(x != x))  # NaN: the one value unequal to itself


def show(x: object, places: int | None) -> str:
    """``x`` rounded half away from zero to ``places`` decimals (exactly when ``None``)."""
    if x.__class__ is float and x == x:  # the common case, memoised
        return _show(x, places)  # type: ignore[arg-type]
    return _show_any(x, places)


@lru_cache(maxsize=1 << 16)
def _show(x: float, places: int | None) -> str:
    return _show_any(x, places)


def _show_any(x: object, places: int | None) -> str:
    if missing(x):
        return "—"
    if isinstance(x, str):
        return '"' + x.replace('"', '\\"') + '"'
    d = dec(float(x))  # type: ignore[arg-type]
    return text(d if places is None else arith.round_half(d, places))


def fixed(x: object, places: int) -> str:
    """A result: rounded half away from zero to exactly ``places`` decimals (zeros kept)."""
    if x.__class__ is float and x == x:
        return _fixed(x, places)  # type: ignore[arg-type]
    return _fixed_any(x, places)


@lru_cache(maxsize=1 << 16)
def _fixed(x: float, places: int) -> str:
    return _fixed_any(x, places)


def _fixed_any(x: object, places: int) -> str:
    if missing(x) or isinstance(x, str):
        return show(x, None)
    out = f"{arith.round_half(dec(float(x)), places):f}"  # type: ignore[arg-type]
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


@lru_cache(maxsize=1 << 12)  # weights: a few values per policy
def pct(w: object, places: int | None) -> str:
    """A weight as a percentage, rounded like any operand."""
    if missing(w):
        return "—"
    d = dec(float(w)) * 100  # type: ignore[arg-type]
    return text(d if places is None else arith.round_half(d, places)) + "%"


def fit(render: Callable[[int | None], str], result: str, places: int) -> str:
    """``render(d)`` (operands to ``d`` decimals) for the smallest ``d >= places`` whose
    arithmetic gives ``result`` at the precision shown; all digits if none does."""
    for d in range(places, MAX_PLACES + 1):
        expr = render(d)
        if arith.agrees(expr, result, places):
            return expr
    return render(None)


def rounding(unrounded: object, value: object, rnd: int, places: int) -> str | None:
    """The unrounded value as shown in a rounding step: the fewest decimals (more than
    ``rnd``, at least ``places``) that round to the shown value; ``None`` when rounding
    changed nothing."""
    if missing(unrounded) or missing(value) or dec(float(unrounded)) == dec(float(value)):  # type: ignore[arg-type]
        return None
    u, v = dec(float(unrounded)), dec(float(value))  # type: ignore[arg-type]
    for d in range(max(rnd + 1, places), MAX_PLACES + 1):
        shown = arith.round_half(u, d)
        if arith.round_half(shown, rnd) == arith.round_half(v, rnd):
            return f"{shown:f}"
    return text(u)


def claim(render: Callable[[int | None], str], value: object, places: int, rnd: int | None = None,
          unrounded: object = None) -> str:
    """``EXPR = RESULT`` (or ``EXPR = UNROUNDED, rounded to N decimals: RESULT``), with the
    operands of ``EXPR`` shown so that the arithmetic gives what is shown."""
    shown = fixed(value, max(places, rnd or 0))
    before = rounding(unrounded, value, rnd, places) if rnd is not None else None
    if before is None:
        return f"{fit(render, shown, places)} = {shown}"
    return f"{fit(render, before, places)} = {before}, " + _("rounded to {n} decimals: {value}", n=rnd, value=shown)
