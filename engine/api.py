"""The Python API, mirroring the CLI: compile policies, run them over data, explain a subject.

    policies = compile_policies(["policies/"])
    run = evaluate_files(policies, ["examples/instansi-2026.csv"])
    run.result.to_rows()[0]; print(explain.render(run.explain("kemenkeu")))

``score`` is the one loop of a run, whatever the caller (``kinerja eval``,
``explain``, the service, the analyses' whole-file runs, the tests): the
submission is opened as validated chunks (``engine.data.submission``), each
chunk is evaluated under the version(s) in force and written to the results
file, and the chunks' counts are added up into the ``Run``.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.compiler import check_paths
from engine.data import LoadResult, schema_from_plan
from engine.data.report import LoadReport
from engine.data.submission import Reader, Reading, Submission, open_submission
from engine.diagnostics import KinerjaError
from engine.evaluate import Result, evaluate
from engine.evaluate.result import NotScored, Violation, stitch
from engine.i18n import _
from engine.plan import Plan
from engine.provenance import unfiled_agencies
from engine.versions import Policies, union_schema, version_rows

if TYPE_CHECKING:
    from engine.explain import Explanation
    from engine.levels.run import Levels
    from engine.output import HeldResults, ResultStream

    Results = ResultStream | HeldResults

# Told how far a run is: ``progress(what)`` for a step without a row count (reading, writing),
# ``progress(what, done, total)`` for rows scored so far (total None when unknown).  The CLI draws it.
Progress = Callable[..., None]


def quiet(what: str, done: int | None = None, total: int | None = None) -> None:
    """The progress callback of library calls: nothing is shown."""


@dataclass
class Run:
    """One run of a policy over data: the plans used, the load report (rejects with their reasons)
    and what was scored.  ``result`` holds every subject's columns when the data was evaluated in
    one chunk (always without an output file); a run streamed to a file keeps only the counts.

    ``plan`` is the newest national version used; ``plans`` every version used (several when a
    period column picks the version row by row)."""

    policies: Policies
    plan: Plan
    report: LoadReport = field(default_factory=LoadReport)
    result: Result | None = None
    plans: list[Plan] = field(default_factory=list)
    subjects: int = 0
    runtime_errors: int = 0
    violations: list[Violation] = field(default_factory=list)
    agency_files: dict[str, int] = field(default_factory=dict)  # agency file -> subjects scored under it
    unfiled: dict[str, int] = field(default_factory=dict)  # agency without an agency file -> subjects
    levels: list[dict[str, Any]] = field(default_factory=list)  # each level's results file (engine/levels)

    def add(self, result: Result, plans: Sequence[Plan]) -> None:
        """Count one chunk's result in."""
        self.subjects += result.n
        self.runtime_errors += int(result.events.count(result.n, "error").sum())
        self.violations += result.violations
        self.agency_files = dict(Counter(self.agency_files) + Counter(result.agency_file_counts()))
        self.unfiled = dict(Counter(self.unfiled) + Counter(unfiled_agencies(result)))
        self.plans += [p for p in plans if p not in self.plans]
        self.plan = self.plans[-1] if self.plans else self.plan

    def policy_files(self) -> list[str]:
        """The national policy files used and the agency files extending them: what the scores depend on."""
        plans = self.plans or [self.plan]  # no row scored: the version chosen still names the rules
        agencies = [a for p in plans for a in self.policies.agencies_of(p).values()]
        return sorted({*(p.module.path for p in plans), *(a.module.path for a in agencies)})

    def explain(self, subject_id: object, places: int = 2) -> Explanation:
        from engine.explain import explain  # not needed to score (start-up of a small run)

        self.require(subject_id)
        assert self.result is not None  # ``require`` raised otherwise
        return explain(self.result, subject_id, places)

    def require(self, subject_id: object) -> None:
        """Raise ``NotScored`` (``subject.not-scored``, saying where it was rejected, if it was)
        unless ``subject_id`` was scored and its columns kept."""
        try:
            if self.result is None:  # streamed to a file: no subject's columns are kept
                raise NotScored(subject_id)
            self.result.row(subject_id)
        except NotScored:
            rejected = [r for r in self.report.rejects if r.subject_id == str(subject_id)]
            why = _("rejected at {file} {row}: {reason}", file=rejected[0].file, row=rejected[0].row,
                    reason=rejected[0].reason) if rejected else None
            raise NotScored(subject_id, why) from None


def compile_policies(paths: Sequence[str | Path], root: str | Path | None = None,
                     dependents: bool = False) -> Policies:
    """Check and compile every policy under ``paths`` (with ``dependents``, also the agency files
    extending a national file given: ``resolve.add_dependents``); raise ``KinerjaError`` on any error."""
    report = check_paths(list(paths), root=root, dependents=dependents)
    errors = [d for d in report.diagnostics if d.is_error]
    if errors:
        raise KinerjaError(errors)
    return Policies.of(report)


def score(policies: Policies, data: Sequence[str | Path], output: str | Path | None = None, *,
          policy: str | None = None, as_of: dt.date | None = None, layout: str = "auto",
          known_agencies: Sequence[str] | None = None, sheet: str | None = None, decimal: str | None = None,
          header_row: int | None = None, chunk: int | None = None, whole: bool = False,
          subject: str | None = None, reader: Reader | None = None, progress: Progress | None = None) -> Run:
    """Run the policy over ``data``: one loop, chunk -> evaluate -> write ``output`` (when given).

    The data is read in chunks when it can be and the run allows it (``engine.data.submission``;
    ``chunk`` forces chunks of that many rows, tests use it); it is evaluated whole (one chunk, the
    ``Result`` kept) when ``whole``, without ``output``, for JSON/XLSX output, quotas, population
    statistics or versions chosen row by row.  With several versions and no ``as_of``, each subject
    is scored under the version in force on its ``period``; a period in no version is a reject.
    ``subject`` reads only the rows one subject's explanation needs (from a Parquet file);
    ``reader`` (given the schema) replaces reading ``data``.  ``progress`` is told how far it is."""
    from engine.output import open_results

    progress = progress or quiet
    versions = policies.versions(policy)
    chosen = [policies.select(policy, as_of)] if as_of is not None or len(versions) == 1 else versions
    schema = schema_from_plan(chosen[0]) if len(chosen) == 1 else union_schema(chosen)
    reading = Reading(list(data), known_agencies, layout, sheet, chunk, decimal, header_row)
    whole = whole or output is None or len(chosen) > 1 or _needs_whole(policies, chosen, output)
    if subject is not None and reader is None:
        reader = _subject_reader(policies, chosen, reading, subject)
    if output is not None:
        from engine.levels.output import check_level_outputs

        check_level_outputs(versions, output, data)
    progress("checking subject ids" if not whole else "reading and scoring")
    submission = open_submission(reading, schema, whole, reader)
    run = Run(policies, chosen[-1], plans=chosen[:1] if len(chosen) == 1 else [])
    out = open_results(output) if output is not None else None
    try:
        progress("scoring", 0, submission.rows)
        done, levels = _loop(run, submission, chosen, out, progress)
        if out is not None:
            progress("writing", done)  # drawn as "writing 1,000 rows" (cli.progress)
            out.close()
    except BaseException:
        if out is not None:
            out.abort()
        raise
    if levels is not None and output is not None:  # each subject level's results beside the rows'
        from engine.levels.output import write_levels

        run.levels = write_levels(levels.finish(), output)
    run.report = submission.report
    return run


def _loop(run: Run, submission: Submission, chosen: list[Plan], out: Results | None,
          progress: Progress) -> tuple[int, Levels | None]:
    """Each chunk: evaluate, write, count in, fold into the plan's subject levels (when writing).
    Returns the rows consumed and the levels' fold."""
    if not submission.streamed:
        return _chunks(run, submission, chosen, out, progress)
    # The garbage of each chunk is collected after it (below).  The long-lived objects (modules,
    # the compiled policies: tens of thousands) are frozen first, so those collections walk only
    # what the chunks made (a few ms each instead of ~30, measured at 1M rows).
    gc.collect()
    gc.freeze()
    try:
        return _chunks(run, submission, chosen, out, progress)
    finally:
        gc.unfreeze()


def _chunks(run: Run, submission: Submission, chosen: list[Plan], out: Results | None,
            progress: Progress) -> tuple[int, Levels | None]:
    done, empty, levels = 0, None, None
    for loaded in submission:
        result, used = _evaluate_chunk(run.policies, chosen, loaded)
        run.add(result, used)
        if not submission.streamed:
            run.result = result
        if out is not None and result.n:
            out.write(result.table(arrow=True), present=True)  # numbers snapped to 12 digits (``presentable``)
        elif out is not None and empty is None:
            empty = result.table()  # written only when no chunk has rows, to give the columns
        if out is not None and run.plan.levels:
            if levels is None:
                from engine.levels.run import Levels

                levels = Levels(run.plan)
            levels.add(result)
        step = submission.chunk or loaded.report.rows_read
        done = min(done + step, submission.rows or done + step)
        progress("scoring", done, submission.rows)
        del result, loaded
        # A chunk's evaluation state holds reference cycles (tree columns derive from the
        # context that holds them): collect them now, or chunks pile up until Python's GC runs.
        if submission.streamed:
            gc.collect()
    if out is not None and out.rows == 0 and empty is not None:
        out.write(empty, present=True)
    return done, levels


def _evaluate_chunk(policies: Policies, chosen: list[Plan], loaded: LoadResult) -> tuple[Result, list[Plan]]:
    """A chunk's result under the one plan chosen, or under each subject's version by its period."""
    if len(chosen) == 1:
        return evaluate(policies.agencies_of(chosen[0]), loaded.batch, chosen[0]), chosen
    rows_of = version_rows(chosen, loaded)
    parts, used = [], []
    for k, plan in enumerate(chosen):
        rows = np.flatnonzero(rows_of == k)
        if rows.size:
            part = evaluate(policies.agencies_of(plan), loaded.batch.take(rows), plan)
            key = plan.key
            part.plan_key = np.array([key if a is None else a for a in part.plan_key], dtype=object)
            part.plans = {key if a is None else a: p for a, p in part.plans.items()}
            parts.append((rows, part))
            used.append(plan)
    if not parts:
        return evaluate({}, loaded.batch, chosen[-1]), []
    plans = {a: p for _, part in parts for a, p in part.plans.items()}
    return stitch(parts, loaded.batch, plans), used


def _needs_whole(policies: Policies, chosen: list[Plan], output: str | Path) -> bool:
    """JSON/XLSX results are written in one piece; a quota needs its whole group, a population
    statistic the whole batch."""
    from engine.output import STREAMED_SUFFIXES

    plans = [p for plan in chosen for p in (plan, *policies.agencies_of(plan).values())]
    return Path(output).suffix.lower() not in STREAMED_SUFFIXES or any(p.quotas or p.population for p in plans)


def _subject_reader(policies: Policies, chosen: list[Plan], reading: Reading, subject: str) -> Reader | None:
    """From a single wide Parquet file, a reader of only ``subject``'s rows and its quota groups; from a
    single wide CSV file without quotas, one that streams it for the subject's rows (None, to read
    everything, for other files or when a population statistic reads every subject)."""
    path = Path(reading.data[0]) if len(reading.data) == 1 else None
    if path is None or reading.layout not in ("auto", "wide") or reading.header_row not in (None, 1):
        return None
    plans = [p for plan in chosen for p in (plan, *policies.agencies_of(plan).values())]
    if any(p.population for p in plans):
        return None
    from engine.data.subject import load_subject, stream_subject

    if path.suffix.lower() == ".csv" and not any(p.quotas for p in plans):
        return lambda schema: stream_subject(path, schema, subject, reading.known_agencies, reading.decimal,
                                             reading.chunk)
    if path.suffix.lower() not in (".parquet", ".pq"):
        return None
    fields = dict.fromkeys(q.by.name for p in plans for q in p.quotas if q.by is not None)
    return lambda schema: load_subject(path, schema, subject, fields, reading.known_agencies, reading.decimal)


def evaluate_files(policies: Policies, data: Sequence[str | Path], policy: str | None = None,
                   as_of: dt.date | None = None, layout: str = "auto",
                   known_agencies: Sequence[str] | None = None, sheet: str | None = None,
                   reader: Reader | None = None, decimal: str | None = None,
                   header_row: int | None = None) -> Run:
    """``score`` without an output file: the data evaluated in one chunk, its ``Result`` kept."""
    return score(policies, data, policy=policy, as_of=as_of, layout=layout, known_agencies=known_agencies,
                 sheet=sheet, decimal=decimal, header_row=header_row, reader=reader)
