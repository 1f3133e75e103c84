"""Rules on impossible attributes: reversed intervals, targets out of range, scoring that cannot compute."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.context import MAX_DECIMALS, CheckContext
from engine.checks.names import a_noun
from engine.diagnostics import Diagnostic, Label, error, warning
from engine.i18n import N_, _


def _t(num: n.Num) -> str:
    return num.text or format(num.value, "f")


def _method(ind: n.Indicator) -> str:
    return ind.score.method if ind.score else "ratio"


def within_reversed(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        b = ind.better
        if b is not None and isinstance(b.lo, n.Num) and isinstance(b.hi, n.Num) and b.lo.value > b.hi.value:
            words = "better lower within" if b.sense == "lower" else "better within"
            yield error("check.within-reversed", _("`{code}` runs backwards", code=f"{words} {_t(b.lo)} .. {_t(b.hi)}"),
                        b.span, _("write `{code}`", code=f"{words} {_t(b.hi)} .. {_t(b.lo)}"))


def range_reversed(ctx: CheckContext) -> Iterator[Diagnostic]:
    for d in ctx.named:
        r = getattr(d, "range", None)
        if isinstance(r, n.Interval) and r.lo.value > r.hi.value:
            yield error("check.range-reversed", _("`{code}` of `{name}` runs backwards",
                                                  code=f"range {_t(r.lo)} .. {_t(r.hi)}", name=d.name),
                        r.span, _("write `{code}`", code=f"range {_t(r.hi)} .. {_t(r.lo)}"))


def _outside(ctx: CheckContext, attr: str) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        num, r = getattr(ind, attr), ind.range
        if num is None or r is None or r.lo.value > r.hi.value:
            continue
        if not r.lo.value <= num.value <= r.hi.value:
            words = _OUTSIDE[attr]
            yield error(f"check.{attr}-outside-range", _(words[0], value=_t(num), name=ind.name,
                                                         range=f"{_t(r.lo)} .. {_t(r.hi)}"), num.span,
                        _(words[1]), [Label(r.span, _("the valid range"))])


_OUTSIDE = {
    "target": (N_("target {value} of `{name}` is outside its range {range}"),
               N_("no valid value can be compared with this target: fix the target or the range")),
    "baseline": (N_("baseline {value} of `{name}` is outside its range {range}"),
                 N_("no valid value can be compared with this baseline: fix the baseline or the range")),
}


def target_outside_range(ctx: CheckContext) -> Iterator[Diagnostic]:
    return _outside(ctx, "target")


def baseline_outside_range(ctx: CheckContext) -> Iterator[Diagnostic]:
    return _outside(ctx, "baseline")


def progress_no_span(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        if _method(ind) != "progress":
            continue
        span = ind.score.span if ind.score else ind.name_span
        if _lacks(ind, "baseline") or _lacks(ind, "target"):
            lacking = _("progress scoring of `{name}` needs a baseline and target") \
                if _lacks(ind, "baseline") and _lacks(ind, "target") else \
                _("progress scoring of `{name}` needs a baseline") if _lacks(ind, "baseline") else \
                _("progress scoring of `{name}` needs a target")
            yield error("check.progress-no-span", lacking.format(name=ind.name), span,
                        _("progress is (value - baseline) / (target - baseline): give both"))
        elif ind.baseline is not None and ind.target is not None and ind.baseline.value == ind.target.value:
            yield error("check.progress-no-span", _("baseline and target of `{name}` are both {value}, so progress "
                                                    "divides by zero", name=ind.name, value=_t(ind.target)),
                        ind.target.span, _("move the target away from the baseline, or score with `ratio`"),
                        [Label(ind.baseline.span, _("the baseline"))])


def ratio_needs_target(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        within = ind.better is not None and ind.better.direction == "within"
        if _method(ind) != "ratio" or within:
            continue
        if ind.target_field is not None:
            continue  # a per-subject target: see target_may_be_zero
        if ind.target is None:
            how = _("`{name}` is scored against a target it does not have") if ind.score else \
                _("`{name}` is scored by ratio (the default) against a target it does not have")
            yield error("check.ratio-needs-target", how.format(name=ind.name),
                        ind.score.span if ind.score else ind.name_span,
                        _("add `target N`, or choose another `score` method"))
        elif ind.target.value == 0:
            yield error("check.ratio-needs-target",
                        _("target of `{name}` is 0, and ratio scoring divides by it", name=ind.name),
                        ind.target.span, _("use a target above 0, or score with `goalposts`"))


def _lacks(ind: n.Indicator, word: str) -> bool:
    return getattr(ind, word) is None and getattr(ind, f"{word}_field") is None


def target_field_type(ctx: CheckContext) -> Iterator[Diagnostic]:
    """``target NAME`` / ``baseline NAME`` / ``within LO .. HI`` must name numeric inputs (submitted numbers)."""
    for ind in ctx.indicators():
        b = ind.better
        bounds = ((N_("lower bound"), b.lo), (N_("upper bound"), b.hi)) if b is not None else ()
        for word, ref in ((N_("target"), ind.target_field), (N_("baseline"), ind.baseline_field), *bounds):
            decl = ctx.decls.get(ref.name) if isinstance(ref, n.Ref) else None
            if decl is None:
                continue  # no field, or an unknown name (reported once, by unknown_names)
            kind = decl.type.name if isinstance(decl, n.Input) and decl.type else "number"
            if not isinstance(decl, n.Input) or kind != "number":
                shown = a_noun(decl, kind if isinstance(decl, n.Input) else None)
                yield error("check.target-field-type", _("{what} of `{name}` names `{field}`, {kind}", what=_(word),
                                                         name=ind.name, field=ref.name, kind=shown),
                            ref.span, _("a per-subject {what} is a submitted number: name an `input` of type number",
                                        what=_(word)),
                            [Label(decl.name_span, _("declared here"))])


def _numeric_input(ctx: CheckContext, ref: n.Ref) -> bool:
    decl = ctx.decls.get(ref.name)
    return isinstance(decl, n.Input) and (decl.type is None or decl.type.name == "number")


def target_may_be_zero(ctx: CheckContext) -> Iterator[Diagnostic]:
    """A per-subject target the score divides by must be provably above 0 (ratio) or apart
    from the baseline (progress), from the fields' declared ranges."""
    for ind in ctx.indicators():
        method = _method(ind)
        within = ind.better is not None and ind.better.direction == "within"
        if not all(_numeric_input(ctx, r) for r in (ind.target_field, ind.baseline_field) if r is not None):
            continue  # reported by target_field_type or unknown_names
        if method == "ratio":
            divisors = [ind.better.lo, ind.better.hi] if within else [ind.target_field]  # type: ignore[union-attr]
            for ref in (r for r in divisors if isinstance(r, n.Ref) and _numeric_input(ctx, r)):
                r = ctx.range_of(ref.name)
                if not (r.lo > 0 or (r.lo == 0 and r.lo_open)):
                    zero = _("range bound `{field}` of `{name}` is not known to be above 0 (its range is {range}), "
                             "and ratio scoring divides by it") if within else \
                        _("target `{field}` of `{name}` is not known to be above 0 (its range is {range}), and "
                          "ratio scoring divides by it")
                    yield warning("check.target-may-be-zero", zero.format(field=ref.name, name=ind.name,
                                                                          range=iv.show(r)),
                                  ref.span, _("give `{field}` a `range` above 0; a row whose target is 0 is "
                                              "recorded as `eval.division-by-zero`", field=ref.name))
        elif method == "progress" and (ind.target_field or ind.baseline_field) and not _lacks(ind, "target") \
                and not _lacks(ind, "baseline"):
            span = iv.sub(ctx.anchor_range(ind, "target"), ctx.anchor_range(ind, "baseline"))
            ref = ind.target_field or ind.baseline_field
            if span.contains(Decimal(0)):
                yield warning("check.target-may-be-zero", _("target and baseline of `{name}` may be equal (target "
                                                            "minus baseline ranges over {range}), and progress "
                                                            "divides by their difference", name=ind.name,
                                                            range=iv.show(span)), ref.span,
                              _("declare ranges that keep the target apart from the baseline; such a row is "
                                "recorded as `eval.division-by-zero`"))


def goalposts_reversed(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        s = ind.score
        if s is None or s.method != "goalposts" or s.lo is None or s.hi is None:
            continue
        if s.lo.value >= s.hi.value:
            what = _("goalposts {range} of `{name}` are equal") if s.lo.value == s.hi.value else \
                _("goalposts {range} of `{name}` run backwards")
            yield error("check.goalposts-reversed", what.format(range=f"{_t(s.lo)} .. {_t(s.hi)}", name=ind.name),
                        s.span, _("write the worst value first and the best value second, and keep them apart; "
                                  "`better lower` reverses the direction"))


def missing_baseline(ctx: CheckContext) -> Iterator[Diagnostic]:
    for d in ctx.named:
        m = getattr(d, "missing", None)
        if isinstance(m, n.Missing) and m.treatment == "baseline" and getattr(d, "baseline", None) is None \
                and getattr(d, "baseline_field", None) is None and not isinstance(d, n.Tree):
            yield error("check.missing-baseline", _("`missing baseline` but `{name}` has no baseline", name=d.name),
                        m.span, _("add `baseline N`, or use `missing value N`"))


def piecewise_no_otherwise(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        s = ind.score
        if s is not None and s.method == "piecewise" and all(c.when is not None for c in s.cases):
            yield warning("check.piecewise-no-otherwise",
                          _("the piecewise score of `{name}` has no `otherwise`", name=ind.name), s.span,
                          _("add `otherwise EXPR` as the last piece; a value no piece matches has no score"))


def is_boolean(ctx: CheckContext, e: n.Node | None, busy: frozenset[str] = frozenset()) -> bool | None:
    """Whether an expression yields true/false; None when it cannot be told."""
    if isinstance(e, n.Bool) or isinstance(e, n.InList):
        return True
    if isinstance(e, n.Binary):
        return e.op not in ("+", "-", "*", "/")
    if isinstance(e, n.Unary):
        return e.op == "not"
    if isinstance(e, n.IfElse):
        return is_boolean(ctx, e.then, busy)
    if isinstance(e, (n.Num, n.Str, n.Call)):
        return False
    if isinstance(e, n.Ref):
        d = ctx.decls.get(e.name)
        if isinstance(d, (n.Input, n.Indicator)):
            return d.type is not None and d.type.name == "boolean"
        if isinstance(d, n.Value) and e.name not in busy:
            return is_boolean(ctx, d.formula, busy | {e.name})
        return None if d is None or isinstance(d, n.Value) else False
    return None


def gate_not_boolean(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        for b in r.bands:
            if b.gate is not None and is_boolean(ctx, b.gate) is False:
                yield error("check.gate-not-boolean",
                            _("the gate of band `{name}` is not true or false", name=b.label.value), b.gate.span,
                            _("write a condition, such as `if inovasi` or `if nilai_perilaku >= 90`"))


def cap_nonpositive(ctx: CheckContext) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        cap = ind.score.cap if ind.score else None
        if cap is not None and cap.value <= 0:
            yield error("check.cap-nonpositive", _("cap {value} of `{name}` leaves no score above 0", value=_t(cap),
                                                   name=ind.name), cap.span,
                        _("a cap is the highest score, such as `cap 120`"))


def round_decimals(ctx: CheckContext) -> Iterator[Diagnostic]:
    nums = [d.round for d in ctx.named if getattr(d, "round", None) is not None]
    for d in ctx.named:
        for expr in _exprs(d):
            nums += [c.args[1] for c in expr.walk() if isinstance(c, n.Call) and c.func == "round"
                     and len(c.args) == 2 and isinstance(c.args[1], n.Num)]
    for num in nums:
        v = num.value
        if v != v.to_integral_value() or not 0 <= v <= MAX_DECIMALS:
            yield error("check.round-decimals", _("cannot round to {n} decimals", n=_t(num)), num.span,
                        _("give a whole number of decimals from 0 to {most}", most=MAX_DECIMALS))


def _exprs(d: n.Decl) -> list[n.Node]:
    out: list[n.Node | None] = [getattr(d, "formula", None)]
    if isinstance(d, n.Indicator) and d.score is not None:
        out += [d.score.formula, *[e for c in d.score.cases for e in (c.when, c.then)]]
    if isinstance(d, n.Rating):
        out += [b.gate for b in d.bands]
    if isinstance(d, n.Quota):
        out += [e for r in d.rules for e in (r.where, r.require)]
    return [e for e in out if e is not None]


RULES = (within_reversed, range_reversed, target_outside_range, baseline_outside_range, progress_no_span,
         ratio_needs_target, target_field_type, target_may_be_zero, goalposts_reversed, missing_baseline,
         piecewise_no_otherwise, gate_not_boolean,
         cap_nonpositive, round_decimals)
