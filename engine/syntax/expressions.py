"""The builder's rules for expressions: literals, names, calls, operators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lark import Token, v_args

from engine import nodes as n
from engine.diagnostics import Diagnostic, did_you_mean, error
from engine.i18n import _
from engine.levels.nodes import Level
from engine.syntax.base import (
    Rules,
    decimal,
    inside,
    tok_span,
    unquote,
)


@v_args(meta=True)
class ExpressionRules(Rules):
    """The builder's rules for expressions: literals, names, calls, operators."""

    def number(self, meta: Any, c: list[Any]) -> n.Num:
        sign, tok = c
        return self._num(tok, negative=sign is not None, span=self._sp(meta))

    def literal(self, meta: Any, c: list[Any]) -> n.Num:
        return self._num(c[0], negative=False, span=self._sp(meta))

    def _num(self, tok: Token, negative: bool, span: n.Span) -> n.Num:
        percent = tok.type == "PERCENT"
        value = decimal(tok.value.rstrip("%"))
        if value.is_nan():
            self.diags.append(error("syntax.number-out-of-range",
                                    _("`{text}` is too large or too small a number", text=tok.value),
                                    span, _("write a number with an exponent between -9999 and 9999")))
            value = Decimal(0)
        if percent:
            value = value / 100
        text = ("-" if negative else "") + tok.value
        return n.Num(value.copy_negate() if negative else value, percent, text=text, span=span)

    def string(self, meta: Any, c: list[Any]) -> n.Str:
        return n.Str(unquote(c[0]), span=self._sp(meta))

    def absent(self, meta: Any, c: list[Any]) -> n.Absent:
        return n.Absent(span=self._sp(meta))

    def true(self, meta: Any, c: list[Any]) -> n.Bool:
        return n.Bool(True, span=self._sp(meta))

    def false(self, meta: Any, c: list[Any]) -> n.Bool:
        return n.Bool(False, span=self._sp(meta))

    def name(self, meta: Any, c: list[Any]) -> n.Ref:
        return n.Ref(c[0].value, span=self._sp(meta))

    def call(self, meta: Any, c: list[Any]) -> n.Call:
        func, *args = c
        args = [a for a in args if a is not None]
        span = self._sp(meta)
        if func.value not in n.FUNCTIONS:
            self.calls.append((func.value, error(
                "syntax.unknown-function", _("there is no function or table `{name}`", name=func.value),
                tok_span(self.path, func),
                did_you_mean(func.value, n.FUNCTIONS)
                or _("functions: {names}", names=", ".join(sorted(n.FUNCTIONS))))))
        else:
            lo, hi = n.FUNCTIONS[func.value]
            if len(args) < lo or (hi is not None and len(args) > hi):
                takes = _("`{name}` takes {want} argument(s), got {got}") if lo == hi else \
                    _("`{name}` takes at least {want} argument(s), got {got}")
                self.diags.append(error("syntax.arity", takes.format(name=func.value, want=lo, got=len(args)), span,
                                        _("write round(x, 2) for two decimals") if func.value == "round" else None))
        return n.Call(func.value, tuple(args), span=span)

    def call_by(self, meta: Any, c: list[Any]) -> n.Call:
        *head, field = c
        call = self.call(meta, head)
        by = n.Ref(field.value, span=tok_span(self.path, field))
        if call.func not in n.POPULATION_FUNCTIONS:
            self.diags.append(error("syntax.by-not-allowed", _("`{name}` does not take `by`", name=call.func), by.span,
                                    _("`by FIELD` groups a population function: {names}",
                                      names=", ".join(n.POPULATION_FUNCTIONS))))
        return n.Call(call.func, call.args, by, span=call.span)

    def unknown_calls(self, items: list[Any]) -> list[Diagnostic]:
        """Calls of names that are neither a function nor a table of this file (agency blocks included).

        A call inside an agency block may name a table of the national file it extends, which only
        the merged module knows: the checker's ``check.unknown-name`` reports it if there is none."""
        tables = {d.name for d in items if isinstance(d, n.Table)}
        tables |= {d.name for a in items if isinstance(a, n.Agency) for d in a.overrides if isinstance(d, n.Table)}
        tables |= {d.name for lv in items if isinstance(lv, Level) for d in lv.items if isinstance(d, n.Table)}
        blocks = [a.span for a in items if isinstance(a, n.Agency)]
        return [d for name, d in self.calls if name not in tables and not any(inside(d.span, b) for b in blocks)]

    def if_else(self, meta: Any, c: list[Any]) -> n.IfElse:
        return n.IfElse(c[0], c[1], c[2], span=self._sp(meta))

    def or_(self, meta: Any, c: list[Any]) -> n.Binary:
        return n.Binary("or", c[0], c[1], span=self._sp(meta))

    def and_(self, meta: Any, c: list[Any]) -> n.Binary:
        return n.Binary("and", c[0], c[1], span=self._sp(meta))

    def not_(self, meta: Any, c: list[Any]) -> n.Unary:
        return n.Unary("not", c[0], span=self._sp(meta))

    def neg(self, meta: Any, c: list[Any]) -> n.Unary:
        return n.Unary("-", c[1], span=self._sp(meta))

    def compare(self, meta: Any, c: list[Any]) -> n.Binary:
        return n.Binary(c[1].value, c[0], c[2], span=self._sp(meta))

    def binary(self, meta: Any, c: list[Any]) -> n.Binary:
        return n.Binary(c[1].value, c[0], c[2], span=self._sp(meta))

    def in_list(self, meta: Any, c: list[Any]) -> n.InList:
        return n.InList(c[0], tuple(c[1:]), span=self._sp(meta))


