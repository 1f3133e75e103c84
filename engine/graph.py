"""Graph stage: a checked module to a ``Plan`` (steps in dependency order), and its renderings.

The only module that imports networkx; nothing from it leaks out: the plan holds
plain tuples and a cycle becomes a ``graph.cycle`` diagnostic.  networkx is
imported only to describe a cycle: the ordering itself is a short heap-based
topological sort, so compiling a policy does not pay networkx's import time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

from engine import deps
from engine import nodes as n
from engine.diagnostics import Diagnostic, KinerjaError, Label, error
from engine.fmt.expr import num, quote
from engine.fmt.values import attribute_text
from engine.plan import Plan, Step, StepKind

_KINDS: tuple[tuple[type, StepKind], ...] = (
    (n.Input, "input"), (n.Indicator, "indicator"), (n.Value, "value"),
    (n.Tree, "tree"), (n.Rating, "rating"), (n.Table, "table"),
)


def build(module: n.Module) -> Plan:
    """Compile a checked module into a plan whose steps come in a deterministic topological order."""
    decls = [d for d in deps.named(module) if _kind(d) is not None]
    order = {d.name: i for i, d in reversed(list(enumerate(decls)))}  # first declaration wins
    by_name = {d.name: d for d in reversed(decls)}
    ids, parents = _tree_ids(module)
    reads: dict[str, tuple[str, ...]] = {}
    for name, decl in by_name.items():
        reads[name] = tuple(dict.fromkeys(u.name for u in deps.uses(decl) if u.name in by_name))
    # raw(x) waits only for x's raw value, so a value read by x's own score may read raw(x)
    ordered = _split_raw(order, by_name)
    if ordered is None:
        raise KinerjaError([_cycle_error(_nx_graph(order, reads), by_name, order)]) from None
    place = {name: i for i, name in enumerate(ordered)}
    steps = tuple(
        Step(name, ids.get(name, name), _kind(by_name[name]) or "value", by_name[name], reads[name],
             parents.get(name), tuple(d for d in reads[name] if place[d] > place[name]))
        for name in ordered
    )
    quotas = tuple(d for d in deps.named(module) if isinstance(d, n.Quota))
    return Plan(module, steps, quotas, levels=_levels(module))


def _levels(module: n.Module) -> tuple:
    """The plans of the module's subject levels (none for most policies: nothing is imported)."""
    from engine.levels.nodes import Level

    if not any(isinstance(i, Level) for i in module.items):
        return ()
    from engine.levels.compile import build

    return build(module)


def _ordered(order: dict[str, int], reads: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Kahn's algorithm taking, among the ready names, the earliest declared first: the same
    order as networkx's ``lexicographical_topological_sort`` keyed by declaration order.
    None when there is a cycle."""
    readers: dict[str, list[str]] = {name: [] for name in order}
    waiting = {name: len(reads.get(name, ())) for name in order}
    for name, deps_ in reads.items():
        for dep in deps_:
            readers[dep].append(name)
    ready = [(order[name], name) for name, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        out.append(name)
        for reader in readers[name]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, (order[reader], reader))
    return out if len(out) == len(order) else None


def _split_raw(order: dict[str, int], by_name: dict[str, n.Decl]) -> list[str] | None:
    """The order when ``raw(x)`` waits only for x's raw value (``deps.order_edges``); pseudo-nodes
    take their indicator's place and are dropped.  None when there is still a cycle."""
    edges = deps.order_edges(by_name, split_raw=True)
    keys = {name: order.get(name, order.get(name[4:-1], 0)) for name in edges}
    ordered = _ordered(keys, edges)
    return None if ordered is None else [name for name in ordered if name in order]


def _nx_graph(order: dict[str, int], reads: dict[str, tuple[str, ...]]) -> nx.DiGraph:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(order)
    for name, deps_ in reads.items():
        graph.add_edges_from((dep, name) for dep in deps_)
    return graph


def _kind(decl: n.Decl) -> StepKind | None:
    return next((kind for cls, kind in _KINDS if isinstance(decl, cls)), None)


def _tree_ids(module: n.Module) -> tuple[dict[str, str], dict[str, str]]:
    """Dotted ids and parents of tree members; a name reached twice keeps its first place."""
    ids: dict[str, str] = {}
    parents: dict[str, str] = {}
    for m in module.members():
        if m.name not in ids:
            ids[m.name] = m.id
            if m.parent is not None:
                parents[m.name] = m.parent
    return ids, parents


def _cycle_error(graph: nx.DiGraph, by_name: dict[str, n.Decl], order: dict[str, int]) -> Diagnostic:
    import networkx as nx

    # Start the reported cycle at its earliest declaration so the message is stable.
    start = min((v for comp in nx.strongly_connected_components(graph) if len(comp) > 1 for v in comp),
                key=order.__getitem__, default=None)
    reads = graph.reverse(copy=False)  # report "a reads c reads b", the way a policy is written
    edges = nx.find_cycle(reads, source=start) if start is not None else nx.find_cycle(reads)
    chain = [e[0] for e in edges] + [edges[-1][1]]
    first = by_name[chain[0]]
    from engine.i18n import _

    labels = [Label(by_name[v].name_span, _("`{name}` is declared here", name=v)) for v in chain[1:-1]]
    return error("graph.cycle", _("dependency cycle: {path} (each reads the next)", path=" -> ".join(chain)),
                 first.name_span, _("break the cycle: a value cannot depend on itself"), labels)


# ------------------------------------------------------------------ renderings


def _title(decl: n.Decl) -> str:
    label = getattr(decl, "label", None)
    return f"{decl.name} {quote(label)}" if label else decl.name


def _tree_attrs(tree: n.Tree) -> str:
    parts = [tree.aggregate.value if tree.aggregate else "mean"]
    parts += [attribute_text(name, v) for name in ("missing", "require", "round") if (v := getattr(tree, name))]
    return ", ".join(parts)


def _decl_attrs(decl: n.Decl) -> str:
    if isinstance(decl, n.Indicator):
        method = decl.score.method if decl.score else "ratio"
        cap = f" cap {num(decl.score.cap)}" if decl.score and decl.score.cap else ""
        derived = ", derived" if decl.formula is not None else ""
        return f"indicator{derived}, {method}{cap}"
    return "value" if isinstance(decl, n.Value) else "input" if isinstance(decl, n.Input) else ""


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


def render_text(plan: Plan) -> str:
    """The aggregation tree (weights as written, methods, ratings and tables hanging off
    nodes), then inputs and the remaining derived values with what they read."""
    from engine.i18n import _

    lines: list[str] = []
    header = plan.header
    if header:
        version = f" version {quote(header.version)}" if header.version else ""
        lines.append(f"policy {_title(header)}{version}")
    hangers = _hangers(plan)
    shown: set[str] = set()
    for item in plan.module.items:
        if isinstance(item, n.Tree):
            lines.append("")
            lines += _render_tree(plan, item, "", "", hangers, shown)
    inputs = [s.name for s in plan.steps if s.kind == "input" and s.name not in shown]
    rest = [s for s in plan.steps if s.kind != "input" and s.name not in shown]
    if inputs:
        lines += ["", _("inputs:") + " " + ", ".join(inputs)]
    if rest:
        lines += ["", _("other derived values:")]
        for step in rest:
            if step.name in shown:  # already printed under a value it hangs off
                continue
            shown.add(step.name)
            reads = " <- " + ", ".join(step.deps) if step.deps else ""
            lines.append(f"  {step.kind} {step.name}{reads}")
            lines += _render_hangers(step.name, "    ", hangers, shown)
    if plan.quotas:
        lines += ["", _("quotas:") + " " + ", ".join(f"{q.name} by {q.by.name if q.by else '?'}" for q in plan.quotas)]
    for lp in plan.levels:  # each level: its members and keys, then its own plan, indented
        lines += ["", _("level {name}: groups of {members} by {keys}", name=lp.name, members=lp.subject,
                        keys=", ".join(lp.keys))]
        own = render_text(lp.plan).replace("\ninputs: ", "\naggregates: ", 1)  # its inputs are its aggregates
        lines += ["  " + line if line else "" for line in own.splitlines()[1:]]
    return "\n".join(lines).lstrip("\n") + "\n"


def _render_tree(plan: Plan, node: n.Tree | n.Leaf, lead: str, indent: str,
                 hangers: dict[str, list[Step]], shown: set[str]) -> Iterator[str]:
    shown.add(node.name)
    weight = f"  {attribute_text('weight', node.weight)}" if node.weight else ""
    if isinstance(node, n.Tree):
        yield f"{lead}{node.level} {_title(node)}{weight}  [{_tree_attrs(node)}]"
    else:
        decl = _step_decl(plan, node.name)
        missing = f", {attribute_text('missing', node.missing)}" if node.missing else ""
        attrs = _decl_attrs(decl) if decl else "unknown"
        yield f"{lead}{_title(decl) if decl else node.name}{weight}  [{attrs}{missing}]"
    yield from _render_hangers(node.name, indent + ("│   " if isinstance(node, n.Tree) and node.children
                                                      else "    "), hangers, shown)
    children = list(node.children or ()) if isinstance(node, n.Tree) else []
    for i, child in enumerate(children):
        last = i == len(children) - 1
        yield from _render_tree(plan, child, indent + ("└── " if last else "├── "),
                                indent + ("    " if last else "│   "), hangers, shown)


def _render_hangers(name: str, indent: str, hangers: dict[str, list[Step]], shown: set[str]) -> Iterator[str]:
    for step in hangers.get(name, ()):
        shown.add(step.name)
        decl = step.decl
        if isinstance(decl, n.Rating):
            bands = " | ".join(b.label.value for b in decl.bands)
            yield f"{indent}=> rating {_title(decl)}: {bands}"
        elif isinstance(decl, n.Table):
            hit = decl.hit.value if decl.hit else "unique"
            yield f"{indent}=> table {_title(decl)} ({', '.join(r.name for r in decl.inputs)}) hit {hit}"
        yield from _render_hangers(step.name, indent + "    ", hangers, shown)


def _step_decl(plan: Plan, name: str) -> n.Decl | None:
    return next((s.decl for s in plan.steps if s.name == name), None)


_DOT_SHAPES = {"input": "parallelogram", "indicator": "box", "value": "ellipse",
               "tree": "box3d", "rating": "hexagon", "table": "tab"}


def _edge_weight(step: Step, dep: str) -> str | None:
    if isinstance(step.decl, n.Tree):
        child = next((c for c in step.decl.children or () if c.name == dep), None)
        if child is not None and child.weight is not None:
            return num(child.weight)
    return None


def _label_text(step: Step) -> str:
    label = getattr(step.decl, "label", None)
    return f"{step.name}\n{label}\n({step.kind})" if label else f"{step.name}\n({step.kind})"


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
