"""A plan as a person reads it: the aggregation tree as text, Graphviz DOT and Mermaid.

Everything around the policy's own text is in the reader's language: the kinds of node
(``perspektif``, ``indikator``), the weights (``bobot 40%``, ``bobot 0,5``), the headings and the
methods in words (``rata-rata berbobot (`mean`)``); what the policy writes stays as written and
is marked as code (```require 50%```, ```cap 120```); names and labels are the policy's data.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine import nodes as n
from engine.explain.localize import numbers
from engine.fmt.expr import num, quote
from engine.fmt.values import attribute_text
from engine.i18n import N_, _, language
from engine.i18n.terms import NOUNS, members_word, method_words, noun
from engine.plan import Plan, Step


def _kind(word: str) -> str:
    """A kind of node in words (``perspektif``); a word the catalogue does not know, as it is."""
    return noun(word) if word in NOUNS else word


def _figures(text: str) -> str:
    """The numbers of a weight as the reader writes them (``0,5`` in Indonesian)."""
    return numbers(text, language()) or text


def _title(decl: n.Decl) -> str:
    label = getattr(decl, "label", None)
    return f"{decl.name} {quote(label)}" if label else decl.name


def _code(name: str, v: n.Node) -> str:
    return f"`{attribute_text(name, v)}`"


def _tree_attrs(tree: n.Tree) -> str:
    parts = [method_words(tree.aggregate.value if tree.aggregate else "mean")]
    parts += [_code(name, v) for name in ("missing", "require", "round") if (v := getattr(tree, name))]
    return ", ".join(parts)


def _leaf_attrs(decl: n.Decl) -> str:
    if not isinstance(decl, n.Indicator):
        return ""
    method = decl.score.method if decl.score else "ratio"
    parts = [_("derived")] if decl.formula is not None else []
    parts.append(method_words(method))
    if decl.score and decl.score.cap:
        parts.append(f"`cap {num(decl.score.cap)}`")
    return ", ".join(parts)


def _hangers(plan: Plan) -> dict[str, list[Step]]:
    """Ratings hang off the node they rate; tables off the first rating or table they read."""
    out: dict[str, list[Step]] = {}
    placed: set[str] = set()
    for step in plan.steps:
        decl = step.decl
        anchor = None
        if isinstance(decl, n.Rating):
            anchor = decl.of
        elif isinstance(decl, n.Table):
            anchor = next((r.name for r in decl.inputs if r.name in placed), None)
        if anchor is not None:
            out.setdefault(anchor, []).append(step)
            placed.add(step.name)
    return out


def render_text(plan: Plan, inputs_heading: str = N_("inputs:")) -> str:
    """The aggregation tree (weights as written, methods, ratings and tables hanging off
    nodes), then inputs and the remaining derived values with what they read."""
    lines: list[str] = []
    header = plan.header
    if header:
        lines.append(_("policy {name} version {version}", name=_title(header), version=header.version)
                     if header.version else _("policy {name}", name=_title(header)))
    hangers = _hangers(plan)
    shown: set[str] = set()
    for item in plan.module.items:
        if isinstance(item, n.Tree):
            lines.append("")
            lines += _render_tree(plan, item, "", "", hangers, shown)
    inputs = [s.name for s in plan.steps if s.kind == "input" and s.name not in shown]
    rest = [s for s in plan.steps if s.kind != "input" and s.name not in shown]
    if inputs:
        lines += ["", _(inputs_heading) + " " + ", ".join(inputs)]
    if rest:
        lines += ["", _("other derived values:")]
        for step in rest:
            if step.name in shown:  # already printed under a value it hangs off
                continue
            shown.add(step.name)
            reads = " <- " + ", ".join(step.deps) if step.deps else ""
            lines.append(f"  {_kind(step.kind)} {step.name}{reads}")
            lines += _render_hangers(step.name, "    ", hangers, shown)
    if plan.quotas:
        lines += ["", _("quotas:") + " " + ", ".join(
            _("{quota} by {field}", quota=q.name, field=q.by.name if q.by else "?") for q in plan.quotas)]
    for lp in plan.levels:  # each level: its members and keys, then its own plan, indented
        lines += ["", _("level {name}: groups of {members} by {keys}", name=lp.name, members=members_word(lp.subject),
                        keys=", ".join(lp.keys))]
        own = render_text(lp.plan, N_("aggregates:"))  # a level's inputs are its aggregates
        lines += ["  " + line if line else "" for line in own.splitlines()[1:]]
    return "\n".join(lines).lstrip("\n") + "\n"


def _render_tree(plan: Plan, node: n.Tree | n.Leaf, lead: str, indent: str,
                 hangers: dict[str, list[Step]], shown: set[str]) -> Iterator[str]:
    shown.add(node.name)
    weight = "  " + _("weight {weight}", weight=_figures(num(node.weight))) if node.weight else ""
    if isinstance(node, n.Tree):
        yield f"{lead}{_kind(node.level)} {_title(node)}{weight}  [{_tree_attrs(node)}]"
    else:
        decl = _step_decl(plan, node.name)
        attrs = [_leaf_attrs(decl)] if decl else []
        attrs += [_code("missing", node.missing)] if node.missing else []
        kind = _kind(_KINDS.get(type(decl), "indicator")) + " " if decl else ""
        attributes = f"  [{', '.join(a for a in attrs if a)}]" if any(attrs) else ""
        yield f"{lead}{kind}{_title(decl) if decl else node.name}{weight}{attributes}"
    yield from _render_hangers(node.name, indent + ("│   " if isinstance(node, n.Tree) and node.children
                                                      else "    "), hangers, shown)
    children = list(node.children or ()) if isinstance(node, n.Tree) else []
    for i, child in enumerate(children):
        last = i == len(children) - 1
        yield from _render_tree(plan, child, indent + ("└── " if last else "├── "),
                                indent + ("    " if last else "│   "), hangers, shown)


_KINDS = {n.Indicator: "indicator", n.Value: "value", n.Input: "input"}


def _render_hangers(name: str, indent: str, hangers: dict[str, list[Step]], shown: set[str]) -> Iterator[str]:
    for step in hangers.get(name, ()):
        shown.add(step.name)
        decl = step.decl
        if isinstance(decl, n.Rating):
            bands = " | ".join(b.label.value for b in decl.bands)
            yield f"{indent}=> {noun('rating')} {_title(decl)}: {bands}"
        elif isinstance(decl, n.Table):
            hit = decl.hit.value if decl.hit else "unique"
            yield f"{indent}=> {noun('table')} {_title(decl)} ({', '.join(r.name for r in decl.inputs)}), `hit {hit}`"
        yield from _render_hangers(step.name, indent + "    ", hangers, shown)


def _step_decl(plan: Plan, name: str) -> n.Decl | None:
    return next((s.decl for s in plan.steps if s.name == name), None)


_DOT_SHAPES = {"input": "parallelogram", "indicator": "box", "value": "ellipse",
               "tree": "box3d", "rating": "hexagon", "table": "tab"}


def _edge_weight(step: Step, dep: str) -> str | None:
    if isinstance(step.decl, n.Tree):
        child = next((c for c in step.decl.children or () if c.name == dep), None)
        if child is not None and child.weight is not None:
            return _figures(num(child.weight))
    return None


def _label_text(step: Step) -> str:
    """``name``, the label, and the kind in words: a tree node by its level (``perspektif``)."""
    label = getattr(step.decl, "label", None)
    kind = _kind(step.decl.level if isinstance(step.decl, n.Tree) else step.kind)
    return f"{step.name}\n{label}\n({kind})" if label else f"{step.name}\n({kind})"


def render_dot(plan: Plan) -> str:
    """Graphviz DOT of the plan: data flows from what is read to what reads it."""
    name = plan.header.name if plan.header else "policy"
    out = [f"digraph {quote(name)} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for step in plan.steps:
        label = quote(_label_text(step)).replace("\n", "\\n")
        out.append(f"  {quote(step.id)} [label={label}, shape={_DOT_SHAPES[step.kind]}];")
    ids = {s.name: s.id for s in plan.steps}
    for step in plan.steps:
        for dep in step.deps:
            weight = _edge_weight(step, dep)
            attr = f" [label={quote(weight)}]" if weight else ""
            out.append(f"  {quote(ids[dep])} -> {quote(step.id)}{attr};")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


_MERMAID_SHAPES = {"input": ('[/"', '"/]'), "indicator": ('["', '"]'), "value": ('("', '")'),
                   "tree": ('[["', '"]]'), "rating": ('{{"', '"}}'), "table": ('[("', '")]')}


def render_mermaid(plan: Plan) -> str:
    """A Mermaid ``flowchart TD`` of the plan (node ids are prefixed: `end` is reserved)."""
    out = ["flowchart TD"]
    for step in plan.steps:
        left, right = _MERMAID_SHAPES[step.kind]
        label = _mermaid_text(_label_text(step)).replace("\n", "<br/>")
        out.append(f"    n_{step.name}{left}{label}{right}")
    for step in plan.steps:
        for dep in step.deps:
            weight = _edge_weight(step, dep)
            arrow = f' -->|"{_mermaid_text(weight)}"| ' if weight else " --> "
            out.append(f"    n_{dep}{arrow}n_{step.name}")
    return "\n".join(out) + "\n"
