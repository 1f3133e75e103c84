"""Evaluate plans over a batch: each step over whole columns, each subject under its agency's plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from engine.batch import Batch
from engine.evaluate.aggregate import evaluate_tree
from engine.evaluate.context import Context
from engine.evaluate.decide import evaluate_rating, evaluate_table
from engine.evaluate.quotas import check_quotas
from engine.evaluate.result import Result, StepResult, stitch
from engine.evaluate.scoring import evaluate_indicator, evaluate_input, evaluate_value
from engine.plan import Plan, Step

HANDLERS: dict[str, Callable[[Context, Step], StepResult]] = {
    "input": evaluate_input,
    "indicator": evaluate_indicator,
    "value": evaluate_value,
    "tree": evaluate_tree,
    "rating": evaluate_rating,
    "table": evaluate_table,
}


def plan_version(plan: Plan) -> str:
    """How a result names the rules it used: ``policy@version``."""
    header = plan.header
    if header is None:
        return plan.module.path
    return f"{header.name}@{header.version}" if header.version else header.name


def _run(plan: Plan, batch: Batch, key: str | None) -> Result:
    ctx = Context(plan, batch)
    for step in plan.steps:
        ctx.steps[step.name] = HANDLERS[step.kind](ctx, step)
    violations = check_quotas(ctx, plan.quotas)
    size = batch.n
    return Result(
        subject_ids=batch.subject_ids, agencies=batch.agencies,
        plan_key=np.full(size, key, dtype=object), plan_version=np.full(size, plan_version(plan), dtype=object),
        steps=ctx.steps, events=ctx.events, violations=violations, plans={key: plan}, batch=batch,
    )


def evaluate_plan(plan: Plan, batch: Batch) -> Result:
    """Evaluate every subject of ``batch`` under one plan."""
    return _run(plan, batch, None)


def _sub_batch(batch: Batch, index: np.ndarray) -> Batch:
    # Evaluation reads only ids, agencies and columns; origins stay with the full batch
    # (the stitched result refers to it), so no per-row Python work is done here.
    return Batch(subject_ids=batch.subject_ids[index], agencies=batch.agencies[index],
                 columns={k: v[index] for k, v in batch.columns.items()}, row_origin=[], origins={},
                 period=None if batch.period is None else batch.period[index])


def evaluate(plans: Mapping[str | None, Plan], batch: Batch, default: Plan) -> Result:
    """Evaluate each subject under its own agency's plan (``plans[agency]``), else ``default``.

    Rows are grouped by the plan that applies; each group is evaluated over whole
    columns, then the groups are stitched back in the batch's row order.  Quotas
    are checked within each group (a unit belongs to one agency).
    """
    agencies = np.asarray(batch.agencies, dtype=object)
    own = [a for a in plans if a is not None]
    # Rows per plan object: agencies sharing one plan are evaluated in one pass.
    groups: dict[int, tuple[Plan, list[str]]] = {}
    for a in own:
        groups.setdefault(id(plans[a]), (plans[a], []))[1].append(a)
    taken = np.zeros(batch.n, dtype=bool)
    parts: list[tuple[np.ndarray, Plan, str | None]] = []
    for plan, names in groups.values():
        mask = np.isin(agencies, np.asarray(names, dtype=object))
        taken |= mask
        if np.any(mask):
            parts.append((np.flatnonzero(mask), plan, names[0] if len(names) == 1 else None))
    rest = np.flatnonzero(~taken)
    if rest.size:
        parts.append((rest, default, None))
    if len(parts) == 1 and parts[0][0].size == batch.n:
        _, plan, key = parts[0]
        result = _run(plan, batch, key)
        if key is not None:
            result.plan_key = agencies.copy()
        result.plans = _plans_used(plans, default)
        return result
    results = []
    for pos, plan, key in parts:
        part = _run(plan, _sub_batch(batch, pos), key)
        if plan is not default:
            part.plan_key = agencies[pos]
        results.append((pos, part))
    return stitch(results, batch, _plans_used(plans, default))


def _plans_used(plans: Mapping[str | None, Plan], default: Plan) -> dict[str | None, Plan]:
    out: dict[str | None, Plan] = {a: p for a, p in plans.items() if a is not None}
    out[None] = default
    return out
