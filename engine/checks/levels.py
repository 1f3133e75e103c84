"""Rules on subject levels: their `of`, key and role fields, what each aggregate reads, and the
level's own declarations (checked as the small policy they are: ``engine.levels.compile``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from engine import nodes as n
from engine.checks.attributes import is_boolean
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic, Label, did_you_mean, error
from engine.i18n import _
from engine.i18n.terms import a_noun
from engine.levels.compile import AGENCY, keys, ordered, sub_module
from engine.levels.nodes import Aggregate, Level, levels

# The sub-module's findings that do not apply to a level: its header is made up, its subject is
# the level, and an aggregate nothing reads is a result of the level like a final value.
_NOT_FOR_LEVELS = ("check.header-missing", "check.subject-missing", "check.unused")


def level_structure(ctx: CheckContext) -> Iterator[Diagnostic]:
    """Names unique, `of` a declared level without a cycle, `by` a label of the rows."""
    found = levels(ctx.module)
    seen: dict[str, Level] = {}
    for lv in found:
        if lv.name in seen:
            yield error("check.level-duplicate", _("level `{name}` is declared twice", name=lv.name), lv.name_span,
                        _("rename one of them"), [Label(seen[lv.name].name_span, _("first declared here"))])
        seen.setdefault(lv.name, lv)
    placed = {lv.name for lv in ordered(ctx.module)}
    for lv in found:
        if lv.of is not None and lv.of.name not in seen:
            yield error("check.level-of", _("level `{name}` is made of `{of}`, which is not a level", name=lv.name,
                                            of=lv.of.name),
                        lv.of.span, did_you_mean(lv.of.name, seen) or _("leave out `of` to group the policy's rows, "
                                                                        "or name a level declared in this file"))
        elif lv.of is not None and lv.name not in placed:
            yield error("check.level-of", _("level `{name}` is, through `of`, made of itself", name=lv.name),
                        lv.of.span, _("levels nest one way: employees in units in agencies"))
        yield from _key(ctx, lv)
        yield from _names_of_keys(lv, keys(ctx.module).get(lv.name, ()))


def _names_of_keys(lv: Level, key_columns: tuple[str, ...]) -> Iterator[Diagnostic]:
    """A level's results carry its key columns: none of its declarations may take a key's name."""
    for d in lv.items:
        if d.name in key_columns:
            message = _("`{name}` is a key of level `{level}` and cannot name its aggregate") \
                if isinstance(d, Aggregate) else \
                _("`{name}` is a key of level `{level}` and cannot name its declaration")
            yield error("check.level-key", message.format(name=d.name, level=lv.name), d.name_span,
                        _("rename it, e.g. `{name}_{level}`", name=d.name, level=lv.name))

def _key(ctx: CheckContext, lv: Level) -> Iterator[Diagnostic]:
    by = lv.by
    if by is None or by.name == AGENCY:
        return
    decl = ctx.decls.get(by.name)
    kind = decl.type.name if isinstance(decl, n.Input) and decl.type else "number"
    if not isinstance(decl, n.Input) or kind not in ("text", "category"):
        shown = _("not declared") if decl is None else a_noun("input", kind) if isinstance(decl, n.Input) \
            else _("not a submitted field")
        yield error("check.level-key", _("level `{name}` groups by `{by}`, {kind}", name=lv.name, by=by.name,
                                         kind=shown), by.span,
                    (did_you_mean(by.name, ctx.decls) if decl is None else None)
                    or _("group by an `input` of type text or `one of (...)` (a unit code), or by `agency`"))


def aggregates(ctx: CheckContext) -> Iterator[Diagnostic]:
    """Each aggregate reads a name of its member level, a number unless it is a `share`
    condition or a count, and its roles come from the level's `role` field."""
    names = _member_names(ctx)
    for lv in levels(ctx.module):
        member = ctx if lv.of is None else names.get(lv.of.name)
        if member is None:
            continue  # `of` is unknown: reported by level_structure
        yield from _role(member, lv)
        for agg in lv.aggregates():
            yield from _aggregate(member, lv, agg)


def _role(member: CheckContext, lv: Level) -> Iterator[Diagnostic]:
    options = None
    if lv.role is not None:
        decl = member.decls.get(lv.role.name)
        if decl is None:
            yield error("check.level-role", _("the role field `{name}` is not a name of the members",
                                              name=lv.role.name),
                        lv.role.span, did_you_mean(lv.role.name, member.decls)
                        or _("name an input (`one of (...)`), value or rating of the members that says their role"))
        elif isinstance(decl, n.Input) and decl.type is not None and decl.type.name == "category":
            options = decl.type.options
    for agg in lv.aggregates():
        for role in agg.roles:
            if lv.role is None:
                yield error("check.aggregate-role", _('`{name}` keeps the members with role "{role}", but level '
                                                      '`{level}` has no role field', name=agg.name, role=role.value,
                                                      level=lv.name), role.span,
                            _("add `role FIELD` after `by {by}`", by=lv.by.name if lv.by else AGENCY))
            elif options is not None and role.value not in options:
                yield error("check.aggregate-role", _('no member can have role "{role}"', role=role.value), role.span,
                            did_you_mean(role.value, options) or _("roles: {names}", names=", ".join(options)))


def _aggregate(member: CheckContext, lv: Level, agg: Aggregate) -> Iterator[Diagnostic]:
    ref = agg.member()
    if ref is None:
        return
    decl = member.decls.get(ref.name)
    if decl is None:
        where = _("`{name}` is not a name of level `{level}`") if lv.of is not None else \
            _("`{name}` is not a name of the policy's rows")
        yield error("check.aggregate-member", where.format(name=ref.name, level=lv.of.name if lv.of else ""),
                    ref.span, did_you_mean(ref.name, member.decls) or _("aggregate an input, indicator, value, node or "
                                                                        "rating of the members"))
    elif agg.func in ("mean", "sum", "min", "max") and _is_label(decl):
        yield error("check.aggregate-type", _("{func}({name}) of a label", func=agg.func, name=ref.name), ref.span,
                    _('count a label with `share({name} in ("..."))` or `count({name})`', name=ref.name),
                    [Label(decl.name_span, _("declared here"))])
    elif agg.func == "share" and isinstance(agg.arg, n.Ref) and is_boolean(member, agg.arg) is False:
        yield error("check.aggregate-type", _("share({name}) needs a yes/no value", name=ref.name), ref.span,
                    _('write the condition: share({name} >= 90) or share({name} in ("..."))', name=ref.name),
                    [Label(decl.name_span, _("declared here"))])
    elif agg.func in ("share", "count") and agg.arg is not None and _mixes_types(agg.arg, _is_label(decl)):
        label = _is_label(decl)
        message = _("`{name}` is a label, this condition compares it with a number or an order") if label else \
            _("`{name}` is a number, this condition compares it with a text")
        hint = _('compare a label with `==` / `in` and text, a number with numbers: {func}({name} in ("..."))') \
            if label else _("compare a label with `==` / `in` and text, a number with numbers: {func}({name} >= 90)")
        yield error("check.aggregate-type", message.format(name=ref.name), agg.arg.span,
                    hint.format(func=agg.func, name=ref.name), [Label(decl.name_span, _("declared here"))])


def _mixes_types(cond: n.Node, label: bool) -> bool:
    """A condition whose literals or comparison do not fit the member value's type (a bare name
    is a share's yes/no value, checked apart, or what a count counts when present)."""
    if isinstance(cond, n.Ref):
        return False
    literals = cond.options if isinstance(cond, n.InList) else (cond.right,) if isinstance(cond, n.Binary) else ()
    texts = [isinstance(x, n.Str) for x in literals]
    if label:
        ordered = isinstance(cond, n.Binary) and cond.op not in ("==", "!=")
        return ordered or not all(texts)
    return any(texts)


def level_declarations(ctx: CheckContext) -> Iterator[Diagnostic]:
    """The level's own declarations, checked as a policy of their own."""
    from engine import checks

    for lv in levels(ctx.module):
        for d in checks.run(sub_module(ctx.module, lv)):
            if d.code == "check.unknown-name" and (name := d.message.split("`")[1]) in ctx.decls:
                d = replace(d, help=f"`{name}` is a name of the members, not of level `{lv.name}`: aggregate it "
                            f"first (`aggregate {name}_{lv.name} = mean({name})`)")
            if d.code not in _NOT_FOR_LEVELS:
                yield d


def _member_names(ctx: CheckContext) -> dict[str, CheckContext]:
    return {lv.name: CheckContext.build(sub_module(ctx.module, lv)) for lv in levels(ctx.module)}


def _is_label(decl: n.Decl) -> bool:
    if isinstance(decl, n.Rating):
        return True
    if isinstance(decl, n.Input):
        return decl.type is not None and decl.type.name in ("text", "category")
    if isinstance(decl, n.Table):
        return any(isinstance(r.result, n.Str) for r in decl.rows)
    return False


RULES = (level_structure, aggregates, level_declarations)
