"""The Python API, mirroring the CLI: compile policies, evaluate data, explain a subject.

    policies = compile_policies(["policies/"])
    run = evaluate_files(policies, ["examples/instansi-2026.csv"])
    run.result.to_rows()[0]; print(explain.render(run.explain("kemenkeu")))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from engine import explain as explain_mod
from engine import nodes as n
from engine.compiler import Report, check_paths
from engine.data import LoadResult, load, schema_from_plan
from engine.data.report import Reject
from engine.data.schema import Schema
from engine.diagnostics import KinerjaError, error
from engine.evaluate import Result, evaluate
from engine.evaluate.result import stitch
from engine.plan import Plan


@dataclass
class Policies:
    """A checked set of policies: national versions by policy id, agency plans by agency id."""

    report: Report
    national: dict[str, list[Plan]]
    agencies: dict[str, Plan]

    def select(self, policy: str | None = None, as_of: dt.date | None = None) -> Plan:
        """The national plan to evaluate with: policy ``policy`` (needed when several are
        present), in the version in force on ``as_of`` (default: the newest version)."""
        if not self.national:
            raise _usage("api.no-national-policy", "no national policy among the given files (only agency "
                         "policies)", "give the national policy too, or the folder that holds both")
        if policy is None and len(self.national) != 1:
            raise _usage("api.policy-ambiguous", "several national policies are present: "
                         + ", ".join(sorted(self.national)), "choose one with --policy ID")
        key = policy if policy is not None else next(iter(self.national))
        if key not in self.national:
            raise _usage("api.unknown-policy", f"no national policy `{key}`",
                         "known: " + ", ".join(sorted(self.national)))
        versions = self.national[key]
        if as_of is None:
            return versions[-1]
        for plan in reversed(versions):
            start, end = _period(plan)
            if (start is None or start <= as_of) and (end is None or as_of <= end):
                return plan
        raise _usage("api.no-version-in-force", f"no version of `{key}` is in force on {as_of}",
                     "versions: " + ", ".join(f"{_version(p)} ({_period(p)[0]} .. {_period(p)[1]})" for p in versions))

    def versions(self, policy: str | None = None) -> list[Plan]:
        """Every version of the national policy ``policy`` (or of the only one), oldest first."""
        return self.national[self.select(policy).header.name]  # type: ignore[union-attr]

    def agencies_of(self, national: Plan) -> dict[str | None, Plan]:
        """Agency plans that extend the chosen national policy: same id and version."""
        return {k: p for k, p in self.agencies.items() if _ident(p) == _ident(national)}


@dataclass
class Run:
    """One evaluation: what was loaded (with rejects) and what was computed.

    ``plan`` is the newest national version used; ``plans`` every version used
    (several when a period column picks the version row by row)."""

    policies: Policies
    plan: Plan
    load: LoadResult
    result: Result
    plans: list[Plan] = field(default_factory=list)

    def explain(self, subject_id: object) -> explain_mod.Explanation:
        return explain_mod.explain(self.result, subject_id)


def compile_policies(paths: Sequence[str | Path], root: str | Path | None = None) -> Policies:
    """Check and compile every policy under ``paths``; raise ``KinerjaError`` on any error."""
    report = check_paths(list(paths), root=root)
    errors = [d for d in report.diagnostics if d.is_error]
    if errors:
        raise KinerjaError(errors)
    national: dict[str, list[Plan]] = {}
    for key, plan in report.plans.items():
        if key not in report.agencies:
            national.setdefault(plan.header.name if plan.header else key, []).append(plan)
    agencies = {k: p for k, p in report.plans.items() if k in report.agencies}
    for versions in national.values():
        versions.sort(key=lambda p: (_period(p)[0] or dt.date.min))
    return Policies(report, national, agencies)


def evaluate_files(policies: Policies, data: Sequence[str | Path], policy: str | None = None,
                   as_of: dt.date | None = None, layout: str = "auto",
                   known_agencies: Sequence[str] | None = None, sheet: str | None = None,
                   reader: Callable[[Schema], LoadResult] | None = None, decimal: str | None = None,
                   header_row: int | None = None) -> Run:
    """Load, validate and evaluate ``data`` under the chosen national plan and its agencies.

    With several versions of the policy and no ``as_of``, each subject is scored
    under the version in force on its ``period`` (wide layout); a subject whose
    period falls in no version is rejected with that reason.  ``reader`` (given the
    schema) replaces loading ``data`` whole, e.g. to load only one subject's rows.
    """
    def read(schema: Schema) -> LoadResult:
        if reader is not None:
            return reader(schema)
        return load(list(data), schema, layout=layout, known_agencies=known_agencies, sheet=sheet,  # type: ignore[arg-type]
                    decimal=decimal, header_row=header_row)

    versions = policies.versions(policy)
    if as_of is not None or len(versions) == 1:
        plan = policies.select(policy, as_of)
        loaded = read(schema_from_plan(plan))
        return Run(policies, plan, loaded, evaluate(policies.agencies_of(plan), loaded.batch, plan), [plan])
    loaded = read(_union_schema(versions))
    chosen = _version_rows(versions, loaded)
    parts, used = [], []
    for k, plan in enumerate(versions):
        rows = np.flatnonzero(chosen == k)
        if rows.size:
            part = evaluate(policies.agencies_of(plan), loaded.batch.take(rows), plan)
            key = _ident_key(plan)
            part.plan_key = np.array([key if a is None else a for a in part.plan_key], dtype=object)
            part.plans = {key if a is None else a: p for a, p in part.plans.items()}
            parts.append((rows, part))
            used.append(plan)
    plans = {a: p for _, part in parts for a, p in part.plans.items()}
    result = stitch(parts, loaded.batch, plans) if parts else evaluate({}, loaded.batch, versions[-1])
    return Run(policies, used[-1] if used else versions[-1], loaded, result, used)


def _version_rows(versions: list[Plan], loaded: LoadResult) -> np.ndarray:
    """Per subject, the index of the version in force on its period; rows in none are rejected
    (and dropped from the batch in place)."""
    batch, report = loaded.batch, loaded.report
    name = versions[0].header.name if versions[0].header else "?"
    if batch.period is None:
        raise _usage("api.version-ambiguous", f"`{name}` has several versions ("
                     + ", ".join(_version(p) for p in versions) + ") and the data has no `period` column",
                     "give --as-of DATE, or a `period` column (YYYY-MM-DD) in the data")
    chosen = np.array([_in_force(versions, p) for p in batch.period], dtype=np.int64)
    bad = np.flatnonzero(chosen < 0)
    if bad.size and report.files and report.files[0].layout == "long":
        raise _usage("api.version-ambiguous", f"{bad.size} subject(s) have a period in no version of `{name}`",
                     "give --as-of DATE")
    for i in bad:
        origin = batch.row_origin[int(i)]
        period = batch.period[i]
        reason = (f"period {period} is in no version of `{name}`" if period else
                  f"no period: `{name}` has several versions, so the row must say which applies")
        report.rejects.append(Reject(origin.file, origin.row, str(batch.subject_ids[i]), "period", period, reason,
                                     "versions: " + ", ".join(f"{_version(p)} ({_span_text(p)})" for p in versions)))
        counts = next(f for f in report.files if f.file == origin.file)
        counts.rows_accepted -= 1
        counts.rows_rejected += 1
    if bad.size:
        keep = np.flatnonzero(chosen >= 0)
        loaded.batch = batch.take(keep)
        report.subjects = loaded.batch.n
        chosen = chosen[keep]
    return chosen


def _in_force(versions: list[Plan], period: object) -> int:
    if not period:
        return -1
    day = dt.date.fromisoformat(str(period))
    for k in range(len(versions) - 1, -1, -1):
        start, end = _period(versions[k])
        if (start is None or start <= day) and (end is None or day <= end):
            return k
    return -1


def _union_schema(versions: list[Plan]) -> Schema:
    """Every field any version reads (the newest version's declaration wins); a field is
    required only when every version requires it."""
    schemas = [schema_from_plan(p) for p in versions]
    fields = {}
    for schema in schemas:
        fields.update(schema.fields)
    required = set.intersection(*(set(s.required) for s in schemas))
    fields = {k: replace(f, required=k in required) for k, f in fields.items()}
    return replace(schemas[-1], fields=fields)


def _ident(plan: Plan) -> tuple[str | None, str | None]:
    return (plan.header.name, plan.header.version) if plan.header else (None, None)


def _ident_key(plan: Plan) -> str:
    name, version = _ident(plan)
    return f"{name}@{version}"


def _span_text(plan: Plan) -> str:
    start, end = _period(plan)
    return f"{start or '…'} .. {end or '…'}"


def _period(plan: Plan) -> tuple[dt.date | None, dt.date | None]:
    decl = plan.module.first(n.PeriodDecl)
    if isinstance(decl, n.PeriodDecl):
        return decl.range.start, decl.range.end
    return None, None


def _version(plan: Plan) -> str:
    return plan.header.version or "?" if plan.header else "?"


def _usage(code: str, message: str, help: str) -> KinerjaError:
    return KinerjaError([error(code, message, n.Span("<command line>", 1, 1, 1, 1), help)])
