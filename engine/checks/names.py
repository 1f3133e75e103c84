"""Rules on names: unknown, duplicated, unused, `value` out of place, `of` and `by` targets."""

from __future__ import annotations

from collections.abc import Iterator

from engine import deps
from engine import nodes as n
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic, Label, did_you_mean, error, warning
from engine.i18n import _, terms

_WHAT = {n.Indicator: "indicator", n.Input: "input", n.Value: "value", n.Tree: "group",
         n.Rating: "rating", n.Table: "table", n.Quota: "quota"}
def what(decl: n.Decl) -> str:
    """The declaration's kind (an indicator, a `perspective` node...), as the language spells it."""
    if isinstance(decl, n.Tree):
        return decl.level
    return _WHAT.get(type(decl), "declaration")


def noun(decl: n.Decl) -> str:
    """The kind in the reader's language: ``indicator`` / ``indikator``."""
    return terms.noun(what(decl))


def a_noun(decl: n.Decl, input_type: str | None = None) -> str:
    """The kind with its article: ``an indicator``, ``a text input`` (``input_type`` given)."""
    return terms.a_noun(what(decl), input_type)


def unknown_names(ctx: CheckContext) -> Iterator[Diagnostic]:
    refs = [u for _, us in ctx.uses for u in us]
    refs += [deps.Use(c.target.name, c.target.span) for c in ctx.items(n.Constraint)]
    for use in refs:
        # `value`/`target`/`baseline` out of place get their own, clearer finding.
        if use.name in ctx.decls or use.name in n.SELF_NAMES:
            continue
        yield error("check.unknown-name", _("`{name}` is not declared in this policy", name=use.name), use.span,
                    did_you_mean(use.name, ctx.decls) or _("declare it as an input, indicator or value"))


def duplicate_names(ctx: CheckContext) -> Iterator[Diagnostic]:
    for decl in ctx.named:
        first = ctx.decls[decl.name]
        if first is not decl:
            yield error("check.duplicate-name", _("`{name}` is already declared as {kind}", name=decl.name,
                                                  kind=a_noun(first)),
                        decl.name_span, _("names are global in a policy: rename one of them"),
                        [Label(first.name_span, _("first declared here"))])


def self_outside_score(ctx: CheckContext) -> Iterator[Diagnostic]:
    for decl in ctx.named:
        for use in deps.self_refs_outside_score(decl):
            yield error("check.self-outside-score",
                        _("`{name}` only has a meaning inside an indicator's `score` formula", name=use.name),
                        use.span, _("name the indicator instead, or `raw(name)` for its raw value"))


def unused(ctx: CheckContext) -> Iterator[Diagnostic]:
    # A `value` nothing reads is a final result (it is written to the results); an indicator or
    # input nothing reads is measured for no purpose.
    used = ctx.used_names()
    for decl in ctx.named:
        if isinstance(decl, (n.Indicator, n.Input)) and decl.name not in used \
                and ctx.decls[decl.name] is decl:
            yield warning("check.unused", _("{kind} `{name}` feeds nothing", kind=noun(decl), name=decl.name),
                          decl.name_span, _("put it in a scorecard, use it in a formula, or remove it"))


def rating_needs_of(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        if r.of is None:
            yield error("check.rating-needs-of", _("rating `{name}` does not say what it rates", name=r.name),
                        r.name_span, _("write `rating {name} of NODE`", name=r.name))


def quota_by_type(ctx: CheckContext) -> Iterator[Diagnostic]:
    for q in ctx.of(n.Quota):
        target = ctx.decls.get(q.by.name) if q.by else None
        if target is None:
            continue  # unknown names are reported once, by unknown_names
        kind = target.type.name if isinstance(target, n.Input) and target.type else "number"
        if not isinstance(target, n.Input) or kind not in ("text", "category"):
            shown = a_noun(target, kind if isinstance(target, n.Input) else None)
            yield error("check.quota-by-type", _("quota `{name}` groups by `{by}`, {kind}", name=q.name,
                                                 by=q.by.name, kind=shown), q.by.span,
                        _("group by an input of type text or `one of (...)`, such as a unit id"),
                        [Label(target.name_span, _("declared here"))])


RULES = (unknown_names, duplicate_names, self_outside_score, unused, rating_needs_of, quota_by_type)
