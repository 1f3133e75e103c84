"""Explanation text for the calls in a formula, read from the evaluated columns with the evaluator's
own functions (never a second computation of its own):

* a table called on named inputs: ``; persen("Baik") = 100 (row 1)``;
* a population statistic, with its group and the group's size:
  ``; mean_of(nilai) by unit = 85 (mean of 2 values, group unit = "U1")``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine import nodes as n
from engine.evaluate.decide import look_up
from engine.evaluate.events import Events, Recorder
from engine.evaluate.exprtext import to_text
from engine.evaluate.population import NAMES, group_codes, statistic
from engine.evaluate.result import Result
from engine.plan import Step

Show = Callable[[object], str]


def call_notes(r: Result, row: int, expr: n.Node, steps: dict[str, Step], value: Callable[[str], object],
               subst: Callable[[str], str | None], show: Show) -> str:
    """The notes of every population statistic and table lookup in ``expr``, for one subject's row."""
    calls = [c for c in expr.walk() if isinstance(c, n.Call)]
    out = [population_note(r, row, c, show) for c in calls if c.func in n.POPULATION_FUNCTIONS]
    for call in calls:
        step = steps.get(call.func)
        if step is None or not isinstance(step.decl, n.Table):
            continue
        vals = [value(a.name) if isinstance(a, n.Ref) else getattr(a, "value", None) for a in call.args]
        cols = [np.array([v], dtype=object if v is None or isinstance(v, str) else np.float64) for v in vals]
        got, hit = look_up(Recorder(Events(), 1), step.decl, cols, 1, call.func)
        which = f" (row {int(hit[0]) + 1})" if hit[0] >= 0 else ""
        out.append(f"; {to_text(call, subst)} = {show(got[0])}{which}")
    return "".join(out)


def population_note(r: Result, row: int, call: n.Call, show: Show) -> str:
    """``; STATISTIC = VALUE (NAME of SIZE values, GROUP)`` for one subject's row."""
    arg = call.args[0] if call.args else None
    if not isinstance(arg, n.Ref) or arg.name not in r.steps:
        return f"; {to_text(call)}: a statistic over the group"
    x = np.asarray(r.steps[arg.name].value, dtype=np.float64)
    by = call.by.name if call.by is not None else None
    key = None if by is None else r.agencies if by == "agency" else \
        r.steps[by].value if by in r.steps else r.batch.columns.get(by)
    codes, keys = group_codes(key, x.size)
    code = codes[row]
    if code < 0:
        return f"; {to_text(call)}: no group ({by} is missing)"
    size = int(np.count_nonzero((codes == code) & ~np.isnan(x)))
    got = statistic(call.func, x, codes, len(keys))[row]
    group = f"group {by} = {show(keys[code])}" if by is not None else "all subjects"
    return f"; {to_text(call)} = {show(got)} ({NAMES[call.func]} of {size} values, {group})"
