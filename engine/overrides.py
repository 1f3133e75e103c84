"""Agency overrides applied to a national module, and the national constraints that bound them.

``apply`` returns a new module shaped exactly like a national one, so the checker,
the graph builder and the evaluator need not know an agency was involved.  The
overriding values keep their own spans, so a finding about them points at the
agency file.
"""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal
from typing import TypeVar

from engine import deps
from engine import nodes as n
from engine.diagnostics import Diagnostic, Label, did_you_mean, error
from engine.fmt.expr import num as written
from engine.fmt.values import cell_text
from engine.i18n import N_, _, terms

_SKIP = ("name", "span", "name_span", "children", "level", "of_span", "bands")
_NODE_ATTRS = ("label", "weight", "aggregate", "missing", "require", "round", "ref")
_LEAF_ATTRS = ("weight", "missing", "ref")
_C = TypeVar("_C", n.Value, n.Band, n.Row)
_NOUN = {n.Indicator: "indicator", n.Input: "input", n.Value: "value", n.Tree: "scorecard",
         n.Rating: "rating", n.Table: "table", n.Quota: "quota"}


def apply(base: n.Module, agency: n.Agency, path: str) -> tuple[n.Module, list[Diagnostic]]:
    """The national ``base`` with ``agency``'s overrides applied, and the findings of doing so."""
    items = list(base.items)
    index = {d.name: i for i, d in enumerate(items) if isinstance(d, n.Decl) and not isinstance(d, n.Header)}
    diags: list[Diagnostic] = []
    for override in agency.overrides:
        i = index.get(override.name)
        old = items[i] if i is not None else None
        if not isinstance(old, type(override)):
            diags.append(_unknown(override, base, old))
            continue
        items[i] = _apply_one(old, override, diags)
    module = n.Module(path, tuple(items), span=agency.span)
    if not diags:
        diags += check_constraints(module)
    return module, diags


def _unknown(override: n.Decl, base: n.Module, found: object) -> Diagnostic:
    noun = _NOUN.get(type(override), "declaration")
    if found is not None:
        hint = _("`{name}` is {kind} in the national policy", name=override.name,
                 kind=terms.a_noun(_NOUN.get(type(found), "declaration")))
    elif any(d.name == override.name for d in deps.named(base)):
        hint = _("`{name}` is inside a scorecard: override it within `scorecard <name> {{ ... }}`", name=override.name)
    else:
        same = [d.name for d in base.decls() if isinstance(d, type(override))]
        hint = did_you_mean(override.name, same)
    return error("resolve.unknown-override", _("the national policy has no {declaration}",
                                               declaration=terms.named(noun, override.name)),
                 override.name_span, hint)


def _given(decl: n.Node, names: tuple[str, ...] | None = None) -> dict[str, object]:
    """The attributes an override actually writes (absent ones are ``None``)."""
    keys = names or tuple(f.name for f in fields(decl) if f.name not in _SKIP and f.compare)
    return {k: getattr(decl, k) for k in keys if getattr(decl, k) is not None}


def _apply_one(old: n.Decl, new: n.Decl, diags: list[Diagnostic]) -> n.Decl:
    if isinstance(old, n.Value):
        return _cited(new, old)  # a derived value is replaced as a whole
    if isinstance(old, n.Table) and isinstance(new, n.Table):
        return _merge_table(old, new, diags)
    if isinstance(old, n.Rating) and isinstance(new, n.Rating):
        return _merge_rating(old, new, diags)
    if isinstance(old, n.Tree) and isinstance(new, n.Tree):
        return _merge_tree(old, new, diags)
    given = _given(new)
    for fixed, field_ in (("target", "target_field"), ("baseline", "baseline_field")):
        # A fixed number and a per-subject field are two spellings of one attribute: the override's wins.
        if field_ in given:
            given[fixed] = None
        elif fixed in given and hasattr(old, field_):
            given[field_] = None
    return replace(old, **given)


def _merge_rating(old: n.Rating, new: n.Rating, diags: list[Diagnostic]) -> n.Rating:
    bands = list(old.bands)
    labels = [b.label.value for b in old.bands]
    for band in new.bands:
        if band.label.value in labels:
            k = labels.index(band.label.value)
            bands[k] = _cited(band, bands[k])
        else:
            diags.append(error("resolve.unknown-band", _('rating `{name}` has no band "{band}"', name=old.name,
                                                         band=band.label.value),
                               band.label.span, did_you_mean(band.label.value, labels)
                               or _("an agency can change bands, not add them: {bands}", bands=", ".join(labels))))
    extra = _given(new, ("label", "round", "ref"))
    if new.of is not None:
        extra |= {"of": new.of, "of_span": new.of_span}
    return replace(old, bands=tuple(bands), **extra)


def _merge_table(old: n.Table, new: n.Table, diags: list[Diagnostic]) -> n.Table:
    """A table written again whole (with its inputs) replaces the rows; without inputs, each row
    replaces the national row with the same cells.  The label stays unless given; the hit policy is
    the national rule's and cannot change (it decides what a table with several matches means)."""
    hit = old.hit.value if old.hit is not None else "unique"
    if new.hit is not None and new.hit.value != hit:
        diags.append(error("resolve.override-not-allowed", _("table `{name}` decides by `hit {hit}` in the national "
                                                             "policy; an agency cannot change it to `hit {new}`",
                                                             name=old.name, hit=hit, new=new.hit.value), new.hit.span,
                           _("remove `hit {new}`: change the rows' results instead", new=new.hit.value)))
    label = new.label if new.label is not None else old.label
    if new.inputs:
        return replace(new, label=label, hit=old.hit, ref=new.ref or old.ref)
    rows = list(old.rows)
    keys = [_cells(r) for r in old.rows]
    for row in new.rows:
        if _cells(row) in keys:
            k = keys.index(_cells(row))
            rows[k] = _cited(row, rows[k])
        else:
            shown = ", ".join(cell_text(c) for c in row.cells)
            code = f"table {old.name} (" + ", ".join(i.name for i in old.inputs) + ") { ... }"
            diags.append(error("resolve.unknown-row", _("table `{name}` has no row `{row}`", name=old.name, row=shown),
                               row.span, _("an agency changes the result of a national row (same cells), it does not "
                                           "add rows; to rewrite the table, give its inputs: `{code}`", code=code)))
    return replace(old, label=label, rows=tuple(rows), ref=new.ref or old.ref)


def _cited(new: _C, old: _C) -> _C:
    """An override keeps the national citation unless it gives its own (``ref "..."``)."""
    return new if new.ref is not None or old.ref is None else replace(new, ref=old.ref)


def _cells(row: n.Row) -> tuple[tuple[str, object], ...]:
    return tuple((type(c).__name__, getattr(c, "value", None)) for c in row.cells)


def _merge_tree(old: n.Tree, new: n.Tree, diags: list[Diagnostic]) -> n.Tree:
    tree = replace(old, **_given(new, _NODE_ATTRS))
    for child in new.children or ():
        updated = _update(tree, child, diags)
        if updated is None:
            names = [d.name for d in _members(old)]
            diags.append(error("resolve.unknown-override", _("`{name}` has no member `{member}`", name=old.name,
                                                             member=child.name),
                               child.name_span, did_you_mean(child.name, names)))
        else:
            tree = updated
    return tree


def _update(tree: n.Tree, override: n.Tree | n.Leaf, diags: list[Diagnostic]) -> n.Tree | None:
    """``tree`` with the member named like ``override`` changed, looking at any depth; ``None`` if absent."""
    children = list(tree.children or ())
    for k, child in enumerate(children):
        if child.name == override.name:
            children[k] = _merge_member(child, override, diags)
            return replace(tree, children=tuple(children))
    for k, child in enumerate(children):
        if isinstance(child, n.Tree) and (found := _update(child, override, diags)) is not None:
            children[k] = found
            return replace(tree, children=tuple(children))
    return None


def _merge_member(old: n.Tree | n.Leaf, new: n.Tree | n.Leaf, diags: list[Diagnostic]) -> n.Tree | n.Leaf:
    if isinstance(old, n.Tree) and isinstance(new, n.Tree):
        return _merge_tree(old, new, diags)
    if isinstance(new, n.Tree):
        wrong = [k for k in _given(new, _NODE_ATTRS) if k not in _LEAF_ATTRS] + (["members"] if new.children else [])
        if wrong:
            diags.append(error("resolve.override-not-allowed",
                               _("`{name}` is a reference to an indicator; only its weight and missing treatment "
                                 "can change here", name=old.name), new.name_span,
                               _("change {attributes} on the indicator itself", attributes=", ".join(wrong))))
    return replace(old, **_given(new, _LEAF_ATTRS))


def _members(module_or_tree: n.Module | n.Tree) -> list[n.Tree | n.Leaf]:
    """Every tree node and leaf below (and including) the scorecards, in source order."""
    return [m.node for m in module_or_tree.members()]


# ------------------------------------------------------------------ blame


def blame(found: list[Diagnostic], module: n.Module, agency: n.Agency, path: str,
          national: set[Diagnostic]) -> list[Diagnostic]:
    """Findings on an agency's merged ``module`` that the national policy alone does not have are
    caused by the agency's overrides: each is reported at the agency's line that overrides the
    declaration it is about (or at the agency header), with a note at the national declaration."""
    out = []
    for d in found:
        if d in national or d.span.file == path:
            out.append(d)
            continue
        name = _named_at(module, d.span)
        at = next((o.name_span for o in _declared(agency) if o.name == name), None) if name else None
        note = Label(d.span, _("the national declaration of `{name}`", name=name) if name else
                     _("the national finding's place"))
        out.append(replace(d, span=at or agency.name_span, labels=(note, *d.labels),
                           message=_("{message} (with the overrides of agency `{agency}`)", message=d.message,
                                     agency=agency.name)))
    return out


def _declared(agency: n.Agency) -> list[n.Decl]:
    """The agency's overriding declarations and, within its scorecard overrides, their members."""
    out: list[n.Decl] = []
    for o in agency.overrides:
        out += _members(o) if isinstance(o, n.Tree) else [o]
    return out


def _named_at(module: n.Module, span: n.Span) -> str | None:
    """The innermost declaration of ``module`` (scorecard members included) containing ``span``."""
    decls: list[n.Decl] = [d for d in module.decls() if not isinstance(d, n.Tree)] + list(_members(module))
    around = [d for d in decls if d.span.file == span.file and d.span.line <= span.line <= d.span.end_line]
    return min(around, key=lambda d: d.span.end_line - d.span.line).name if around else None


# ------------------------------------------------------------------ constraints


def _constraints(module: n.Module) -> list[n.Constraint]:
    return [i for i in module.items if isinstance(i, n.Constraint)]


def check_constraint_names(module: n.Module) -> list[Diagnostic]:
    """A national constraint must name a tree member (weight) or an indicator (target, baseline, cap)."""
    members = {m.name for m in _members(module)}
    indicators = {d.name for d in module.decls() if isinstance(d, n.Indicator)}
    named = {d.name for d in deps.named(module)} | members
    out = []
    for c in _constraints(module):
        name, what = c.target.name, c.field.value
        if name not in named:
            continue  # an unknown name is reported once, by the checker (check.unknown-name)
        if what == "weight" and name not in members:
            out.append(error("resolve.constraint-field",
                             _("`{name}` has no weight: it is not in a scorecard", name=name), c.target.span,
                             _("bound the weight of a scorecard member")))
        elif what != "weight" and name not in indicators:
            out.append(error("resolve.constraint-field", _("`{name}` is not an indicator, so it has no {what}",
                                                           name=name, what=_field(what)),
                             c.target.span, did_you_mean(name, indicators)
                             or _("bound the {what} of an indicator", what=_field(what))))
    return out


def check_constraints(module: n.Module) -> list[Diagnostic]:
    """Each national constraint against the values the (resolved) module ends up with."""
    out = []
    for c in _constraints(module):
        per_subject = _per_subject_violation(module, c)
        if per_subject is not None:
            out.append(per_subject)
            continue
        found = _constrained(module, c)
        if found is None:
            continue
        value, span, shown = found
        problem = _violation(c, value)
        if problem:
            message, hint = problem
            out.append(error("resolve.constraint-violated",
                             _("{what} of `{name}` is {value}, {problem}", what=_field(c.field.value),
                               name=c.target.name, value=shown, problem=message),
                             span, hint, [Label(c.span, _("the national policy sets this bound"))]))
    return out


def _per_subject_violation(module: n.Module, c: n.Constraint) -> Diagnostic | None:
    """A bound on a target/baseline that is a per-subject field holds only if the field's own
    declared range lies inside the bound; otherwise an agency could escape it through data."""
    ind = next((d for d in module.decls() if isinstance(d, n.Indicator) and d.name == c.target.name), None)
    ref = getattr(ind, f"{c.field.value}_field", None) if ind is not None else None
    if ref is None:
        return None
    field_decl = next((d for d in module.decls() if isinstance(d, n.Input) and d.name == ref.name), None)
    rng = field_decl.range if field_decl is not None else None
    if rng is not None and _violation(c, rng.lo.value) is None and _violation(c, rng.hi.value) is None:
        return None
    shown = f"{rng.lo.value:f} .. {rng.hi.value:f}" if rng is not None else _("unbounded")
    return error("resolve.constraint-violated",
                 _("{what} of `{name}` is the per-subject field `{field}` (range {range}), which the national bound "
                   "does not contain", what=_field(c.field.value), name=c.target.name, field=ref.name, range=shown),
                 ref.span, _("declare a `range` for `{field}` inside the bound, or keep a fixed {what}", field=ref.name,
                             what=_field(c.field.value)),
                 [Label(c.span, _("the national policy sets this bound"))])


def _constrained(module: n.Module, c: n.Constraint) -> tuple[Decimal | None, n.Span, str] | None:
    """The value a constraint bounds, where it is written, and how to show it; ``None`` if not applicable."""
    name = c.target.name
    if c.field.value == "weight":
        return _weight(module, name, percent=bool((c.lo or c.hi) and (c.lo or c.hi).percent))  # type: ignore[union-attr]
    ind = next((d for d in module.decls() if isinstance(d, n.Indicator) and d.name == name), None)
    if ind is None:
        return None
    if c.field.value == "cap":
        if ind.score is None or ind.score.cap is None:
            span = ind.score.span if ind.score else ind.name_span
            return None, span, _("unbounded (no cap)")
        num = ind.score.cap
    else:
        num = getattr(ind, c.field.value)
    return None if num is None else (num.value, num.span, _show(num))


def _weight(module: n.Module, name: str, percent: bool) -> tuple[Decimal | None, n.Span, str] | None:
    for node in _members(module):
        if isinstance(node, n.Tree):
            siblings = list(node.children or ())
            member = next((c for c in siblings if c.name == name), None)
            if member is None or member.weight is None:
                continue
            weight = member.weight
            if percent and not weight.percent:  # relative weights: bound the normalised share
                total = sum((s.weight.value if s.weight else Decimal(1)) for s in siblings)
                share = weight.value / total if total else Decimal(0)
                return share, weight.span, _("{weight} of {total} ({share})", weight=_show(weight), total=f"{total:f}",
                                             share=_pct(share))
            return weight.value, weight.span, _show(weight)
    return None


def _violation(c: n.Constraint, value: Decimal | None) -> tuple[str, str] | None:
    lo, hi = c.lo, c.hi
    what, low, high = _field(c.field.value), _show(lo), _show(hi)
    if value is None:  # no cap at all: only a lower bound is met
        return (_("above the national maximum {hi}", hi=high),
                _("set a {what} of at most {hi}", what=what, hi=high)) if hi else None
    checks = {
        "in": (lo is not None and hi is not None and lo.value <= value <= hi.value,
               N_("outside the national bound {lo} .. {hi}"), N_("choose a {what} from {lo} to {hi}")),
        ">=": (lo is not None and value >= lo.value, N_("below the national minimum {lo}"),
               N_("choose a {what} of at least {lo}")),
        ">": (lo is not None and value > lo.value, N_("not above the national minimum {lo}"),
              N_("choose a {what} above {lo}")),
        "<=": (hi is not None and value <= hi.value, N_("above the national maximum {hi}"),
               N_("choose a {what} of at most {hi}")),
        "<": (hi is not None and value < hi.value, N_("not below the national maximum {hi}"),
              N_("choose a {what} below {hi}")),
        "==": (lo is not None and value == lo.value, N_("but the national policy fixes it at {lo}"), N_("use {lo}")),
    }
    ok, message, hint = checks[c.op]
    return None if ok else (_(message, lo=low, hi=high), _(hint, what=what, lo=low, hi=high))


_FIELDS = {"weight": N_("weight"), "target": N_("target"), "baseline": N_("baseline"), "cap": N_("cap")}


def _field(name: str) -> str:
    """A constrainable attribute in the reader's language: weight / bobot."""
    return _(_FIELDS[name]) if name in _FIELDS else name


def _show(x: n.Num | None) -> str:
    return "?" if x is None else written(x)


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01')).normalize():f}%"
