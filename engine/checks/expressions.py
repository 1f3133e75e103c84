"""Rules on expressions: `missing` where it swallows a whole result, math functions outside their domain."""

from __future__ import annotations

from collections.abc import Iterator

from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.context import CheckContext
from engine.checks.intervals import Iv
from engine.checks.names import a_noun
from engine.diagnostics import Diagnostic, error, warning
from engine.i18n import _


def exprs_of(ctx: CheckContext, d: n.Decl) -> Iterator[tuple[n.Node, dict[str, Iv]]]:
    """Every expression of ``d`` with what `value`/`target`/`baseline` range over inside it."""
    if isinstance(d, (n.Indicator, n.Value)) and d.formula is not None:
        yield d.formula, {}
    if isinstance(d, n.Indicator) and d.score is not None:
        env = {"value": ctx.raw_range(d), "target": ctx.anchor_range(d, "target"),
               "baseline": ctx.anchor_range(d, "baseline")}
        for e in (d.score.formula, *[x for c in d.score.cases for x in (c.when, c.then)]):
            if e is not None:
                yield e, env
    if isinstance(d, n.Rating):
        yield from ((b.gate, {}) for b in d.bands if b.gate is not None)
    if isinstance(d, n.Quota):
        yield from ((e, {}) for r in d.rules for e in (r.where, r.require) if e is not None)


def _wholes(e: n.Node) -> Iterator[n.Node]:
    """The positions whose value is the expression's whole value: itself and the branches of an `if`."""
    yield e
    if isinstance(e, n.IfElse):
        yield from _wholes(e.then)
        yield from _wholes(e.otherwise)


def missing_operand(ctx: CheckContext) -> Iterator[Diagnostic]:
    for d in ctx.named:
        # Results: a formula, a score formula, a piece's value (not a condition, gate or quota rule).
        results: list[n.Node | None] = [getattr(d, "formula", None)]
        if isinstance(d, n.Indicator) and d.score is not None:
            results += [d.score.formula, *[c.then for c in d.score.cases]]
        allowed = {id(w) for e in results if e is not None for w in _wholes(e)}
        seen: set[int] = set()
        for e, _env in exprs_of(ctx, d):
            for node in e.walk():
                if isinstance(node, n.Absent) and id(node) not in allowed and id(node) not in seen:
                    seen.add(id(node))
                    yield warning("check.missing-operand", _("`missing` here makes the whole expression missing"),
                                  node.span, _("use `missing` as a whole result: a piece (`when ... -> missing`) "
                                               "or a branch (`if ... then missing else ...`)"))


def calls_of(ctx: CheckContext) -> Iterator[tuple[n.Decl, n.Call, dict[str, Iv]]]:
    """Every function call in the policy's expressions (each declaration once), with its declaration and
    what `value`/`target`/`baseline` range over there."""
    for d in ctx.named:
        if ctx.decls.get(d.name) is not d:
            continue
        for e, env in exprs_of(ctx, d):
            yield from ((d, call, env) for call in e.walk() if isinstance(call, n.Call))


def function_domain(ctx: CheckContext) -> Iterator[Diagnostic]:
    for _decl, call, env in calls_of(ctx):
        if call.func not in iv.DOMAINS or len(call.args) != 1:
            continue
        arg = ctx.expr_range(call.args[0], env)
        if not arg.empty and iv.intersect(arg, iv.domain(call.func)).empty:
            needs = _("{func}() needs a number above 0; every row would be an `eval.domain-error`") \
                if call.func != "sqrt" else \
                _("{func}() needs a number of 0 or more; every row would be an `eval.domain-error`")
            yield error("check.function-domain", _("{func}() is never defined here: its argument ranges over {range}",
                                                   func=call.func, range=iv.show(arg)), call.span,
                        needs.format(func=call.func))


def population_call(ctx: CheckContext) -> Iterator[Diagnostic]:
    """A population statistic groups by a submitted label and is not a quota's (quotas have share/count)."""
    for d, call, _env in calls_of(ctx):
        if call.func not in n.POPULATION_FUNCTIONS:
            continue
        if isinstance(d, n.Quota):
            yield error("check.population-call", _("{func}() cannot be used in a quota", func=call.func), call.span,
                        _("a quota reads its group with share(...) and count(...); compute the statistic "
                          "in a `value` and compare that"))
            continue
        field = ctx.decls.get(call.by.name) if call.by is not None else None
        kind = field.type.name if isinstance(field, n.Input) and field.type else "number"
        if field is not None and (not isinstance(field, n.Input) or kind not in ("text", "category")):
            what = a_noun(field, kind if isinstance(field, n.Input) else None)
            yield error("check.population-call", _("{func}() is grouped by `{by}`, {kind}", func=call.func,
                                                   by=call.by.name, kind=what),
                        call.by.span, _("group by a submitted label: an `input` of type text or "
                                        "`one of (...)`, such as a work unit or an employee id"))


RULES = (missing_operand, function_domain, population_call)
