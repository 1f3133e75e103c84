"""A tree node's effective weights and contributions, stored compactly and derived on access.

Per row, a weighted mean's effective weights depend only on which children are
present (and whether the node is missing), so the evaluator stores one small
integer per row (``pattern``: bit k set when child k is present; ``dead`` when
the node is missing) and a table pattern -> weights.  ``weights[child]`` and
``contributions[child]`` are computed from that code and the child values the
node used, with exactly the operations the eager computation performs, so they
are bit-for-bit the same numbers; a national run then stores 1-2 bytes per row
per node instead of 16 bytes per child.  Columns are cached once computed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping

import numpy as np

from engine.evaluate.methods import METHODS

LAZY_METHODS = tuple(name for name, m in METHODS.items() if m.accumulated)
MAX_CHILDREN = 12  # 2**12 + 1 table rows at most; wider nodes store their columns eagerly


def pattern_dtype(k: int) -> type:
    return np.uint8 if k < 8 else np.uint16


def weight_table(method: str, ws: list[float]) -> np.ndarray:
    """Row p: the effective weights when the present children are the bits of p; the last row is NaN (missing).

    Computed once per method and weights (every row block of every run reads the same table); read-only."""
    return _weight_table(method, tuple(ws))


@functools.lru_cache(maxsize=1024)
def _weight_table(method: str, ws: tuple[float, ...]) -> np.ndarray:
    k = len(ws)
    reweighted = METHODS[method].reweighted
    table = np.zeros((2 ** k + 1, k))
    for p in range(2 ** k):
        present_w = np.zeros(1)
        for j, w in enumerate(ws):  # the same additions, in the same order, as the evaluator's
            present_w += np.multiply(bool(p >> j & 1), w)
        for j, w in enumerate(ws):
            if p >> j & 1:
                if not reweighted:  # as in aggregate: the declared weight
                    table[p, j] = w
                elif present_w[0] != 0:
                    table[p, j] = np.divide(w, present_w)[0]
    table[2 ** k] = np.nan
    table.flags.writeable = False
    return table


class _Lazy(Mapping[str, np.ndarray]):
    def __init__(self, names: list[str], make: Callable[[int], np.ndarray]):
        self._names = names
        self._make = make
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        got = self._cache.get(name)
        if got is None:
            got = self._cache[name] = self._make(self._names.index(name))
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class TreeColumns:
    """Weights and contributions of one tree node from its pattern column and child values."""

    def __init__(self, method: str, names: list[str], table: np.ndarray, pattern: np.ndarray,
                 xs: Callable[[int], np.ndarray]):
        self.method = METHODS[method]
        self.names, self.table, self.pattern, self.xs = names, table, pattern, xs
        self.dead = len(table) - 1
        self.weights: Mapping[str, np.ndarray] = _Lazy(names, self._weight)
        self.contributions: Mapping[str, np.ndarray] = _Lazy(names, self._contribution)

    def _weight(self, k: int) -> np.ndarray:
        return self.table[:, k][self.pattern]

    def _contribution(self, k: int) -> np.ndarray:
        present = (self.pattern >> k & 1).astype(bool) & (self.pattern != self.dead)
        c = self.method.contribution(self._weight(k), self.xs(k), present)
        c[self.pattern == self.dead] = np.nan
        return c


def lazy_mappings(method: str, names: list[str], ws: list[float], pattern: np.ndarray,
                  xs: Callable[[int], np.ndarray]) -> tuple[Mapping[str, np.ndarray], Mapping[str, np.ndarray]]:
    cols = TreeColumns(method, names, weight_table(method, ws), pattern, xs)
    return cols.weights, cols.contributions
