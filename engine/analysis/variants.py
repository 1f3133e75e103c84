"""Variant policies for a sensitivity run: weights, aggregation methods and missing-data treatments
changed on the AST, then compiled like any policy (weights are AST attributes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from engine import graph
from engine import nodes as n
from engine.plan import Plan


@dataclass(frozen=True)
class Scenario:
    """One run's choices: a factor per weighted tree member (by name), an aggregation per tree
    node (absent: as declared) and one missing-data treatment for every indicator (None: as declared)."""

    factors: Mapping[str, float]
    aggregation: Mapping[str, str]
    missing: str | None = None


def weighted_members(module: n.Module) -> list[str]:
    """Names of every tree member whose weight a scenario may perturb (every member with a parent), sorted."""
    return sorted({m.name for m in module.members() if m.parent is not None})


def tree_nodes(module: n.Module) -> list[str]:
    """The names of the scorecards and their inner nodes, depth first in source order."""
    return [m.name for m in module.members() if isinstance(m.node, n.Tree)]


def vary(module: n.Module, scenario: Scenario) -> n.Module:
    """``module`` with the scenario applied; perturbed sibling weights become plain relative numbers
    (the evaluator normalises them), so percentages need not add up to 100% any more."""
    items = []
    for item in module.items:
        if isinstance(item, n.Tree):
            item = _tree(item, scenario)
        elif isinstance(item, n.Indicator) and scenario.missing is not None:
            item = _missing(item, scenario.missing)
        items.append(item)
    return replace(module, items=tuple(items))


def compile_variant(module: n.Module, scenario: Scenario) -> Plan:
    """The plan of a variant.  It is built by the graph stage directly: the variant of a checked
    policy differs only in weights, aggregation and treatments, which the evaluator guards at run
    time (a geometric mean over a zero is a recorded runtime error, not a crash)."""
    return graph.build(vary(module, scenario))


def shared_steps(actual: Plan, variant: Plan) -> frozenset[str]:
    """The steps of ``variant`` whose columns are those of ``actual`` on the same data: the same
    declaration, reading only such steps.  Tree nodes are never shared (their weights or method are
    what a scenario changes), nor is anything that reads one (the ratings of a score)."""
    out: set[str] = set()
    for step in variant.steps:
        try:
            before = actual.step(step.name)
        except KeyError:
            continue
        same = before.decl is step.decl or before.decl == step.decl
        if same and step.kind != "tree" and before.deps == step.deps and all(d in out for d in step.deps):
            out.add(step.name)
    return frozenset(out)


def _tree(t: n.Tree, s: Scenario) -> n.Tree:
    kids = list(t.children or ())
    if any(c.name in s.factors for c in kids):
        kids = [replace(c, weight=_num((float(c.weight.value) if c.weight is not None else 1.0)
                                       * s.factors.get(c.name, 1.0))) for c in kids]
    kids = [_tree(c, s) if isinstance(c, n.Tree) else c for c in kids]
    method = s.aggregation.get(t.name)
    agg = n.Word(method) if method is not None else t.aggregate
    return replace(t, children=tuple(kids), aggregate=agg)


def _missing(ind: n.Indicator, treatment: str) -> n.Indicator:
    if ind.missing is not None and ind.missing.treatment == "fail":
        return ind  # a required value stays required: no treatment may invent it
    if treatment == "baseline" and ind.baseline is None:
        return ind
    return replace(ind, missing=n.Missing(treatment))


def _num(x: float) -> n.Num:
    return n.Num(Decimal(repr(float(x))))
