"""Per-group accumulators of a level's aggregates, folded chunk by chunk.

A level's value needs all its members, which a streamed run sees in pieces: each chunk adds
to compact per-group sums, counts, minima, maxima and hits, so the folded result is the same
whatever the chunking.  Values are snapped to 12 significant digits before they are added
(as the population functions do), so float noise never moves a mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.levels.nodes import Aggregate

SEP = " / "  # between the keys of a nested group's id: "kemenkeu / Biro Umum"
Column = Callable[[str], np.ndarray]  # a member column by name (keys, role, values)


@dataclass
class Sums:
    """One aggregate's running per-group figures (arrays grow with the groups seen)."""

    members: np.ndarray = field(default_factory=lambda: np.zeros(0))   # members kept by the role filter
    present: np.ndarray = field(default_factory=lambda: np.zeros(0))   # ... with a value (after `missing`)
    total: np.ndarray = field(default_factory=lambda: np.zeros(0))     # their sum (a share: the hits)
    lo: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hi: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def grow(self, size: int) -> None:
        more = size - self.members.size
        if more > 0:
            for name, fill in (("members", 0.0), ("present", 0.0), ("total", 0.0), ("lo", np.inf), ("hi", -np.inf)):
                setattr(self, name, np.concatenate([getattr(self, name), np.full(more, fill)]))


class Fold:
    """The groups of one level and its aggregates' sums, fed one member batch at a time."""

    def __init__(self, keys: tuple[str, ...], aggregates: list[Aggregate], role: str | None):
        self.keys, self.aggregates, self.role = keys, aggregates, role
        self.index: dict[tuple[str, ...], int] = {}
        self.sums = {a.name: Sums() for a in aggregates}
        self.members = np.zeros(0)  # per group: its members, whatever their role
        self.unassigned = 0  # member rows whose key is missing: in no group of this level

    def add(self, column: Column, size: int) -> None:
        """Add ``size`` members; ``column(name)`` gives a member column (keys, role, values)."""
        codes = self._codes([texts(column(k)) for k in self.keys], size)
        self.members = np.concatenate([self.members, np.zeros(len(self.index) - self.members.size)])
        self.members += np.bincount(codes[codes >= 0], minlength=len(self.index))
        role = texts(column(self.role)) if self.role is not None else None
        for agg in self.aggregates:
            self._add(agg, column, size, codes, role)

    def _codes(self, keys: list[np.ndarray], size: int) -> np.ndarray:
        """Each member's group number (-1: a key is missing), new groups numbered as first seen."""
        encoded = [_factorize(k) for k in keys]
        has = np.logical_and.reduce([c >= 0 for c, _ in encoded])
        self.unassigned += int((~has).sum())
        codes = np.full(size, -1, dtype=np.int64)
        if not has.any():
            return codes
        combined = np.zeros(int(has.sum()), dtype=np.int64)
        values = []
        for c, uniq in encoded:  # one number per distinct combination of the keys' values
            combined = combined * len(uniq) + c[has]
            values.append(uniq)
        groups, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        local = np.empty(groups.size, dtype=np.int64)
        for u in np.argsort(first, kind="stable"):  # groups numbered in order of first appearance
            key, rest = [], int(groups[u])
            for uniq in reversed(values):
                rest, at = divmod(rest, len(uniq))
                key.append(str(uniq[at]))
            local[u] = self.index.setdefault(tuple(reversed(key)), len(self.index))
        codes[has] = local[inverse.reshape(-1)]
        return codes

    def _add(self, agg: Aggregate, column: Column, size: int, codes: np.ndarray, role: np.ndarray | None) -> None:
        s = self.sums[agg.name]
        s.grow(len(self.index))
        keep = codes >= 0
        if agg.roles and role is not None:
            keep &= np.isin(role, np.array([r.value for r in agg.roles], dtype=object))
        c, groups = codes[keep], len(self.index)
        s.members += np.bincount(c, minlength=groups)
        x = treated(agg, member_values(agg, column, size)[keep])
        ok = ~np.isnan(x)
        s.present += np.bincount(c[ok], minlength=groups)
        s.total += np.bincount(c[ok], weights=x[ok], minlength=groups)
        if agg.func in ("min", "max"):
            np.minimum.at(s.lo, c[ok], x[ok])
            np.maximum.at(s.hi, c[ok], x[ok])

    def group_keys(self) -> list[tuple[str, ...]]:
        return list(self.index)


def member_values(agg: Aggregate, column: Column, size: int) -> np.ndarray:
    """Each member's value for ``agg``: the named value (snapped), a condition as 1/0 (a share, a
    count of those meeting it), a count's 1 per member with a value, NaN where the member has none."""
    if agg.arg is None:
        return np.ones(size)  # count(): every member
    ref = agg.member()
    assert ref is not None
    col = column(ref.name)
    if agg.func == "count" and isinstance(agg.arg, n.Ref):
        return np.where(_missing(col), np.nan, 1.0)
    if agg.func not in ("share", "count"):
        return num.snap(np.asarray(col, dtype=np.float64))
    out = np.where(_condition(agg.arg, col), 1.0, 0.0)
    return np.where(_missing(col), np.nan, out)


def treated(agg: Aggregate, x: np.ndarray) -> np.ndarray:
    """``missing zero`` / ``missing value N``: a member without a value counts as that value."""
    m = agg.missing
    if m is None or m.treatment in ("exclude", "fail"):
        return x
    fill = 0.0 if m.treatment == "zero" else num.to_float(m.value.value if m.value else 0)
    return np.where(np.isnan(x), fill, x)


def _condition(arg: n.Node, col: np.ndarray) -> np.ndarray:
    if isinstance(arg, n.Ref):
        return np.asarray(col == 1.0) if col.dtype != object else np.equal(col, True)
    if isinstance(arg, n.InList):
        options = [_literal(o) for o in arg.options]
        if any(isinstance(o, str) for o in options):  # labels (an empty batch's label column may be float)
            return np.isin(col.astype(object), np.array(options, dtype=object))
        return np.isin(np.asarray(col, dtype=np.float64), np.array(options, dtype=np.float64))
    assert isinstance(arg, n.Binary)
    value = _literal(arg.right)
    if isinstance(value, str):
        same = np.equal(col.astype(object), value)
        return same if arg.op == "==" else ~same if arg.op == "!=" else np.zeros(col.size, bool)
    return num.holds(arg.op, np.asarray(col, dtype=np.float64), float(value)) & ~_missing(col)


def _literal(e: n.Node) -> object:
    if isinstance(e, n.Unary) and isinstance(e.operand, n.Num):
        return -num.to_float(e.operand.value)
    if isinstance(e, n.Num):
        return num.to_float(e.value)
    if isinstance(e, n.Bool):
        return 1.0 if e.value else 0.0
    return e.value if isinstance(e, n.Str) else None


def _missing(col: np.ndarray) -> np.ndarray:
    return np.equal(col, None) if col.dtype == object else np.isnan(np.asarray(col, dtype=np.float64))


def _factorize(col: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each value's number among the column's distinct values (-1: missing), and those values."""
    import pyarrow as pa

    encoded = pa.array(col, type=pa.string()).dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(v) for v in encoded.dictionary.to_pylist()]


def texts(col: np.ndarray) -> np.ndarray:
    """A key or role column as text (None where missing); numbers as they are written."""
    if col.dtype == object:  # text and category columns hold str or None already
        return col
    return np.array([None if np.isnan(v) else num.fmt(float(v)) for v in col], dtype=object)
