"""Ratings (bands with explicit edges and gates) and decision tables.

A rating rounds its value first when it declares ``round N``, then tries its
bands in order; a band matches when every bound holds (compared up to
representation noise, see ``numeric``) and its gate, if any, is true.  A gate
that is missing counts as not satisfied.  A present value matched by no band is
a runtime error (``eval.no-band``), never a silent label.

A table row matches when every cell equals its input (``_`` matches anything,
even a missing input).  ``hit first`` takes the first matching row; ``hit
unique`` requires exactly one (two -> ``eval.ambiguous-rule``).  No matching row
is ``eval.no-rule`` unless an input was missing, in which case the result is
simply missing.
"""

from __future__ import annotations

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate.context import EvalContext, missing_mask
from engine.evaluate.events import Recorder
from engine.evaluate.expr import Col, full, literal
from engine.evaluate.result import StepResult
from engine.i18n import _
from engine.plan import Step


def evaluate_rating(ctx: EvalContext, step: Step) -> StepResult:
    decl = step.decl
    assert isinstance(decl, n.Rating)
    ctx.rec.step = step.name
    size = ctx.n
    x = np.asarray(ctx.value(decl.of), dtype=np.float64) if decl.of else np.full(size, np.nan)
    banded = num.round_half_away(x, int(decl.round.value)) if decl.round is not None else x
    extra: dict[str, np.ndarray] = {"banded": banded}
    if decl.of and not any(b.gate is not None for b in decl.bands):
        band, open_ = _bands(decl, banded)
    else:
        band, open_ = _gated_bands(ctx, decl, banded, extra)
    ctx.rec.error(open_ & ~np.isnan(banded) if decl.of else open_, "eval.no-band",
                  _("no band of {name} matches the value", name=step.name))
    # The labels in one pass from the band index (-1, no band, takes the trailing None).
    labels = np.empty(len(decl.bands) + 1, dtype=object)
    labels[:-1] = [b.label.value for b in decl.bands]
    label = labels.take(band.astype(np.intp))
    extra["band"] = band
    return StepResult(step.name, "rating", label, extra=extra)


def _bands(decl: n.Rating, banded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bands without gates: the first band whose bounds all hold, found by taking the bands
    last to first (a later match is overwritten by an earlier one); -1 where none does."""
    band = np.full(len(banded), -1, dtype=np.int16)
    present = ~np.isnan(banded)
    for i in range(len(decl.bands) - 1, -1, -1):
        ok = present.copy()
        for bound in decl.bands[i].bounds:
            ok &= num.holds(bound.op, banded, num.to_float(bound.value.value))
        band += ok * (np.int16(i) - band)  # band := i where ok: integer arithmetic, no branchy select
    return band, band < 0


def _gated_bands(ctx: EvalContext, decl: n.Rating, banded: np.ndarray, extra: dict[str, np.ndarray]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Bands tried in order; a gate is evaluated (and its errors recorded) only for the rows still open."""
    size = ctx.n
    band = np.full(size, -1, dtype=np.int16)
    open_ = ~np.isnan(banded) if decl.of else np.ones(size, dtype=bool)
    ev = ctx.evaluator()
    for i, b in enumerate(decl.bands):
        ok = open_.copy()
        for bound in b.bounds:
            ok &= num.holds(bound.op, banded, num.to_float(bound.value.value))
        if b.gate is not None:
            gate = full(ev.branch(b.gate, ok), size).astype(np.float64)
            extra[f"gate:{i}"] = gate
            ok &= gate == 1.0
        band[ok] = i
        open_ &= ~ok
    return band, open_


def _cell_match(size: int, col: np.ndarray, cell: n.Node) -> np.ndarray:
    if isinstance(cell, n.Wildcard):
        return np.ones(size, dtype=bool)
    if isinstance(cell, n.Str):
        return np.asarray(col == cell.value, dtype=bool) if col.dtype == object else np.zeros(size, dtype=bool)
    want = (1.0 if cell.value else 0.0) if isinstance(cell, n.Bool) else num.to_float(cell.value)
    if col.dtype == object:
        return np.asarray(col == want, dtype=bool)
    return num.eq(col, want) == 1.0


def evaluate_table(ctx: EvalContext, step: Step) -> StepResult:
    decl = step.decl
    assert isinstance(decl, n.Table)
    ctx.rec.step = step.name
    out, row = look_up(ctx.rec, decl, [ctx.value(r.name) for r in decl.inputs], ctx.n, step.name)
    return StepResult(step.name, "table", out, extra={"row": row})


def look_up(rec: Recorder, decl: n.Table, args: list[Col], size: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The table's result for each row of the input columns ``args`` (its own inputs, or the arguments
    of a call ``what``), and the index of the row that decided it (-1: none)."""
    cols = [full(a, size) for a in args]
    any_missing = np.zeros(size, dtype=bool)
    for c in cols:
        any_missing |= missing_mask(c)
    numeric = all(isinstance(r.result, n.Num) for r in decl.rows)
    out = np.full(size, np.nan) if numeric else np.empty(size, dtype=object)
    row = np.full(size, -1, dtype=np.int16)
    hits = np.zeros(size, dtype=np.int16)
    first = (decl.hit.value if decl.hit else "unique") == "first"
    for i, r in enumerate(decl.rows):
        match = np.ones(size, dtype=bool)
        for c, cell in zip(cols, r.cells):
            match &= _cell_match(size, c, cell)
        take = match & (row < 0)
        out[take] = literal(r.result)
        row[take] = i
        hits += match
    if not first:
        twice = hits > 1
        rec.error(twice, "eval.ambiguous-rule", _("more than one row of {name} matches (hit unique)", name=what))
        out[twice] = np.nan if numeric else None
        row[twice] = -1
    rec.error((hits == 0) & ~any_missing, "eval.no-rule", _("no row of {name} matches", name=what))
    return out, row
