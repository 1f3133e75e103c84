"""Inputs, derived values and indicators: raw values, missing-data treatment and scoring.

Scoring methods (``score ...``) follow docs/language.md: ratio (higher:
raw/target*100; lower: (2 - raw/target)*100 per PermenPANRB 8/2021; within
a..b: 100 inside, beyond a bound the direction's formula with that bound), progress, goalposts
(clipped to 0..100, reversed when better is lower), piecewise (first matching
piece), formula and raw.  The built-in methods (ratio, progress, goalposts)
floor at 0; ``cap`` clamps from above whatever the method.
"""

from __future__ import annotations

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate.context import EvalContext, apply_missing, step_round
from engine.evaluate.expr import Col, Evaluator, full, is_obj
from engine.evaluate.exprtext import to_text
from engine.evaluate.result import StepResult
from engine.i18n import _
from engine.plan import Step

BUILT_IN = ("ratio", "progress", "goalposts")


def _f(x: n.Num | None) -> float | None:
    return None if x is None else num.to_float(x.value)


def evaluate_input(ctx: EvalContext, step: Step) -> StepResult:
    decl = step.decl
    assert isinstance(decl, n.Input)
    ctx.rec.step = step.name
    label = decl.type is not None and decl.type.name in ("text", "category")
    col = ctx.column(step.name, label)
    if not label:
        col, zero = apply_missing(ctx, step.name, col, decl.missing, None, note_default=False)
        if np.any(zero):
            col = np.where(zero, 0.0, col)
    else:
        col, _excluded = apply_missing(ctx, step.name, col, decl.missing, None, note_default=False)
    return StepResult(step.name, "input", col)


def evaluate_value(ctx: EvalContext, step: Step) -> StepResult:
    decl = step.decl
    assert isinstance(decl, n.Value)
    ctx.rec.step = step.name
    out = full(ctx.evaluator()(decl.formula), ctx.n) if decl.formula is not None else np.full(ctx.n, np.nan)
    if is_obj(out):
        return StepResult(step.name, "value", out)
    errored = _no_treatment(ctx, step.name)
    out, zero = apply_missing(ctx, step.name, out, decl.missing, None, errored, note_default=False)
    out = np.where(zero, 0.0, out) if np.any(zero) else out
    rounded = step_round(out, decl.round)
    extra = {"unrounded": out} if decl.round is not None else {}
    return StepResult(step.name, "value", rounded, extra=extra)


def evaluate_indicator(ctx: EvalContext, step: Step) -> StepResult:
    decl = step.decl
    assert isinstance(decl, n.Indicator)
    ctx.rec.step = step.name
    raw, zero = ctx.raws.pop(step.name) if step.name in ctx.raws else indicator_raw(ctx, decl, step.name)
    extra: dict[str, np.ndarray] = {}
    score = full(score_column(ctx, decl, raw, extra), ctx.n)
    if np.any(zero):
        score = np.where(zero, 0.0, score)
    if decl.round is not None:
        extra["unrounded"] = score
        score = step_round(score, decl.round)
    return StepResult(step.name, "indicator", score, raw=raw, extra=extra)


def indicator_raw(ctx: EvalContext, decl: n.Indicator, name: str) -> tuple[np.ndarray, np.ndarray]:
    """An indicator's raw value after its missing treatment, and the rows `missing zero` covers."""
    if decl.formula is not None:
        raw = np.array(full(ctx.evaluator()(decl.formula), ctx.n), dtype=np.float64)
    else:
        raw = ctx.column(name)
    baseline = _per_row(ctx, decl.baseline_field) if decl.baseline_field is not None else _f(decl.baseline)
    return apply_missing(ctx, name, raw, decl.missing, baseline, _no_treatment(ctx, name))


def _no_treatment(ctx: EvalContext, name: str) -> np.ndarray | None:
    """Rows no missing-data treatment may fill: a runtime error, or `missing` chosen by rule (None: no row)."""
    events = ctx.events
    if not events.has(name) and not events.has(name, "decision", "eval.no-value"):
        return None
    return events.mask(ctx.n, name) | events.mask(ctx.n, name, "decision", "eval.no-value")


def _per_row(ctx: EvalContext, ref: n.Ref) -> np.ndarray:
    """A per-subject target or baseline: the named field's column (float)."""
    return np.asarray(full(ctx.value(ref.name), ctx.n), dtype=np.float64)


def score_column(ctx: EvalContext, decl: n.Indicator, raw: np.ndarray, extra: dict[str, np.ndarray]) -> Col:
    """The score of every row from its raw value, by the indicator's scoring method."""
    scoring = decl.score or n.Scoring("ratio")
    target: float | np.ndarray | None = _f(decl.target)
    baseline: float | np.ndarray | None = _f(decl.baseline)
    if decl.target_field is not None:
        target = _per_row(ctx, decl.target_field)
        _note_unset(ctx, decl, raw, target, decl.target_field, "target")
    if decl.baseline_field is not None:
        baseline = _per_row(ctx, decl.baseline_field)
        if scoring.method == "progress":
            _note_unset(ctx, decl, raw, baseline, decl.baseline_field, "baseline")
    selfs: dict[str, Col] = {"value": raw, "target": np.nan if target is None else target,
                             "baseline": np.nan if baseline is None else baseline}
    ev = ctx.evaluator(selfs)
    m = scoring.method
    if m == "ratio":
        s = _ratio(ctx, ev, decl, raw, target)
    elif m == "progress":
        s = _progress(ctx, ev, decl, raw, target, baseline)
    elif m == "goalposts":
        lo, hi = _f(scoring.lo), _f(scoring.hi)
        s = ev.divide(np.subtract(raw, lo), (hi or 0.0) - (lo or 0.0), scoring) * 100.0
        s = np.clip(s, 0.0, 100.0)
        if decl.better is not None and decl.better.direction == "lower":
            s = 100.0 - s
    elif m == "piecewise":
        s = _piecewise(ev, scoring, ctx.n, extra)
    elif m == "formula":
        s = ev(scoring.formula) if scoring.formula is not None else np.nan
    else:  # raw
        s = raw
    s = full(s, ctx.n)
    # The built-in methods return a fresh column of this step: floor and cap it in place.  A formula
    # or piecewise score may be another step's column itself, so it is copied by the first operation.
    own = m in BUILT_IN and s.dtype == np.float64 and s.flags.writeable and s is not raw
    if m in BUILT_IN:
        s = np.maximum(s, 0.0, out=s if own else None)
        own = True
    if scoring.cap is not None:
        s = np.minimum(s, num.to_float(scoring.cap.value), out=s if own else None)
    return s


def _note_unset(ctx: EvalContext, decl: n.Indicator, raw: np.ndarray, col: np.ndarray, ref: n.Ref, word: str) -> None:
    """Rows with a raw value whose own target (baseline) is missing get no score: say why."""
    unset = np.isnan(col) & ~np.isnan(raw)
    if np.any(unset):
        no = _("{name} has no target on this row (`{field}` is missing): no score") if word == "target" else \
            _("{name} has no baseline on this row (`{field}` is missing): no score")
        ctx.rec.decision(unset, f"eval.{word}-missing", no.format(name=decl.name, field=ref.name))


def _ratio(ctx: EvalContext, ev: Evaluator, decl: n.Indicator, raw: np.ndarray,
           target: float | np.ndarray | None) -> Col:
    better = decl.better or n.Better("higher")
    if better.direction == "within":
        return _within(ctx, ev, decl, raw, better)
    if target is None:
        ctx.rec.error(~np.isnan(raw), "eval.no-target",
                      _("{name} has no target to score a ratio against", name=decl.name))
        return np.nan
    r = ev.divide(raw, target, decl)
    if not isinstance(r, np.ndarray) or r.ndim == 0:
        return np.multiply(r, 100.0) if better.direction == "higher" else np.multiply(np.subtract(2.0, r), 100.0)
    # r is a fresh column: the same operations in place (no temporaries).
    if better.direction != "higher":
        np.subtract(2.0, r, out=r)
    return np.multiply(r, 100.0, out=r)


def _within(ctx: EvalContext, ev: Evaluator, decl: n.Indicator, raw: np.ndarray, better: n.Better) -> Col:
    """A target range (PermenPANRB 8/2021): 100 inside; beyond a bound, the direction's formula with
    that bound (the upper one above the range, the lower one below it)."""
    lo, hi = (_bound(ctx, decl, raw, x) for x in (better.lo, better.hi))
    below = num.holds("<", raw, lo)
    above = num.holds(">", raw, hi)
    # Below the range (and on missing rows: NaN) the lower bound's formula, above it the upper one's.
    # Selected with np.where: a masked copy with a mixed mask is several times slower.
    out = full(_per(ev, raw, lo, below, better), ctx.n)
    if above.any():
        out = np.where(above, _per(ev, raw, hi, above, better), out)
    outside = below | above
    outside |= np.isnan(raw)
    scored = np.where(outside, out, 100.0)
    if isinstance(lo, np.ndarray) or isinstance(hi, np.ndarray):
        scored[np.isnan(np.add(lo, hi))] = np.nan  # a row without its own range gets no score
    return scored


def _bound(ctx: EvalContext, decl: n.Indicator, raw: np.ndarray, x: n.Num | n.Ref | None) -> float | np.ndarray:
    """A range bound: a fixed number, or this row's value of the named input."""
    if not isinstance(x, n.Ref):
        return np.nan if x is None else num.to_float(x.value)
    col = _per_row(ctx, x)
    _note_unset(ctx, decl, raw, col, x, "target")
    return col


def _per(ev: Evaluator, raw: np.ndarray, edge: float | np.ndarray, live: np.ndarray, better: n.Better) -> Col:
    """``raw / edge × 100`` (higher is better) or ``(1 + (1 − raw / edge)) × 100`` (lower is better)."""
    ev.rec.push(live)  # only rows beyond this edge divide by it
    try:
        r = ev.divide(raw, edge, better)
        if better.sense == "lower":
            r = np.subtract(2.0, r)
        return np.multiply(r, 100.0, out=r) if isinstance(r, np.ndarray) and r.ndim == 1 else np.multiply(r, 100.0)
    finally:
        ev.rec.pop()


def _progress(ctx: EvalContext, ev: Evaluator, decl: n.Indicator, raw: np.ndarray, target: float | np.ndarray | None,
              baseline: float | np.ndarray | None) -> Col:
    if target is None or baseline is None:
        ctx.rec.error(~np.isnan(raw), "eval.no-target",
                      _("{name} needs a target and a baseline for progress", name=decl.name))
        return np.nan
    return np.multiply(ev.divide(np.subtract(raw, baseline), np.subtract(target, baseline), decl), 100.0)


def _piecewise(ev: Evaluator, scoring: n.Scoring, size: int, extra: dict[str, np.ndarray]) -> np.ndarray:
    """First matching piece per row; a row whose condition is missing takes no later piece."""
    out = np.full(size, np.nan)
    case = np.full(size, -1, dtype=np.int16)
    done = np.zeros(size, dtype=bool)
    for i, piece in enumerate(scoring.cases):
        open_ = ~done
        if piece.when is None:
            pick = open_
        else:
            cond = np.broadcast_to(np.asarray(ev.branch(piece.when, open_), dtype=np.float64), (size,))
            pick = open_ & (cond == 1.0)
            done |= np.isnan(cond)  # unknown whether this piece applies: the score is missing
        if isinstance(piece.then, n.Absent):  # deliberately no value: say which piece decided it
            ev.rec.no_value(pick, _("no value by rule: piece `{piece}` (line {line})", piece=_piece_text(piece),
                                    line=piece.span.line))
            case[pick] = i
        elif np.any(pick):
            value = full(ev.branch(piece.then, pick), size)
            out[pick] = value[pick]
            case[pick] = i
        done |= pick
    extra["case"] = case
    return out


def _piece_text(piece: n.Case) -> str:
    head = "otherwise" if piece.when is None else f"when {to_text(piece.when)} ->"
    return f"{head} {to_text(piece.then)}"
