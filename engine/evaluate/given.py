"""Steps an evaluation takes from an earlier result of the same batch instead of computing them.

A sensitivity variant changes only weights and aggregation methods (and, when asked, the
missing-data treatment): every step it did not change and that reads no changed step has
the same columns as in the actual result.  ``Given`` names, per plan evaluated, the steps
taken from that result; the evaluator puts their columns (and their events) into its
context where it would have computed them, and runs every other step with its own
handlers, so the variant's remaining steps see exactly what a full evaluation gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from engine.evaluate.events import Chunk, Events
from engine.evaluate.result import Result, StepResult
from engine.plan import Plan


@dataclass
class Seed:
    """The given steps' columns and events for the rows being evaluated (row 0 is the first of them)."""

    steps: Mapping[str, StepResult] = field(default_factory=dict)
    events: Events = field(default_factory=Events)

    def rows(self, lo: int, hi: int) -> Seed:
        """Rows lo..hi (views of the columns; events moved up by ``lo``)."""
        return Seed({k: _take(sr, slice(lo, hi)) for k, sr in self.steps.items()},
                    _events_in(self.events, lo, hi, None))


@dataclass(frozen=True)
class Given:
    """A result of the batch and, per plan evaluated, the names of the steps taken from it."""

    result: Result
    shared: Callable[[Plan], frozenset[str]]

    def seed(self, plan: Plan, index: np.ndarray | None = None) -> Seed:
        """The columns and events of ``plan``'s given steps at the batch rows ``index`` (ascending;
        None: every row)."""
        names = self.shared(plan)
        steps = self.result.steps
        if index is None:
            chunks = [c for c in self.result.events.chunks if c.step in names]
            return Seed({k: steps[k] for k in names if k in steps}, Events(chunks))
        picked = Events([c for c in self.result.events.chunks if c.step in names])
        return Seed({k: _take(steps[k], index) for k in names if k in steps},
                    _events_in(picked, 0, self.result.n, index))


def _take(sr: StepResult, rows: slice | np.ndarray) -> StepResult:
    """A non-tree step's columns at ``rows`` (a slice gives views)."""
    return StepResult(sr.name, sr.kind, sr.value[rows], None if sr.raw is None else sr.raw[rows],
                      extra={k: v[rows] for k, v in sr.extra.items()})


def _events_in(events: Events, lo: int, hi: int, index: np.ndarray | None) -> Events:
    """The events of rows lo..hi numbered from 0 or, with ``index``, of the rows ``index`` holds,
    numbered by their place in it."""
    out = Events()
    for c in events.chunks:
        if index is None:
            rows = c.rows[(c.rows >= lo) & (c.rows < hi)] - lo
        else:
            at = np.searchsorted(index, c.rows)
            hit = at < index.size
            hit[hit] = index[at[hit]] == c.rows[hit]
            rows = at[hit].astype(np.int64)
        if rows.size:
            out.chunks.append(Chunk(rows, c.step, c.code, c.kind, c.message))
    return out
