"""The analyses over a data file in one streamed pass each (``engine.analysis.passes``): what the
commands run, at any size.  Each names its evaluations and its accumulator; nothing else differs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from engine import nodes as n
from engine.analysis.benchmark import Benchmark, BenchmarkFold
from engine.analysis.common import peer_groups
from engine.analysis.passes import A, Evaluation, Reading, fold
from engine.analysis.periods import PeriodChange, PeriodFold, join
from engine.analysis.sensitivity import Sensitivity, SensitivityFold
from engine.api import Policies, Progress, evaluate_files
from engine.plan import Plan


def evaluation(policies: Policies, policy: str | None = None, as_of: dt.date | None = None) -> Evaluation:
    """The national plan in force (``policies.select``) and the agency plans that extend it."""
    plan = policies.select(policy, as_of)
    return Evaluation(plan, policies.agencies_of(plan))


def groups_of(policies: Policies, e: Evaluation) -> dict[str, str]:
    """Agency id -> its declared ``peer_group``."""
    plans: dict[str | None, Plan] = {None: e.plan, **e.agencies}
    return peer_groups(plans)


def benchmark_data(policies: Policies, reading: Reading, policy: str | None = None, as_of: dt.date | None = None,
                   decls: Sequence[n.Benchmark] | None = None, progress: Progress | None = None) -> list[Benchmark]:
    """Every benchmark (the declared ones, or ``decls``) over the data, ranked once at the end."""
    return one_pass(policies, reading, policy, as_of,
                    lambda e: BenchmarkFold(e.plan, groups_of(policies, e), decls), progress).finish()


def one_pass(policies: Policies, reading: Reading, policy: str | None, as_of: dt.date | None,
             start: Callable[[Evaluation], A], progress: Progress | None = None) -> A:
    """``start(evaluation)``'s accumulator folded over the data under the plan in force.

    A policy whose version is chosen row by row (several versions, no ``as_of``) is evaluated
    whole, as ``kinerja eval`` does, and folded as one chunk."""
    if as_of is None and len(policies.versions(policy)) > 1:
        run = evaluate_files(policies, list(reading.data), policy=policy, layout=reading.layout,
                             known_agencies=reading.known_agencies, sheet=reading.sheet)
        acc = start(Evaluation(run.plan, policies.agencies_of(run.plan)))
        acc.add([run.result])
        reading.reports[:] = [run.report]
        return acc
    e = evaluation(policies, policy, as_of)
    return fold(reading, [e], lambda: start(e), progress=progress)[0]


def sensitivity_data(policies: Policies, reading: Reading, policy: str | None = None, as_of: dt.date | None = None,
                     progress: Progress | None = None, **options: Any) -> Sensitivity:
    """The Monte Carlo runs (``options`` as for ``sensitivity``) over the data, every run per chunk."""
    folds: list[SensitivityFold] = []

    def start(e: Evaluation) -> SensitivityFold:
        folds.append(SensitivityFold({None: e.plan, **e.agencies}, **options))
        return folds[-1]

    try:
        return one_pass(policies, reading, policy, as_of, start, progress).finish()
    finally:
        for f in folds:
            f.__exit__()


def compare_files(policies: Policies, base: Reading, current: Reading, base_label: str, current_label: str,
                  policy: str | None = None, as_of: dt.date | None = None,
                  progress: Progress | None = None) -> PeriodChange:
    """The top score and rating of every subject in both files, one streamed pass over each."""
    folds = [one_pass(policies, r, policy, as_of, lambda e: PeriodFold(e.plan), progress) for r in (base, current)]
    return join(folds[0], folds[1], base_label, current_label)
