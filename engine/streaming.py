"""Score data files into a results file, streaming a large Parquet/CSV input chunk by chunk.

``score_to_file`` is what ``kinerja eval`` runs.  A large single wide CSV or
Parquet file written to CSV or Parquet is loaded, validated, evaluated and
written one chunk of rows at a time (``engine.data.stream``), so memory stays
bounded whatever the number of subjects; anything else (several files, Excel or
JSON, quotas, which need whole groups, or rule versions chosen row by row) runs
in memory.  Both paths give byte-identical results and rejects files.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.api import Policies, Run, evaluate_files
from engine.data.report import LoadReport
from engine.evaluate.result import Violation
from engine.plan import Plan
from engine.provenance import unfiled_agencies

RESULT_SUFFIXES = (".csv", ".parquet")


@dataclass
class Scored:
    """What a scoring run did: the plans used, the load report and result counts.

    ``run`` is the in-memory ``Run`` when the data was not streamed (None otherwise)."""

    policies: Policies
    plan: Plan
    plans: list[Plan]
    report: LoadReport
    subjects: int
    runtime_errors: int
    violations: list[Violation] = field(default_factory=list)
    run: Run | None = None
    agency_files: dict[str, int] = field(default_factory=dict)  # agency file -> subjects scored under it
    unfiled: dict[str, int] = field(default_factory=dict)  # agency without an agency file -> subjects
    levels: list[dict[str, Any]] = field(default_factory=list)  # each level's results file (engine/levels)

    def policy_files(self) -> list[str]:
        """The national policy files used and the agency files extending them: what the scores depend on."""
        plans = self.plans or [self.plan]  # no row scored: the version chosen still names the rules
        agencies = [a for p in plans for a in self.policies.agencies_of(p).values()]
        return sorted({*(p.module.path for p in plans), *(a.module.path for a in agencies)})

    def write_manifest(self, path: str | Path, data_files: Sequence[str | Path], results: str | Path,
                       rejects: str | Path, explanations: str | Path | None = None) -> dict[str, Any]:
        """Write the run's manifest (``engine.output.write_manifest``: files with their SHA-256, the
        rules' id and versions, row counts that reconcile, warnings, quota violations) and return it."""
        from engine.output import file_sha256, write_manifest

        report, header = self.report, self.plan.header
        return write_manifest(
            path, policy_files=self.policy_files(), data_files=list(data_files),
            rows_read=report.rows_read, rows_scored=report.rows_accepted, rows_rejected=report.rows_rejected,
            policy_id=header.name if header else None,
            policy_version=", ".join(p.header.version or "" for p in self.plans if p.header) or None,
            results_file=results, rejects_file=rejects, explanations_file=explanations,
            extra={"subjects": self.subjects, "runtime_errors": self.runtime_errors,
                   "agency_files": [{"path": f, "sha256": file_sha256(f), "subjects": k}
                                    for f, k in sorted(self.agency_files.items())],
                   "quota_violations": [v.to_dict() for v in self.violations], "levels": self.levels,
                   "warnings": [asdict(w) for w in report.warnings],
                   "files_read": [asdict(f) for f in report.files]})


# Told how far a run is: ``progress(what)`` for a step without a row count (reading, writing),
# ``progress(what, done, total)`` for rows scored so far (total None when unknown).  The CLI draws it.
Progress = Callable[..., None]


def _quiet(what: str, done: int | None = None, total: int | None = None) -> None:
    """The progress callback of library calls: nothing is shown."""


def score_to_file(policies: Policies, data: Sequence[str | Path], output: str | Path, policy: str | None = None,
                  as_of: dt.date | None = None, layout: str = "auto", known_agencies: Sequence[str] | None = None,
                  sheet: str | None = None, stream: bool = True, chunk: int | None = None,
                  progress: Progress | None = None, decimal: str | None = None,
                  header_row: int | None = None) -> Scored:
    """Load, validate and evaluate ``data`` and write the presentable results to ``output``.

    ``stream=False`` forces the in-memory path (and keeps the ``Run``); ``chunk`` forces
    streaming with chunks of that many rows when the input allows it (tests use it);
    ``progress`` is told how far the run is (see ``Progress``; ``cli.progress`` draws it)."""
    from engine.levels.output import check_level_outputs
    from engine.output import presentable, write_results

    progress = progress or _quiet
    check_level_outputs(policies.versions(policy), output, data)
    plan = _streaming_plan(policies, data, output, policy, as_of, layout, chunk) \
        if stream and header_row in (None, 1) else None
    if plan is not None:
        from engine.data.stream import TypedFailed

        try:
            scored = _stream(policies, plan, Path(data[0]), Path(output), known_agencies, chunk, progress=progress,
                             decimal=decimal)
        except TypedFailed:  # a CSV number cell needs the text path's checks: start again with it
            scored = _stream(policies, plan, Path(data[0]), Path(output), known_agencies, chunk, typed=False,
                             progress=progress, decimal=decimal)
        if scored is not None:
            return scored
    progress("reading and scoring")
    run = evaluate_files(policies, data, policy=policy, as_of=as_of, layout=layout, known_agencies=known_agencies,
                         sheet=sheet, decimal=decimal, header_row=header_row)
    result = run.result
    progress("writing", result.n)  # drawn as "writing 1,000 rows" (cli.progress)
    write_results(presentable(result.table()), output)
    levels = _write_levels(run.plan, result, output)
    return Scored(policies, run.plan, run.plans, run.load.report, result.n,
                  int(result.events.count(result.n, "error").sum()), list(result.violations), run,
                  result.agency_file_counts(), unfiled_agencies(result), levels)


def _write_levels(plan: Plan, result: Any, output: str | Path) -> list[dict[str, Any]]:
    """The plan's subject levels over the rows' results, each written beside ``output``."""
    if not plan.levels:
        return []
    from engine.levels.output import write_levels
    from engine.levels.run import evaluate_levels

    return write_levels(evaluate_levels(plan, result), output)


def _streaming_plan(policies: Policies, data: Sequence[str | Path], output: str | Path, policy: str | None,
                    as_of: dt.date | None, layout: str, chunk: int | None) -> Plan | None:
    """The one national plan to stream with, or None when the in-memory path must run."""
    from engine.data.stream import CHUNK, streamable

    if len(data) != 1 or layout not in ("auto", "wide") or Path(output).suffix.lower() not in RESULT_SUFFIXES:
        return None
    if not streamable(data[0]):
        return None
    if as_of is None and len(policies.versions(policy)) > 1:
        return None  # each row's version comes from its period: the in-memory path handles it
    plan = policies.select(policy, as_of)
    if any(p.quotas or p.population for p in (plan, *policies.agencies_of(plan).values())):
        return None  # a quota needs its whole group, a population statistic the whole batch
    return plan if chunk is not None or _estimated_rows(Path(data[0])) > CHUNK else None


def _estimated_rows(path: Path) -> int:
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # noqa: BLE001 - an unreadable file is reported by the in-memory reader
            return 0
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        return 0
    lines = max(1, head.count(b"\n"))
    return int(path.stat().st_size / (len(head) / lines))


def _stream(policies: Policies, plan: Plan, data: Path, output: Path, known_agencies: Sequence[str] | None,
            chunk: int | None, typed: bool = True, progress: Progress | None = None,
            decimal: str | None = None) -> Scored | None:
    """Score ``data`` chunk by chunk; None when it turns out it cannot be streamed (nothing is left written)."""
    from pyarrow import ArrowInvalid

    from engine.data import schema_from_plan
    from engine.data.stream import CHUNK, Chunks, NotStreamable
    from engine.evaluate import evaluate
    from engine.output import ResultStream, SchemaChanged, presentable

    progress = progress or _quiet
    progress("checking subject ids")
    try:
        chunks = Chunks(data, schema_from_plan(plan), known_agencies, chunk or CHUNK, typed, decimal)
    except (NotStreamable, ArrowInvalid):
        return None
    agencies = policies.agencies_of(plan)
    subjects = errors = 0
    files: Counter[str] = Counter()
    unfiled: Counter[str] = Counter()
    out = ResultStream(output)
    from engine.levels.run import Levels

    levels = Levels(plan)  # each level's per-group sums, folded chunk by chunk
    empty = None
    done = 0
    try:
        progress("scoring", 0, chunks.rows)
        for loaded in chunks:
            result = evaluate(agencies, loaded.batch, plan)
            table = presentable(result.table())
            if result.n == 0:
                empty = table  # written only when no chunk has rows, to give the columns
                continue
            subjects += result.n
            errors += int(result.events.count(result.n, "error").sum())
            files.update(result.agency_file_counts())
            unfiled.update(unfiled_agencies(result))
            out.write(table)
            levels.add(result)
            done = min(done + chunks.chunk, chunks.rows)  # file rows consumed, blank ones included
            progress("scoring", done, chunks.rows)
            del result, table, loaded
            # A chunk's evaluation state holds reference cycles (tree columns derive from the
            # context that holds them): collect them now, or chunks pile up until Python's GC runs.
            gc.collect()
        if out.rows == 0 and empty is not None:
            out.write(empty)
        out.close()
        from engine.levels.output import write_levels

        written = write_levels(levels.finish(), output)
    except (SchemaChanged, ArrowInvalid):  # an unparseable stretch of the file: ``load`` names its line
        out.abort()
        return None
    except BaseException:
        out.abort()
        raise
    return Scored(policies, plan, [plan], chunks.report, subjects, errors, agency_files=dict(files),
                  unfiled=dict(unfiled), levels=written)


def explain_run(policies: Policies, data: Sequence[str | Path], subject_id: str, policy: str | None = None,
                as_of: dt.date | None = None, layout: str = "auto",
                known_agencies: Sequence[str] | None = None, sheet: str | None = None,
                decimal: str | None = None, header_row: int | None = None) -> Run:
    """A ``Run`` good for explaining ``subject_id``: from a single Parquet file only the
    subject's rows (and its quota groups) are loaded and evaluated; otherwise everything."""
    from engine.data.stream import load_subject

    path = Path(data[0])
    if len(data) != 1 or layout not in ("auto", "wide") or path.suffix.lower() not in (".parquet", ".pq"):
        return evaluate_files(policies, data, policy=policy, as_of=as_of, layout=layout,
                              known_agencies=known_agencies, sheet=sheet, decimal=decimal, header_row=header_row)
    plans = [*policies.versions(policy)]
    plans += [a for p in list(plans) for a in policies.agencies_of(p).values()]
    if any(p.population for p in plans):  # a population statistic reads every subject
        return evaluate_files(policies, data, policy=policy, as_of=as_of, layout=layout,
                              known_agencies=known_agencies, sheet=sheet)
    fields = dict.fromkeys(q.by.name for p in plans for q in p.quotas if q.by is not None)
    return evaluate_files(policies, data, policy=policy, as_of=as_of,
                          reader=lambda schema: load_subject(path, schema, subject_id, fields, known_agencies, decimal))
