"""Expressions, numbers and quoted text printed back as canonical source."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from engine import nodes as n

_NUMBER = re.compile(r"-?\d+(_\d+)*(\.\d+)?([eE][+-]?\d+)?")
_PERCENT = re.compile(r"-?\d+(_\d+)*(\.\d+)?%")

# Binding strength, loosest first.  An operand printed where a tighter form is
# required gets parentheses; nothing else does.
IF, OR, AND, NOT, CMP, SUM, PROD, NEG, ATOM = range(9)
_LEFT_ASSOC = {"or": OR, "and": AND, "+": SUM, "-": SUM, "*": PROD, "/": PROD}
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


def num(x: n.Num) -> str:
    """The author's spelling when it still denotes the value, else a plain decimal."""
    if x.text and _spelled(x.text, x.percent) == x.value:
        return x.text
    value = x.value
    if x.percent:  # shift the exponent instead of multiplying: exact at any precision
        sign, digits, exp = value.as_tuple()
        value = Decimal((sign, digits, exp + 2)) if isinstance(exp, int) else value
    body = format(value.copy_abs(), "f")
    if "." in body:
        body = body.rstrip("0").rstrip(".")
    return ("-" if value < 0 else "") + body + ("%" if x.percent else "")


def _spelled(text: str, percent: bool) -> Decimal | None:
    """The value the parser gives ``text`` (same arithmetic), or None if it is not a number."""
    if not (_PERCENT if percent else _NUMBER).fullmatch(text):
        return None
    negative = text.startswith("-")
    try:
        value = Decimal(text.lstrip("-").rstrip("%").replace("_", ""))
        if percent:
            value = value / 100
    except (InvalidOperation, ArithmeticError):
        return None
    return value.copy_negate() if negative else value


def quote(text: str) -> str:
    """A string literal; the lexer reads ``\\x`` as ``x``, so only ``\\`` and ``"`` need escapes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Replaces a name in printed text (explanations show a formula with the numbers it read); the
# name ``raw:x`` stands for ``raw(x)``.  None keeps the name.
Subst = Callable[[str], "str | None"]


def expr(e: n.Expr, need: int = IF, subst: Subst | None = None) -> str:
    """``e`` as source, parenthesised if it binds looser than ``need``; ``subst`` may replace names."""
    text, strength = _expr(e, subst)
    return f"({text})" if strength < need else text


def _expr(e: n.Expr, subst: Subst | None) -> tuple[str, int]:
    def sub(x: n.Expr, need: int = IF) -> str:
        return expr(x, need, subst)

    if isinstance(e, n.Num):
        text = num(e)
        return text, NEG if text.startswith("-") else ATOM
    if isinstance(e, n.Str):
        return quote(e.value), ATOM
    if isinstance(e, n.Bool):
        return ("true" if e.value else "false"), ATOM
    if isinstance(e, n.Ref):
        got = subst(e.name) if subst is not None else None
        return (e.name if got is None else got), ATOM
    if isinstance(e, n.Absent):
        return "missing", ATOM
    if isinstance(e, n.Wildcard):
        return "_", ATOM
    if isinstance(e, n.Call):
        if subst is not None and e.func == "raw" and e.args and isinstance(e.args[0], n.Ref):
            got = subst("raw:" + e.args[0].name)
            if got is not None:
                return got, ATOM
        by = f" by {e.by.name}" if e.by is not None else ""
        # A population statistic reads the whole column, not this row's value: its argument is not replaced.
        args = (expr(a) if e.func in n.POPULATION_FUNCTIONS else sub(a) for a in e.args)
        return f"{e.func}({', '.join(args)}){by}", ATOM
    if isinstance(e, n.Unary):
        if e.op == "not":
            return "not " + sub(e.operand, NOT), NOT
        operand = sub(e.operand, NEG)
        return ("- " if operand.startswith("-") else "-") + operand, NEG  # `- -a`, never `--a`
    if isinstance(e, n.IfElse):
        return f"if {sub(e.cond)} then {sub(e.then)} else {sub(e.otherwise)}", IF
    if isinstance(e, n.InList):
        return f"{sub(e.operand, SUM)} in ({', '.join(sub(o) for o in e.options)})", CMP
    if isinstance(e, n.Binary):
        if e.op in COMPARISONS:  # non-associative: both sides are sums
            return f"{sub(e.left, SUM)} {e.op} {sub(e.right, SUM)}", CMP
        strength = _LEFT_ASSOC[e.op]
        # left-associative: the right operand must bind tighter, so a - (b - c) keeps its parentheses
        return f"{sub(e.left, strength)} {e.op} {sub(e.right, strength + 1)}", strength
    raise TypeError(f"not an expression: {type(e).__name__}")


def better_text(b: n.Better, show: Callable[[n.Num], str] = num) -> str:
    """``higher``, ``lower``, ``within A .. B`` or ``lower within A .. B`` (bounds: numbers or names)."""
    if b.direction != "within" or b.lo is None or b.hi is None:
        return b.direction
    lo, hi = (x.name if isinstance(x, n.Ref) else show(x) for x in (b.lo, b.hi))
    return f"{'lower ' if b.sense == 'lower' else ''}within {lo} .. {hi}"
