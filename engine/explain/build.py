"""Explanations: one subject's derivation tree, read only from the evaluated columns.

Every number here is taken from ``Result`` columns at the subject's row (values, raw values, effective
weights, contributions, the band chosen); the formulas are the policy's own with those numbers put in.
Nothing is recomputed, so an explanation cannot disagree with the score; how the numbers are shown so
that each line can be redone by hand is ``engine.explain.numbers``.

Contributions: under a weighted mean (or sum) each child's contribution is its effective weight times its
value, and they add up to the parent; under a geometric mean each child contributes the factor value **
effective weight, whose product is the parent; under a harmonic mean weight / value adds up to 1 / parent.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine import nodes as n
from engine.batch import Origin
from engine.evaluate import numeric as num
from engine.evaluate.exprtext import num_text, to_text
from engine.evaluate.methods import METHODS
from engine.evaluate.result import Result
from engine.explain import localize
from engine.explain import numbers as nb
from engine.explain import text as tx
from engine.explain.lookups import looked_up
from engine.explain.model import Citation, Explanation, NodeExplanation, Note, Scalar, Source
from engine.explain.rules import Rules, cite, in_group, national_of, where
from engine.explain.text import Render, aggregate_text, bounds_text, decisive, shown_term, why_not
from engine.i18n import N_, _, language, terms, using
from engine.plan import Plan

INDICATOR_RULES = ("target", "baseline", "better", "score", "missing", "round")


def scalar(x: object) -> Scalar:
    """A column cell as an explanation holds it: a Python float (NaN: missing), text or None."""
    if x is None:
        return None
    if isinstance(x, (float, np.floating, int, np.integer)):
        f = float(x)
        return None if f != f else f  # NaN: missing (a scalar test, without numpy's per-call cost)
    return str(x)


def round_digits(decl: object) -> int | None:
    """The decimals of a declaration's own ``round`` (None without one)."""
    return int(decl.round.value) if isinstance(getattr(decl, "round", None), n.Num) else None  # type: ignore


def _rules(result: Result, plan: Plan) -> Rules:
    """The rule sources of a plan, made once per result (every subject of a plan shares them)."""
    made = result.__dict__.setdefault("_explain_rules", {})
    if id(plan) not in made:
        made[id(plan)] = (plan, Rules(plan, national_of(result, plan)))  # the plan kept: its id stays its own
    return made[id(plan)][1]


class Builder:
    """Builds one subject's nodes from the evaluated columns at row ``i`` (``engine.explain.block``
    moves one builder from row to row of a plan)."""

    def __init__(self, result: Result, row: int, places: int):
        self.r, self.i, self.places = result, row, places
        self.plan: Plan = result.plan_at(row)
        self.decls = {s.name: s for s in self.plan.steps}
        self.rules, self.events = _rules(result, self.plan), result.events.by_step(row)  # once per subject

    def col(self, name: str, key: str = "value") -> Scalar:
        sr = self.r.steps.get(name)
        if sr is None:
            return None
        c = sr.value if key == "value" else sr.raw if key == "raw" else sr.extra.get(key)
        return None if c is None else scalar(c[self.i])

    def claim(self, render: Render, name: str, decl: object = None) -> str:
        """``EXPR = RESULT``; a node left without a value by a runtime error claims no result."""
        errors = [e.code for e in self.events.get(name, ()) if e.kind == "error"]
        if self.col(name) is None and errors:
            return _("{expr} gives no value ({codes}, below)", expr=render(self.places),
                     codes=", ".join(dict.fromkeys(errors)))
        return nb.claim(render, self.col(name), self.places, round_digits(decl), self.col(name, "unrounded"))

    def operand(self, name: str, d: int | None) -> str | None:
        """A name's value in a formula: submitted data exactly, computed values to ``d`` decimals."""
        if name.startswith("raw:"):
            step = self.decls.get(name[4:])
            data = step is not None and getattr(step.decl, "formula", 1) is None
            return nb.show(self.col(name[4:], "raw"), None if data else d)
        step = self.decls.get(name)
        if step is None:
            return None
        return nb.show(self.col(name), None if step.kind == "input" else d)

    def subst(self, d: int | None) -> Callable[[str], str | None]:
        return lambda name: self.operand(name, d)

    def origin(self, name: str) -> Origin | None:
        cols = self.r.batch.origins.get(name)
        if cols is not None and self.i < len(cols):
            return cols[self.i]
        return None

    def node(self, name: str) -> NodeExplanation:
        step = self.decls[name]
        decl = step.decl
        value = self.col(name)
        out = NodeExplanation(name, step.id, step.kind, getattr(decl, "label", None), value,
                              nb.fixed(value, max(self.places, round_digits(decl) or 0)),
                              notes=[Note(e.code, e.kind, e.message) for e in self.events.get(name, ())])
        if isinstance(decl, n.Indicator):
            self.indicator(out, decl)
        elif isinstance(decl, n.Input):
            out.origin = self.origin(name)
            out.citations += cite("definition", decl)
        elif isinstance(decl, n.Value) and decl.formula is not None:
            out.citations += cite("formula", decl)
            formula, out.lookups = looked_up(self, decl.formula)
            out.formula = _("value") + ": " + self.claim(lambda d: to_text(formula, self.subst(d)), name, decl)
        elif isinstance(decl, n.Tree):
            self.tree(out, decl)
        elif isinstance(decl, n.Rating):
            self.rating(out, decl)
        elif isinstance(decl, n.Table):
            self.table(out, decl)
        return out

    # ---------------------------------------------------------- indicators

    def indicator(self, out: NodeExplanation, decl: n.Indicator) -> None:
        out.sources = self.rules.sources(decl, INDICATOR_RULES)
        out.citations += self.scoring_citation(decl)
        self.indicator_lines(out, decl)

    def scoring_citation(self, decl: n.Indicator) -> list[Citation]:
        """The piece that applied cites the scoring, else the indicator."""
        scoring = decl.score or n.Scoring("ratio")
        k = self.col(decl.name, "case")
        return cite("scoring", scoring.cases[int(k)] if isinstance(k, float) and k >= 0 else None, decl)

    def indicator_lines(self, out: NodeExplanation, decl: n.Indicator) -> None:
        """An indicator's raw value, where it came from and its scoring line (``out.value`` set)."""
        out.raw = self.col(decl.name, "raw")  # type: ignore[assignment]
        if decl.formula is None:
            out.origin = self.origin(decl.name)
            out.substituted = self.substitution(decl, out.raw)
        else:
            formula = decl.formula
            shown = nb.fixed(out.raw, self.places)
            fitted = nb.fit(lambda d: to_text(formula, self.subst(d)), shown, self.places)
            out.raw_formula = _("raw") + f": {fitted} = {shown}"
        scoring = decl.score or n.Scoring("ratio")
        label, body = self.score_text(decl, scoring)
        if out.raw is None and out.value is not None:  # the score itself was a missing-data treatment
            how = decl.missing.treatment if decl.missing is not None else "?"
            value = out.value
            treatment = f"`missing {how}`"
            label = _("{method}, raw missing, {treatment} gives", method=label, treatment=treatment)
            body = lambda d: nb.show(value, None)  # noqa: E731
            scoring = n.Scoring("raw")  # nothing to clip or cap
        out.formula = f"{label}: {self.claim(lambda d: tx.bounded(body(d), scoring), decl.name, decl)}"

    def substitution(self, decl: n.Indicator, raw: float | None) -> str | None:
        """What was used for an empty cell (the raw value is not the submitted one)."""
        submitted = self.r.batch.columns.get(decl.name)
        if raw is None or submitted is None or not nb.missing(submitted[self.i]):
            return None
        how = decl.missing
        source = where(how.value) if how is not None and how.value is not None else None
        if how is not None and how.treatment == "baseline" and decl.baseline is not None:
            source = where(decl.baseline)
        what = f"`missing {how.treatment}`" if how is not None else _("a default")
        used = _("empty cell; {treatment} used {value}", treatment=what, value=nb.show(raw, None))
        return used + (" " + _("from {where}", where=source) if source else "")

    def score_text(self, decl: n.Indicator, scoring: n.Scoring) -> tuple[str, Render]:
        """The method's label and its formula with this subject's numbers (raw to ``d`` decimals)."""
        raw = self.col(decl.name, "raw")
        m = scoring.method
        t = num_text(decl.target) if decl.target else "?"
        b = num_text(decl.baseline) if decl.baseline else "?"
        # A per-subject target/baseline shows this subject's value of the field.
        if decl.target_field is not None:
            t = self.operand(decl.target_field.name, None) or "?"
        if decl.baseline_field is not None:
            b = self.operand(decl.baseline_field.name, None) or "?"

        def r(d: int | None) -> str:
            return self.operand("raw:" + decl.name, d) or "—"
        better = decl.better or n.Better("higher")
        if m == "ratio" and better.direction == "within" and better.lo and better.hi:
            return self.within(better, raw, r)
        fixed = tx.score_formula(scoring, better, r, t, b)
        if fixed is not None:
            return terms.method_words(m), fixed

        def sub(d: int | None) -> Callable[[str], str | None]:
            selfs = {"value": r(d), "target": t, "baseline": b}
            return lambda name: selfs.get(name) or self.operand(name, d)
        if m == "piecewise":
            case = self.col(decl.name, "case")
            k = int(case) if isinstance(case, float) else -1
            if k < 0:
                return _("{method}, no piece applies", method=terms.method_words(m)), lambda d: "—"
            piece = scoring.cases[k]
            when = _("when {condition}", condition=to_text(piece.when, sub(None))) \
                if piece.when is not None else _("otherwise")
            return _("{method}, piece {k} ({when})", method=terms.method_words(m), k=k + 1, when=when), \
                lambda d: to_text(piece.then, sub(d))
        if m == "formula":
            return terms.method_words(m), lambda d: to_text(scoring.formula, sub(d))
        return terms.method_words(m), r

    def within(self, better: n.Better, raw: Scalar, r: Render) -> tuple[str, Render]:
        """A target range: which bound scored this row (a per-subject bound shows its value)."""
        (lo, lo_v), (hi, hi_v) = (self.bound(x) for x in (better.lo, better.hi))  # type: ignore[arg-type]
        where = f"{lo} .. {hi}" + (", " + _("lower is better") if better.sense == "lower" else "")
        said = {"method": terms.method_words("ratio"), "range": where}
        if not isinstance(raw, float) or lo_v is None or hi_v is None:
            return _("{method}, no score ({value} against {range})", value=r(None), **said), lambda d: "—"
        for above, edge, v, side in ((True, hi, hi_v, N_("{method}, above {range}")),
                                     (False, lo, lo_v, N_("{method}, below {range}"))):
            if num.lt_float(v, raw) if above else num.lt_float(raw, v):  # num.gt / num.lt of two floats
                if better.sense == "lower":
                    return _(side, **said), lambda d, e=edge: f"(1 + (1 − {r(d)} / {e})) × 100"
                return _(side, **said), lambda d, e=edge: f"{r(d)} / {e} × 100"
        return _("{method}, {value} within {range}", value=r(None), **said), lambda d: "100"

    def bound(self, x: n.Num | n.Ref) -> tuple[str, float | None]:
        """A range bound as text (a per-subject bound shows this subject's value) and as a number."""
        if isinstance(x, n.Num):
            return num_text(x), float(x.value)
        v = self.col(x.name)
        return self.operand(x.name, None) or "—", v if isinstance(v, float) else None

    # ---------------------------------------------------------- tree nodes

    def tree(self, out: NodeExplanation, tree: n.Tree) -> None:
        method = tree.aggregate.value if tree.aggregate else "mean"
        out.sources, cited = self.tree_rules(tree)
        out.citations += cited
        operands: list[tuple[float, float]] = []
        for child in tree.children or ():
            c = self.node(child.name)
            self.as_member(c, out.id, tree, method, child, operands)
            out.children.append(c)
        out.formula = self.tree_formula(tree, method, operands)

    def tree_rules(self, tree: n.Tree) -> tuple[list[Source], list[Citation]]:
        """A tree's rule sources and citation (a tree's citation covers its members)."""
        return (self.rules.sources(tree, ("aggregate", "missing", "require", "round")),
                cite("weights and aggregation below", tree))

    def as_member(self, c: NodeExplanation, parent: str, tree: n.Tree, method: str, child: n.Node,
                  operands: list[tuple[float, float]]) -> None:
        """``c`` as a member of ``tree``: its id under the parent's, weight, effective weight,
        contribution, the weight's source and citation first."""
        c.id = f"{parent}.{child.name}"  # type: ignore[attr-defined]  # an indicator in two scorecards has an id in each
        c.weight = num_text(child.weight) if child.weight is not None else None  # type: ignore[attr-defined]
        c.sources[:0] = self.member_sources(child)
        c.citations[:0] = cite("weight", child)
        c.contribution_kind = METHODS[method].kind
        c.effective_weight, c.contribution, c.contribution_formula = self.member(tree, method, child.name,  # type: ignore
                                                                                 c.value, operands)

    def member_sources(self, child: n.Node) -> list[Source]:
        weight = self.rules.source("weight", child, "weight", member=True)
        return [weight] if weight is not None else []

    def member(self, tree: n.Tree, method: str, name: str, value: Scalar,
               operands: list[tuple[float, float]]) -> tuple[float | None, float | None, str | None]:
        """A scorecard member's effective weight, contribution and contribution line; its
        (weight, value) is added to ``operands`` when it takes part in the parent's arithmetic."""
        sr = self.r.steps[tree.name]
        w, c = scalar(sr.weights[name][self.i]), scalar(sr.contributions[name][self.i])
        used = self.col(tree.name, f"used:{name}")
        x = used if used is not None else value
        if isinstance(x, float) and (w or not METHODS[method].accumulated):
            operands.append((w or 0.0, x))  # min/max: every present child is a candidate
            return w, c, self.contribution(method, w or 0.0, x, c)  # type: ignore[arg-type]
        return w, c, None  # type: ignore[return-value]

    def tree_formula(self, tree: n.Tree, method: str, operands: list[tuple[float, float]]) -> str:
        if not operands:
            return _("{method}: no child has a value", method=terms.method_words(method))
        how = terms.method_words(method) + (", " + _(METHODS[method].note) if METHODS[method].note else "")
        return f"{how}: " + self.claim(lambda d: aggregate_text(method, operands, d), tree.name, tree)

    def contribution(self, method: str, w: float, x: float, c: Scalar) -> str | None:
        m = METHODS[method]
        if not m.accumulated or c is None:
            return None
        return _(m.kind) + ": " + nb.claim(lambda d: m.term_text(*shown_term(m, w, x, d)), c,  # type: ignore[misc]
                                           self.places)

    # ------------------------------------------------------ ratings, tables

    def rating(self, out: NodeExplanation, decl: n.Rating) -> None:
        banded = self.col(decl.name, "banded")
        band = self.col(decl.name, "band")
        k = int(band) if isinstance(band, float) else -1
        if decl.of:
            out.children.append(self.ref(decl.of))
        out.sources = self.rules.sources(decl, ("round",))
        if k < 0:
            out.band_reason = (_("the rated value is missing") if banded is None
                               else _("no band matches {value}", value=nb.show(banded, None)))
            return
        chosen = decl.bands[k]
        out.sources.append(self.rules.band(decl, k))
        out.citations += cite("band", chosen, decl)
        out.band = chosen.label.value
        edges = [b for bd in decl.bands[max(k - 1, 0):k + 1] for b in bd.bounds]
        shown = decisive(banded, edges, self.places)  # type: ignore[arg-type]
        rated = self.col(decl.of, "value") if decl.of else None
        if decl.round is not None and isinstance(rated, float) and nb.dec(rated) != nb.dec(banded):  # type: ignore
            shown = f"{nb.show(rated, None)} " + _("rounded to {n} decimals: {value}", n=decl.round.value,
                                                   value=shown) + ","
        out.band_reason = f"{shown} " + (bounds_text(chosen) or _("falls to {otherwise}", otherwise="`otherwise`"))
        if chosen.gate is not None:
            gate = f"`{to_text(chosen.gate)}`"
            out.band_reason += " " + _("and {condition} holds", condition=gate)
        if k == 0:
            out.band_reason += "; " + _("this is the highest band")
            return
        up = decl.bands[k - 1]
        out.next_band = up.label.value
        out.gap, why, edge = why_not(up, banded, self.col(decl.name, f"gate:{k - 1}"))
        out.band_reason += "; " + _("not {band}: {why}", band=up.label.value, why=why)
        if out.gap is not None and edge is not None:
            op = edge.op[0]
            gap = nb.fixed(out.gap, self.places)

            def render(d: int | None) -> str:
                v = nb.show(banded, d)
                return f"{num_text(edge.value)} − {v}" if op == ">" else f"{v} − {num_text(edge.value)}"
            out.gap_formula = _("gap to {band}", band=up.label.value) + f": {nb.fit(render, gap, self.places)} = {gap}"

    def table(self, out: NodeExplanation, decl: n.Table) -> None:
        out.children = [self.ref(r.name) for r in decl.inputs]
        row = self.col(decl.name, "row")
        k = int(row) if isinstance(row, float) else -1
        if k >= 0:
            r = decl.rows[k]
            cells = ", ".join(to_text(c) for c in r.cells)
            out.formula = _("row {k}", k=k + 1) + f": {cells} -> {to_text(r.result)}"
            out.sources = [self.rules.row(decl, k)]
            out.citations += cite("row", r, decl)
        else:
            out.formula = _("no row matches")

    def ref(self, name: str) -> NodeExplanation:
        """A node read by a rating or table, without repeating its whole derivation."""
        step = self.decls[name]
        value = self.col(name)
        return NodeExplanation(name, step.id, step.kind, getattr(step.decl, "label", None), value,
                               nb.fixed(value, max(self.places, round_digits(step.decl) or 0)))


def explain(result: Result, subject_id: object, places: int = 2, lang: str | None = None) -> Explanation:
    """The derivation tree of one subject: scorecards first, then everything else that is
    not an input or a member of a scorecard (derived values, ratings, tables).  Results
    are shown to ``places`` decimals (see ``engine.explain.numbers``), its sentences and
    numbers in ``lang`` (the language in force when ``None``; ``engine.explain.localize``)."""
    lang = lang or language()
    row = result.row(subject_id)
    with using(lang):
        b = Builder(result, row, places)
        roots = [b.node(item.name) for item in b.plan.module.items if isinstance(item, n.Tree)]
        shown = {d.name for r in roots for d in r.walk()}
        roots += [b.node(s.name) for s in b.plan.steps if s.kind != "input" and s.name not in shown]
    mine = [v for v in result.violations if in_group(result, row, b.plan, v)]
    out = Explanation(str(result.subject_ids[row]), scalar(result.agencies[row]),  # type: ignore[arg-type]
                      str(result.plan_version[row]), roots, mine, b.plan.agency_file, places, lang,
                      policy_citation=(cite("policy", b.plan.header) or [None])[0])
    return localize.explanation(out)

