"""The state of one plan's evaluation over one batch: the columns computed so far."""

from __future__ import annotations

import numpy as np

from engine import nodes as n
from engine.batch import Batch
from engine.evaluate import numeric as num
from engine.evaluate.events import Events, Recorder
from engine.evaluate.expr import Col, Evaluator, ExprError, full, is_obj
from engine.evaluate.result import StepResult
from engine.i18n import _
from engine.plan import Plan


class EvalContext:
    """Step results by name, the batch, and the event recorder."""

    def __init__(self, plan: Plan, batch: Batch, given: Events | None = None):
        self.plan = plan
        self.batch = batch
        self.n = batch.n
        # ``given``: the events of steps taken from an earlier result (``engine.evaluate.given``)
        self.events = Events(list(given.chunks) if given is not None else [])
        self._given = len(self.events.chunks)
        self.rec = Recorder(self.events, self.n)
        self.steps: dict[str, StepResult] = {}
        # Raw values computed ahead of their indicator's step (a `raw(x)` read by x's own score):
        # name -> (raw column, rows the `zero` treatment covers).
        self.raws: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def recorded(self) -> Events:
        """The events this evaluation recorded (without the given ones)."""
        return Events(self.events.chunks[self._given:])

    def value(self, name: str) -> Col:
        """What a name yields in an expression (an indicator's score, a rating's label...)."""
        if name in self.steps:
            return self.steps[name].value
        if name in self.batch.columns:  # a data field not declared as input (e.g. a unit id)
            return self.batch.columns[name]
        raise ExprError(_("unknown name {name}", name=name))

    def raw(self, name: str) -> Col:
        step = self.steps.get(name)
        if step is not None and step.raw is not None:
            return step.raw
        if step is None and name not in self.raws and self._ahead(name):
            self._raw_ahead(name)
        if name in self.raws:
            return self.raws[name][0]
        return self.value(name)

    def _ahead(self, name: str) -> bool:
        try:
            return isinstance(self.plan.step(name).decl, n.Indicator)
        except KeyError:
            return False

    def _raw_ahead(self, name: str) -> None:
        """x's raw value before x's step (the plan put it later: its score reads the reader).

        Its events belong to x and to all rows, whatever branch the reader is in."""
        from engine.evaluate.scoring import indicator_raw  # scoring builds on this module

        rec, saved = self.rec, (self.rec.step, self.rec._live)
        rec.step, rec._live = name, []
        try:
            decl = self.plan.step(name).decl
            assert isinstance(decl, n.Indicator)
            self.raws[name] = indicator_raw(self, decl, name)
        finally:
            rec.step, rec._live = saved

    def evaluator(self, overrides: dict[str, Col] | None = None) -> Evaluator:
        if not overrides:
            return Evaluator(self.value, self.raw, self.rec, self.n, call=self.call)
        def lookup(name: str) -> Col:
            return overrides[name] if name in overrides else self.value(name)
        return Evaluator(lookup, self.raw, self.rec, self.n, call=self.call)

    def call(self, e: n.Call, args: list[Col], size: int, rec: Recorder | None = None) -> Col:
        """A population statistic over the whole batch, or a table called on the arguments."""
        from engine.evaluate.decide import look_up  # decide builds on this module

        if e.func in n.POPULATION_FUNCTIONS:
            return self.population(e, full(args[0], size), rec or self.rec)
        decl = self.plan.step(e.func).decl
        if not isinstance(decl, n.Table):
            raise ExprError(_("{name} is not a table", name=e.func))
        out, _rows = look_up(rec or self.rec, decl, args, size, _("{func}() at line {line}", func=e.func,
                                                                   line=e.span.line))
        return out

    def population(self, e: n.Call, x: Col, rec: Recorder) -> np.ndarray:
        """``e.func`` of each row's group: every row of the batch, or the rows sharing ``e.by``'s value.
        The plan is evaluated in one pass over the batch when it uses these (``Plan.population``)."""
        from engine.evaluate.exprtext import to_text
        from engine.evaluate.population import SHARED, group_codes, statistic

        if is_obj(x):
            raise ExprError(_("line {line}: {func}() of a label", line=e.span.line, func=e.func))
        key = None if e.by is None else self.batch.agencies if e.by.name == "agency" \
            else np.full(self.n, self.plan.peer_group, dtype=object) if e.by.name == "peer_group" \
            else full(self.value(e.by.name), self.n)
        col = np.asarray(x, dtype=np.float64)
        shared, name = SHARED.get(), to_text(e)
        whole = shared.whole(name) if shared is not None else None
        if shared is not None:
            shared.gather(name, col, key)
        if whole is None:
            codes, keys = group_codes(key, self.n)
            out = statistic(e.func, col, codes, len(keys))
        else:  # a part of a run split by agency plan: the statistic of the whole batch
            all_x, all_key, rows = whole
            all_codes, keys = group_codes(all_key, all_x.size)
            out, codes = statistic(e.func, all_x, all_codes, len(keys))[rows], all_codes[rows]
        where = _("{func}() at line {line}", func=e.func, line=e.span.line)
        if e.by is not None:
            why = _("the agency's policy declares no peer_group") if e.by.name == "peer_group" \
                else _("{name} is missing", name=e.by.name)
            rec.decision(rec.live(codes < 0), "eval.no-group", _("{why}: {where} has no group", why=why, where=where))
        if e.func == "sd_of":
            rec.decision(rec.live((codes >= 0) & np.isnan(out)), "eval.no-spread",
                         _("{where}: fewer than two values in the group, no standard deviation", where=where))
        return out

    def column(self, name: str, label: bool = False) -> np.ndarray:
        """A submitted column; all missing when the batch does not have it."""
        col = self.batch.columns.get(name)
        if col is not None:
            return col if col.dtype == object else np.asarray(col, dtype=np.float64)
        return np.empty(self.n, dtype=object) if label else np.full(self.n, np.nan)


def missing_mask(col: np.ndarray) -> np.ndarray:
    return np.equal(col, None) if col.dtype == object else np.isnan(col)


def apply_missing(ctx: EvalContext, name: str, col: np.ndarray, treatment: n.Missing | None,
                  baseline: float | np.ndarray | None, skip: np.ndarray | None = None,
                  note_default: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Apply a declaration's own missing-data treatment to its value column.

    Returns the new column and the mask of rows that the ``zero`` treatment
    covers (for an indicator they score 0).  Rows in ``skip`` already carry a
    runtime error: an error is not missing data, so no treatment hides it.
    """
    missing = missing_mask(col)
    if skip is not None:
        missing &= ~skip
    zero = np.zeros(ctx.n, dtype=bool)
    if not missing.any():
        return col, zero
    t = treatment.treatment if treatment else "exclude"
    rec = ctx.rec
    if t == "fail":
        rec.error(missing, "eval.missing-refused", _("{name} is missing and its treatment is `missing fail`",
                                                     name=name))
        return col, zero
    if t == "zero":
        rec.decision(missing, "eval.missing-zero", _("{name} is missing: counted as {fill} (`{code}`)", name=name,
                                                     fill="0", code="missing zero"))
        return col, missing
    fill = None
    if t == "value" and treatment is not None and treatment.value is not None:
        fill = num.to_float(treatment.value.value)
        rec.decision(missing, "eval.missing-value", _("{name} is missing: {fill} used (`missing value`)", name=name,
                                                      fill=f"{fill:g}"))
    elif t == "baseline" and isinstance(baseline, np.ndarray):  # `baseline FIELD`: each row's own
        has = missing & ~np.isnan(baseline)
        rec.decision(has, "eval.missing-baseline", _("{name} is missing: its row's baseline used", name=name))
        out = col.copy()
        out[has] = baseline[has]
        missing = missing & ~has
        if not np.any(missing):
            return out, zero
        col = out
    elif t == "baseline" and baseline is not None:
        fill = baseline
        rec.decision(missing, "eval.missing-baseline", _("{name} is missing: baseline {fill} used", name=name,
                                                         fill=f"{baseline:g}"))
    if fill is None:
        if treatment is None and not note_default:  # an input or value that is simply absent
            return col, zero
        rec.decision(missing, "eval.missing-excluded",
                     _("{name} is missing: left out (`missing exclude`); its parent re-weights", name=name))
        return col, zero
    out = col.copy()
    out[missing] = fill
    return out, zero


def step_round(value: np.ndarray, places: n.Num | None) -> np.ndarray:
    return value if places is None else num.round_half_away(value, int(places.value))

