"""Rules on aggregation trees: sibling weights, empty groups, `require`, geometric means of zero."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.context import CheckContext
from engine.checks.names import noun
from engine.diagnostics import Diagnostic, Label, error
from engine.i18n import _
from engine.i18n.terms import method_words

ONE = Decimal(1)


def pct(x: Decimal) -> str:
    """0.95 -> ``95%``, exactly."""
    return iv.fmt_num((x * 100).normalize()) + "%"


def tree_empty(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        if t.children is not None and not t.children:
            yield error("check.tree-empty", _("{kind} `{name}` has nothing to aggregate", kind=noun(t), name=t.name),
                        t.name_span, _("give it at least one indicator or group, or remove it"))


def weight_nonpositive(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        for c in t.children or ():
            if c.weight is not None and c.weight.value <= 0:
                yield error("check.weight-nonpositive", _("`{name}` has weight {weight}; weights must be above zero",
                                                          name=c.name, weight=c.weight.text or c.weight.value),
                            c.weight.span, _("remove `{name}` from `{parent}` instead of giving it no weight",
                                             name=c.name, parent=t.name))


def _weights(t: n.Tree) -> list[n.Num]:
    return [c.weight for c in t.children or () if c.weight is not None]


def weights_mixed(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        ws = _weights(t)
        odd = next((w for w in ws if w.percent != ws[0].percent), None)
        if odd is not None:
            fix, why = (_("write every weight of `{name}` as percentages"), _("this weight makes them percentages")) \
                if ws[0].percent else \
                (_("write every weight of `{name}` as plain numbers"), _("this weight makes them plain numbers"))
            yield error("check.weights-mixed", _("the children of `{name}` mix percentages and plain numbers",
                                                 name=t.name),
                        odd.span, fix.format(name=t.name), [Label(ws[0].span, why)])


def weight_missing(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        kids = t.children or ()
        bare = [c for c in kids if c.weight is None]
        if bare and len(bare) < len(kids):
            yield error("check.weight-missing", _("`{name}` has no weight but its siblings in `{parent}` do",
                                                  name=bare[0].name, parent=t.name),
                        bare[0].name_span, _("weight every child, or none of them for equal weights"))


def weights_sum(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        kids = t.children or ()
        ws = _weights(t)
        # Only a clean set of percentages has a sum to speak of; the other rules cover the rest.
        if not ws or len(ws) < len(kids) or not all(w.percent for w in ws):
            continue
        total = sum((w.value for w in ws), Decimal(0))
        if total != ONE:
            short = ONE - total
            fix = _("add {share} across the weights of `{name}`'s children") if short > 0 else \
                _("remove {share} across the weights of `{name}`'s children")
            yield error("check.weights-sum", _("weights of `{name}`'s children sum to {total}, not 100%",
                                               name=t.name, total=pct(total)),
                        t.name_span, fix.format(share=pct(abs(short)), name=t.name))


def require_range(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        r = t.require
        if r is not None and not 0 <= r.value <= 1:
            yield error("check.require-range", _("`{code}` is not a share between 0% and 100%",
                                                 code=f"require {r.text or r.value}"),
                        r.span, _("write the minimum share of present weight as a percentage, e.g. `require 50%`"))


# The methods with ``positive=True`` in engine.evaluate.methods (a test keeps the two equal: the
# checker runs without importing the evaluator or numpy).
POSITIVE_METHODS = frozenset({"geometric", "harmonic"})


def geometric_zero(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.trees():
        agg = t.aggregate.value if t.aggregate else "mean"
        if agg not in POSITIVE_METHODS:
            continue
        for c in t.children or ():
            if c.name not in ctx.decls:
                continue
            r = ctx.range_of(c.name)
            if r.lo < 0 or r.contains(Decimal(0)):
                can = _("`{name}` can be zero (its range is {range}), and the {method} of it is undefined") \
                    if r.lo >= 0 else \
                    _("`{name}` can be zero or negative (its range is {range}), and the {method} of it is undefined")
                method = method_words(agg)
                yield error("check.geometric-zero", can.format(name=c.name, range=iv.show(r), method=method),
                            c.name_span,
                            _("aggregate `{parent}` with `mean`, or score `{name}` so it stays above 0", parent=t.name,
                              name=c.name),
                            [Label(t.aggregate.span, _("`{name}` takes the {method}", name=t.name, method=method))]
                            if t.aggregate else [])


RULES = (tree_empty, weight_nonpositive, weights_mixed, weight_missing, weights_sum, require_range, geometric_zero)
