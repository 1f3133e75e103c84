"""What the AST builder's rule families share: spans, tokens, the attribute tables and the
``Rules`` base (the file path, the diagnostics collected, choices and attribute blocks checked)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lark import Token, Transformer, v_args

from engine import nodes as n
from engine.diagnostics import Diagnostic, did_you_mean, error
from engine.i18n import N_, _


def span_of(path: str, meta: Any) -> n.Span:
    if getattr(meta, "empty", True):
        return n.NO_SPAN
    return n.Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def tok_span(path: str, tok: Token) -> n.Span:
    return n.Span(path, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)


def unquote(tok: Token) -> str:
    return re.sub(r"\\(.)", r"\1", tok.value[1:-1])


def decimal(text: str) -> Decimal:
    """The exact value of a number token; NaN when its exponent is beyond what Decimal holds."""
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return Decimal("NaN")
    return value if value.is_finite() and abs(value.adjusted()) < 10_000 else Decimal("NaN")


# Which attributes each declaration accepts (attribute name -> Decl field).
_ATTRS: dict[str, tuple[str, ...]] = {
    "indicator": ("kind", "unit", "source", "owner", "range", "better", "baseline", "target",
                  "period", "deadline", "score", "missing", "round", "type", "ref"),
    "input": ("type", "unit", "source", "owner", "range", "missing", "ref"),
    "value": ("unit", "range", "missing", "round", "ref"),
    "node": ("weight", "aggregate", "missing", "require", "round", "ref"),
}
_UNKNOWN = {
    "kind": N_("`{word}` is not a known indicator kind"), "better": N_("`{word}` is not a known direction"),
    "aggregate": N_("`{word}` is not a known aggregation method"),
    "missing": N_("`{word}` is not a known missing-data treatment"), "hit": N_("`{word}` is not a known hit policy"),
    "subject": N_("`{word}` is not a known subject"), "type": N_("`{word}` is not a known value type"),
    "constraint": N_("`{word}` is not a known constrainable attribute"),
    "score": N_("`{word}` is not a known scoring method"),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": n.KINDS, "better": n.DIRECTIONS, "aggregate": n.AGGREGATIONS,
    "missing": n.TREATMENTS, "hit": n.HIT_POLICIES, "subject": n.SUBJECTS,
    "type": n.VALUE_TYPES, "constraint": n.CONSTRAINT_FIELDS,
    "score": ("ratio", "progress", "raw"),
}



@v_args(meta=True)
class Rules(Transformer):
    """The state and checks every rule family uses; shape errors go to ``diags``."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.diags: list[Diagnostic] = []
        # Calls of names that are not functions: a table of the file may be called (see `unknown_calls`).
        self.calls: list[tuple[str, Diagnostic]] = []

    # helpers ---------------------------------------------------------------
    def _sp(self, meta: Any) -> n.Span:
        return span_of(self.path, meta)

    def _choice(self, what: str, tok: Token, allowed: tuple[str, ...] | None = None) -> n.Word:
        allowed = allowed or _CHOICES[what]
        span = tok_span(self.path, tok)
        if tok.value not in allowed:
            self.diags.append(error(
                f"syntax.unknown-{what}", _(_UNKNOWN[what], word=tok.value), span,
                did_you_mean(tok.value, allowed) or _("use one of: {values}", values=", ".join(allowed))))
        return n.Word(tok.value, span=span)

    def _attrs(self, where: str, items: list[Any], decl: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key not in _ATTRS[where]:
                self.diags.append(error(
                    "syntax.attribute-not-allowed", _("`{key}` is not an attribute of {decl}", key=key, decl=decl),
                    value.span, _("allowed here: {keys}", keys=", ".join(_ATTRS[where]))))
            elif key in out:
                self.diags.append(error(
                    "syntax.duplicate-attribute", _("`{key}` is given twice", key=key), value.span,
                    _("keep one of them"), [label(out[key].span, _("first given here"))]))
            else:
                out[key] = value
        return out

    def _name(self, tok: Token) -> dict[str, Any]:
        return {"name": tok.value, "name_span": tok_span(self.path, tok)}


class Children:
    """The braces of a tree node, kept apart from its attributes until built."""

    def __init__(self, items: tuple[Any, ...]):
        self.items = items


def label(span: n.Span, message: str) -> Any:
    from engine.diagnostics import Label
    return Label(span, message)


def cited(cite: tuple[str, n.Str] | None) -> n.Str | None:
    return cite[1] if cite is not None else None


def inside(span: n.Span, block: n.Span) -> bool:
    return (block.line, block.column) <= (span.line, span.column) <= (block.end_line, block.end_column)


def opt_str(tok: Token | None) -> str | None:
    return unquote(tok) if tok is not None else None


def block_attrs(items: list[Any]) -> list[tuple[str, Any]]:
    return [x for x in items if isinstance(x, tuple)]


def cmp_bounds(op: str, value: n.Num) -> tuple[n.Num | None, n.Num | None]:
    if op in (">=", ">"):
        return value, None
    if op in ("<=", "<"):
        return None, value
    return value, value

