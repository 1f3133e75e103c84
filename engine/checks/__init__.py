"""Checker stage: every rule over one policy module, findings sorted by position.

``run(module)`` builds one shared ``CheckContext`` (names, uses, possible ranges) and
runs the ordered ``RULES``; each rule is a function ``rule(ctx) -> Iterable[Diagnostic]``
living in the small module of its family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from engine import diagnostics
from engine import nodes as n
from engine.checks import (
    attributes,
    bands,
    benchmarks,
    cite,
    cycles,
    expressions,
    header,
    levels,
    names,
    smart,
    tables,
    weights,
)
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic

Rule = Callable[[CheckContext], Iterable[Diagnostic]]

RULES: tuple[Rule, ...] = (
    *header.RULES,
    *names.RULES,
    *cycles.RULES,
    *weights.RULES,
    *bands.RULES,
    *tables.RULES,
    *attributes.RULES,
    *expressions.RULES,
    *smart.RULES,
    *cite.RULES,
    *benchmarks.RULES,
    *levels.RULES,
)


def run(module: n.Module, rules: tuple[Rule, ...] = RULES) -> list[Diagnostic]:
    """All findings of ``rules`` over ``module``, sorted by position."""
    ctx = CheckContext.build(module)
    return diagnostics.sort(d for rule in rules for d in rule(ctx))


__all__ = ["RULES", "CheckContext", "Rule", "run"]
