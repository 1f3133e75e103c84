"""Graph stage: a checked module to a ``Plan`` (steps in dependency order); its renderings for
people are ``engine.graph_render``.

The only module that imports networkx; nothing from it leaks out: the plan holds
plain tuples and a cycle becomes a ``graph.cycle`` diagnostic.  networkx is
imported only to describe a cycle: the ordering itself is a short heap-based
topological sort, so compiling a policy does not pay networkx's import time.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

from engine import deps
from engine import nodes as n
from engine.diagnostics import Diagnostic, KinerjaError, Label, error
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
