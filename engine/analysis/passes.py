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
chunk).  Input that cannot be streamed (several files, Excel or JSON, the long
layout, quotas, which need whole groups) is loaded whole and folded as one
chunk.  This is the one place that drives the chunk reader for the analyses.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from engine.data import LoadResult, load, schema_from_plan
from engine.data.report import LoadReport
from engine.data.schema import Schema
from engine.evaluate import Result, evaluate
from engine.plan import Plan
from engine.streaming import Progress, _quiet


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


@dataclass(frozen=True)
class Reading:
    """How to read the data: the files and the options of ``engine.data.load``."""

    data: Sequence[str | Path]
    known_agencies: Sequence[str] | None = None
    layout: str = "auto"
    sheet: str | None = None
    chunk: int | None = None  # rows per chunk (default ``engine.data.stream.CHUNK``; tests use small ones)
    # Filled by the pass: the load report of each distinct schema (read/scored/rejected, with reasons),
    # so the command reports the counts and writes the rejects as ``eval`` does.
    reports: list[LoadReport] = field(default_factory=list, compare=False, hash=False)


def fold(reading: Reading, evaluations: Sequence[Evaluation], start: Callable[[], A],
         evaluate_chunk: Callable[[Sequence[LoadResult]], Sequence[Result]] | None = None,
         progress: Progress | None = None) -> tuple[A, list[LoadReport]]:
    """``start()``'s accumulator after ``add`` of every chunk's results (one per evaluation, in order),
    and the load report of each distinct schema (rows read, accepted, rejected, with reasons).

    ``evaluate_chunk`` replaces the evaluation of a chunk (given its loads, one per evaluation):
    sensitivity evaluates many variants one by one and keeps only what it needs of each."""
    from engine.data.stream import TypedFailed

    progress = progress or _quiet
    schemas = _distinct([schema_from_plan(e.plan) for e in evaluations])
    run = evaluate_chunk or (lambda loads: [_evaluate(e, x) for e, x in zip(evaluations, loads)])
    pick = [next(k for k, s in enumerate(schemas) if s == schema_from_plan(e.plan)) for e in evaluations]
    for typed in (True, False):
        acc = start()
        try:
            reports: list[LoadReport] = []
            for loads, seen in _chunks(reading, schemas, typed, any(e.quotas for e in evaluations), progress):
                results = run([loads[k] for k in pick])
                if any(r.n for r in results):  # a chunk whose every row was rejected adds nothing
                    acc.add(results)
                del results
                reports = seen
                del loads
                gc.collect()  # a chunk's evaluation state holds reference cycles (see engine.streaming)
            reading.reports[:] = reports
            return acc, reports
        except TypedFailed:  # a CSV number cell needs the text path's checks: start again with it
            continue
    raise AssertionError("unreachable: the text path does not raise TypedFailed")


def _evaluate(e: Evaluation, loaded: LoadResult) -> Result:
    return evaluate(dict(e.agencies), loaded.batch, e.plan)


def _distinct(schemas: list[Schema]) -> list[Schema]:
    out: list[Schema] = []
    for s in schemas:
        if s not in out:
            out.append(s)
    return out


def _chunks(reading: Reading, schemas: list[Schema], typed: bool, quotas: bool, progress: Progress
            ) -> Iterator[tuple[list[LoadResult], list[LoadReport]]]:
    """Per chunk, the load of each schema (same file rows), with the reports so far."""
    from engine.data.stream import CHUNK, Chunks, NotStreamable, streamable

    data = list(reading.data)
    if len(data) == 1 and reading.layout in ("auto", "wide") and not quotas and streamable(data[0]):
        try:
            readers = [Chunks(data[0], s, reading.known_agencies, reading.chunk or CHUNK, typed) for s in schemas]
        except NotStreamable:
            readers = []
        if readers:
            done = 0
            for loads in zip(*readers):
                done = min(done + readers[0].chunk, readers[0].rows)
                progress("analysing", done, readers[0].rows)
                yield list(loads), [r.report for r in readers]
            return
    progress("reading")
    loads = [load(data, s, layout=reading.layout, known_agencies=reading.known_agencies,  # type: ignore[arg-type]
                  sheet=reading.sheet) for s in schemas]
    progress("analysing")
    yield loads, [x.report for x in loads]
