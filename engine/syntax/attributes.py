"""The builder's rules for attribute values: kind, unit, range, targets, scoring, missing data, ref."""

from __future__ import annotations

from typing import Any

from lark import Token, v_args

from engine import nodes as n
from engine.syntax.base import (
    Rules,
    cited,
    tok_span,
    unquote,
)


@v_args(meta=True)
class AttributeRules(Rules):
    """The builder's rules for attribute values: kind, unit, range, targets, scoring, missing data, ref."""

    def kind(self, meta: Any, c: list[Any]) -> tuple[str, n.Word]:
        return "kind", self._choice("kind", c[0])

    def unit(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "unit", n.Str(unquote(c[0]), span=self._sp(meta))

    def source(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "source", n.Str(unquote(c[0]), span=self._sp(meta))

    def owner(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "owner", n.Str(unquote(c[0]), span=self._sp(meta))

    def range(self, meta: Any, c: list[Any]) -> tuple[str, n.Interval]:
        return "range", n.Interval(c[0], c[1], span=self._sp(meta))

    def better(self, meta: Any, c: list[Any]) -> tuple[str, n.Better]:
        word = self._choice("better", c[0], ("higher", "lower"))
        return "better", n.Better(word.value, span=self._sp(meta))

    def better_within(self, meta: Any, c: list[Any]) -> tuple[str, n.Better]:
        sense, lo, hi = c
        word = self._choice("better", sense, ("higher", "lower")).value if sense is not None else "higher"
        return "better", n.Better("within", self._limit(lo), self._limit(hi), word, span=self._sp(meta))

    def _limit(self, x: n.Num | Token) -> n.Num | n.Ref:
        """A range bound: a number, or the name of a per-subject input."""
        return n.Ref(x.value, span=tok_span(self.path, x)) if isinstance(x, Token) else x

    def baseline(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        return "baseline", c[0]

    def target(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        return "target", c[0]

    def baseline_field(self, meta: Any, c: list[Any]) -> tuple[str, n.Ref]:
        return "baseline", n.Ref(c[0].value, span=tok_span(self.path, c[0]))

    def target_field(self, meta: Any, c: list[Any]) -> tuple[str, n.Ref]:
        return "target", n.Ref(c[0].value, span=tok_span(self.path, c[0]))

    def deadline(self, meta: Any, c: list[Any]) -> tuple[str, n.DateLit]:
        return "deadline", n.DateLit(self._date(c[0]), span=self._sp(meta))

    def type(self, meta: Any, c: list[Any]) -> tuple[str, n.ValueType]:
        word = self._choice("type", c[0])
        return "type", n.ValueType(word.value, span=self._sp(meta))

    def type_category(self, meta: Any, c: list[Any]) -> tuple[str, n.ValueType]:
        opts = tuple(unquote(t) for t in c)
        return "type", n.ValueType("category", opts, span=self._sp(meta))

    def round(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        tok = c[0]
        return "round", self._num(tok, negative=False, span=tok_span(self.path, tok))

    def weight(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        return "weight", c[0]

    def aggregate(self, meta: Any, c: list[Any]) -> tuple[str, n.Word]:
        return "aggregate", self._choice("aggregate", c[0])

    def require(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        return "require", c[0]

    def missing(self, meta: Any, c: list[Any]) -> tuple[str, n.Missing]:
        word = self._choice("missing", c[0], tuple(t for t in n.TREATMENTS if t != "value"))
        return "missing", n.Missing(word.value, span=self._sp(meta))

    def missing_value(self, meta: Any, c: list[Any]) -> tuple[str, n.Missing]:
        return "missing", n.Missing("value", c[0], span=self._sp(meta))

    def cite(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "ref", n.Str(unquote(c[0]), span=self._sp(meta))

    def cap(self, meta: Any, c: list[Any]) -> n.Num:
        return c[0]

    def score_method(self, meta: Any, c: list[Any]) -> tuple[str, n.Scoring]:
        word = self._choice("score", c[0])
        return "score", n.Scoring(word.value, cap=c[1], span=self._sp(meta))

    def score_goalposts(self, meta: Any, c: list[Any]) -> tuple[str, n.Scoring]:
        self._choice("score", c[0], ("goalposts",))
        return "score", n.Scoring("goalposts", cap=c[3], lo=c[1], hi=c[2], span=self._sp(meta))

    def score_piecewise(self, meta: Any, c: list[Any]) -> tuple[str, n.Scoring]:
        return "score", n.Scoring("piecewise", cases=tuple(c), span=self._sp(meta))

    def score_formula(self, meta: Any, c: list[Any]) -> tuple[str, n.Scoring]:
        return "score", n.Scoring("formula", formula=c[0], span=self._sp(meta))

    def case(self, meta: Any, c: list[Any]) -> n.Case:
        return n.Case(c[0], c[1], ref=cited(c[2]), span=self._sp(meta))

    def case_otherwise(self, meta: Any, c: list[Any]) -> n.Case:
        return n.Case(None, c[0], ref=cited(c[1]), span=self._sp(meta))

    # scorecards -------------------------------------------------------------
