"""The Python API, mirroring the CLI: compile policies, evaluate data, explain a subject.

    policies = compile_policies(["policies/"])
    run = evaluate_files(policies, ["examples/instansi-2026.csv"])
    run.result.to_rows()[0]; print(explain.render(run.explain("kemenkeu")))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.compiler import check_paths
from engine.data import LoadResult, load, schema_from_plan
from engine.data.schema import Schema
from engine.diagnostics import KinerjaError
from engine.evaluate import Result, evaluate
from engine.evaluate.result import NotScored, stitch
from engine.i18n import _
from engine.plan import Plan
from engine.versions import Policies, union_schema, version_rows

if TYPE_CHECKING:
    from engine.explain import Explanation


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

    def explain(self, subject_id: object, places: int = 2) -> Explanation:
        from engine.explain import explain  # not needed to score (start-up of a small run)

        self.require(subject_id)
        return explain(self.result, subject_id, places)

    def require(self, subject_id: object) -> None:
        """Raise ``NotScored`` (``subject.not-scored``, saying where it was rejected, if it was)
        unless ``subject_id`` was scored."""
        try:
            self.result.row(subject_id)
        except NotScored:
            rejected = [r for r in self.load.report.rejects if r.subject_id == str(subject_id)]
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
    loaded = read(union_schema(versions))
    chosen = version_rows(versions, loaded)
    parts, used = [], []
    for k, plan in enumerate(versions):
        rows = np.flatnonzero(chosen == k)
        if rows.size:
            part = evaluate(policies.agencies_of(plan), loaded.batch.take(rows), plan)
            key = plan.key
            part.plan_key = np.array([key if a is None else a for a in part.plan_key], dtype=object)
            part.plans = {key if a is None else a: p for a, p in part.plans.items()}
            parts.append((rows, part))
            used.append(plan)
    plans = {a: p for _, part in parts for a, p in part.plans.items()}
    result = stitch(parts, loaded.batch, plans) if parts else evaluate({}, loaded.batch, versions[-1])
    return Run(policies, used[-1] if used else versions[-1], loaded, result, used)
