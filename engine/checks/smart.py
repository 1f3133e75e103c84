"""SMART lint (warnings): indicators lacking unit, target, source, period or kind; input-heavy scorecards."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks.context import CheckContext
from engine.checks.weights import pct
from engine.diagnostics import Diagnostic, warning
from engine.i18n import _


def smart_unit(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        if ind.unit is None:
            yield warning("check.smart-unit", _("indicator `{name}` has no unit", name=ind.name), ind.name_span,
                          _('say what is measured, e.g. `unit "%"` or `unit "hari"`'))


def smart_target(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        method = ind.score.method if ind.score else "ratio"
        within = ind.better is not None and ind.better.direction == "within"
        if ind.target is None and ind.target_field is None and method in ("ratio", "progress") and not within:
            yield warning("check.smart-target", _("indicator `{name}` has no target", name=ind.name), ind.name_span,
                          _("a SMART indicator states the level it aims for: add `target N`"))


def smart_source(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        # A derived indicator's data comes from the names in its formula.
        if ind.source is None and ind.formula is None:
            yield warning("check.smart-source", _("indicator `{name}` does not say where its data comes from",
                                                  name=ind.name),
                          ind.name_span, _('add `source "..."`, e.g. `source "SAKTI"`'))


def smart_period(ctx: CheckContext) -> Iterator[Diagnostic]:
    if ctx.items(n.PeriodDecl):
        return
    for ind in ctx.indicators():
        if ind.period is None and ind.deadline is None:
            yield warning("check.smart-period", _("indicator `{name}` has no period or deadline", name=ind.name),
                          ind.name_span, _("give the policy a `period`, or the indicator a `period` or `deadline`"))


def smart_kind(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        if ind.kind is None:
            yield warning("check.smart-kind", _("indicator `{name}` has no kind", name=ind.name), ind.name_span,
                          _("add `kind input`, `process`, `output` or `outcome`"))


def _shares(kids: tuple[n.Tree | n.Leaf, ...]) -> list[Decimal]:
    """Normalised weights of siblings; equal when they are not all weighted (already an error)."""
    ws = [k.weight.value if k.weight is not None else None for k in kids]
    if all(w is not None and w > 0 for w in ws):
        total = sum(ws, Decimal(0))
        return [w / total for w in ws]  # type: ignore[operator]
    return [Decimal(1) / len(kids)] * len(kids)


def input_share(ctx: CheckContext, tree: n.Tree, busy: frozenset[str] = frozenset()) -> Decimal:
    """The effective weight (product of normalised weights down the tree) on `input` indicators."""
    kids = tree.children or ()
    if not kids:
        return Decimal(0)
    total = Decimal(0)
    for kid, share in zip(kids, _shares(kids)):
        target = kid if isinstance(kid, n.Tree) else ctx.decls.get(kid.name)
        if isinstance(target, n.Tree) and target.name not in busy:
            total += share * input_share(ctx, target, busy | {tree.name})
        elif isinstance(target, n.Indicator) and target.kind is not None and target.kind.value == "input":
            total += share
    return total


def input_heavy(ctx: CheckContext) -> Iterator[Diagnostic]:
    for tree in ctx.items(n.Tree):
        share = input_share(ctx, tree, frozenset({tree.name}))
        if share > Decimal("0.5"):
            shown = pct(share.quantize(Decimal("0.0001")))
            yield warning("check.input-heavy", _("scorecard `{name}` puts {share} of its weight on `input` indicators",
                                                 name=tree.name, share=shown), tree.name_span,
                          _("weight outputs and outcomes more: input-based measurement is what the outcome "
                            "approach replaces"))


RULES = (smart_unit, smart_target, smart_source, smart_period, smart_kind, input_heavy)
