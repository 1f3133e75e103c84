"""Where the rule values of an explanation were set: file and line, and for an agency
override the national value it replaced.

An agency's plan is the national module with the agency's overrides applied; the
overriding values keep their own spans (``engine.overrides``), so a value whose
span is in another file than the national declaration's is an override.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine import nodes as n
from engine.evaluate.exprtext import num_text, to_text
from engine.evaluate.result import Result, Violation
from engine.explain.model import Citation, Source
from engine.i18n import N_, _
from engine.plan import Plan

# What an override replaced when the national policy has nothing there (words, not policy code).
NOT_SET = N_("(not set)")
NO_SUCH_BAND = N_("(no such band)")


def national_of(result: Result, plan: Plan) -> n.Module | None:
    """The national module an agency ``plan`` was merged from (``None`` for a national plan)."""
    header = plan.header
    if header is None or header.span.file == plan.module.path:
        return None
    return next((p.module for p in result.plans.values() if p.module.path == header.span.file), None)


def where(node: n.Node) -> str:
    return f"{node.span.file}:{node.span.line}"


def cite(what: str, *nodes: n.Node | None) -> list[Citation]:
    """The citation of the first of ``nodes`` that has one (the most specific first), as a
    list of one, or an empty list."""
    ref = next((x.ref for x in nodes if x is not None and getattr(x, "ref", None) is not None), None)
    return [Citation(what, ref.value, where(ref))] if ref is not None else []


def value_text(node: n.Node) -> str:
    if isinstance(node, n.Num):
        return num_text(node)
    if isinstance(node, n.Word):
        return node.value
    if isinstance(node, n.Missing):
        return node.treatment + (f" {num_text(node.value)}" if node.value is not None else "")
    if isinstance(node, n.Better):
        lower = "lower " if node.direction == "within" and node.sense == "lower" else ""
        span = f" {to_text(node.lo)} .. {to_text(node.hi)}" if node.lo and node.hi else ""
        return lower + node.direction + span
    if isinstance(node, n.Scoring):
        return _scoring_text(node)
    if isinstance(node, n.Band):
        return f'"{node.label.value}"'
    if isinstance(node, n.Row):
        return ", ".join(to_text(c) for c in node.cells) + " -> " + to_text(node.result)
    return to_text(node)


def _scoring_text(s: n.Scoring) -> str:
    out = s.method
    if s.lo is not None and s.hi is not None:
        out += f" {num_text(s.lo)} .. {num_text(s.hi)}"
    return out + (f" cap {num_text(s.cap)}" if s.cap is not None else "")


def _members(items: tuple[n.Node, ...] | tuple[n.Tree | n.Leaf, ...]) -> Iterator[n.Node]:
    for item in items:
        yield item
        if isinstance(item, n.Tree) and item.children:
            yield from _members(item.children)


class Rules:
    """Sources of rule values for one plan."""

    def __init__(self, plan: Plan, national: n.Module | None):
        items = national.items if national is not None else ()
        self.decls = {d.name: d for d in items if isinstance(d, n.Decl)}
        # Scorecard members (a leaf has its indicator's name, so they are looked up apart).
        self.members = {m.name: m for t in items if isinstance(t, n.Tree) for m in _members(t.children or ())
                        if isinstance(m, (n.Tree, n.Leaf))}
        self._made: dict[tuple[str, int, str, bool], tuple[n.Node, Source | None]] = {}

    def source(self, what: str, owner: n.Node, attr: str, member: bool = False) -> Source | None:
        """The source of ``owner.attr`` (``None`` when the attribute is not set); ``member``:
        ``owner`` is a scorecard member (its weight), looked up among the national members.
        Worked out once per rule (the same for every subject of the plan); each call gets a copy."""
        key = (what, id(owner), attr, member)
        if key not in self._made:
            self._made[key] = (owner, self._source(what, owner, attr, member))
        made = self._made[key][1]
        return None if made is None else Source(made.what, made.value, made.at, made.replaced, made.replaced_at)

    def _source(self, what: str, owner: n.Node, attr: str, member: bool) -> Source | None:
        got = getattr(owner, attr, None)
        if not isinstance(got, n.Node):
            return None
        out = Source(what, value_text(got), where(got))
        name = getattr(owner, "name", "")
        base = self.members.get(name) if member else self.decls.get(name)
        old = getattr(base, attr, None) if base is not None else None
        if base is not None and (old is None or not isinstance(old, n.Node)):
            if got.span.file != base.span.file:
                out.replaced, out.replaced_at = _(NOT_SET), where(base)
        elif isinstance(old, n.Node) and old.span.file != got.span.file:
            out.replaced, out.replaced_at = value_text(old), where(old)
        return out

    def sources(self, owner: n.Node, attrs: tuple[str, ...]) -> list[Source]:
        found = (self.source(a, owner, a) for a in attrs)
        return [s for s in found if s is not None]

    def band(self, rating: n.Rating, k: int) -> Source:
        band = rating.bands[k]
        out = Source(_("band {k}", k=k + 1), value_text(band) + _bounds(band), where(band))
        base = self.decls.get(rating.name)
        if isinstance(base, n.Rating) and band.span.file != base.span.file:
            old = next((b for b in base.bands if b.label.value == band.label.value), None)
            out.replaced = value_text(old) + _bounds(old) if old is not None else _(NO_SUCH_BAND)
            out.replaced_at = where(old if old is not None else base)
        return out

    def row(self, table: n.Table, k: int) -> Source:
        return Source(_("row {k}", k=k + 1), value_text(table.rows[k]), where(table.rows[k]))


def _bounds(band: n.Band) -> str:
    if band.otherwise:
        return " otherwise"
    return "".join(f" {b.op} {num_text(b.value)}" for b in band.bounds)


def in_group(result: Result, row: int, plan: Plan, v: Violation) -> bool:
    """Is quota violation ``v`` about the group of the subject at ``row``?"""
    quota = next((q for q in plan.quotas if q.name == v.quota), None)
    if quota is None or quota.by is None:
        return False
    by = quota.by.name
    col = result.steps[by].value if by in result.steps else result.batch.columns.get(by)
    return col is not None and str(col[row]) == v.group
