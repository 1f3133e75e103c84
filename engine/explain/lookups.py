"""Calls in a formula replaced by what they gave one subject: table lookups and population
statistics, each with a line saying where its number came from (``engine.explain.build``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from engine import nodes as n
from engine.evaluate.decide import look_up
from engine.evaluate.events import Events, Recorder
from engine.evaluate.exprtext import to_text
from engine.explain import numbers as nb
from engine.explain.text import replace_calls
from engine.i18n import _


def looked_up(b: Any, expr: n.Node) -> tuple[n.Node, list[str]]:
    """``expr`` with each call of a table replaced by the number it gave this subject, and
    a line per call: ``lookup persen("Baik") gives 100 (row 1 of persen)``."""
    lines: list[str] = []

    def value(call: n.Call) -> n.Node | None:
        if call.func in n.POPULATION_FUNCTIONS:
            return statistic(b, call, lines)
        step = b.decls.get(call.func)
        if step is None or not isinstance(step.decl, n.Table):
            return None
        vals = [b.col(a.name) if isinstance(a, n.Ref) else getattr(a, "value", None) for a in call.args]
        cols = [np.array([v], dtype=object if v is None or isinstance(v, str) else np.float64) for v in vals]
        got, row = look_up(Recorder(Events(), 1), step.decl, cols, 1, call.func)
        args = ", ".join(nb.show(v, None) if not isinstance(v, Decimal) else str(v) for v in vals)
        shown = nb.show(got[0], None)
        call_text = f"{call.func}({args})"
        lines.append(_("lookup {call} gives {value} (row {k} of {table})", call=call_text, value=shown,
                       k=int(row[0]) + 1, table=call.func) if row[0] >= 0 else
                     _("lookup {call} gives {value} (no row matches)", call=call_text, value=shown))
        if isinstance(got[0], str) or nb.missing(got[0]):
            return n.Str(got[0]) if isinstance(got[0], str) else n.Absent()
        return n.Num(nb.dec(float(got[0])), text=shown)
    return replace_calls(expr, value), lines

def statistic(b: Any, call: n.Call, lines: list[str]) -> n.Node | None:
    """A population statistic's value for this subject, with a line saying over which group:
    ``statistic mean_of(nilai) by unit gives 85 (mean of 2 values, group unit = "U1")``."""
    from engine.evaluate.population import NAMES, group_codes, peer_groups_of, statistic

    arg = call.args[0] if call.args else None
    raw = isinstance(arg, n.Call) and arg.func == "raw" and bool(arg.args)
    ref = arg.args[0] if raw else arg  # type: ignore[union-attr]
    if not isinstance(ref, n.Ref) or ref.name not in b.r.steps:
        return None
    step = b.r.steps[ref.name]
    x = np.asarray(step.raw if raw and step.raw is not None else step.value, dtype=np.float64)
    by = call.by.name if call.by is not None else None
    key = None if by is None else b.r.agencies if by == "agency" else \
        peer_groups_of(b.r.plan_key, b.r.plans) if by == "peer_group" else \
        b.r.steps[by].value if by in b.r.steps else b.r.batch.columns.get(by)
    codes, keys = group_codes(key, x.size)
    code = codes[b.i]
    if code < 0:
        lines.append(_("statistic {call}: no group ({by} is missing)", call=to_text(call), by=by))
        return n.Absent()
    size = int(np.count_nonzero((codes == code) & ~np.isnan(x)))
    got = float(statistic(call.func, x, codes, len(keys))[b.i])
    group = _("group {by} = {key}", by=by, key=nb.show(keys[code], None)) if by is not None \
        else _("all subjects")
    shown = nb.show(got, None)
    lines.append(_("statistic {call} gives {value} ({name} of {size} values, {group})", call=to_text(call),
                   value=shown, name=_(NAMES[call.func]), size=size, group=group))
    return n.Absent() if nb.missing(got) else n.Num(nb.dec(got), text=shown)
