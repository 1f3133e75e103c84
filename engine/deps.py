"""What each declaration reads: the one definition of dependencies.

The checker (unknown names, cycles, unused indicators) and the graph builder
both use it, so they can never disagree about what depends on what.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine import nodes as n


@dataclass(frozen=True, slots=True)
class Use:
    """One reference from a declaration to a name, with where it is written."""

    name: str
    span: n.Span
    in_score: bool = False  # inside the declaring indicator's own score formula (or its per-row target)
    raw: bool = False  # the argument of ``raw(x)``: reads x's raw value, computed before x's score


def named(module: n.Module) -> Iterator[n.Decl]:
    """Every named declaration of a policy, tree groups included, in source order."""
    for item in module.items:
        if isinstance(item, n.Tree):
            yield from (m.node for m in item.members() if isinstance(m.node, n.Tree))
        elif isinstance(item, n.Decl) and not isinstance(item, (n.Header, n.Agency)):
            yield item


def expr_refs(expr: n.Node | None, in_score: bool = False) -> Iterator[Use]:
    """Names an expression reads (``raw(x)`` reads ``x``, marked ``raw``)."""
    if expr is None:
        return
    raw_args = {id(c.args[0]) for c in expr.walk()
                if isinstance(c, n.Call) and c.func == "raw" and c.args and isinstance(c.args[0], n.Ref)}
    keyword = {id(c.by) for c in expr.walk()
               if isinstance(c, n.Call) and c.by is not None and c.by.name in n.GROUP_KEYWORDS}
    for node in expr.walk():
        if isinstance(node, n.Ref) and id(node) in keyword:
            continue  # `by agency` / `by peer_group`: the agency column or its plan's peer group, not a name
        if isinstance(node, n.Ref):
            yield Use(node.name, node.span, in_score, id(node) in raw_args)
        elif isinstance(node, n.Call) and node.func not in n.FUNCTIONS:  # a table called as a function
            yield Use(node.func, node.span, in_score)


def uses(decl: n.Decl) -> list[Use]:
    """The names ``decl`` reads, in source order.

    Inside an indicator's score formula, ``value``/``target``/``baseline`` refer
    to the indicator itself and are not uses.
    """
    if isinstance(decl, n.Indicator):
        out = list(expr_refs(decl.formula))
        if decl.score is not None:
            body = [decl.score.formula, *[e for c in decl.score.cases for e in (c.when, c.then)]]
            out += [u for e in body for u in expr_refs(e, in_score=True) if u.name not in n.SELF_NAMES]
        # A per-row target is read by the score; a per-row baseline also by `missing baseline` (the raw value).
        fills_raw = decl.missing is not None and decl.missing.treatment == "baseline"
        bounds = (decl.better.lo, decl.better.hi) if decl.better is not None else ()
        for ref, in_score in ((decl.target_field, True), (decl.baseline_field, not fills_raw),
                              *((b, True) for b in bounds)):
            if isinstance(ref, n.Ref):
                out.append(Use(ref.name, ref.span, in_score))
        return out
    if isinstance(decl, n.Value):
        return list(expr_refs(decl.formula))
    if isinstance(decl, n.Tree):
        return [Use(c.name, c.name_span) for c in decl.children or ()]
    if isinstance(decl, n.Rating):
        out = [Use(decl.of, decl.of_span)] if decl.of else []
        return out + [u for b in decl.bands for u in expr_refs(b.gate)]
    if isinstance(decl, n.Table):
        return [Use(r.name, r.span) for r in decl.inputs]
    if isinstance(decl, n.Quota):
        refs = [u for r in decl.rules for e in (r.where, r.require) for u in expr_refs(e)]
        return ([Use(decl.by.name, decl.by.span)] if decl.by else []) + refs
    return []


def self_refs_outside_score(decl: n.Decl) -> Iterator[Use]:
    """``value``/``target``/``baseline`` used where they mean nothing (outside a score)."""
    exprs: list[n.Node | None] = []
    if isinstance(decl, (n.Indicator, n.Value)):
        exprs.append(decl.formula)
    if isinstance(decl, n.Rating):
        exprs += [b.gate for b in decl.bands]
    if isinstance(decl, n.Quota):
        exprs += [e for r in decl.rules for e in (r.where, r.require)]
    for e in exprs:
        yield from (u for u in expr_refs(e) if u.name in n.SELF_NAMES)


def order_edges(decls: dict[str, n.Decl], split_raw: bool) -> dict[str, tuple[str, ...]]:
    """What each name must come after, for ordering and cycle finding.

    Without ``split_raw`` a use of ``raw(x)`` waits for all of ``x``.  With it, ``raw(x)``
    waits only for the pseudo-node ``raw(x)``, which waits for what x's raw value reads
    (not its score), and x waits for ``raw(x)``: a value that reads ``raw(x)`` and is read
    by x's own score is then no cycle.  Pseudo-nodes are added only for indicators read by
    ``raw()``; callers drop them from an order.
    """
    edges: dict[str, tuple[str, ...]] = {}
    raws: set[str] = set()
    for name, decl in decls.items():
        names: list[str] = []
        for u in uses(decl):
            if u.name not in decls:
                continue
            if split_raw and u.raw and isinstance(decls[u.name], n.Indicator):
                raws.add(u.name)
                names.append(raw_node(u.name))
            else:
                names.append(u.name)
        edges[name] = tuple(dict.fromkeys(names))
    for name in sorted(raws):
        reads = [u for u in uses(decls[name]) if not u.in_score and u.name in decls]
        edges[raw_node(name)] = tuple(dict.fromkeys(
            raw_node(u.name) if u.raw and isinstance(decls[u.name], n.Indicator) else u.name for u in reads))
        edges[name] = tuple(dict.fromkeys([raw_node(name), *edges[name]]))
    return edges


def raw_node(name: str) -> str:
    """The pseudo-node of an indicator's raw value in ``order_edges``."""
    return f"raw({name})"
