"""The handbook of one policy: what an officer signs off, built from the compiled rules.

Every rule of the policy becomes a row of a section (indicators with their SMART
metadata, derived values, scorecard weights, rating bands, decision tables,
quotas, the bounds on agency overrides), each with its citation (``ref "..."``).
Formulas are printed in symbols by the formatter's expression printer
(``engine.fmt``) and the explanation's method arithmetic (``engine.explain.text``),
and in words from ``WORDS`` below.  For an agency file the document is the merged
policy, and every value the agency overrides says so, with the national value it
replaced (``engine.explain.rules``).  Every sentence is a literal in this module, so
it can go through the message catalogue as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine import nodes as n
from engine.evaluate.methods import METHODS
from engine.explain.localize import numbers
from engine.explain.rules import Rules, where
from engine.explain.text import bounded, bounds_text, score_formula
from engine.fmt.expr import better_text, expr, num, quote
from engine.i18n import N_, _, language
from engine.i18n.formats import format_date
from engine.i18n.terms import in_words, method_words
from engine.plan import Plan

# How each scoring method turns a raw value into a score, in words.
WORDS = {
    "ratio": N_("the realisation as a percentage of the target"),
    "ratio-lower": N_("how far the realisation stays under the target: (2 − realisation / target) × 100"),
    "ratio-within": N_("100 inside the target range; outside it, the realisation against the nearer bound"),
    "progress": N_("the progress from the baseline (0) to the target (100)"),
    "goalposts": N_("the position between the two goalposts, 0 at the first and 100 at the second, clipped to "
                    "0..100"),
    "raw": N_("the value itself"),
    "piecewise": N_("the first piece whose condition holds"),
    "formula": N_("the policy's formula"),
}
NO_CITATION = N_("(no citation)")
# The policy language's words for a kind, a direction, a missing-data treatment and a subject, said
# in words before the word itself as code: ``hasil (`outcome`)``.
SAID = {
    "input": N_("input"), "process": N_("process"), "output": N_("output"), "outcome": N_("outcome"),
    "higher": N_("higher is better"), "lower": N_("lower is better"), "within": N_("best within a range"),
    "exclude": N_("left out; the parent re-weights the present ones"), "zero": N_("counted as 0"),
    "baseline": N_("the baseline is used instead"), "fail": N_("an error is recorded, with no value"),
    "value": N_("a fixed value is used instead"),
    "employee": N_("an employee"), "unit": N_("a unit"), "agency": N_("an agency"),
}
# An overridden attribute as the rows of an indicator and a scorecard name it.
ATTRIBUTES = {"kind": N_("Kind"), "unit": N_("Unit"), "source": N_("Source"), "owner": N_("Owner"),
              "better": N_("Better"), "baseline": N_("Baseline"), "target": N_("Target"), "score": N_("Scoring"),
              "missing": N_("Missing data"), "weight": N_("Weight")}


def said(word: str, code: str | None = None) -> str:
    """A language word in the reader's words, then as written: ``hasil (`outcome`)``; just the code
    when the words would repeat it (English ``outcome``)."""
    return in_words(_(SAID[word]) if word in SAID else word, code or word)


@dataclass
class Section:
    """A titled table: ``rows`` of plain-text cells, ``notes`` lines said before it."""

    title: str
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    level: int = 2


@dataclass
class Handbook:
    title: str
    facts: list[tuple[str, str]]
    sections: list[Section]


def figures(text: str | None) -> str:
    """The numbers of a plain-text cell as the reader writes them (``88,31`` in Indonesian); code
    spans and quoted labels keep the policy's spelling."""
    return numbers(text, language()) or ""


def dates(span: n.DateRange) -> str:
    """``1 Januari 2026 – 31 Desember 2026``; an open end says so."""
    end = format_date(span.end) if span.end is not None else _("(open)")
    return f"{format_date(span.start)} – {end}"


def sym(text: str) -> str:
    """A formula in symbols, marked as code (``text`` as the formatter prints it)."""
    return f"`{text}`" if "`" not in text else text


def cited(node: n.Node | None) -> str:
    ref = getattr(node, "ref", None)
    return f"{ref.value} ({where(ref)})" if isinstance(ref, n.Str) else _(NO_CITATION)


class _Writer:
    def __init__(self, plan: Plan, national: Plan | None):
        self.plan = plan
        self.rules = Rules(plan, national.module if national is not None else None)
        self.overrides: list[list[str]] = []  # what the agency changed: [what, agency value and line, national]

    def value(self, owner: n.Node, attr: str, text: str, member: bool = False) -> str:
        """``text``, and for an agency override where it was set and the national value it replaced."""
        src = self.rules.source(attr, owner, attr, member)
        if src is None or src.replaced_at is None:
            return text
        shown = _(ATTRIBUTES[attr]).lower() if attr in ATTRIBUTES else f"`{attr}`"
        self.overrides.append([_("{attr} of `{name}`", attr=shown, name=getattr(owner, "name", "?")),
                               f"{text} ({src.at})", f"{figures(src.replaced)} ({src.replaced_at})"])
        return overridden(text, src.at, src.replaced, src.replaced_at)

    # ------------------------------------------------------------ sections
    def indicator(self, d: n.Indicator) -> Section:
        rows = [[_("Label"), d.label or ""]]
        for attr, name in (("kind", N_("Kind")), ("unit", N_("Unit")), ("source", N_("Source")),
                           ("owner", N_("Owner"))):
            got = getattr(d, attr)
            if got is not None:
                rows.append([_(name), self.value(d, attr, said(got.value) if attr == "kind" else got.value)])
        if d.range is not None:
            rows.append([_("Range"), figures(f"{num(d.range.lo)} .. {num(d.range.hi)}")])
        better = d.better or n.Better("higher")
        rows.append([_("Better"), self.value(d, "better", said(better.direction, better_text(better)))])
        for attr, fld, name in (("baseline", "baseline_field", N_("Baseline")),
                                ("target", "target_field", N_("Target"))):
            fixed, per_row = getattr(d, attr), getattr(d, fld)
            if fixed is not None:
                rows.append([_(name), self.value(d, attr, figures(num(fixed)))])
            elif per_row is not None:
                rows.append([_(name), _("per subject, from the field `{name}`", name=per_row.name)])
        if d.period is not None:
            rows.append([_("Period"), dates(d.period)])
        if d.deadline is not None:
            rows.append([_("Deadline"), format_date(d.deadline.value)])
        if d.formula is not None:
            rows.append([_("Raw value"), sym(expr(d.formula))])
        rows += self.scoring(d)
        if d.missing is not None:
            rows.append([_("Missing data"), self.value(d, "missing", _missing(d.missing))])
        if d.round is not None:
            rows.append([_("Rounding"), _("{n} decimals, half away from zero", n=num(d.round))])
        rows.append([_("Citation"), cited(d)])
        return Section(f"`{d.name}`", ["", ""], rows, level=3)

    def scoring(self, d: n.Indicator) -> list[list[str]]:
        s = d.score or n.Scoring("ratio")
        better = d.better or n.Better("higher")
        key = s.method
        if s.method == "ratio" and better.direction != "higher":
            key = "ratio-within" if better.direction == "within" else "ratio-lower"
        words = _(WORDS[key]) + (", " + _("at least 0") if s.method in ("ratio", "progress", "goalposts") else "")
        words += ", " + _("at most {cap}", cap=num(s.cap)) if s.cap is not None else ""
        target = d.target_field.name if d.target_field else num(d.target) if d.target else "target"
        baseline = d.baseline_field.name if d.baseline_field else num(d.baseline) if d.baseline else "baseline"
        fixed = score_formula(s, better, lambda _: "value", target, baseline)
        rows = [[_("Scoring"), self.value(d, "score", words)]]
        if fixed is not None:
            rows.append([_("Score formula"), sym(bounded(fixed(None), s))])
        elif s.method == "formula" and s.formula is not None:
            rows.append([_("Score formula"), sym(expr(s.formula))])
        for k, case in enumerate(s.cases):
            when = "otherwise" if case.when is None else f"when {expr(case.when)} ->"
            text = f"{when} {expr(case.then)}"
            rows.append([_("Piece {k}", k=k + 1),
                         sym(text) + ("; " + _("citation: {ref}", ref=cited(case)) if case.ref is not None else "")])
        return rows

    def values(self) -> Section:
        rows = [[f"`{v.name}`", v.label or "", sym(expr(v.formula)) if v.formula is not None else "",
                 num(v.round) if v.round is not None else "", cited(v)] for v in self._items(n.Value)]
        return Section(_("Derived values"), [_("Value"), _("Label"), _("Formula"), _("Decimals"), _("Citation")], rows)

    def inputs(self) -> Section:
        rows = []
        for i in self._items(n.Input):
            kind = i.type.name if i.type is not None else "number"
            if i.type is not None and i.type.options:
                kind += " (" + ", ".join(quote(o) for o in i.type.options) + ")"
            rows.append([f"`{i.name}`", i.label or "", sym(kind), i.unit.value if i.unit else "",
                         i.source.value if i.source else "", cited(i) if i.ref is not None else ""])
        head = [_("Input"), _("Label"), _("Type"), _("Unit"), _("Source"), _("Citation")]
        return Section(_("Submitted inputs"), head, rows)

    def tree(self, t: n.Tree) -> Section:
        rows = []
        for m in t.members():
            node = m.node
            weight = self.value(node, "weight", figures(num(node.weight)), member=True) \
                if node.weight is not None else ""
            how = ""
            if isinstance(node, n.Tree):
                method = node.aggregate.value if node.aggregate else "mean"
                how = method_words(method) + (f", {_(METHODS[method].note)}" if METHODS[method].note else "")
            missing = _missing(node.missing) if node.missing is not None else ""
            label = getattr(node, "label", None) or getattr(self.plan.step(m.name).decl, "label", None) or ""
            rows.append(["\u2003" * m.depth + f"`{m.name}`", label, weight, how, missing,
                         cited(node) if node.ref is not None and m.depth else ""])
        notes = [_("Citation of the scorecard (covers every weight below it): {ref}", ref=cited(t))]
        if t.round is not None:
            notes.append(_("The result is rounded to {n} decimals, half away from zero.", n=num(t.round)))
        return Section(_("Scorecard `{name}`", name=t.name) + (f": {t.label}" if t.label else ""),
                       [_("Member"), _("Label"), _("Weight"), _("Aggregation"), _("Missing data"), _("Citation")],
                       rows, notes)

    def rating(self, r: n.Rating) -> Section:
        rows = []
        for k, b in enumerate(r.bands):
            cond = sym("otherwise") if b.otherwise else figures(bounds_text(b))  # "and" is a word here
            cond += " " + _("if {condition}", condition=sym(expr(b.gate))) if b.gate is not None else ""
            src = self.rules.band(r, k)
            if src.replaced_at is not None:
                cond = overridden(cond, src.at, src.replaced, src.replaced_at)
                self.overrides.append([_("band \"{band}\" of `{name}`", band=b.label.value, name=r.name),
                                       f"{src.value} ({src.at})", f"{src.replaced} ({src.replaced_at})"])
            rows.append([b.label.value, cond, cited(b) if b.ref is not None else ""])
        notes = [_("Rates `{name}`; the first band that holds applies.", name=r.of) if r.of
                 else _("The first band that holds applies."),
                 _("Citation of the rating (covers every band): {ref}", ref=cited(r))]
        if r.round is not None:
            notes.append(_("The value is rounded to {n} decimals before it is banded.", n=num(r.round)))
        return Section(_("Rating `{name}`", name=r.name) + (f": {r.label}" if r.label else ""),
                       [_("Band"), _("Condition"), _("Citation")], rows, notes)

    def table(self, t: n.Table) -> Section:
        hit = t.hit.value if t.hit is not None else "unique"
        rows = [[sym(expr(c)) if not isinstance(c, n.Wildcard) else _("any") for c in row.cells]
                + [sym(expr(row.result)), cited(row) if row.ref is not None else ""] for row in t.rows]
        notes = [_("Hit policy: {hit}.", hit=sym(hit)),
                 _("Citation of the table (covers every row): {ref}", ref=cited(t))]
        return Section(_("Table `{name}`", name=t.name) + (f": {t.label}" if t.label else ""),
                       [f"`{i.name}`" for i in t.inputs] + [_("Result"), _("Citation")], rows, notes)

    def quota(self, q: n.Quota) -> Section:
        rows = [[sym(f"where {expr(r.where)}") if r.where is not None else _("always"), sym(expr(r.require)),
                 cited(r) if r.ref is not None else ""] for r in q.rules]
        notes = [_("Checked over each group of subjects with the same `{field}`.", field=q.by.name if q.by else "?"),
                 _("Citation of the quota (covers every rule): {ref}", ref=cited(q))]
        return Section(_("Quota `{name}`", name=q.name) + (f": {q.label}" if q.label else ""),
                       [_("Applies"), _("Requires"), _("Citation")], rows, notes)

    def constraints(self) -> Section:
        rows = []
        for c in self._items(n.Constraint):
            bound = f"in {num(c.lo)} .. {num(c.hi)}" if c.op == "in" and c.lo and c.hi else \
                f"{c.op} {num(c.lo if c.lo is not None else c.hi)}"  # type: ignore[arg-type]
            rows.append([sym(f"{c.field.value}({c.target.name})"), sym(bound), cited(c)])
        return Section(_("What an agency may change"), [_("Attribute"), _("Bound"), _("Citation")], rows)

    def _items(self, cls: type) -> list:
        return [i for i in self.plan.module.items if isinstance(i, cls)]


def overridden(text: str, at: str, national: str | None, national_at: str | None) -> str:
    return _("{value} (agency override at {at}; national: {national} at {national_at})", value=text, at=at,
             national=figures(national), national_at=national_at)


def _missing(m: n.Missing) -> str:
    return said("value", f"value {num(m.value)}") if m.value is not None else said(m.treatment)


def handbook(plan: Plan, national: Plan | None = None) -> Handbook:
    """The document of ``plan``; ``national`` is the plan an agency ``plan`` extends."""
    w = _Writer(plan, national)
    header = plan.header
    facts = [(_("Policy"), _("`{name}` version {version}", name=header.name, version=header.version or "-")
              if header else "-"), (_("Citation"), cited(header))]
    period = plan.module.first(n.PeriodDecl)
    if isinstance(period, n.PeriodDecl):
        facts.append((_("In force"), dates(period.range)))
    subject = plan.module.first(n.SubjectDecl)
    if isinstance(subject, n.SubjectDecl):
        facts.append((_("A row of data is"), said(subject.kind.value)))
    if plan.agency_file is not None:
        facts.append((_("Agency file"), _("{file}: the national policy with the agency's overrides, each marked "
                                          "where it is given", file=plan.agency_file)))
    indicators = [w.indicator(d) for d in w._items(n.Indicator)]
    sections = [Section(_("Indicators"), [], [])] + indicators if indicators else []
    sections += [s for s in (w.inputs(), w.values()) if s.rows]
    sections += [w.tree(t) for t in w._items(n.Tree)]
    sections += [w.rating(r) for r in w._items(n.Rating)]
    sections += [w.table(t) for t in w._items(n.Table)]
    sections += [w.quota(q) for q in w._items(n.Quota)]
    sections += [s for s in (w.constraints(),) if s.rows]
    if plan.agency_file is not None:
        sections.insert(0, Section(_("What the agency overrides"),
                                   [_("Rule"), _("Agency value"), _("National value replaced")], w.overrides))
    title = header.label or header.name if header is not None else plan.module.path
    return Handbook(title, facts, [_without_empty_citations(s) for s in sections])


def _without_empty_citations(s: Section) -> Section:
    """A table whose rows cite nothing of their own (the declaration's citation covers them) has no
    citation column."""
    if s.head[-1:] == [_("Citation")] and not any(row[-1] for row in s.rows):
        return Section(s.title, s.head[:-1], [row[:-1] for row in s.rows], s.notes, s.level)
    return s
