"""Layouts of subject levels: ``level NAME "Label" of LEVEL by FIELD role FIELD {`` with its
``aggregate`` lines and declarations, like an agency block."""

from __future__ import annotations

from engine import nodes as n
from engine.fmt.expr import expr, num, quote
from engine.fmt.render import Line
from engine.levels.nodes import Aggregate, Level


def level(lv: Level) -> Line:
    from engine.fmt.layout import block, lay_out

    text = f"level {lv.name}" + (f" {quote(lv.label)}" if lv.label is not None else "")
    text += f" of {lv.of.name}" if lv.of is not None else ""
    text += f" by {lv.by.name}" if lv.by is not None else ""
    text += f" role {lv.role.name}" if lv.role is not None else ""
    header = [lv.name_span] + [r.span for r in (lv.of, lv.by, lv.role) if r is not None]
    return block(text, lv, header, [lay_out(d) for d in lv.items], kind="level", spaced=True)


def aggregate(a: Aggregate) -> Line:
    """``aggregate NAME "Label" = FUNC(ARG) role "r" missing T require P round D`` on one line."""
    from engine.fmt.layout import single

    text = f"aggregate {a.name}" + (f" {quote(a.label)}" if a.label is not None else "")
    text += f" = {a.func}({expr(a.arg) if a.arg is not None else ''})"
    if a.roles:
        text += " role " + ", ".join(quote(r.value) for r in a.roles)
    if a.missing is not None:
        m = a.missing
        text += f" missing value {num(m.value)}" if m.treatment == "value" and m.value is not None \
            else f" missing {m.treatment}"
    text += f" require {num(a.require)}" if a.require is not None else ""
    text += f" round {num(a.round)}" if a.round is not None else ""
    return single(text, a, "aggregate")


LAYOUTS: dict[type, object] = {Level: level, Aggregate: aggregate}
__all__ = ["LAYOUTS", "aggregate", "level", "n"]
