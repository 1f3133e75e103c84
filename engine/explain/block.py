"""Every subject of a block as JSON lines, the bytes of ``to_json(explain(result, id))``, made
without building each subject's explanation tree (``kinerja eval --explain-all``).

What every subject of a plan shares is worked out and encoded once per plan, precision and
language: which nodes are shown and in what order, their names, ids, labels, kinds, declared
weights, rule sources and citations, and the JSON around them.  Per subject only what differs
is made, by the explanation builder's own methods (``engine.explain.build``): values and how they
are shown, the display lines (each checked by redoing its arithmetic, ``numbers.fit``), the
indicators' raw values and where they came from, notes.  Scorecard nodes and indicators take this
path; any other node (a rating, a table, a derived value) is built by the builder and encoded as
it is, so every policy is explained, and tests/test_explain_block.py pins each line to
``explain`` on every bundled example in both languages.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from engine import nodes as n
from engine.evaluate.exprtext import num_text
from engine.evaluate.methods import METHODS
from engine.evaluate.result import Result
from engine.explain import localize
from engine.explain import numbers as nb
from engine.explain.build import INDICATOR_RULES, Builder, round_digits, scalar
from engine.explain.model import NodeExplanation, Note, to_json
from engine.explain.rules import cite, in_group
from engine.i18n import using

_STR: Callable[[str], str] = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring  # type: ignore
_NO_MEMBER = ('"weight": null, "effective_weight": null, "contribution": null, "contribution_kind": null, '
              '"contribution_formula": null')
_NO_BAND = '"band": null, "band_reason": null, "next_band": null, "gap": null, "gap_formula": null'

Member = tuple[n.Tree, str, n.Node, str]  # the tree, its method, the member as declared, the tree's step id
Emit = Callable[[str], str]  # a node's JSON for the current row, given its member fields' JSON


def _j(x: object) -> str:
    """``x`` as json's encoder writes it."""
    if x is None:
        return "null"
    if x.__class__ is str:
        return _STR(x)  # type: ignore[arg-type]
    if x.__class__ is float and x - x == 0:  # type: ignore[operator]
        return float.__repr__(x)  # type: ignore[arg-type]
    return to_json(x)


def lines(result: Result, ids: list[object], places: int, lang: str) -> str:
    """The JSON line of each subject of ``ids`` (``to_json(explain(result, id, places, lang))``
    followed by a newline)."""
    programs: dict[object, _Program] = result.__dict__.setdefault("_explain_blocks", {})
    out: list[str] = []
    with using(lang):
        for sid in ids:
            row = result.row(sid)
            key = (result.plan_key[row], places, lang)
            program = programs.get(key)
            if program is None:
                program = programs[key] = _Program(result, row, places, lang)
            out.append(program.line(row))
    return "\n".join(out) + "\n" if out else ""


class _Program:
    """What the subjects of one plan share, and how to make one subject's line."""

    def __init__(self, result: Result, row: int, places: int, lang: str):
        from engine.explain.build import explain

        self.r, self.lang = result, lang
        self.b = Builder(result, row, places)
        plan = self.b.plan
        sample = explain(result, result.subject_ids[row], places, lang)  # which nodes a subject shows
        self.roots = [self._compile(node.name, None) for node in sample.nodes]
        self.tail = (f', "agency_file": {_j(sample.agency_file)}, "precision": {places}, "lang": {_j(lang)}, '
                     f'"policy_citation": {_j(sample.policy_citation)}}}')
        self.plan = plan

    def line(self, row: int) -> str:
        r, b = self.r, self.b
        b.i, b.events = row, r.events.by_step(row)
        mine = [v for v in r.violations if in_group(r, row, self.plan, v)] if r.violations else []
        return (f'{{"subject_id": {_j(str(r.subject_ids[row]))}, "agency": {_j(scalar(r.agencies[row]))}, '
                f'"policy_version": {_j(str(r.plan_version[row]))}, "nodes": ['
                + ", ".join(emit(_NO_MEMBER) for emit in self.roots)
                + f'], "violations": {to_json(mine)}' + self.tail)

    # ------------------------------------------------------------------ nodes

    def _compile(self, name: str, member: Member | None) -> Emit:
        """How node ``name`` is written (``member``: the tree it is a member of, that tree's method,
        the member as declared and the tree's step id)."""
        decl = self.b.decls[name].decl
        if isinstance(decl, n.Tree):
            return self._tree(decl, member)
        if isinstance(decl, n.Indicator):
            return self._indicator(decl, member)
        return self._built(name, member)

    def _head(self, name: str, member: Member | None) -> str:
        """The node's name, id (a member's is under its tree's step id, as ``as_member`` makes it),
        kind and label."""
        step = self.b.decls[name]
        node_id = step.id if member is None else f"{member[3]}.{name}"
        label = getattr(step.decl, "label", None)
        return f'{{"name": {_j(name)}, "id": {_j(node_id)}, "kind": {_j(step.kind)}, "label": {_j(label)}, '

    def _common(self, name: str, digits: int) -> tuple[object, str, str]:
        """The row's value of ``name``, its ``"value": .., "shown": ..`` (``digits`` decimals) and its notes."""
        b = self.b
        value = b.col(name)
        shown = localize.numbers(nb.fixed(value, digits), self.lang)
        events = b.events.get(name)
        notes = to_json([Note(e.code, e.kind, e.message) for e in events]) if events else "[]"
        return value, f'"value": {_j(value)}, "shown": {_j(shown)}, ', notes

    def _tree(self, tree: n.Tree, member: Member | None) -> Emit:
        b, lang = self.b, self.lang
        method = tree.aggregate.value if tree.aggregate else "mean"
        step_id = b.decls[tree.name].id
        kids = [(child, _j(num_text(child.weight) if child.weight is not None else None),
                 self._compile(child.name, (tree, method, child, step_id))) for child in tree.children or ()]
        head = self._head(tree.name, member)
        own_sources, own_citations = b.tree_rules(tree)
        sources = (b.member_sources(member[2]) if member else []) + own_sources
        citations = (cite("weight", member[2]) if member else []) + own_citations
        rest = f'{_NO_BAND}, "sources": {to_json(sources)}, "citations": {to_json(citations)}, "notes": '
        member_json = self._member_json(method)
        digits = max(b.places, round_digits(tree) or 0)

        def emit(member_fields: str) -> str:
            _, common, notes = self._common(tree.name, digits)
            operands: list[tuple[float, float]] = []
            children = []
            for child, weight, kid in kids:
                children.append(kid(member_json(tree, child, weight, operands)))
            formula = localize.numbers(b.tree_formula(tree, method, operands), lang)
            return (head + common + '"raw": null, "origin": null, "substituted": null, "raw_formula": null, '
                    f'"formula": {_j(formula)}, "lookups": [], {member_fields}, {rest}{notes}, "children": ['
                    + ", ".join(children) + "]}")
        return emit

    def _member_json(self, method: str) -> Callable[[n.Tree, n.Node, str, list[tuple[float, float]]], str]:
        b, lang = self.b, self.lang
        kind = _j(METHODS[method].kind)

        def member_json(tree: n.Tree, child: n.Node, weight: str, operands: list[tuple[float, float]]) -> str:
            w, c, line = b.member(tree, method, child.name, b.col(child.name), operands)  # type: ignore[attr-defined]
            return (f'"weight": {weight}, "effective_weight": {_j(w)}, "contribution": {_j(c)}, '
                    f'"contribution_kind": {kind}, "contribution_formula": {_j(localize.numbers(line, lang))}')
        return member_json

    def _indicator(self, decl: n.Indicator, member: Member | None) -> Emit:
        b, lang = self.b, self.lang
        head = self._head(decl.name, member)
        sources = to_json((b.member_sources(member[2]) if member else []) + b.rules.sources(decl, INDICATOR_RULES))
        weight_citation = cite("weight", member[2]) if member else []
        step = b.decls[decl.name]
        digits = max(b.places, round_digits(decl) or 0)
        citations: dict[object, str] = {}  # by the scoring piece that applied

        def emit(member_fields: str) -> str:
            value, common, notes = self._common(decl.name, digits)
            case = b.col(decl.name, "case")
            cited = citations.get(case)
            if cited is None:
                cited = citations[case] = to_json(weight_citation + b.scoring_citation(decl))
            out = NodeExplanation(decl.name, step.id, step.kind, decl.label, value)
            b.indicator_lines(out, decl)
            return (head + common + f'"raw": {_j(out.raw)}, "origin": {_j(out.origin)}, '
                    f'"substituted": {_j(localize.numbers(out.substituted, lang))}, '
                    f'"raw_formula": {_j(localize.numbers(out.raw_formula, lang))}, '
                    f'"formula": {_j(localize.numbers(out.formula, lang))}, "lookups": [], {member_fields}, '
                    f'{_NO_BAND}, "sources": {sources}, '
                    f'"citations": {cited}, "notes": {notes}, '
                    '"children": []}')
        return emit

    def _built(self, name: str, member: Member | None) -> Emit:
        """Any other node: built by the builder, localised and encoded as ``explain`` does."""
        b, lang = self.b, self.lang

        def emit(member_fields: str) -> str:
            node = b.node(name)
            if member is not None:  # the parent made its member fields already: made again here, the same
                b.as_member(node, member[3], member[0], member[1], member[2], [])
            for d in node.walk():
                localize.localize_node(d, lang)
            return to_json(node)
        return emit
