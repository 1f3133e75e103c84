"""Rules on `benchmark` declarations: what is compared must be a number, peers a text field."""

from __future__ import annotations

from collections.abc import Iterator

from engine import nodes as n
from engine.checks.context import CheckContext
from engine.checks.names import a_noun
from engine.diagnostics import Diagnostic, Label, did_you_mean, error
from engine.i18n import _

# Declarations whose value in an expression is a number (an indicator gives its score).
_NUMERIC = (n.Indicator, n.Value, n.Tree)


def _unknown(ref: n.Ref, ctx: CheckContext, extra: tuple[str, ...] = ()) -> Diagnostic:
    return error("check.unknown-name", _("`{name}` is not declared in this policy", name=ref.name), ref.span,
                 did_you_mean(ref.name, [*ctx.decls, *extra]) or _("declare it as an input, indicator or value"))


def benchmark_target(ctx: CheckContext) -> Iterator[Diagnostic]:
    for b in ctx.items(n.Benchmark):
        decl = ctx.decls.get(b.target.name)
        if decl is None:
            yield _unknown(b.target, ctx)
        elif not isinstance(decl, _NUMERIC) and not (isinstance(decl, n.Input) and _type(decl) == "number"):
            hint = _("benchmark `{name}`, the node it rates", name=decl.of) \
                if isinstance(decl, n.Rating) and decl.of else _("benchmark an indicator, a value or a scorecard node")
            yield error("check.benchmark-target", _("`{name}` is {kind}, not a number", name=b.target.name,
                                                    kind=a_noun(decl)),
                        b.target.span, hint, [Label(decl.name_span, _("declared here"))])


def benchmark_fields(ctx: CheckContext) -> Iterator[Diagnostic]:
    for b in ctx.items(n.Benchmark):
        for ref, words in ((b.by, n.BENCHMARK_BY), (b.within, n.BENCHMARK_WITHIN)):
            if ref is None or ref.name in words:
                continue
            decl = ctx.decls.get(ref.name)
            if decl is None:
                yield _unknown(ref, ctx, words)
                continue
            kind = _type(decl) if isinstance(decl, n.Input) else None
            if kind not in ("text", "category"):
                shown = a_noun(decl, kind)
                allowed = (" " + _("or") + " ").join(f"`{w}`" for w in words)
                yield error("check.benchmark-field-type", _("peers are grouped by `{name}`, {kind}", name=ref.name,
                                                            kind=shown), ref.span,
                            _("use {allowed} or an input of type text or `one of (...)`", allowed=allowed),
                            [Label(decl.name_span, _("declared here"))])


def _type(decl: n.Input) -> str:
    return decl.type.name if decl.type is not None else "number"




RULES = (benchmark_target, benchmark_fields)
