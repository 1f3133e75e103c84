"""Expressions back to policy text, optionally with names replaced by their numbers.

Used to name a quota rule in a violation and to show a formula with the actual
numbers substituted in an explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from engine import nodes as n

_PREC = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6}


def num_text(num: n.Num) -> str:
    if num.text:
        return num.text
    return dec_text(num.value * 100) + "%" if num.percent else dec_text(num.value)


def dec_text(d: Decimal) -> str:
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_text(e: n.Node | None, subst: Callable[[str], str | None] | None = None) -> str:
    """Policy text of ``e``; ``subst(name)`` may return a replacement for a name."""
    return "" if e is None else _text(e, subst, 0)


def _text(e: n.Node, subst: Callable[[str], str | None] | None, outer: int) -> str:
    if isinstance(e, n.Num):
        return num_text(e)
    if isinstance(e, n.Str):
        return '"' + e.value.replace('"', '\\"') + '"'
    if isinstance(e, n.Bool):
        return "true" if e.value else "false"
    if isinstance(e, n.Wildcard):
        return "_"
    if isinstance(e, n.Absent):
        return "missing"
    if isinstance(e, n.Ref):
        got = subst(e.name) if subst else None
        return got if got is not None else e.name
    if isinstance(e, n.Unary):
        inner = _text(e.operand, subst, 7)
        return f"-{inner}" if e.op == "-" else f"not {inner}"
    if isinstance(e, n.Binary):
        p = _PREC.get(e.op, 3)
        out = f"{_text(e.left, subst, p)} {e.op} {_text(e.right, subst, p + 1)}"
        return f"({out})" if p < outer else out
    if isinstance(e, n.Call):
        if e.func == "raw" and e.args and isinstance(e.args[0], n.Ref) and subst is not None:
            got = subst("raw:" + e.args[0].name)
            if got is not None:
                return got
        by = f" by {e.by.name}" if e.by is not None else ""
        inner = None if e.func in n.POPULATION_FUNCTIONS else subst  # a statistic reads the column, not this row
        return f"{e.func}({', '.join(_text(a, inner, 0) for a in e.args)}){by}"
    if isinstance(e, n.IfElse):
        out = f"if {_text(e.cond, subst, 0)} then {_text(e.then, subst, 0)} else {_text(e.otherwise, subst, 0)}"
        return f"({out})" if outer else out
    if isinstance(e, n.InList):
        return f"{_text(e.operand, subst, 4)} in ({', '.join(_text(o, subst, 0) for o in e.options)})"
    return type(e).__name__
