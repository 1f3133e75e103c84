"""Rule: dependency cycles among declarations, each reported once with its whole path."""

from __future__ import annotations

from collections.abc import Iterator

from engine import deps
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic, error
from engine.i18n import _


def _edges(ctx: CheckContext) -> dict[str, list[str]]:
    # Duplicates are reported elsewhere: the first declaration of each name stands.  A read of
    # `raw(x)` waits only for x's raw value (pseudo-node `raw(x)`), never for x's score.
    edges = deps.order_edges(ctx.decls, split_raw=True)
    return {name: list(reads) for name, reads in edges.items()}


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Cycles closed by the back edges of a depth-first search, each rotated to start at
    its earliest-declared member and listed once."""
    order = {name: i for i, name in enumerate(graph)}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []
    seen: set[tuple[str, ...]] = set()
    found: list[list[str]] = []

    def close(nxt: str) -> None:
        cycle = stack[stack.index(nxt):]
        start = min(range(len(cycle)), key=lambda i: order.get(cycle[i], 0))
        key = tuple(cycle[start:] + cycle[:start])
        if key not in seen:
            seen.add(key)
            found.append(list(key))

    # Iterative, so a long chain of derived values cannot hit Python's recursion limit.
    for root in graph:
        if root in state:
            continue
        state[root] = 1
        stack.append(root)
        todo = [iter(graph.get(root, ()))]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                todo.pop()
                state[stack.pop()] = 2
            elif state.get(nxt) == 1:
                close(nxt)
            elif nxt not in state:
                state[nxt] = 1
                stack.append(nxt)
                todo.append(iter(graph.get(nxt, ())))
    return found


def cycles(ctx: CheckContext) -> Iterator[Diagnostic]:
    for cycle in find_cycles(_edges(ctx)):
        path = " -> ".join([*cycle, cycle[0]])
        yield error("check.cycle", _("dependency cycle: {path}", path=path), ctx.decls[cycle[0]].name_span,
                    _("break the cycle: one of these must not depend on the others"))


RULES = (cycles,)
