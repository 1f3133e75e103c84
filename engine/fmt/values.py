"""Attribute values, bands, table rows, quota rules and constraints as one line of policy text.

The formatter's spelling (``kinerja fmt`` writes these lines through ``engine.fmt.layout``), so
a changed attribute in a diff, a node in ``kinerja graph`` and a row in an override message read
exactly as the policy file does.
"""

from __future__ import annotations

from engine import nodes as n
from engine.fmt.expr import better_text, expr, num, quote

# The keyword an attribute is written with when it is not the attribute's own name.
_KEYWORDS: dict[type, str] = {n.Scoring: "score", n.Missing: "missing", n.Better: "better", n.ValueType: "type"}


def cited(node: n.Node) -> str:
    """`` ref "..."`` closing a line, or nothing."""
    ref = getattr(node, "ref", None)
    return f" ref {quote(ref.value)}" if ref is not None else ""


def dates(r: n.DateRange) -> str:
    return f"{r.start.isoformat()} .." + (f" {r.end.isoformat()}" if r.end is not None else "")


def value_text(v: object) -> str:
    """An attribute's value as written after its keyword (``40%``, ``higher``, ``value 0``...)."""
    if isinstance(v, n.Num):
        return num(v)
    if isinstance(v, n.Str):
        return quote(v.value)
    if isinstance(v, n.Word):
        return v.value
    if isinstance(v, n.Ref):  # `target NAME` / `baseline NAME`: a per-subject field
        return v.name
    if isinstance(v, n.Interval):
        return f"{num(v.lo)} .. {num(v.hi)}"
    if isinstance(v, n.Better):
        return better_text(v)
    if isinstance(v, n.Missing):
        return f"value {num(v.value)}" if v.value is not None else v.treatment
    if isinstance(v, n.ValueType):
        return f"one of ({', '.join(quote(o) for o in v.options)})" if v.name == "category" else v.name
    if isinstance(v, n.DateRange):
        return dates(v)
    if isinstance(v, n.DateLit):
        return v.value.isoformat()
    if isinstance(v, n.Scoring):
        return scoring_text(v)
    if isinstance(v, tuple):
        return ", ".join(value_text(x) for x in v)
    if isinstance(v, n.Node):
        return expr(v)  # type: ignore[arg-type]
    return str(v)


def attribute_text(name: str, v: n.Node) -> str:
    """``weight 40%``, ``score ratio cap 120``, ``target target_iku``: an attribute as one line."""
    return f"{_KEYWORDS.get(type(v), name.removesuffix('_field'))} {value_text(v)}"


def scoring_text(s: n.Scoring) -> str:
    """``ratio cap 120``, ``goalposts 0 .. 100``, ``formula ...``; a piecewise method on one line."""
    if s.method == "formula" and s.formula is not None:
        return "formula " + expr(s.formula)
    text = s.method
    if s.method == "piecewise":
        text += " { " + "; ".join(case_text(c) for c in s.cases) + " }"
    if s.lo is not None and s.hi is not None:
        text += f" {num(s.lo)} .. {num(s.hi)}"
    return text + (f" cap {num(s.cap)}" if s.cap is not None else "")


def case_text(c: n.Case) -> str:
    text = f"otherwise {expr(c.then)}" if c.when is None else f"when {expr(c.when)} -> {expr(c.then)}"
    return text + cited(c)


def band_text(b: n.Band, width: int = -1) -> str:
    """``"Label" when >= 90 and < 110 if gate``, labels padded to ``width`` so bands align;
    without a width, the band's condition alone (a band is known by its label)."""
    text = "" if width < 0 else quote(b.label.value).ljust(width) + " "
    text += "otherwise" if b.otherwise else "when " + " and ".join(f"{x.op} {num(x.value)}" for x in b.bounds)
    return text + (f" if {expr(b.gate)}" if b.gate is not None else "") + cited(b)


def cell_text(c: n.Node) -> str:
    """A table cell: ``_`` (any value), a number or a value."""
    if isinstance(c, n.Wildcard):
        return "_"
    return num(c) if isinstance(c, n.Num) else expr(c)  # type: ignore[arg-type]


def row_text(r: n.Row) -> str:
    return ", ".join(cell_text(c) for c in r.cells) + " -> " + cell_text(r.result) + cited(r)


def rule_text(r: n.QuotaRule) -> str:
    return ("" if r.where is None else f"where {expr(r.where)} ") + f"require {expr(r.require)}" + cited(r)


def constraint_text(c: n.Constraint) -> str:
    """``weight(kepuasan) in 10% .. 30%`` (after the keyword ``constraint``)."""
    head = f"{c.field.value}({c.target.name})"
    if c.op == "in" and c.lo is not None and c.hi is not None:
        return f"{head} in {num(c.lo)} .. {num(c.hi)}" + cited(c)
    bound = c.lo if c.lo is not None else c.hi
    return (f"{head} {c.op} {num(bound)}" if bound is not None else head) + cited(c)


def header_text(h: n.Header) -> str:
    """``p "Label" version "1" ref "..."`` (after the keyword ``policy``)."""
    return h.name + (f" {quote(h.label)}" if h.label is not None else "") \
        + (f" version {quote(h.version)}" if h.version is not None else "") + cited(h)
