"""Explanations: one subject's derivation tree, read only from the evaluated columns.

Every number here is taken from ``Result`` columns at the subject's row (values,
raw values, effective weights, contributions, the band chosen); the formulas
are the policy's own with those numbers substituted.  Nothing is recomputed, so
an explanation cannot disagree with the score.  In formula text computed numbers
are shown to 2 decimals; the ``value`` fields carry the full numbers.

Contributions: under a weighted mean (or sum) each child's contribution is its
effective weight times its value and they add up to the parent.  Under a
geometric mean each child contributes the factor value ** effective weight and
the product of the factors is the parent; under a harmonic mean the terms
weight / value add up to 1 / parent.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from engine import nodes as n
from engine.batch import Origin
from engine.evaluate import numeric as num
from engine.evaluate.exprtext import num_text, to_text
from engine.evaluate.methods import METHODS
from engine.evaluate.result import Result, Violation
from engine.plan import Plan

Scalar = float | str | None


@dataclass
class Note:
    """A missing-data decision or runtime error at this node."""

    code: str
    kind: str
    message: str


@dataclass
class NodeExplanation:
    name: str
    id: str
    kind: str
    label: str | None
    value: Scalar
    raw: float | None = None
    origin: Origin | None = None
    formula: str | None = None
    weight: str | None = None  # declared, as written
    effective_weight: float | None = None
    contribution: float | None = None
    contribution_kind: str | None = None  # "addend" | "factor" | "reciprocal term" | "chosen value"
    band: str | None = None
    band_reason: str | None = None
    next_band: str | None = None
    gap: float | None = None
    notes: list[Note] = field(default_factory=list)
    children: list[NodeExplanation] = field(default_factory=list)

    def walk(self) -> list[NodeExplanation]:
        return [self] + [d for c in self.children for d in c.walk()]


@dataclass
class Explanation:
    subject_id: str
    agency: str | None
    policy_version: str
    nodes: list[NodeExplanation]
    violations: list[Violation] = field(default_factory=list)

    def walk(self) -> list[NodeExplanation]:
        return [d for r in self.nodes for d in r.walk()]


def _sc(x: object) -> Scalar:
    if x is None:
        return None
    if isinstance(x, (float, np.floating, int, np.integer)):
        return None if np.isnan(x) else float(x)
    return str(x)


def _show(x: object) -> str:
    """A computed number for formula text: 2 decimals, half away from zero, zeros dropped."""
    v = _sc(x)
    if v is None:
        return "—"
    if isinstance(v, str):
        return f'"{v}"'
    return num.fmt(float(num.round_half_away(v, 2)))


class _Builder:
    def __init__(self, result: Result, row: int):
        self.r = result
        self.i = row
        self.plan: Plan = result.plan_at(row)
        self.decls = {s.name: s for s in self.plan.steps}

    def col(self, name: str, key: str = "value") -> Scalar:
        sr = self.r.steps.get(name)
        if sr is None:
            return None
        c = sr.value if key == "value" else sr.raw if key == "raw" else sr.extra.get(key)
        return None if c is None else _sc(c[self.i])

    def notes(self, name: str) -> list[Note]:
        return [Note(e.code, e.kind, e.message) for e in self.r.events_at(self.i, name)]

    def origin(self, name: str) -> Origin | None:
        cols = self.r.batch.origins.get(name)
        if cols is not None and self.i < len(cols):
            return cols[self.i]
        return None

    def node(self, name: str) -> NodeExplanation:
        step = self.decls[name]
        decl = step.decl
        out = NodeExplanation(name, step.id, step.kind, getattr(decl, "label", None), self.col(name),
                              notes=self.notes(name))
        if isinstance(decl, n.Indicator):
            self.indicator(out, decl)
        elif isinstance(decl, n.Input):
            out.origin = self.origin(name)
        elif isinstance(decl, n.Value) and decl.formula is not None:
            self.value(out, decl.formula)
        elif isinstance(decl, n.Tree):
            self.tree(out, decl)
        elif isinstance(decl, n.Rating):
            self.rating(out, decl)
        elif isinstance(decl, n.Table):
            self.table(out, decl)
        return out

    def value(self, out: NodeExplanation, formula: n.Node) -> None:
        """A derived value's formula with this subject's numbers, and the calls' lookups and statistics."""
        from engine.explain_calls import call_notes, population_note

        if isinstance(formula, n.Call) and formula.func in n.POPULATION_FUNCTIONS:  # the statistic itself: once
            out.formula = population_note(self.r, self.i, formula, _show)[2:]
            return
        notes = call_notes(self.r, self.i, formula, self.decls, self.col, self.subst, _show)
        out.formula = f"{to_text(formula, self.subst)} = {_show(out.value)}{notes}"

    def subst(self, name: str) -> str | None:
        if name.startswith("raw:"):
            return _show(self.col(name[4:], "raw"))
        return _show(self.col(name)) if name in self.r.steps else None

    # ---------------------------------------------------------- indicators

    def indicator(self, out: NodeExplanation, decl: n.Indicator) -> None:
        out.raw = self.col(decl.name, "raw")  # type: ignore[assignment]
        out.origin = self.origin(decl.name) if decl.formula is None else None
        scoring = decl.score or n.Scoring("ratio")
        body = self.score_text(decl, scoring, out.raw)
        if scoring.method in ("ratio", "progress", "goalposts"):
            body = f"max({body}, 0)"
        if scoring.cap is not None:
            body = f"min({body}, {num_text(scoring.cap)})"
        rounding = f", rounded to {decl.round.value} decimals" if decl.round is not None else ""
        derived = f"raw = {to_text(decl.formula, self.subst)} = {_show(out.raw)}; " if decl.formula else ""
        out.formula = f"{derived}{scoring.method}: {body}{rounding} = {_show(out.value)}"

    def within_text(self, better: n.Better, raw: float | None) -> str:
        """Which bound of a target range scored this row, with its number (a per-subject bound's value)."""
        r = _show(raw)
        (lo, lo_v), (hi, hi_v) = (self.bound(x) for x in (better.lo, better.hi))  # type: ignore[arg-type]
        where = f"{lo} .. {hi}" + (" (lower is better)" if better.sense == "lower" else "")
        if raw is None or lo_v is None or hi_v is None:
            return f"no score ({r} against {where})"
        for op, edge, v, side in ((num.gt, hi, hi_v, "above"), (num.lt, lo, lo_v, "below")):
            if op(raw, v) == 1.0:
                share = f"{r} / {edge}"
                body = f"(1 + (1 − {share})) × 100" if better.sense == "lower" else f"{share} × 100"
                return f"{body} ({side} {where})"
        return f"100 ({r} within {where})"

    def bound(self, x: n.Num | n.Ref) -> tuple[str, float | None]:
        """A range bound as text (a per-subject bound shows this subject's value) and as a number."""
        if isinstance(x, n.Num):
            return num_text(x), float(x.value)
        v = self.col(x.name)
        return _show(v), float(v) if isinstance(v, float) and v == v else None

    def score_text(self, decl: n.Indicator, scoring: n.Scoring, raw: float | None) -> str:
        r = _show(raw)
        t = num_text(decl.target) if decl.target else "?"
        b = num_text(decl.baseline) if decl.baseline else "?"
        # A per-subject target/baseline shows this subject's value of the field.
        if decl.target_field is not None:
            t = self.subst(decl.target_field.name) or "?"
        if decl.baseline_field is not None:
            b = self.subst(decl.baseline_field.name) or "?"
        better = decl.better or n.Better("higher")
        m = scoring.method
        if m == "ratio" and better.direction == "within" and better.lo and better.hi:
            return self.within_text(better, raw)
        if m == "ratio":
            return f"{r} / {t} × 100" if better.direction == "higher" else f"(2 − {r} / {t}) × 100"
        if m == "progress":
            return f"({r} − {b}) / ({t} − {b}) × 100"
        if m == "goalposts":
            lo, hi = num_text(scoring.lo) if scoring.lo else "?", num_text(scoring.hi) if scoring.hi else "?"
            text = f"clip(({r} − {lo}) / ({hi} − {lo}) × 100, 0, 100)"
            return f"100 − {text}" if better.direction == "lower" else text
        selfs = {"value": r, "target": t, "baseline": b}

        def sub(name: str) -> str | None:
            return selfs.get(name) or self.subst(name)
        if m == "piecewise":
            case = self.col(decl.name, "case")
            k = int(case) if isinstance(case, float) else -1
            if k < 0:
                return "no piece applies"
            piece = scoring.cases[k]
            when = f"when {to_text(piece.when, sub)}" if piece.when is not None else "otherwise"
            return f"piece {k + 1} ({when}): {to_text(piece.then, sub)}"
        if m == "formula":
            return to_text(scoring.formula, sub)
        return r

    # ---------------------------------------------------------- tree nodes

    def tree(self, out: NodeExplanation, tree: n.Tree) -> None:
        method = tree.aggregate.value if tree.aggregate else "mean"
        sr = self.r.steps[tree.name]
        terms = []
        for child in tree.children or ():
            c = self.node(child.name)
            c.weight = num_text(child.weight) if child.weight is not None else None
            c.effective_weight = _sc(sr.weights[child.name][self.i])  # type: ignore[assignment]
            c.contribution = _sc(sr.contributions[child.name][self.i])  # type: ignore[assignment]
            c.contribution_kind = METHODS[method].kind
            out.children.append(c)
            if c.effective_weight:
                terms.append((c, c.effective_weight))
        out.formula = _aggregate_text(method, terms, out.value, tree, self.col(tree.name, "unrounded"))

    # ------------------------------------------------------ ratings, tables

    def rating(self, out: NodeExplanation, decl: n.Rating) -> None:
        banded = self.col(decl.name, "banded")
        band = self.col(decl.name, "band")
        k = int(band) if isinstance(band, float) else -1
        if decl.of:
            out.children.append(self.ref(decl.of))
        rounded = f" (rounded to {decl.round.value} decimals: {num.fmt(banded)})" if decl.round is not None else ""
        if k < 0:
            out.band_reason = "the rated value is missing" if banded is None else f"no band matches {num.fmt(banded)}"
            return
        chosen = decl.bands[k]
        out.band = chosen.label.value
        out.band_reason = f"{num.fmt(banded)}{rounded} " + (_bounds_text(chosen) or "falls to `otherwise`")
        if chosen.gate is not None:
            out.band_reason += f" and `{to_text(chosen.gate)}` holds"
        if k == 0:
            out.band_reason += "; this is the highest band"
            return
        up = decl.bands[k - 1]
        out.next_band = up.label.value
        out.gap, why = _why_not(up, banded, self.col(decl.name, f"gate:{k - 1}"))
        out.band_reason += f"; not {up.label.value}: {why}"

    def table(self, out: NodeExplanation, decl: n.Table) -> None:
        out.children = [self.ref(r.name) for r in decl.inputs]
        row = self.col(decl.name, "row")
        k = int(row) if isinstance(row, float) else -1
        if k >= 0:
            r = decl.rows[k]
            cells = ", ".join(to_text(c) for c in r.cells)
            out.formula = f"row {k + 1}: {cells} -> {to_text(r.result)}"
        else:
            out.formula = "no row matches"

    def ref(self, name: str) -> NodeExplanation:
        """A node read by a rating or table, without repeating its whole derivation."""
        step = self.decls[name]
        return NodeExplanation(name, step.id, step.kind, getattr(step.decl, "label", None), self.col(name))


def _aggregate_text(method: str, terms: list[tuple[NodeExplanation, float]], value: Scalar, tree: n.Tree,
                    unrounded: Scalar) -> str:
    if not terms:
        return f"{method}: no child has a value = —"

    def pct(w: float) -> str:
        return num.fmt(float(num.round_half_away(w * 100, 2))) + "%"
    m = METHODS[method]
    weight = pct if m.percent_weights else num.fmt
    if m.text is not None:
        body = m.text([(weight(w), _show(c.value)) for c, w in terms])
    else:
        body = f"{method} of the present children, chosen: " + ", ".join(c.name for c, _ in terms)
    tail = f" = {_show(unrounded)}, rounded to {tree.round.value} decimals" if tree.round is not None else ""
    return f"{method}: {body}{tail} = {_show(value)}"


def _bounds_text(band: n.Band) -> str:
    return " and ".join(f"{b.op} {num_text(b.value)}" for b in band.bounds)


def _why_not(band: n.Band, value: Scalar, gate: Scalar) -> tuple[float | None, str]:
    """Why the next band up was not reached and by how much (``gap``: how far below its edge)."""
    if not isinstance(value, float):
        return None, "the value is missing"
    for b in band.bounds:
        edge = num.to_float(b.value.value)
        if num.COMPARE[b.op](value, edge) == 1.0:
            continue
        gap = abs(edge - value)
        need = {">=": "reach", ">": "exceed", "<=": "stay at or below", "<": "stay below"}[b.op]
        return gap, f"needs to {need} {num_text(b.value)}, is {_show(gap)} {'below' if b.op[0] == '>' else 'above'}"
    if band.gate is not None:
        state = "is missing" if gate is None else "does not hold"
        return None, f"its condition `{to_text(band.gate)}` {state}"
    return None, "an earlier band takes precedence"


def explain(result: Result, subject_id: object) -> Explanation:
    """The derivation tree of one subject: scorecards first, then everything else that is
    not an input or a member of a scorecard (derived values, ratings, tables)."""
    row = result.row(subject_id)
    b = _Builder(result, row)
    roots = [b.node(item.name) for item in b.plan.module.items if isinstance(item, n.Tree)]
    shown = {d.name for r in roots for d in r.walk()}
    roots += [b.node(s.name) for s in b.plan.steps if s.kind != "input" and s.name not in shown]
    mine = [v for v in result.violations if _in_group(result, row, b.plan, v)]
    return Explanation(str(result.subject_ids[row]), _sc(result.agencies[row]),  # type: ignore[arg-type]
                       str(result.plan_version[row]), roots, mine)


def _in_group(result: Result, row: int, plan: Plan, v: Violation) -> bool:
    quota = next((q for q in plan.quotas if q.name == v.quota), None)
    if quota is None or quota.by is None:
        return False
    by = quota.by.name
    col = result.steps[by].value if by in result.steps else result.batch.columns.get(by)
    return col is not None and str(col[row]) == v.group


# ------------------------------------------------------------------ rendering


def render(explanation: Explanation, fmt: str = "text") -> str:
    """The explanation as ``text``, ``json`` or ``markdown``."""
    if fmt == "json":
        return json.dumps(asdict(explanation), ensure_ascii=False, indent=2, default=str) + "\n"
    md = fmt == "markdown"
    head = f"{explanation.subject_id} (agency {explanation.agency}, policy {explanation.policy_version})"
    lines = [f"# {head}" if md else head]
    for root in explanation.nodes:
        _render_node(root, 0, md, lines)
    if explanation.violations:
        lines.append("## Quota violations" if md else "quota violations:")
        lines += [("- " if md else "  ") + v.message for v in explanation.violations]
    return "\n".join(lines) + "\n"


def _render_node(node: NodeExplanation, depth: int, md: bool, lines: list[str]) -> None:
    pad = "  " * depth
    bullet = f"{pad}- " if md else pad
    name = f"**{node.name}**" if md else node.name
    label = f" \"{node.label}\"" if node.label else ""
    lines.append(f"{bullet}{name}{label} [{node.kind}] = {_show(node.value) if node.value is not None else '—'}")
    sub = f"{pad}  - " if md else f"{pad}    "
    if node.raw is not None or node.origin is not None:
        where = f" from {node.origin.file} row {node.origin.row}" if node.origin else ""
        lines.append(f"{sub}raw {num.fmt(node.raw)}{where}")
    if node.formula:
        lines.append(f"{sub}{node.formula}")
    if node.weight is not None or node.effective_weight is not None:
        eff = "—" if node.effective_weight is None else f"{num.fmt(node.effective_weight * 100, 2)}%"
        kind = {"factor": "factor", "reciprocal term": "reciprocal term"}.get(node.contribution_kind or "",
                                                                                 "contribution")
        lines.append(f"{sub}weight {node.weight or '1'} (effective {eff}), {kind} {_show(node.contribution)}")
    if node.band_reason:
        lines.append(f"{sub}band {node.band or '—'}: {node.band_reason}")
    lines += [f"{sub}{note.kind} {note.code}: {note.message}" for note in node.notes]
    for child in node.children:
        _render_node(child, depth + 1, md, lines)
