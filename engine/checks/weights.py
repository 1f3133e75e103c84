"""Rules on aggregation trees: sibling weights, empty groups, `require`, geometric means of zero."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.context import Context
from engine.diagnostics import Diagnostic, Label, error

ONE = Decimal(1)


def pct(x: Decimal) -> str:
    """0.95 -> ``95%``, exactly."""
    return iv.fmt_num((x * 100).normalize()) + "%"


def tree_empty(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        if t.children is not None and not t.children:
            yield error("check.tree-empty", f"{t.level} `{t.name}` has nothing to aggregate", t.name_span,
                        "give it at least one indicator or group, or remove it")


def weight_nonpositive(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        for c in t.children or ():
            if c.weight is not None and c.weight.value <= 0:
                yield error("check.weight-nonpositive", f"`{c.name}` has weight {c.weight.text or c.weight.value}; "
                            "weights must be above zero", c.weight.span,
                            f"remove `{c.name}` from `{t.name}` instead of giving it no weight")


def _weights(t: n.Tree) -> list[n.Num]:
    return [c.weight for c in t.children or () if c.weight is not None]


def weights_mixed(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        ws = _weights(t)
        odd = next((w for w in ws if w.percent != ws[0].percent), None)
        if odd is not None:
            first = "percentages" if ws[0].percent else "plain numbers"
            yield error("check.weights-mixed", f"the children of `{t.name}` mix percentages and plain numbers",
                        odd.span, f"write every weight of `{t.name}` as {first}",
                        [Label(ws[0].span, f"this weight makes them {first}")])


def weight_missing(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        kids = t.children or ()
        bare = [c for c in kids if c.weight is None]
        if bare and len(bare) < len(kids):
            yield error("check.weight-missing", f"`{bare[0].name}` has no weight but its siblings in `{t.name}` do",
                        bare[0].name_span, "weight every child, or none of them for equal weights")


def weights_sum(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        kids = t.children or ()
        ws = _weights(t)
        # Only a clean set of percentages has a sum to speak of; the other rules cover the rest.
        if not ws or len(ws) < len(kids) or not all(w.percent for w in ws):
            continue
        total = sum((w.value for w in ws), Decimal(0))
        if total != ONE:
            short = ONE - total
            fix = f"add {pct(short)}" if short > 0 else f"remove {pct(-short)}"
            yield error("check.weights-sum", f"weights of `{t.name}`'s children sum to {pct(total)}, not 100%",
                        t.name_span, f"{fix} across the weights of `{t.name}`'s children")


def require_range(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        r = t.require
        if r is not None and not 0 <= r.value <= 1:
            yield error("check.require-range", f"`require {r.text or r.value}` is not a share between 0% and 100%",
                        r.span, "write the minimum share of present weight as a percentage, e.g. `require 50%`")


def geometric_zero(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        agg = t.aggregate.value if t.aggregate else "mean"
        if agg not in ("geometric", "harmonic"):
            continue
        for c in t.children or ():
            if c.name not in ctx.decls:
                continue
            r = ctx.range_of(c.name)
            if r.lo < 0 or r.contains(Decimal(0)):
                yield error("check.geometric-zero",
                            f"`{c.name}` can be {'zero' if r.lo >= 0 else 'zero or negative'} "
                            f"(its range is {iv.show(r)}), and a {agg} mean of it is undefined", c.name_span,
                            f"aggregate `{t.name}` with `mean`, or score `{c.name}` so it stays above 0",
                            [Label(t.aggregate.span, f"`{t.name}` takes the {agg} mean")] if t.aggregate else [])


RULES = (tree_empty, weight_nonpositive, weights_mixed, weight_missing, weights_sum, require_range, geometric_zero)
