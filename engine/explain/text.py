"""Pieces of explanation text that need no evaluated column: aggregation formulas, band edges
and gaps, table calls replaced by what they gave."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate.exprtext import num_text, to_text
from engine.evaluate.methods import METHODS, Method
from engine.explain import numbers as nb
from engine.explain.model import Scalar
from engine.i18n import N_, _

_NEEDS = {">=": N_("needs to reach {edge}"), ">": N_("needs to exceed {edge}"),
          "<=": N_("needs to stay at or below {edge}"), "<": N_("needs to stay below {edge}")}


def replace_calls(e: n.Node, swap: Callable[[n.Call], n.Node | None]) -> n.Node:
    """``e`` with every call ``swap`` gives a node for replaced by that node."""
    if isinstance(e, n.Call):
        got = swap(e)
        if got is not None:
            return got
    changes: dict[str, object] = {}
    for f in fields(e):
        v = getattr(e, f.name)
        if isinstance(v, n.Node) and not isinstance(v, n.Span):
            new = replace_calls(v, swap)
        elif isinstance(v, tuple) and v and all(isinstance(x, n.Node) for x in v):
            new = tuple(replace_calls(x, swap) for x in v)
        else:
            continue
        if new is not v:
            changes[f.name] = new
    return replace(e, **changes) if changes else e  # type: ignore[arg-type]


Render = Callable[[int | None], str]


def score_formula(scoring: n.Scoring, better: n.Better, r: Render, t: str, b: str) -> Render | None:
    """The arithmetic of a fixed scoring method over the raw value ``r(d)``, the target ``t`` and
    the baseline ``b``, before the floor and cap (``bounded``); ``None`` for the methods whose
    arithmetic is the policy's own text (piecewise, formula) or a range (``better within``)."""
    m = scoring.method
    if m == "ratio" and better.direction != "within":
        return (lambda d: f"{r(d)} / {t} × 100") if better.direction == "higher" else \
            (lambda d: f"(2 − {r(d)} / {t}) × 100")
    if m == "progress":
        return lambda d: f"({r(d)} − {b}) / ({t} − {b}) × 100"
    if m == "goalposts":
        lo, hi = num_text(scoring.lo) if scoring.lo else "?", num_text(scoring.hi) if scoring.hi else "?"
        clipped = lambda d: f"clip(({r(d)} − {lo}) / ({hi} − {lo}) × 100, 0, 100)"  # noqa: E731
        return (lambda d: f"100 − {clipped(d)}") if better.direction == "lower" else clipped
    return r if m == "raw" else None


def bounded(text: str, scoring: n.Scoring) -> str:
    """A method's arithmetic with its floor at 0 (ratio, progress, goalposts) and its ``cap``."""
    if scoring.method in ("ratio", "progress", "goalposts"):
        text = f"max({text}, 0)"
    return f"min({text}, {num_text(scoring.cap)})" if scoring.cap is not None else text


def aggregate_text(method: str, terms: list[tuple[float, float]], d: int | None) -> str:
    """A tree node's arithmetic with its children's effective weights and values (``d`` decimals),
    in the form ``engine.evaluate.methods`` gives each method."""
    m = METHODS[method]
    if not m.accumulated:  # a selecting method
        return f"{method}(" + ", ".join(nb.show(x, d) for _, x in terms) + ")"
    return m.text([shown_term(m, w, x, d) for w, x in terms])


def shown_term(m: Method, w: float, x: float, d: int | None) -> tuple[str, str]:
    """A child's effective weight and value as an explanation shows them (``d`` decimals)."""
    return (nb.pct if m.percent_weights else nb.show)(w, d), nb.show(x, d)


def decisive(x: float, edges: list[n.Bound], places: int) -> str:
    """``x`` with the fewest decimals (at least ``places``) that compare with every edge
    the way the evaluator compared ``x`` itself."""
    for d in range(places, nb.MAX_PLACES + 1):
        shown = nb.arith.round_half(nb.dec(x), d)
        if all((num.COMPARE[b.op](x, num.to_float(b.value.value)) == 1.0) == _cmp(b.op, shown, b.value.value)
               for b in edges):
            return nb.text(shown)
    return nb.show(x, None)


def _cmp(op: str, a: object, b: object) -> bool:
    return {">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b}[op]  # type: ignore[operator]


def bounds_text(band: n.Band) -> str:
    return (" " + _("and") + " ").join(f"{b.op} {num_text(b.value)}" for b in band.bounds)


def why_not(band: n.Band, value: Scalar, gate: Scalar) -> tuple[float | None, str, n.Bound | None]:
    """Why the next band up was not reached and by how much (``gap``: how far from its edge)."""
    if not isinstance(value, float):
        return None, _("the value is missing"), None
    for b in band.bounds:
        edge = num.to_float(b.value.value)
        if num.COMPARE[b.op](value, edge) == 1.0:
            continue
        gap = abs(edge - value)
        return gap, _(_NEEDS[b.op], edge=num_text(b.value)), b
    if band.gate is not None:
        cond = f"`{to_text(band.gate)}`"
        if gate is None:
            return None, _("its condition {gate} is missing", gate=cond), None
        return None, _("its condition {gate} does not hold", gate=cond), None
    return None, _("an earlier band takes precedence"), None
