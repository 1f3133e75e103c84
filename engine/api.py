"""The Python API, mirroring the CLI: compile policies, evaluate data, explain a subject.

    policies = compile_policies(["policies/"])
    run = evaluate_files(policies, ["examples/instansi-2026.csv"])
    run.result.to_rows()[0]; print(explain.render(run.explain("kemenkeu")))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine import explain as explain_mod
from engine import nodes as n
from engine.compiler import Report, check_paths
from engine.data import LoadResult, load, schema_from_plan
from engine.diagnostics import KinerjaError, error
from engine.evaluate import Result, evaluate
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

    def agencies_of(self, national: Plan) -> dict[str | None, Plan]:
        """Agency plans that extend the chosen national policy (same id)."""
        pid = national.header.name if national.header else None
        return {k: p for k, p in self.agencies.items() if p.header and p.header.name == pid}


@dataclass
class Run:
    """One evaluation: what was loaded (with rejects) and what was computed."""

    policies: Policies
    plan: Plan
    load: LoadResult
    result: Result

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
                   known_agencies: Sequence[str] | None = None, sheet: str | None = None) -> Run:
    """Load, validate and evaluate ``data`` under the chosen national plan and its agencies."""
    plan = policies.select(policy, as_of)
    loaded = load(list(data), schema_from_plan(plan), layout=layout,  # type: ignore[arg-type]
                  known_agencies=known_agencies, sheet=sheet)
    result = evaluate(policies.agencies_of(plan), loaded.batch, plan)
    return Run(policies, plan, loaded, result)


def _period(plan: Plan) -> tuple[dt.date | None, dt.date | None]:
    decl = plan.module.first(n.PeriodDecl)
    if isinstance(decl, n.PeriodDecl):
        return decl.range.start, decl.range.end
    return None, None


def _version(plan: Plan) -> str:
    return plan.header.version or "?" if plan.header else "?"


def _usage(code: str, message: str, help: str) -> KinerjaError:
    return KinerjaError([error(code, message, n.Span("<command line>", 1, 1, 1, 1), help)])
