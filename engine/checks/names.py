"""Rules on names: unknown, duplicated, unused, `value` out of place, `of` and `by` targets."""

from __future__ import annotations

from collections.abc import Iterator

from engine import deps
from engine import nodes as n
from engine.checks.context import Context
from engine.diagnostics import Diagnostic, Label, did_you_mean, error, warning

_WHAT = {n.Indicator: "indicator", n.Input: "input", n.Value: "value", n.Tree: "group",
         n.Rating: "rating", n.Table: "table", n.Quota: "quota"}


def what(decl: n.Decl) -> str:
    if isinstance(decl, n.Tree):
        return decl.level
    return _WHAT.get(type(decl), "declaration")


def unknown_names(ctx: Context) -> Iterator[Diagnostic]:
    refs = [u for _, us in ctx.uses for u in us]
    refs += [deps.Use(c.target.name, c.target.span) for c in ctx.items(n.Constraint)]
    for use in refs:
        # `value`/`target`/`baseline` out of place get their own, clearer finding.
        if use.name in ctx.decls or use.name in n.SELF_NAMES:
            continue
        yield error("check.unknown-name", f"`{use.name}` is not declared in this policy", use.span,
                    did_you_mean(use.name, ctx.decls) or "declare it as an input, indicator or value")


def duplicate_names(ctx: Context) -> Iterator[Diagnostic]:
    for decl in ctx.named:
        first = ctx.decls[decl.name]
        if first is not decl:
            kind = what(first)
            article = "an" if kind[0] in "aeiou" else "a"
            yield error("check.duplicate-name", f"`{decl.name}` is already declared as {article} {kind}",
                        decl.name_span, "names are global in a policy: rename one of them",
                        [Label(first.name_span, "first declared here")])


def self_outside_score(ctx: Context) -> Iterator[Diagnostic]:
    for decl in ctx.named:
        for use in deps.self_refs_outside_score(decl):
            yield error("check.self-outside-score",
                        f"`{use.name}` only has a meaning inside an indicator's `score` formula", use.span,
                        "name the indicator instead, or `raw(name)` for its raw value")


def unused(ctx: Context) -> Iterator[Diagnostic]:
    # A `value` nothing reads is a final result (it is written to the results); an indicator or
    # input nothing reads is measured for no purpose.
    used = ctx.used_names()
    for decl in ctx.named:
        if isinstance(decl, (n.Indicator, n.Input)) and decl.name not in used \
                and ctx.decls[decl.name] is decl:
            yield warning("check.unused", f"{what(decl)} `{decl.name}` feeds nothing", decl.name_span,
                          "put it in a scorecard, use it in a formula, or remove it")


def rating_needs_of(ctx: Context) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        if r.of is None:
            yield error("check.rating-needs-of", f"rating `{r.name}` does not say what it rates", r.name_span,
                        f"write `rating {r.name} of NODE`")


def quota_by_type(ctx: Context) -> Iterator[Diagnostic]:
    for q in ctx.of(n.Quota):
        target = ctx.decls.get(q.by.name) if q.by else None
        if target is None:
            continue  # unknown names are reported once, by unknown_names
        kind = target.type.name if isinstance(target, n.Input) and target.type else "number"
        if not isinstance(target, n.Input) or kind not in ("text", "category"):
            shown = f"a {kind} input" if isinstance(target, n.Input) else f"a {what(target)}"
            yield error("check.quota-by-type", f"quota `{q.name}` groups by `{q.by.name}`, {shown}", q.by.span,
                        "group by an input of type text or `one of (...)`, such as a unit id",
                        [Label(target.name_span, "declared here")])


RULES = (unknown_names, duplicate_names, self_outside_score, unused, rating_needs_of, quota_by_type)
