"""Building the AST from lark's parse tree; shape errors (unknown words, duplicate
attributes, arity) are collected as diagnostics."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lark import Token, v_args

from engine import nodes as n
from engine.diagnostics import Diagnostic, did_you_mean, error
from engine.i18n import N_, _, terms
from engine.levels.nodes import Level
from engine.syntax.levels import LevelBuilder


def _span_of(path: str, meta: Any) -> n.Span:
    if getattr(meta, "empty", True):
        return n.NO_SPAN
    return n.Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(path: str, tok: Token) -> n.Span:
    return n.Span(path, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)


def _unquote(tok: Token) -> str:
    return re.sub(r"\\(.)", r"\1", tok.value[1:-1])


def _decimal(text: str) -> Decimal:
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
class Builder(LevelBuilder):
    """Turns lark's parse tree into ``engine.nodes``; shape errors go to ``diags``."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.diags: list[Diagnostic] = []
        # Calls of names that are not functions: a table of the file may be called (see `unknown_calls`).
        self.calls: list[tuple[str, Diagnostic]] = []

    # helpers ---------------------------------------------------------------
    def _sp(self, meta: Any) -> n.Span:
        return _span_of(self.path, meta)

    def _choice(self, what: str, tok: Token, allowed: tuple[str, ...] | None = None) -> n.Word:
        allowed = allowed or _CHOICES[what]
        span = _tok_span(self.path, tok)
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
                    _("keep one of them"), [_label(out[key].span, _("first given here"))]))
            else:
                out[key] = value
        return out

    def _name(self, tok: Token) -> dict[str, Any]:
        return {"name": tok.value, "name_span": _tok_span(self.path, tok)}

    # top level -------------------------------------------------------------
    def start(self, meta: Any, items: list[Any]) -> list[Any]:
        return items

    def header(self, meta: Any, c: list[Any]) -> n.Header:
        name, label, version, cite = c
        return n.Header(**self._name(name), label=_opt_str(label), version=_opt_str(version), ref=_cited(cite),
                        span=self._sp(meta))

    def period(self, meta: Any, c: list[Any]) -> n.PeriodDecl:
        return n.PeriodDecl(self._date_range(meta, c), span=self._sp(meta))

    def valid_for(self, meta: Any, c: list[Any]) -> tuple[str, n.DateRange]:
        return "period", self._date_range(meta, c)

    def _date_range(self, meta: Any, c: list[Any]) -> n.DateRange:
        start, end = c
        return n.DateRange(self._date(start), self._date(end) if end else None, span=self._sp(meta))

    def subject(self, meta: Any, c: list[Any]) -> n.SubjectDecl:
        return n.SubjectDecl(self._choice("subject", c[0]), span=self._sp(meta))

    def _date(self, tok: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(tok.value)
        except ValueError:
            self.diags.append(error("syntax.bad-date", _("`{text}` is not a calendar date", text=tok.value),
                                    _tok_span(self.path, tok), _("write dates as YYYY-MM-DD")))
            return dt.date(1, 1, 1)

    # declarations ----------------------------------------------------------
    def indicator(self, meta: Any, c: list[Any]) -> n.Indicator:
        name, label, formula, *attrs = c
        kw = self._attrs("indicator", _block_attrs(attrs), terms.named("indicator", name))
        for word in ("target", "baseline"):  # `target NAME`: a per-subject field, kept apart from numbers
            if isinstance(kw.get(word), n.Ref):
                kw[f"{word}_field"] = kw.pop(word)
        return n.Indicator(**self._name(name), label=_opt_str(label), formula=formula, **kw, span=self._sp(meta))

    def input(self, meta: Any, c: list[Any]) -> n.Input:
        name, label, *attrs = c
        kw = self._attrs("input", _block_attrs(attrs), terms.named("input", name))
        return n.Input(**self._name(name), label=_opt_str(label), **kw, span=self._sp(meta))

    def value(self, meta: Any, c: list[Any]) -> n.Value:
        name, label, formula, *attrs = c
        kw = self._attrs("value", _block_attrs(attrs), terms.named("value", name))
        return n.Value(**self._name(name), label=_opt_str(label), formula=formula, **kw, span=self._sp(meta))

    # attributes: each returns (field, node) -----------------------------------
    def kind(self, meta: Any, c: list[Any]) -> tuple[str, n.Word]:
        return "kind", self._choice("kind", c[0])

    def unit(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "unit", n.Str(_unquote(c[0]), span=self._sp(meta))

    def source(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "source", n.Str(_unquote(c[0]), span=self._sp(meta))

    def owner(self, meta: Any, c: list[Any]) -> tuple[str, n.Str]:
        return "owner", n.Str(_unquote(c[0]), span=self._sp(meta))

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
        return n.Ref(x.value, span=_tok_span(self.path, x)) if isinstance(x, Token) else x

    def baseline(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        return "baseline", c[0]

    def target(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        return "target", c[0]

    def baseline_field(self, meta: Any, c: list[Any]) -> tuple[str, n.Ref]:
        return "baseline", n.Ref(c[0].value, span=_tok_span(self.path, c[0]))

    def target_field(self, meta: Any, c: list[Any]) -> tuple[str, n.Ref]:
        return "target", n.Ref(c[0].value, span=_tok_span(self.path, c[0]))

    def deadline(self, meta: Any, c: list[Any]) -> tuple[str, n.DateLit]:
        return "deadline", n.DateLit(self._date(c[0]), span=self._sp(meta))

    def type(self, meta: Any, c: list[Any]) -> tuple[str, n.ValueType]:
        word = self._choice("type", c[0])
        return "type", n.ValueType(word.value, span=self._sp(meta))

    def type_category(self, meta: Any, c: list[Any]) -> tuple[str, n.ValueType]:
        opts = tuple(_unquote(t) for t in c)
        return "type", n.ValueType("category", opts, span=self._sp(meta))

    def round(self, meta: Any, c: list[Any]) -> tuple[str, n.Num]:
        tok = c[0]
        return "round", self._num(tok, negative=False, span=_tok_span(self.path, tok))

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
        return "ref", n.Str(_unquote(c[0]), span=self._sp(meta))

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
        return n.Case(c[0], c[1], ref=_cited(c[2]), span=self._sp(meta))

    def case_otherwise(self, meta: Any, c: list[Any]) -> n.Case:
        return n.Case(None, c[0], ref=_cited(c[1]), span=self._sp(meta))

    # scorecards -------------------------------------------------------------
    def scorecard(self, meta: Any, c: list[Any]) -> n.Tree:
        name, label, *rest = c
        return self._tree(meta, "scorecard", name, label, rest)

    def group(self, meta: Any, c: list[Any]) -> n.Tree:
        level, name, label, *rest = c
        return self._tree(meta, level.value, name, label, rest)

    def _tree(self, meta: Any, level: str, name: Token, label: Token | None, rest: list[Any]) -> n.Tree:
        *attrs, children = rest
        kw = self._attrs("node", attrs, terms.named(level, name))
        return n.Tree(**self._name(name), level=level, label=_opt_str(label), **kw,
                      children=None if children is None else children.items, span=self._sp(meta))

    def children(self, meta: Any, c: list[Any]) -> _Children:
        return _Children(tuple(c))

    def leaf(self, meta: Any, c: list[Any]) -> n.Leaf:
        name, *attrs = c
        kw = self._attrs("node", attrs, f"`{name}`")  # a reference to a declaration
        bad = {k: v for k, v in kw.items() if k not in ("weight", "missing", "ref")}
        for key, value in bad.items():
            self.diags.append(error("syntax.attribute-not-allowed",
                                    _("`{key}` belongs on the indicator or a group, not on a reference", key=key),
                                    value.span, _("move `{key}` into the declaration of `{name}`", key=key,
                                                  name=name)))
        kw = {k: v for k, v in kw.items() if k not in bad}
        return n.Leaf(**self._name(name), **kw, span=self._sp(meta))

    # ratings and tables ----------------------------------------------------
    def rating(self, meta: Any, c: list[Any]) -> n.Rating:
        name, label, of, rnd, cite, *bands = c
        rounding = rnd[1] if rnd else None
        return n.Rating(**self._name(name), label=_opt_str(label), of=of.value if of else None,
                        round=rounding, bands=tuple(bands), ref=_cited(cite), span=self._sp(meta),
                        of_span=_tok_span(self.path, of) if of else n.NO_SPAN)

    def band(self, meta: Any, c: list[Any]) -> n.Band:
        label, b1, b2, gate, cite = c
        bounds = tuple(b for b in (b1, b2) if b is not None)
        return n.Band(n.Str(_unquote(label), span=_tok_span(self.path, label)), bounds, gate, ref=_cited(cite),
                      span=self._sp(meta))

    def band_otherwise(self, meta: Any, c: list[Any]) -> n.Band:
        label, gate, cite = c
        return n.Band(n.Str(_unquote(label), span=_tok_span(self.path, label)), (), gate, True, ref=_cited(cite),
                      span=self._sp(meta))

    def bound(self, meta: Any, c: list[Any]) -> n.Bound:
        return n.Bound(c[0].value, c[1], span=self._sp(meta))

    def gate(self, meta: Any, c: list[Any]) -> Any:
        return c[0]

    def table(self, meta: Any, c: list[Any]) -> n.Table:
        name, label, params, hit, cite, *rows = c
        inputs = params or ()  # none: an agency's partial override (changed rows only)
        return n.Table(**self._name(name), label=_opt_str(label), inputs=inputs, hit=hit, rows=tuple(rows),
                       ref=_cited(cite), span=self._sp(meta))

    def table_inputs(self, meta: Any, c: list[Any]) -> tuple[n.Ref, ...]:
        return tuple(n.Ref(t.value, span=_tok_span(self.path, t)) for t in c)

    def hit(self, meta: Any, c: list[Any]) -> n.Word:
        return self._choice("hit", c[0])

    def row(self, meta: Any, c: list[Any]) -> n.Row:
        *cells, result, cite = c
        return n.Row(tuple(cells), result, ref=_cited(cite), span=self._sp(meta))

    def cell(self, meta: Any, c: list[Any]) -> Any:
        x = c[0]
        if isinstance(x, n.Num):
            return x
        span = _tok_span(self.path, x)
        if x.type == "STRING":
            return n.Str(_unquote(x), span=span)
        if x.type == "WILDCARD":
            return n.Wildcard(span=span)
        return n.Bool(x.type == "TRUE", span=span)

    # group constraints, bounds, agencies ------------------------------------
    def quota(self, meta: Any, c: list[Any]) -> n.Quota:
        name, label, by, cite, *rules = c
        return n.Quota(**self._name(name), label=_opt_str(label), by=n.Ref(by.value, span=_tok_span(self.path, by)),
                       rules=tuple(rules), ref=_cited(cite), span=self._sp(meta))

    def quota_rule(self, meta: Any, c: list[Any]) -> n.QuotaRule:
        return n.QuotaRule(c[0], c[1], ref=_cited(c[2]), span=self._sp(meta))

    def constraint_in(self, meta: Any, c: list[Any]) -> n.Constraint:
        fld, target, lo, hi, cite = c
        return n.Constraint(self._choice("constraint", fld), n.Ref(target.value, span=_tok_span(self.path, target)),
                            "in", lo, hi, ref=_cited(cite), span=self._sp(meta))

    def constraint_cmp(self, meta: Any, c: list[Any]) -> n.Constraint:
        fld, target, op, value, cite = c
        lo, hi = _cmp_bounds(op.value, value)
        return n.Constraint(self._choice("constraint", fld), n.Ref(target.value, span=_tok_span(self.path, target)),
                            op.value, lo, hi, ref=_cited(cite), span=self._sp(meta))

    def agency(self, meta: Any, c: list[Any]) -> n.Agency:
        name, label, extends, cite, *items = c
        peer = next((x for x in items if isinstance(x, n.Word)), None)
        overrides = tuple(x for x in items if isinstance(x, n.Decl))
        return n.Agency(**self._name(name), label=_opt_str(label),
                        extends=n.Str(_unquote(extends), span=_tok_span(self.path, extends)),
                        peer_group=peer, overrides=overrides, ref=_cited(cite), span=self._sp(meta))

    def peer_group(self, meta: Any, c: list[Any]) -> n.Word:
        return n.Word(c[0].value, span=_tok_span(self.path, c[0]))

    # benchmarks --------------------------------------------------------------
    def benchmark(self, meta: Any, c: list[Any]) -> n.Benchmark:
        target, by, within, *refs = c
        return n.Benchmark(n.Ref(target.value, span=_tok_span(self.path, target)), by=by, within=within,
                           references=tuple(refs), span=self._sp(meta))

    def bench_by(self, meta: Any, c: list[Any]) -> n.Ref:
        return n.Ref(c[0].value, span=_tok_span(self.path, c[0]))

    def bench_within(self, meta: Any, c: list[Any]) -> n.Ref:
        return n.Ref(c[0].value, span=_tok_span(self.path, c[0]))

    def reference(self, meta: Any, c: list[Any]) -> n.Reference:
        label, value, source = c
        return n.Reference(n.Str(_unquote(label), span=_tok_span(self.path, label)), value,
                           n.Str(_unquote(source), span=_tok_span(self.path, source)) if source else None,
                           span=self._sp(meta))

    # expressions -----------------------------------------------------------
    def number(self, meta: Any, c: list[Any]) -> n.Num:
        sign, tok = c
        return self._num(tok, negative=sign is not None, span=self._sp(meta))

    def literal(self, meta: Any, c: list[Any]) -> n.Num:
        return self._num(c[0], negative=False, span=self._sp(meta))

    def _num(self, tok: Token, negative: bool, span: n.Span) -> n.Num:
        percent = tok.type == "PERCENT"
        value = _decimal(tok.value.rstrip("%"))
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
        return n.Str(_unquote(c[0]), span=self._sp(meta))

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
                _tok_span(self.path, func),
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
        by = n.Ref(field.value, span=_tok_span(self.path, field))
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
        return [d for name, d in self.calls if name not in tables and not any(_inside(d.span, b) for b in blocks)]

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


class _Children:
    """The braces of a tree node, kept apart from its attributes until built."""

    def __init__(self, items: tuple[Any, ...]):
        self.items = items


def _label(span: n.Span, message: str) -> Any:
    from engine.diagnostics import Label
    return Label(span, message)


def _cited(cite: tuple[str, n.Str] | None) -> n.Str | None:
    return cite[1] if cite is not None else None


def _inside(span: n.Span, block: n.Span) -> bool:
    return (block.line, block.column) <= (span.line, span.column) <= (block.end_line, block.end_column)


def _opt_str(tok: Token | None) -> str | None:
    return _unquote(tok) if tok is not None else None


def _block_attrs(items: list[Any]) -> list[tuple[str, Any]]:
    return [x for x in items if isinstance(x, tuple)]


def _cmp_bounds(op: str, value: n.Num) -> tuple[n.Num | None, n.Num | None]:
    if op in (">=", ">"):
        return value, None
    if op in ("<=", "<"):
        return None, value
    return value, value
