"""Declarations laid out as ``Line`` trees in canonical order and spelling."""

from __future__ import annotations

from engine import nodes as n
from engine.fmt.expr import expr, num, quote
from engine.fmt.render import Line, Pos
from engine.fmt.values import (
    attribute_text,
    band_text,
    case_text,
    cell_text,
    cited,
    constraint_text,
    dates,
    header_text,
    rule_text,
)

# One canonical attribute order for every block (fields a declaration lacks are skipped).
ATTRIBUTE_ORDER = ("kind", "unit", "source", "owner", "range", "better", "baseline", "baseline_field", "target",
                   "target_field", "period", "deadline", "type", "score", "missing", "round", "ref")
NODE_ATTRIBUTE_ORDER = ("weight", "aggregate", "missing", "require", "round", "ref")


def _start(span: n.Span) -> Pos | None:
    return (span.line, span.column) if span.line > 0 else None


def _end(span: n.Span) -> Pos | None:
    return (span.end_line, max(1, span.end_column - 1)) if span.line > 0 else None


def single(text: str, node: n.Node, kind: str = "") -> Line:
    return Line(text, _start(node.span), _end(node.span), kind=kind)


def block(text: str, node: n.Node, header: list[n.Span], body: list[Line], **kw: object) -> Line:
    """A line opening ``{ body }``; ``header`` are the spans printed on the opening line."""
    start = _start(node.span)
    ends = [e for e in (_end(s) for s in header) if e is not None]
    end = max(ends, default=start) if start else None
    close = Line("}", _end(node.span), _end(node.span))
    return Line(text, start, end, body=body, close=close, **kw)  # type: ignore[arg-type]


def _named(keyword: str, d: n.Decl, label: str | None) -> str:
    return f"{keyword} {d.name}" + (f" {quote(label)}" if label is not None else "")


def _ref_span(node: n.Decl) -> list[n.Span]:
    return [node.ref.span] if node.ref is not None else []


def lay_out(item: n.Node) -> Line:
    """The ``Line`` of one top-level item or agency override."""
    if isinstance(item, n.Header):
        return single("policy " + header_text(item), item, "header")
    if isinstance(item, n.PeriodDecl):
        return single("period " + dates(item.range), item, "header")
    if isinstance(item, n.SubjectDecl):
        return single("subject " + item.kind.value, item, "header")
    if isinstance(item, n.Constraint):
        return single("constraint " + constraint_text(item), item, "constraint")
    for cls, fn in _LAYOUTS.items():
        if isinstance(item, cls):
            return fn(item)
    raise TypeError(f"cannot format {type(item).__name__}")


def _measure(d: n.Indicator | n.Input | n.Value) -> Line:
    """Indicator, input or value: a header with an optional formula, then one attribute per line."""
    keyword = type(d).__name__.lower()
    text = _named(keyword, d, d.label)
    formula = getattr(d, "formula", None)
    if formula is not None:
        text += " = " + expr(formula)
    header = [d.name_span] + ([formula.span] if formula is not None else [])
    attrs = [_attribute(name, getattr(d, name)) for name in ATTRIBUTE_ORDER
             if getattr(d, name, None) is not None]
    if not attrs and not isinstance(d, n.Indicator):  # braces are optional on inputs and values
        return single(text, d, keyword)
    return block(text, d, header, attrs, short=True, kind=keyword)


def _attribute(name: str, v: n.Node) -> Line:
    if isinstance(v, n.Scoring) and v.method == "piecewise":
        return block("score piecewise", v, [], [_case(c) for c in v.cases])
    return single(attribute_text(name, v), v)


def _case(c: n.Case) -> Line:
    return single(case_text(c), c)


# ------------------------------------------------------------------ scorecards


def _node_attrs(t: n.Tree | n.Leaf) -> tuple[str, list[n.Span]]:
    parts, spans = [], []
    for name in NODE_ATTRIBUTE_ORDER:
        v = getattr(t, name, None)
        if v is not None:
            parts.append(" " + attribute_text(name, v))
            spans.append(v.span)
    return "".join(parts), spans


def _tree(t: n.Tree) -> Line:
    attrs, spans = _node_attrs(t)
    text = _named(t.level, t, t.label) + attrs
    if t.children is None:
        return single(text, t, t.level)
    return block(text, t, [t.name_span, *spans], [_child(c) for c in t.children], kind=t.level)


def _child(c: n.Tree | n.Leaf) -> Line:
    if isinstance(c, n.Leaf):
        return single(c.name + _node_attrs(c)[0], c)
    return _tree(c)


# ------------------------------------------------------------ ratings and tables


def _rating(r: n.Rating) -> Line:
    text = _named("rating", r, r.label) + (f" of {r.of}" if r.of is not None else "")
    if r.round is not None:
        text += f" round {num(r.round)}"
    text += cited(r)
    width = max((len(quote(b.label.value)) for b in r.bands), default=0)
    bands = [single(band_text(b, width), b) for b in r.bands]
    header = [r.name_span, r.of_span] + ([r.round.span] if r.round is not None else []) + _ref_span(r)
    return block(text, r, header, bands, kind="rating")


def _table(t: n.Table) -> Line:
    text = _named("table", t, t.label) + (" (" + ", ".join(i.name for i in t.inputs) + ")" if t.inputs else "")
    if t.hit is not None:
        text += " hit " + t.hit.value
    text += cited(t)
    cells = [[cell_text(c) for c in row.cells] for row in t.rows]
    widths: dict[int, int] = {}
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths.get(i, 0), len(c) + (1 if i < len(row) - 1 else 0))
    rows = []
    for row, src in zip(cells, t.rows):
        columns = [(c + ("," if i < len(row) - 1 else "")).ljust(widths[i]) for i, c in enumerate(row)]
        rows.append(single(" ".join(columns) + " -> " + cell_text(src.result) + cited(src), src))
    header = [t.name_span, *(i.span for i in t.inputs)] + ([t.hit.span] if t.hit is not None else []) + _ref_span(t)
    return block(text, t, header, rows, kind="table")


# ----------------------------------------------------- quotas, bounds, agencies


def _quota(q: n.Quota) -> Line:
    text = _named("quota", q, q.label) + (f" by {q.by.name}" if q.by is not None else "") + cited(q)
    rules = [single(rule_text(r), r) for r in q.rules]
    header = [q.name_span] + ([q.by.span] if q.by is not None else []) + _ref_span(q)
    return block(text, q, header, rules, kind="quota")


def _agency(a: n.Agency) -> Line:
    text = _named("agency", a, a.label) + (f" extends {quote(a.extends.value)}" if a.extends is not None else "")
    text += cited(a)
    body = [single(f"peer_group {a.peer_group.value}", a.peer_group, "peer_group")] if a.peer_group else []
    body += [lay_out(d) for d in a.overrides]
    header = [a.name_span] + ([a.extends.span] if a.extends is not None else []) + _ref_span(a)
    return block(text, a, header, body, kind="agency", spaced=True)


def _benchmark(b: n.Benchmark) -> Line:
    """``benchmark node by field within field {`` then one ``reference "Label" N source "..."`` per line."""
    text = f"benchmark {b.target.name}"
    text += f" by {b.by.name}" if b.by is not None else ""
    text += f" within {b.within.name}" if b.within is not None else ""
    refs = [single(f"reference {quote(r.label.value)} {num(r.value)}"
                    + (f" source {quote(r.source.value)}" if r.source is not None else ""), r)
            for r in b.references]
    header = [b.target.span] + [x.span for x in (b.by, b.within) if x is not None]
    return block(text, b, header, refs, kind="benchmark")


_LAYOUTS = {n.Benchmark: _benchmark, n.Indicator: _measure, n.Input: _measure, n.Value: _measure, n.Tree: _tree,
            n.Rating: _rating, n.Table: _table, n.Quota: _quota, n.Agency: _agency}


def _register_levels() -> None:
    from engine.fmt.levels import LAYOUTS

    _LAYOUTS.update(LAYOUTS)  # type: ignore[arg-type]


_register_levels()
