"""The service's one adapter to the engine: compile policies, score a submitted file, calculate
without storing, describe the policies.  Every call into ``engine.api``
goes through here, so a change of those entry points touches this module only.

A stored submission is scored exactly as ``kinerja eval FILE -o results.json`` scores it (the
same in-memory run, ``presentable`` columns and JSON row writer), and its rows are the lines of
that JSON file, kept as text: stored and served without being parsed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import engine
from engine import api
from engine import nodes as n
from engine.data import Reject, load_records, schema_from_plan
from engine.diagnostics import KinerjaError
from engine.i18n import _, language
from engine.i18n.records import record_of
from engine.plan import Plan
from engine.versions import period

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".parquet": "parquet"}
_PERIOD = re.compile(r"^(\d{4})(-\d{2}-\d{2})?$")


@dataclass
class PolicySet:
    """Compiled policies with every policy file's text and hash, as loaded at one moment."""

    root: Path
    policies: api.Policies
    files: dict[str, str]  # path relative to the root -> sha256
    texts: dict[str, str] = field(default_factory=dict)  # sha256 -> the file's text
    loaded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    @property
    def digest(self) -> str:
        return set_digest(self.files)


def set_digest(files: Mapping[str, str]) -> str:
    """The identity of a policy set: the hash of its sorted (path, sha256) pairs."""
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


@dataclass
class Scoring:
    """What scoring one file gave: counts, result rows, rejects, explanations and provenance."""

    policy_id: str
    policy_version: str
    policy_set: str
    policy_files: list[dict[str, str]]
    rows_read: int
    rows_scored: int
    rows_rejected: int
    subjects: int
    lines: list[str]  # each result row's JSON text, as on its line of `kinerja eval -o results.json`
    subject_ids: list[str]  # each result row's subject, in the same order
    rejects: list[dict[str, Any]]
    explanations: dict[str, dict[str, Any]]
    summary: dict[str, Any]
    levels: dict[str, LevelRows] = field(default_factory=dict)  # the policy's subject levels, by name

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    @property
    def results_sha256(self) -> str:
        """The SHA-256 of the results file `kinerja eval FILE -o results.json` writes for this file."""
        return lines_sha256(self.lines)


@dataclass
class LevelRows:
    """One subject level's results (engine/levels): each group's row as its line of the level file
    ``kinerja eval FILE -o results.json`` writes beside the results (``results.unit.json``)."""

    subject_ids: list[str]
    lines: list[str]
    summary: dict[str, Any]  # as the manifest's entry for the level: of, keys, subjects, members, ...

    @property
    def sha256(self) -> str:
        return lines_sha256(self.lines)


def lines_sha256(lines: list[str]) -> str:
    """The SHA-256 of the .json results file made of these row lines."""
    from engine.json_results import json_text

    return hashlib.sha256(json_text(lines).encode("utf-8")).hexdigest()


class SubmissionError(ValueError):
    """A submission the engine cannot read at all (unknown format, unreadable file, bad period)."""


def load_policies(root: str | Path) -> PolicySet:
    """Check and compile every policy under ``root``; ``KinerjaError`` (with diagnostics) on errors."""
    path = Path(root).resolve()
    policies = api.compile_policies([path], root=path if path.is_dir() else None)
    base = path if path.is_dir() else path.parent
    raw = {_relative(p, base): Path(p).read_bytes() for p in sorted(policies.compilation.files)}
    files = {rel: hashlib.sha256(b).hexdigest() for rel, b in raw.items()}
    return PolicySet(path, policies, files, {files[rel]: b.decode("utf-8") for rel, b in raw.items()})


def _relative(path: str | Path, base: Path) -> str:
    resolved = Path(path).resolve()
    return str(resolved.relative_to(base)) if resolved.is_relative_to(base) else str(resolved)


def as_of(period: str) -> dt.date:
    """The date whose policy version applies: a day as given, or a year's last day."""
    m = _PERIOD.match(period.strip())
    if not m:
        raise SubmissionError(_("period `{period}` is not a year (2026) or a date (2026-12-31)", period=period))
    try:
        return dt.date.fromisoformat(period) if m.group(2) else dt.date(int(m.group(1)), 12, 31)
    except ValueError:  # 2026-13-45: the shape of a date, but no day of the calendar
        raise SubmissionError(_("period `{period}` is not a day of the calendar", period=period)) from None


def file_format(filename: str) -> str:
    fmt = FORMATS.get(Path(filename).suffix.lower())
    if fmt is None:
        raise SubmissionError(_("`{file}`: unsupported file type; send .csv, .xlsx, .json or .parquet",
                                  file=filename))
    return fmt


@dataclass
class Evaluated:
    """A submitted file scored in memory: the run, each result row as its line of the results file
    ``kinerja eval FILE -o results.json`` writes, and the folder the engine read the file from."""

    run: Any
    lines: list[str]
    folder: str

    def rows(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    @cached_property
    def by_subject(self) -> dict[str, dict[str, Any]]:
        return {str(row["subject_id"]): row for row in self.rows()}


def evaluate(ps: PolicySet, content: bytes, filename: str, policy: str, period: str, agency: str,
             unit: str = "") -> Evaluated:
    """Score a submitted file as ``kinerja eval FILE -o results.json`` does (the same in-memory run and
    the same JSON writer, without the file), with only ``agency``'s rows (and ``unit``'s) allowed."""
    from engine.data import DataError
    from engine.json_results import json_lines
    from engine.output import presentable

    fmt = file_format(filename)
    with tempfile.TemporaryDirectory(prefix="kinerja-sub-") as tmp:
        data = Path(tmp) / safe_name(filename, fmt)
        data.write_bytes(content)
        try:
            run = api.evaluate_files(ps.policies, [data], policy=policy, as_of=as_of(period),
                                     known_agencies=[agency], reader=_unit_reader(ps, data, policy, period,
                                                                                  agency, unit))
        except DataError as exc:
            raise SubmissionError(str(exc).replace(str(data), filename)) from None
        return Evaluated(run, json_lines(presentable(run.result.table())), tmp + "/")


def _unit_reader(ps: PolicySet, data: Path, policy: str, period: str, agency: str,
                 unit: str) -> Callable[[Any], Any] | None:
    """For a unit's submission: the file loaded as ``kinerja eval`` loads it, other units' rows rejected."""
    if not unit:
        return None
    from engine.data import load
    from engine.service.units import only_unit, unit_field

    plan = ps.policies.select(policy, as_of(period))
    field_name = unit_field([plan, *ps.policies.agencies_of(plan).values()], policy, unit)
    return lambda schema: only_unit(load([data], schema, known_agencies=[agency]), field_name, unit)


def explanation_of(run: Any, subject: str, folder: str) -> dict[str, Any]:
    """A subject's explanation as `kinerja explain --format json` prints it; value origins name the
    file as submitted, not the temporary copy in ``folder`` that the engine read."""
    return _explanation(run.explain(subject), folder)


def score(ps: PolicySet, content: bytes, filename: str, policy: str, period: str, agency: str,
          unit: str = "") -> Scoring:
    """Score a submitted file of ``agency`` as ``kinerja eval`` would, with only ``agency``'s rows (and,
    for a unit's token, only ``unit``'s) allowed."""
    from engine.i18n.records import recording

    with recording():  # the texts it stores (reject reasons, warnings, quota messages) remember their making
        done = evaluate(ps, content, filename, policy, period, agency, unit)
        scored = _scoring(ps, policy, done.run, done.lines, {})
    scored.levels = levels_of(done.run)
    if scored.levels:
        scored.summary["levels"] = [lv.summary for lv in scored.levels.values()]
    return scored


def levels_of(run: Any) -> dict[str, LevelRows]:
    """The plan's subject levels over the run's rows, as ``kinerja eval`` computes and writes them."""
    if not run.plan.levels:
        return {}
    from engine.json_results import json_lines
    from engine.levels.output import level_summary
    from engine.levels.run import Levels
    from engine.output import presentable

    levels = Levels(run.plan)
    levels.add(run.result)
    return {name: LevelRows([str(s) for s in lr.result.subject_ids], json_lines(presentable(lr.table())),
                            level_summary(name, lr))
            for name, lr in levels.finish().items()}


def calculate(ps: PolicySet, policy: str, period: str, records: Sequence[Mapping[str, Any]],
              agency: str | None = None) -> Scoring:
    """Score in-memory records (what-if), validated exactly like a JSON submission; nothing is stored."""
    from engine.json_results import json_lines
    from engine.output import presentable

    known = [agency] if agency else None
    run = api.evaluate_files(ps.policies, [], policy=policy, as_of=as_of(period),
                             reader=lambda schema: load_records(records, schema, "<request>", known))
    return _scoring(ps, policy, run, json_lines(presentable(run.result.table())),
                    {str(s): _explanation(run.explain(s)) for s in run.result.subject_ids})


def _scoring(ps: PolicySet, policy: str, run: Any, lines: list[str],
             explanations: dict[str, dict[str, Any]]) -> Scoring:
    report, result = run.report, run.result
    return Scoring(
        policy_id=policy, policy_version=", ".join(p.header.version or "" for p in run.plans if p.header),
        policy_set=ps.digest, policy_files=_files_used(ps, run.plans), rows_read=report.rows_read,
        rows_scored=report.rows_accepted, rows_rejected=report.rows_rejected, subjects=result.n, lines=lines,
        subject_ids=[str(sid) for sid in result.subject_ids],
        rejects=[reject_record(r) for r in report.rejects], explanations=explanations,
        summary={"language": language(),  # what the stored texts (reasons, warnings) are written in
                 "runtime_errors": int(result.events.count(result.n, "error").sum()),
                 "quota_violations": [{**v.to_dict(), "messages": _records(message=v.message)}
                                      for v in result.violations],
                 "warnings": [w.message for w in report.warnings],
                 "warning_messages": [record_of(w.message) for w in report.warnings]})


def _records(**texts: str | None) -> dict[str, Any]:
    """How each of these texts was made, for those made while recording (``engine.i18n.records``)."""
    return {name: found for name, text in texts.items() if (found := record_of(text)) is not None}


def _explanation(explanation: Any, folder: str = "") -> dict[str, Any]:
    """The explanation as ``kinerja explain --format json`` prints it (its own renderer; ``folder`` taken
    off file names)."""
    from engine.explain import render

    text = render(explanation, "json")
    return json.loads(text.replace(json.dumps(folder)[1:-1], "") if folder else text)


def safe_name(filename: str, fmt: str) -> str:
    """The submitted file's base name, reduced to safe characters, with its format's suffix."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).stem)[:100].lstrip(".") or "submission"
    return f"{stem}.{fmt}"


def reject_record(r: Reject) -> dict[str, Any]:
    """A rejected row as stored and served; ``messages``: how its row, reason and help were made."""
    return {"row": r.row, "subject_id": r.subject_id, "column": r.column, "value": r.value,
            "reason": r.reason, "help": r.help, "messages": _records(row=r.row, reason=r.reason, help=r.help)}


def _files_used(ps: PolicySet, plans: Sequence[Plan]) -> list[dict[str, str]]:
    """The national files and the agency files extending them, with their hashes at load time."""
    base = ps.root if ps.root.is_dir() else ps.root.parent
    used = {p.module.path for p in plans} | {a.module.path for p in plans
                                              for a in ps.policies.agencies_of(p).values()}
    return [{"path": _relative(p, base), "sha256": ps.files.get(_relative(p, base), "")} for p in sorted(used)]


def describe(ps: PolicySet) -> list[dict[str, Any]]:
    """Every national policy with its versions (period, agencies extending it, submitted fields)."""
    return [{"id": key, "versions": [_version(ps, p) for p in plans]} for key, plans in
            sorted(ps.policies.national.items())]


def _version(ps: PolicySet, plan: Plan) -> dict[str, Any]:
    start, end = _period(plan)
    header = plan.header
    return {"version": header.version if header else None, "label": header.label if header else None,
            "period": {"start": start, "end": end},
            "agencies": sorted(a for a in ps.policies.agencies_of(plan) if a),
            "fields": [_field(plan, f) for f in schema_from_plan(plan).fields.values()],
            "results": [s.name for s in plan.steps if s.kind != "input"]}


def _period(plan: Plan) -> tuple[str | None, str | None]:
    """The version's period as ISO dates; ``None`` for an open end (or no period)."""
    return tuple(None if d is None else d.isoformat() for d in period(plan))  # type: ignore[return-value]


def _field(plan: Plan, f: Any) -> dict[str, Any]:
    decl = plan.step(f.name).decl
    meta = {k: _text(getattr(decl, k, None)) for k in ("label", "kind", "unit", "source", "owner", "better",
                                                        "target", "baseline")}
    return {"name": f.name, "type": f.type, "options": list(f.options), "range": f.range_text,
            "required": f.required, "field": f.kind, **{k: v for k, v in meta.items() if v is not None}}


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    for attr in ("value", "text", "direction"):
        inner = getattr(v, attr, None)
        if inner is not None and not isinstance(inner, n.Node):
            return str(inner)
    return str(v)


def warm_up() -> None:
    """Import what scoring loads lazily, so the first submission after a start is not the slow one.

    pyarrow tries to import ``dateutil.relativedelta`` each time it infers a Python value's type
    (dozens of times per file read); when dateutil is not installed every attempt searches the
    whole import path (about 20 ms a submission).  Marking it absent makes each attempt fail at once."""
    import importlib.util
    import sys

    if importlib.util.find_spec("dateutil") is None:
        sys.modules.setdefault("dateutil", None)  # type: ignore[arg-type]
    import engine.data.readers  # noqa: F401
    import engine.data.submission  # noqa: F401
    import engine.explain  # noqa: F401
    import engine.output  # noqa: F401


def engine_version() -> str:
    return engine.__version__


__all__ = ["KinerjaError", "PolicySet", "Scoring", "SubmissionError", "calculate", "describe", "load_policies",
           "score"]
