"""Rules on impossible attributes: reversed intervals, targets out of range, scoring that cannot compute."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.context import MAX_DECIMALS, Context
from engine.diagnostics import Diagnostic, Label, error, warning


def _t(num: n.Num) -> str:
    return num.text or format(num.value, "f")


def _method(ind: n.Indicator) -> str:
    return ind.score.method if ind.score else "ratio"


def within_reversed(ctx: Context) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        b = ind.better
        if b is not None and isinstance(b.lo, n.Num) and isinstance(b.hi, n.Num) and b.lo.value > b.hi.value:
            words = "better lower within" if b.sense == "lower" else "better within"
            yield error("check.within-reversed", f"`{words} {_t(b.lo)} .. {_t(b.hi)}` runs backwards", b.span,
                        f"write `{words} {_t(b.hi)} .. {_t(b.lo)}`")


def range_reversed(ctx: Context) -> Iterator[Diagnostic]:
    for d in ctx.named:
        r = getattr(d, "range", None)
        if isinstance(r, n.Interval) and r.lo.value > r.hi.value:
            yield error("check.range-reversed", f"`range {_t(r.lo)} .. {_t(r.hi)}` of `{d.name}` runs backwards",
                        r.span, f"write `range {_t(r.hi)} .. {_t(r.lo)}`")


def _outside(ctx: Context, attr: str) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        num, r = getattr(ind, attr), ind.range
        if num is None or r is None or r.lo.value > r.hi.value:
            continue
        if not r.lo.value <= num.value <= r.hi.value:
            yield error(f"check.{attr}-outside-range", f"{attr} {_t(num)} of `{ind.name}` is outside its range "
                        f"{_t(r.lo)} .. {_t(r.hi)}", num.span,
                        f"no valid value can be compared with this {attr}: fix the {attr} or the range",
                        [Label(r.span, "the valid range")])


def target_outside_range(ctx: Context) -> Iterator[Diagnostic]:
    return _outside(ctx, "target")


def baseline_outside_range(ctx: Context) -> Iterator[Diagnostic]:
    return _outside(ctx, "baseline")


def progress_no_span(ctx: Context) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        if _method(ind) != "progress":
            continue
        span = ind.score.span if ind.score else ind.name_span
        if _lacks(ind, "baseline") or _lacks(ind, "target"):
            lacking = " and ".join(w for w in ("baseline", "target") if _lacks(ind, w))
            yield error("check.progress-no-span", f"progress scoring of `{ind.name}` needs a {lacking}", span,
                        "progress is (value - baseline) / (target - baseline): give both")
        elif ind.baseline is not None and ind.target is not None and ind.baseline.value == ind.target.value:
            yield error("check.progress-no-span", f"baseline and target of `{ind.name}` are both "
                        f"{_t(ind.target)}, so progress divides by zero", ind.target.span,
                        "move the target away from the baseline, or score with `ratio`",
                        [Label(ind.baseline.span, "the baseline")])


def ratio_needs_target(ctx: Context) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        within = ind.better is not None and ind.better.direction == "within"
        if _method(ind) != "ratio" or within:
            continue
        if ind.target_field is not None:
            continue  # a per-subject target: see target_may_be_zero
        if ind.target is None:
            how = "is scored" if ind.score else "is scored by ratio (the default)"
            yield error("check.ratio-needs-target", f"`{ind.name}` {how} against a target it does not have",
                        ind.score.span if ind.score else ind.name_span,
                        "add `target N`, or choose another `score` method")
        elif ind.target.value == 0:
            yield error("check.ratio-needs-target", f"target of `{ind.name}` is 0, and ratio scoring divides by it",
                        ind.target.span, "use a target above 0, or score with `goalposts`")


def _lacks(ind: n.Indicator, word: str) -> bool:
    return getattr(ind, word) is None and getattr(ind, f"{word}_field") is None


def target_field_type(ctx: Context) -> Iterator[Diagnostic]:
    """``target NAME`` / ``baseline NAME`` / ``within LO .. HI`` must name numeric inputs (submitted numbers)."""
    for ind in ctx.indicators():
        b = ind.better
        bounds = (("lower bound", b.lo), ("upper bound", b.hi)) if b is not None else ()
        for word, ref in (("target", ind.target_field), ("baseline", ind.baseline_field), *bounds):
            decl = ctx.decls.get(ref.name) if isinstance(ref, n.Ref) else None
            if decl is None:
                continue  # no field, or an unknown name (reported once, by unknown_names)
            kind = decl.type.name if isinstance(decl, n.Input) and decl.type else "number"
            if not isinstance(decl, n.Input) or kind != "number":
                shown = f"a {kind} input" if isinstance(decl, n.Input) else f"a {type(decl).__name__.lower()}"
                yield error("check.target-field-type", f"{word} of `{ind.name}` names `{ref.name}`, {shown}",
                            ref.span, f"a per-subject {word} is a submitted number: name an `input` of type number",
                            [Label(decl.name_span, "declared here")])


def _numeric_input(ctx: Context, ref: n.Ref) -> bool:
    decl = ctx.decls.get(ref.name)
    return isinstance(decl, n.Input) and (decl.type is None or decl.type.name == "number")


def target_may_be_zero(ctx: Context) -> Iterator[Diagnostic]:
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
                    yield warning("check.target-may-be-zero", f"{'range bound' if within else 'target'} "
                                  f"`{ref.name}` of `{ind.name}` is not known "
                                  f"to be above 0 (its range is {iv.show(r)}), and ratio scoring divides by it",
                                  ref.span, f"give `{ref.name}` a `range` above 0; a row whose target is 0 is "
                                  "recorded as `eval.division-by-zero`")
        elif method == "progress" and (ind.target_field or ind.baseline_field) and not _lacks(ind, "target") \
                and not _lacks(ind, "baseline"):
            span = iv.sub(ctx.anchor_range(ind, "target"), ctx.anchor_range(ind, "baseline"))
            ref = ind.target_field or ind.baseline_field
            if span.contains(Decimal(0)):
                yield warning("check.target-may-be-zero", f"target and baseline of `{ind.name}` may be equal "
                              f"(target minus baseline ranges over {iv.show(span)}), and progress divides by "
                              "their difference", ref.span,
                              "declare ranges that keep the target apart from the baseline; such a row is "
                              "recorded as `eval.division-by-zero`")


def goalposts_reversed(ctx: Context) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        s = ind.score
        if s is None or s.method != "goalposts" or s.lo is None or s.hi is None:
            continue
        if s.lo.value >= s.hi.value:
            what = "are equal" if s.lo.value == s.hi.value else "run backwards"
            yield error("check.goalposts-reversed", f"goalposts {_t(s.lo)} .. {_t(s.hi)} of `{ind.name}` {what}",
                        s.span, "write the worst value first and the best value second, and keep them apart; "
                        "`better lower` reverses the direction")


def missing_baseline(ctx: Context) -> Iterator[Diagnostic]:
    for d in ctx.named:
        m = getattr(d, "missing", None)
        if isinstance(m, n.Missing) and m.treatment == "baseline" and getattr(d, "baseline", None) is None \
                and getattr(d, "baseline_field", None) is None and not isinstance(d, n.Tree):
            yield error("check.missing-baseline", f"`missing baseline` but `{d.name}` has no baseline", m.span,
                        "add `baseline N`, or use `missing value N`")


def piecewise_no_otherwise(ctx: Context) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        s = ind.score
        if s is not None and s.method == "piecewise" and all(c.when is not None for c in s.cases):
            yield warning("check.piecewise-no-otherwise", f"the piecewise score of `{ind.name}` has no `otherwise`",
                          s.span, "add `otherwise EXPR` as the last piece; a value no piece matches has no score")


def is_boolean(ctx: Context, e: n.Node | None, busy: frozenset[str] = frozenset()) -> bool | None:
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


def gate_not_boolean(ctx: Context) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        for b in r.bands:
            if b.gate is not None and is_boolean(ctx, b.gate) is False:
                yield error("check.gate-not-boolean", f"the gate of band `{b.label.value}` is not true or false",
                            b.gate.span, "write a condition, such as `if inovasi` or `if nilai_perilaku >= 90`")


def cap_nonpositive(ctx: Context) -> Iterator[Diagnostic]:
    for ind in ctx.indicators():
        cap = ind.score.cap if ind.score else None
        if cap is not None and cap.value <= 0:
            yield error("check.cap-nonpositive", f"cap {_t(cap)} of `{ind.name}` leaves no score above 0", cap.span,
                        "a cap is the highest score, such as `cap 120`")


def round_decimals(ctx: Context) -> Iterator[Diagnostic]:
    nums = [d.round for d in ctx.named if getattr(d, "round", None) is not None]
    for d in ctx.named:
        for expr in _exprs(d):
            nums += [c.args[1] for c in expr.walk() if isinstance(c, n.Call) and c.func == "round"
                     and len(c.args) == 2 and isinstance(c.args[1], n.Num)]
    for num in nums:
        v = num.value
        if v != v.to_integral_value() or not 0 <= v <= MAX_DECIMALS:
            yield error("check.round-decimals", f"cannot round to {_t(num)} decimals", num.span,
                        f"give a whole number of decimals from 0 to {MAX_DECIMALS}")


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
