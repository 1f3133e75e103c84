"""Exact Decimal intervals with open/closed ends: the arithmetic of possible ranges."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, Overflow, localcontext

from engine.i18n import N_, _, language

INF = Decimal("Infinity")


@dataclass(frozen=True, slots=True)
class Iv:
    """The set of numbers between ``lo`` and ``hi``; infinite ends are always open."""

    lo: Decimal
    hi: Decimal
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        # An infinite end can never be reached, so it is open by construction.
        if self.lo.is_infinite():
            object.__setattr__(self, "lo_open", True)
        if self.hi.is_infinite():
            object.__setattr__(self, "hi_open", True)

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def contains(self, x: Decimal) -> bool:
        above = self.lo < x or (self.lo == x and not self.lo_open)
        below = x < self.hi or (x == self.hi and not self.hi_open)
        return above and below


FULL = Iv(-INF, INF)
EMPTY = Iv(INF, -INF)


def point(x: Decimal) -> Iv:
    return Iv(x, x)


def closed(lo: Decimal, hi: Decimal) -> Iv:
    return Iv(lo, hi)


def intersect(a: Iv, b: Iv) -> Iv:
    lo, lo_open = _pick(a.lo, a.lo_open, b.lo, b.lo_open, max)
    hi, hi_open = _pick(a.hi, a.hi_open, b.hi, b.hi_open, min)
    return Iv(lo, hi, lo_open, hi_open)


def hull(ivs: Iterable[Iv]) -> Iv:
    """The smallest interval holding all of ``ivs`` (empty ones ignored)."""
    items = [iv for iv in ivs if not iv.empty]
    if not items:
        return Iv(INF, -INF)
    out = items[0]
    for iv in items[1:]:
        lo, lo_open = _pick(out.lo, out.lo_open, iv.lo, iv.lo_open, min, both_open=True)
        hi, hi_open = _pick(out.hi, out.hi_open, iv.hi, iv.hi_open, max, both_open=True)
        out = Iv(lo, hi, lo_open, hi_open)
    return out


def _pick(x: Decimal, x_open: bool, y: Decimal, y_open: bool, choose: object,
          both_open: bool = False) -> tuple[Decimal, bool]:
    """Choose an end; on a tie an intersection is open if either is, a hull only if both are."""
    if x == y:
        return x, (x_open and y_open) if both_open else (x_open or y_open)
    v = choose(x, y)  # type: ignore[operator]
    return v, x_open if v == x else y_open


def subtract(a: Iv, b: Iv) -> list[Iv]:
    """``a`` without ``b``: at most two pieces, empty ones dropped."""
    if intersect(a, b).empty:
        return [a]
    left = intersect(a, Iv(-INF, b.lo, True, not b.lo_open))
    right = intersect(a, Iv(b.hi, INF, not b.hi_open, True))
    return [p for p in (left, right) if not p.empty]


def uncovered(whole: Iv, parts: Iterable[Iv]) -> list[Iv]:
    """The pieces of ``whole`` that no interval of ``parts`` covers, in ascending order."""
    gaps = [whole] if not whole.empty else []
    for part in parts:
        gaps = [piece for gap in gaps for piece in subtract(gap, part)]
    return sorted(gaps, key=lambda g: g.lo)


def has_grid_point(iv: Iv, decimals: int | None) -> bool:
    """Whether ``iv`` holds a value rounded to ``decimals`` places (any value when None)."""
    if iv.empty:
        return False
    if decimals is None or iv.lo.is_infinite() or iv.hi.is_infinite():
        return True
    k = iv.lo.scaleb(decimals).to_integral_value(rounding=ROUND_CEILING)
    if iv.lo_open and k.scaleb(-decimals) == iv.lo:
        k += 1
    return iv.contains(k.scaleb(-decimals))


def round_iv(iv: Iv, decimals: int) -> Iv:
    """Values of ``iv`` rounded half away from zero (rounding is monotone, so round the ends)."""
    if iv.empty:
        return iv

    def r(x: Decimal) -> Decimal:
        if x.is_infinite():
            return x
        with localcontext() as ctx:  # digits enough for the integer part and the decimals (1e27, round 2)
            ctx.prec = max(ctx.prec, x.adjusted() + decimals + 2)
            return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)

    return Iv(r(iv.lo), r(iv.hi))


# ---------------------------------------------------------------- arithmetic


def add(a: Iv, b: Iv) -> Iv:
    return Iv(a.lo + b.lo, a.hi + b.hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)


def neg(a: Iv) -> Iv:
    return Iv(-a.hi, -a.lo, a.hi_open, a.lo_open)


def sub(a: Iv, b: Iv) -> Iv:
    return add(a, neg(b))


def _times(x: Decimal, y: Decimal) -> Decimal:
    # 0 * inf is undefined in Decimal; as a bound of a product it is 0.
    return Decimal(0) if x == 0 or y == 0 else x * y


def mul(a: Iv, b: Iv) -> Iv:
    if a.empty or b.empty:
        return Iv(INF, -INF)
    products = [_times(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return Iv(min(products), max(products))  # closed ends: a conservative superset


def div(a: Iv, b: Iv) -> Iv:
    if b.contains(Decimal(0)) or b.empty:
        return FULL
    with localcontext() as ctx:
        ctx.prec = 40
        inv = Iv(1 / b.hi if b.hi.is_finite() else Decimal(0), 1 / b.lo if b.lo.is_finite() else Decimal(0))
    return mul(a, inv)


def clamp(a: Iv, lo: Decimal, hi: Decimal) -> Iv:
    """``min(max(x, lo), hi)`` over ``a``: a floor and a cap, as scoring applies them."""
    if a.empty:
        return a
    low = max(a.lo, lo)
    high = min(a.hi, hi)
    low, high = min(low, hi), max(high, lo)
    return Iv(low, high, a.lo_open and low == a.lo, a.hi_open and high == a.hi)


def absolute(a: Iv) -> Iv:
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return neg(a)
    return Iv(Decimal(0), max(-a.lo, a.hi))


def minimum(ivs: list[Iv]) -> Iv:
    return Iv(min(iv.lo for iv in ivs), min(iv.hi for iv in ivs))


def maximum(ivs: list[Iv]) -> Iv:
    return Iv(max(iv.lo for iv in ivs), max(iv.hi for iv in ivs))


# ----------------------------------------------------- ln, exp, sqrt, log10, pow

# Where each function is defined: (lowest argument, whether that end is excluded).
DOMAINS = {"ln": (Decimal(0), True), "log10": (Decimal(0), True), "sqrt": (Decimal(0), False)}


def domain(func: str) -> Iv:
    lo, open_ = DOMAINS.get(func, (-INF, True))
    return Iv(lo, INF, open_, True)


def _apply(func: str, x: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        ctx.traps[Overflow] = False  # exp of a huge bound is +inf, not an exception
        if x.is_infinite():
            return {"ln": INF, "log10": INF, "sqrt": INF}.get(func, INF if x > 0 else Decimal(0)) \
                if x > 0 or func == "exp" else x
        if func in ("ln", "log10") and x == 0:
            return -INF
        if func == "exp" and x > 709:  # beyond a float: the evaluator records an overflow there
            return INF
        return {"ln": x.ln, "log10": x.log10, "sqrt": x.sqrt, "exp": x.exp}[func]()


def math(func: str, args: list[Iv]) -> Iv:
    """The values of ``func`` over ``args``: the monotone image of the part of the argument inside
    the domain (rows outside it are runtime errors, so they have no value).  ``pow`` only for a
    base above 0 or a whole exponent 0..9; anything else is ``FULL``."""
    if func == "pow":
        return _pow(args[0], args[1])
    a = intersect(args[0], domain(func))
    if a.empty:
        return EMPTY
    return Iv(_apply(func, a.lo), _apply(func, a.hi), a.lo_open, a.hi_open)


def _pow(base: Iv, power: Iv) -> Iv:
    if power.lo != power.hi or power.lo.is_infinite() or base.empty:
        return FULL
    p = power.lo
    if p == 0:
        return point(Decimal(1))
    if base.lo > 0 or (base.lo == 0 and p > 0):
        if base.lo.is_infinite() or base.hi.is_infinite():
            ends = [base.lo ** p if base.lo.is_finite() else INF, base.hi ** p if base.hi.is_finite() else INF]
        else:
            with localcontext() as ctx:
                ctx.prec = 40
                ctx.traps[Overflow] = False
                ends = [base.lo ** p, base.hi ** p]
        return Iv(min(ends), max(ends))
    if p == p.to_integral_value() and 0 < p < 10:  # x^k over any base: via the sign of k
        k = int(p)
        if k % 2 == 1:
            return Iv(_ipow(base.lo, k), _ipow(base.hi, k))
        top = max(_ipow(base.lo, k), _ipow(base.hi, k))
        return Iv(Decimal(0) if base.contains(Decimal(0)) else min(_ipow(base.lo, k), _ipow(base.hi, k)), top)
    return FULL


def _ipow(x: Decimal, k: int) -> Decimal:
    if x.is_infinite():
        return INF if x > 0 or k % 2 == 0 else -INF
    return x ** k


# ------------------------------------------------------------------ wording


def fmt_num(x: Decimal) -> str:
    """A number as written (``76.60`` keeps its zero; computed ones lose trailing zeros), with the
    reader's decimal and group marks (``76,60``, ``9.900.000`` in Indonesian)."""
    if language() == "en":
        return format(x, "f")
    from engine.i18n.formats import format_number

    return format_number(x, max(0, -int(x.as_tuple().exponent)))


# (lower edge: none / open / closed, upper edge: none / open / closed) -> the words
_DESCRIBE = {
    ("", ""): N_("every value"),
    ("open", ""): N_("values above {lo}"), ("closed", ""): N_("values from {lo}"),
    ("", "open"): N_("values below {hi}"), ("", "closed"): N_("values up to {hi}"),
    ("open", "open"): N_("values above {lo} and below {hi}"), ("open", "closed"): N_("values above {lo} up to {hi}"),
    ("closed", "open"): N_("values from {lo} and below {hi}"), ("closed", "closed"): N_("values from {lo} up to {hi}"),
}


def describe(iv: Iv) -> str:
    """``values above 76.60 and below 76.61``: an interval in words."""
    if iv.lo == iv.hi:
        return _("the value {x}", x=fmt_num(iv.lo))
    lo = "" if iv.lo.is_infinite() else "open" if iv.lo_open else "closed"
    hi = "" if iv.hi.is_infinite() else "open" if iv.hi_open else "closed"
    return _(_DESCRIBE[lo, hi], lo=fmt_num(iv.lo), hi=fmt_num(iv.hi))


def _computed(x: Decimal) -> str:
    """A computed bound, without the noise of its arithmetic (``100.00`` -> ``100``)."""
    if x.is_infinite():
        return "-inf" if x < 0 else "+inf"
    if x.as_tuple().exponent < -6:  # type: ignore[operator]
        x = x.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return fmt_num(x.normalize())


def show(iv: Iv) -> str:
    """Interval notation for a computed range, e.g. ``[0, 120]`` or ``[0, +inf)``; where the comma is
    the decimal mark, a semicolon separates the bounds (``[0; 111,11]``)."""
    # TRANSLATORS: the two bounds of an interval; use "{lo}; {hi}" where the decimal mark is a comma
    inside = _("{lo}, {hi}", lo=_computed(iv.lo), hi=_computed(iv.hi))
    return ("(" if iv.lo_open else "[") + inside + (")" if iv.hi_open else "]")
