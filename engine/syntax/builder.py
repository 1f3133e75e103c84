"""Building the AST from lark's parse tree; shape errors (unknown words, duplicate
attributes, arity) are collected as diagnostics.  The rules are split by construct family:
declarations here, attribute values in ``attributes``, expressions in ``expressions``,
subject levels in ``levels``, what they share in ``base``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lark import Token, v_args

from engine import nodes as n
from engine.diagnostics import error
from engine.i18n import _, terms
from engine.syntax.attributes import AttributeRules
from engine.syntax.base import (
    Children,
    block_attrs,
    cited,
    cmp_bounds,
    opt_str,
    tok_span,
    unquote,
)
from engine.syntax.expressions import ExpressionRules
from engine.syntax.levels import LevelBuilder


@v_args(meta=True)
class Builder(AttributeRules, ExpressionRules, LevelBuilder):
    """Turns lark's parse tree into ``engine.nodes``; shape errors go to ``diags``."""

    # top level -------------------------------------------------------------
    def start(self, meta: Any, items: list[Any]) -> list[Any]:
        return items

    def header(self, meta: Any, c: list[Any]) -> n.Header:
        name, label, version, cite = c
        return n.Header(**self._name(name), label=opt_str(label), version=opt_str(version), ref=cited(cite),
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
                                    tok_span(self.path, tok), _("write dates as YYYY-MM-DD")))
            return dt.date(1, 1, 1)

    # declarations ----------------------------------------------------------
    def indicator(self, meta: Any, c: list[Any]) -> n.Indicator:
        name, label, formula, *attrs = c
        kw = self._attrs("indicator", block_attrs(attrs), terms.named("indicator", name))
        for word in ("target", "baseline"):  # `target NAME`: a per-subject field, kept apart from numbers
            if isinstance(kw.get(word), n.Ref):
                kw[f"{word}_field"] = kw.pop(word)
        return n.Indicator(**self._name(name), label=opt_str(label), formula=formula, **kw, span=self._sp(meta))

    def input(self, meta: Any, c: list[Any]) -> n.Input:
        name, label, *attrs = c
        kw = self._attrs("input", block_attrs(attrs), terms.named("input", name))
        return n.Input(**self._name(name), label=opt_str(label), **kw, span=self._sp(meta))

    def value(self, meta: Any, c: list[Any]) -> n.Value:
        name, label, formula, *attrs = c
        kw = self._attrs("value", block_attrs(attrs), terms.named("value", name))
        return n.Value(**self._name(name), label=opt_str(label), formula=formula, **kw, span=self._sp(meta))

    # attributes: each returns (field, node) -----------------------------------
    def scorecard(self, meta: Any, c: list[Any]) -> n.Tree:
        name, label, *rest = c
        return self._tree(meta, "scorecard", name, label, rest)

    def group(self, meta: Any, c: list[Any]) -> n.Tree:
        level, name, label, *rest = c
        return self._tree(meta, level.value, name, label, rest)

    def _tree(self, meta: Any, level: str, name: Token, label: Token | None, rest: list[Any]) -> n.Tree:
        *attrs, children = rest
        kw = self._attrs("node", attrs, terms.named(level, name))
        return n.Tree(**self._name(name), level=level, label=opt_str(label), **kw,
                      children=None if children is None else children.items, span=self._sp(meta))

    def children(self, meta: Any, c: list[Any]) -> Children:
        return Children(tuple(c))

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
        return n.Rating(**self._name(name), label=opt_str(label), of=of.value if of else None,
                        round=rounding, bands=tuple(bands), ref=cited(cite), span=self._sp(meta),
                        of_span=tok_span(self.path, of) if of else n.NO_SPAN)

    def band(self, meta: Any, c: list[Any]) -> n.Band:
        label, b1, b2, gate, cite = c
        bounds = tuple(b for b in (b1, b2) if b is not None)
        return n.Band(n.Str(unquote(label), span=tok_span(self.path, label)), bounds, gate, ref=cited(cite),
                      span=self._sp(meta))

    def band_otherwise(self, meta: Any, c: list[Any]) -> n.Band:
        label, gate, cite = c
        return n.Band(n.Str(unquote(label), span=tok_span(self.path, label)), (), gate, True, ref=cited(cite),
                      span=self._sp(meta))

    def bound(self, meta: Any, c: list[Any]) -> n.Bound:
        return n.Bound(c[0].value, c[1], span=self._sp(meta))

    def gate(self, meta: Any, c: list[Any]) -> Any:
        return c[0]

    def table(self, meta: Any, c: list[Any]) -> n.Table:
        name, label, params, hit, cite, *rows = c
        inputs = params or ()  # none: an agency's partial override (changed rows only)
        return n.Table(**self._name(name), label=opt_str(label), inputs=inputs, hit=hit, rows=tuple(rows),
                       ref=cited(cite), span=self._sp(meta))

    def table_inputs(self, meta: Any, c: list[Any]) -> tuple[n.Ref, ...]:
        return tuple(n.Ref(t.value, span=tok_span(self.path, t)) for t in c)

    def hit(self, meta: Any, c: list[Any]) -> n.Word:
        return self._choice("hit", c[0])

    def row(self, meta: Any, c: list[Any]) -> n.Row:
        *cells, result, cite = c
        return n.Row(tuple(cells), result, ref=cited(cite), span=self._sp(meta))

    def cell(self, meta: Any, c: list[Any]) -> Any:
        x = c[0]
        if isinstance(x, n.Num):
            return x
        span = tok_span(self.path, x)
        if x.type == "STRING":
            return n.Str(unquote(x), span=span)
        if x.type == "WILDCARD":
            return n.Wildcard(span=span)
        return n.Bool(x.type == "TRUE", span=span)

    # group constraints, bounds, agencies ------------------------------------
    def quota(self, meta: Any, c: list[Any]) -> n.Quota:
        name, label, by, cite, *rules = c
        return n.Quota(**self._name(name), label=opt_str(label), by=n.Ref(by.value, span=tok_span(self.path, by)),
                       rules=tuple(rules), ref=cited(cite), span=self._sp(meta))

    def quota_rule(self, meta: Any, c: list[Any]) -> n.QuotaRule:
        return n.QuotaRule(c[0], c[1], ref=cited(c[2]), span=self._sp(meta))

    def constraint_in(self, meta: Any, c: list[Any]) -> n.Constraint:
        fld, target, lo, hi, cite = c
        return n.Constraint(self._choice("constraint", fld), n.Ref(target.value, span=tok_span(self.path, target)),
                            "in", lo, hi, ref=cited(cite), span=self._sp(meta))

    def constraint_cmp(self, meta: Any, c: list[Any]) -> n.Constraint:
        fld, target, op, value, cite = c
        lo, hi = cmp_bounds(op.value, value)
        return n.Constraint(self._choice("constraint", fld), n.Ref(target.value, span=tok_span(self.path, target)),
                            op.value, lo, hi, ref=cited(cite), span=self._sp(meta))

    def agency(self, meta: Any, c: list[Any]) -> n.Agency:
        name, label, extends, cite, *items = c
        peer = next((x for x in items if isinstance(x, n.Word)), None)
        overrides = tuple(x for x in items if isinstance(x, n.Decl))
        return n.Agency(**self._name(name), label=opt_str(label),
                        extends=n.Str(unquote(extends), span=tok_span(self.path, extends)),
                        peer_group=peer, overrides=overrides, ref=cited(cite), span=self._sp(meta))

    def peer_group(self, meta: Any, c: list[Any]) -> n.Word:
        return n.Word(c[0].value, span=tok_span(self.path, c[0]))

    # benchmarks --------------------------------------------------------------
    def benchmark(self, meta: Any, c: list[Any]) -> n.Benchmark:
        target, by, within, *refs = c
        return n.Benchmark(n.Ref(target.value, span=tok_span(self.path, target)), by=by, within=within,
                           references=tuple(refs), span=self._sp(meta))

    def bench_by(self, meta: Any, c: list[Any]) -> n.Ref:
        return n.Ref(c[0].value, span=tok_span(self.path, c[0]))

    def bench_within(self, meta: Any, c: list[Any]) -> n.Ref:
        return n.Ref(c[0].value, span=tok_span(self.path, c[0]))

    def reference(self, meta: Any, c: list[Any]) -> n.Reference:
        label, value, source = c
        return n.Reference(n.Str(unquote(label), span=tok_span(self.path, label)), value,
                           n.Str(unquote(source), span=tok_span(self.path, source)) if source else None,
                           span=self._sp(meta))

    # expressions -----------------------------------------------------------
