"""Run policy tests: compile the policy with the compiler, evaluate with the evaluator, compare.

A test never computes a score itself: ``given``/``subjects`` become a batch through
``engine.data.load_records`` (validated exactly like a submission) and are scored by
``engine.evaluate``; only the comparison of results with expectations is done here.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine import api, resolve
from engine.data import DataError, load, load_records, schema_from_plan
from engine.diagnostics import Diagnostic, KinerjaError, did_you_mean
from engine.evaluate import Result, evaluate
from engine.i18n import _
from engine.plan import Plan
from engine.testing import expect as ex
from engine.testing.coverage import CoverageCollector
from engine.testing.results import CaseResult, Failure, TestRun
from engine.testing.spec import Case, LoadedFile, SpecError, load_test_file

PATTERN = "*_test.yaml"
KEY_FIELDS = ("id", "agency", "period")


class TestProblem(Exception):
    """The test itself cannot run as written (unknown field, rejected row, policy with errors)."""


@dataclass
class Target:
    """A compiled policy under test: its diagnostics and, when it compiles, the plans to evaluate."""

    diagnostics: list[Diagnostic]
    plan: Plan | None = None
    agencies: dict[str | None, Plan] = field(default_factory=dict)
    problem: str = ""


def discover(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """Test files named or found (recursively) under ``paths``; and paths that do not exist."""
    found: dict[Path, None] = {}
    absent = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found.update(dict.fromkeys(f.resolve() for f in sorted(p.rglob(PATTERN)) if f.is_file()))
        elif p.is_file():
            found[p.resolve()] = None
        else:
            absent.append(str(given))
    return sorted(found, key=resolve.display), absent


class Runner:
    """Runs test files, compiling each policy once and collecting coverage across tests."""

    def __init__(self) -> None:
        self.targets: dict[tuple[str, str | None, dt.date | None], Target] = {}
        self.coverage = CoverageCollector()

    def run_paths(self, paths: list[str | Path]) -> TestRun:
        files, _problems = discover(paths)
        out = TestRun()
        for path in files:
            out.cases += self.run_file(path)
        out.coverage = self.coverage.report()
        tested = {c.file for c in out.coverage}
        policies, _diags = resolve.discover([p for p in paths if Path(p).is_dir()])
        out.untested = [s for s in map(resolve.display, policies) if s not in tested]
        return out

    def run_file(self, path: Path) -> list[CaseResult]:
        shown = resolve.display(path.resolve())
        try:
            loaded = load_test_file(path, shown)
        except SpecError as exc:
            from engine.diagnostics import render_text

            sources = {exc.file: exc.source} if exc.source is not None else {}
            return [CaseResult(shown, _("(test file)"), exc.line, "errored", diagnostic=exc.diagnostics[0],
                               message=render_text(exc.diagnostics, sources).rstrip("\n"))]
        return [self.run_case(loaded, case, line) for case, line in zip(loaded.spec.tests, loaded.lines)]

    def run_case(self, loaded: LoadedFile, case: Case, line: int) -> CaseResult:
        policy = case.policy or loaded.spec.policy
        out = CaseResult(loaded.shown, case.name, line, "passed", source=case.source, policy=policy)
        if case.skip is not None:
            out.status, out.message = "skipped", case.skip
            return out
        start = time.perf_counter()
        try:
            out.failures = self._check(loaded, case, policy)
            out.status = "failed" if out.failures else "passed"
        except TestProblem as exc:
            out.status, out.message = "errored", str(exc)
        out.seconds = time.perf_counter() - start
        return out

    # ------------------------------------------------------------------ steps

    def _check(self, loaded: LoadedFile, case: Case, policy: str) -> list[Failure]:
        base = loaded.path.parent
        spec = loaded.spec
        target = self.target(base / policy, base / spec.root if spec.root else None, case.as_of or spec.as_of)
        failures = ex.check_diagnostics(case, target.diagnostics)
        evaluates = case.given is not None or case.subjects is not None or case.data is not None
        if target.plan is None:
            if case.expect_diagnostics and not evaluates:
                return failures
            if not case.expect_diagnostics:
                raise TestProblem(target.problem)
            return failures + [Failure("evaluation", _("a policy that compiles"), target.problem)]
        if not evaluates:
            return failures
        result, notes = self._evaluate(case, target, base)
        found = ex.check_result(case, result, spec.tolerance)
        # Fields the policy does not read are ignored, as in a submission; when the test fails
        # anyway they are the first suspects (a typo), so they are reported with it.
        return failures + found + (notes if found else [])

    def target(self, path: Path, root: Path | None, as_of: dt.date | None) -> Target:
        key = (str(path.resolve()), str(root.resolve()) if root else None, as_of)
        if key not in self.targets:
            self.targets[key] = _compile(path, root, as_of)
        return self.targets[key]

    def _evaluate(self, case: Case, target: Target, base: Path) -> tuple[Result, list[Failure]]:
        assert target.plan is not None
        schema = schema_from_plan(target.plan)
        notes: list[Failure] = []
        if case.data is not None:
            try:
                loaded = load([base / case.data], schema)
            except DataError as exc:
                raise TestProblem(str(exc)) from None
        else:
            rows = [{"id": "subject", **case.given}] if case.given is not None else list(case.subjects or [])
            for k, row in enumerate(rows):
                notes += _unknown_fields(row, schema.fields, "given" if case.given is not None else f"subjects[{k}]")
            # A field left out is a missing value (an empty cell), not a missing column.
            rows = [dict.fromkeys(schema.fields) | row for row in rows]
            loaded = load_records(rows, schema, "given" if case.given is not None else "subjects")
        if loaded.report.rejects:
            r = loaded.report.rejects[0]
            rejected = _("the data is rejected: {file} {row}: {reason}", file=r.file, row=r.row, reason=r.reason)
            if len(loaded.report.rejects) > 1:
                rejected += _(" (and {n} more)", n=len(loaded.report.rejects) - 1)
            raise TestProblem(rejected)
        result = evaluate(target.agencies, loaded.batch, target.plan)
        self.coverage.add(result)
        return result, notes


def _unknown_fields(row: dict[str, object], fields: dict[str, object], where: str) -> list[Failure]:
    out = []
    for name in row:
        if name not in fields and name not in KEY_FIELDS:
            hint = did_you_mean(name, list(fields))
            out.append(Failure(f"{where}.{name}", _("an input field of the policy"),
                               _("not one: ignored") + (f" ({hint})" if hint else "")))
    return out


def _compile(path: Path, root: Path | None, as_of: dt.date | None) -> Target:
    if not path.exists():
        return Target([], problem=_("the policy `{path}` does not exist", path=resolve.display(path.resolve())))
    try:
        policies = api.compile_policies([path], root=root)
    except KinerjaError as exc:
        diags = list(exc.diagnostics)
        shown = "; ".join(f"{d.span.file}:{d.span.line}:{d.span.column}: {d.code}: {d.message}" for d in diags[:3])
        return Target(diags, problem=_("the policy has {n} error(s): {first}", n=len(diags), first=shown))
    diags = list(policies.compilation.diagnostics)
    if path.is_dir():
        try:
            plan = policies.select(None, as_of)
        except KinerjaError as exc:
            return Target(diags, problem=exc.diagnostics[0].message)
        return Target(diags, plan, dict(policies.agencies_of(plan)))
    shown = resolve.display(path.resolve())
    plans = [p for p in policies.compilation.plans.values() if p.module.path == shown]
    if not plans:
        return Target(diags, problem=_("`{path}` holds no policy to evaluate", path=shown))
    return Target(diags, plans[0])


def run(paths: list[str | Path]) -> TestRun:
    """Discover and run every test under ``paths``."""
    return Runner().run_paths(paths)
