"""Expressions back to policy text for messages and explanations: the formatter's printer.

``to_text`` and ``num_text`` are the canonical formatter's (``engine.fmt.expr``), so a
formula in an explanation, a quota rule in a violation and a changed attribute in a diff
read exactly as ``kinerja fmt`` writes them; ``subst`` replaces names by the numbers read.
"""

from __future__ import annotations

from functools import lru_cache

from engine import nodes as n
from engine.fmt.expr import Subst, expr, num


@lru_cache(maxsize=1 << 12)  # a policy's literals, shown again for every subject explained
def num_text(x: n.Num) -> str:
    return num(x)


def to_text(e: n.Node | None, subst: Subst | None = None) -> str:
    """Policy text of ``e``; ``subst(name)`` may return a replacement for a name."""
    return "" if e is None else expr(e, subst=subst)  # type: ignore[arg-type]
