"""Runtime errors and missing-data decisions, recorded per row and step as compact chunks.

One chunk is (rows, step, code, message): the same decision taken for many rows
costs one index array, not one Python object per row, so a national run with
millions of re-weighted rows stays cheap.  ``kind`` is ``error`` (a value that
could not be computed: it stays missing) or ``decision`` (a missing-data
treatment that was applied).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Event:
    """One error or decision at one row, as shown in results and explanations."""

    row: int
    step: str
    code: str
    kind: str  # "error" | "decision"
    message: str


@dataclass
class Chunk:
    rows: np.ndarray  # int64 row positions, ascending
    step: str
    code: str
    kind: str
    message: str


@dataclass
class Events:
    """All events of one evaluation."""

    chunks: list[Chunk] = field(default_factory=list)
    _index: tuple[int, np.ndarray, np.ndarray] | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, rows: np.ndarray, step: str, code: str, kind: str, message: str) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size:
            self.chunks.append(Chunk(rows, step, code, kind, message))

    def add_mask(self, mask: np.ndarray, step: str, code: str, kind: str, message: str) -> None:
        if mask.any():  # most masks are all false: one cheap pass instead of an index array
            self.add(np.flatnonzero(mask), step, code, kind, message)

    def at(self, row: int, step: str | None = None) -> list[Event]:
        """Events of one row (optionally of one step), in the order they were recorded.

        Looked up in an index of every (row, chunk) pair built once (rebuilt when chunks were
        added), so explaining every subject costs time linear in the rows, not rows x chunks."""
        rows, chunk_of = self._row_index()
        lo, hi = np.searchsorted(rows, [row, row + 1])
        out = []
        for k in chunk_of[lo:hi].tolist():
            c = self.chunks[k]
            if step is None or c.step == step:
                out.append(Event(row, c.step, c.code, c.kind, c.message))
        return out

    def by_step(self, row: int) -> dict[str, list[Event]]:
        """``at(row)`` grouped by step (each step's events in recording order)."""
        out: dict[str, list[Event]] = {}
        for e in self.at(row):
            out.setdefault(e.step, []).append(e)
        return out

    def _row_index(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows ascending, chunk of each) over all chunks; a row's chunks in recording order."""
        if self._index is None or self._index[0] != len(self.chunks):
            n = max(len(self.chunks), 1)
            keys = np.unique(np.concatenate(
                [np.asarray(c.rows, dtype=np.int64) * n + k for k, c in enumerate(self.chunks)]
                or [np.empty(0, dtype=np.int64)]))
            self._index = (len(self.chunks), keys // n, keys % n)
        return self._index[1], self._index[2]

    def __iter__(self) -> Iterator[Event]:
        for c in self.chunks:
            for r in c.rows:
                yield Event(int(r), c.step, c.code, c.kind, c.message)

    def count(self, n: int, kind: str = "error") -> np.ndarray:
        """Per-row number of events of ``kind`` (a result column)."""
        out = np.zeros(n, dtype=np.int64)
        for c in self.chunks:
            if c.kind == kind:
                np.add.at(out, c.rows, 1)
        return out

    def mask(self, n: int, step: str, kind: str = "error", code: str | None = None) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        for c in self.chunks:
            if c.step == step and c.kind == kind and (code is None or c.code == code):
                out[c.rows] = True
        return out

    def has(self, step: str, kind: str = "error", code: str | None = None) -> bool:
        """Whether any event of ``step`` (of ``kind``, ``code``) was recorded: lets callers skip a mask."""
        return any(c.step == step and c.kind == kind and (code is None or c.code == code) for c in self.chunks)

    def remapped(self, positions: np.ndarray) -> Events:
        """The same events with row i moved to ``positions[i]`` (stitching groups back)."""
        out = Events()
        for c in self.chunks:
            rows = positions[c.rows]
            out.chunks.append(Chunk(np.sort(rows), c.step, c.code, c.kind, c.message))
        return out

    def shifted(self, offset: int) -> Events:
        """The same events with every row moved down by ``offset`` (a block put back in its batch)."""
        out = Events()
        out.chunks = [Chunk(c.rows + offset, c.step, c.code, c.kind, c.message) for c in self.chunks]
        return out

    def extend(self, other: Events) -> None:
        self.chunks.extend(other.chunks)


class Recorder:
    """Records events for the step being evaluated, limited to the rows that are live.

    Columnar evaluation computes both branches of an ``if`` (and every piece of a
    piecewise score) over all rows; a division by zero in a branch a row does not
    take is not that row's error.  ``live`` holds the stack of row masks of the
    branches being evaluated; only rows live in all of them are recorded.
    """

    def __init__(self, events: Events, n: int):
        self.events = events
        self.n = n
        self.step = ""
        self._live: list[np.ndarray] = []

    def push(self, mask: np.ndarray) -> None:
        top = self._live[-1] if self._live else None
        self._live.append(mask if top is None else (mask & top))

    def pop(self) -> None:
        self._live.pop()

    def live(self, mask: np.ndarray) -> np.ndarray:
        return mask & self._live[-1] if self._live else mask

    def error(self, mask: np.ndarray, code: str, message: str) -> np.ndarray:
        """Record an error on the live rows of ``mask``; returns those rows' mask."""
        hit = self.live(np.broadcast_to(mask, (self.n,)))
        self.events.add_mask(hit, self.step, code, "error", message)
        return hit

    def decision(self, mask: np.ndarray, code: str, message: str) -> None:
        self.events.add_mask(np.broadcast_to(mask, (self.n,)), self.step, code, "decision", message)

    def no_value(self, mask: np.ndarray, message: str) -> None:
        """A `missing` literal taken by the live rows of ``mask``: no value, by rule (``eval.no-value``)."""
        self.decision(self.live(np.broadcast_to(mask, (self.n,))), "eval.no-value", message)
