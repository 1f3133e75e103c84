"""One streamed pass of an analysis: every evaluation it needs, on each chunk of the data, read once.

An analysis names its evaluations (a national plan and the agency plans that apply,
e.g. both versions of a policy for ``diff`` or every Monte Carlo variant for
``sensitivity``) and an accumulator; ``fold`` reads the data chunk by chunk
(``engine.data.stream``), evaluates every evaluation on the chunk with the one
evaluator and hands the chunk's results to ``add``.  The accumulator keeps only
the per-subject columns it reports, so memory is bounded by one chunk's
results plus those columns, never the whole result tables.

Evaluations whose plans read the same fields share one reader; different
schemas read the same file in lockstep (chunk k of each holds the same file
rows, and an accepted id lives on one file row, so results match by id within a
chunk).  The data is opened as ``kinerja eval`` opens it
(``engine.data.submission``): input that is not streamed (several files, Excel
or JSON, the long layout, quotas, which need whole groups) is one chunk.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from engine.api import Progress, quiet
from engine.data import LoadResult, schema_from_plan
from engine.data.report import LoadReport
from engine.data.schema import Schema
from engine.data.submission import Reading, open_submission
from engine.evaluate import Result, evaluate
from engine.plan import Plan


@dataclass(frozen=True)
class Evaluation:
    """A national plan and the agency plans (by agency id) that apply to its subjects."""

    plan: Plan
    agencies: Mapping[str | None, Plan]

    @property
    def quotas(self) -> bool:
        return bool(self.plan.quotas) or any(p.quotas for p in self.agencies.values())


class Accumulator(Protocol):
    def add(self, results: Sequence[Result]) -> None: ...


A = TypeVar("A", bound=Accumulator)


def fold(reading: Reading, evaluations: Sequence[Evaluation], start: Callable[[], A],
         evaluate_chunk: Callable[[Sequence[LoadResult]], Sequence[Result]] | None = None,
         progress: Progress | None = None) -> tuple[A, list[LoadReport]]:
    """``start()``'s accumulator after ``add`` of every chunk's results (one per evaluation, in order),
    and the load report of each distinct schema (rows read, accepted, rejected, with reasons).

    ``evaluate_chunk`` replaces the evaluation of a chunk (given its loads, one per evaluation):
    sensitivity evaluates many variants one by one and keeps only what it needs of each."""
    progress = progress or quiet
    schemas = _distinct([schema_from_plan(e.plan) for e in evaluations])
    run = evaluate_chunk or (lambda loads: [_evaluate(e, x) for e, x in zip(evaluations, loads)])
    pick = [next(k for k, s in enumerate(schemas) if s == schema_from_plan(e.plan)) for e in evaluations]
    whole = any(e.quotas for e in evaluations)
    progress("reading")
    submissions = [open_submission(reading, s, whole) for s in schemas]
    acc = start()
    done, rows = 0, submissions[0].rows
    for loads in zip(*submissions):
        results = run([loads[k] for k in pick])
        if any(r.n for r in results):  # a chunk whose every row was rejected adds nothing
            acc.add(results)
        step = submissions[0].chunk or loads[0].report.rows_read
        done = min(done + step, rows or done + step)
        progress("analysing", done, rows)
        del results, loads
        if submissions[0].streamed:
            gc.collect()  # a chunk's evaluation state holds reference cycles (see ``engine.api.score``)
    reports = [s.report for s in submissions]
    reading.reports[:] = reports
    return acc, reports


def _evaluate(e: Evaluation, loaded: LoadResult) -> Result:
    return evaluate(dict(e.agencies), loaded.batch, e.plan)


def _distinct(schemas: list[Schema]) -> list[Schema]:
    out: list[Schema] = []
    for s in schemas:
        if s not in out:
            out.append(s)
    return out
