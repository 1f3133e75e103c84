"""Evaluate plans over a batch: each subject under its agency's plan, each plan's steps over whole
columns (in row blocks: ``blocks``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from engine.batch import Batch
from engine.evaluate import population
from engine.evaluate.blocks import evaluate_blocks
from engine.evaluate.given import Given, Seed
from engine.evaluate.quotas import check_quotas
from engine.evaluate.result import Result, stitch
from engine.plan import Plan


def plan_version(plan: Plan) -> str:
    """How a result names the rules it used: ``policy@version``."""
    return plan.key


def _run(plan: Plan, batch: Batch, key: str | None, seed: Seed | None = None) -> Result:
    ctx = evaluate_blocks(plan, batch, seed or Seed())
    violations = check_quotas(ctx, plan.quotas)
    size = batch.n
    return Result(
        subject_ids=batch.subject_ids, agencies=batch.agencies,
        plan_key=constant(key, size), plan_version=constant(plan_version(plan), size),
        steps=ctx.steps, events=ctx.events, violations=violations, plans={key: plan}, batch=batch,
    )


def constant(value: object, size: int) -> np.ndarray:
    """An object column holding ``value`` on every row (``np.full`` sets objects one by one: 10x slower)."""
    one = np.empty(1, dtype=object)
    one[0] = value
    return one.repeat(size)


def evaluate_plan(plan: Plan, batch: Batch) -> Result:
    """Evaluate every subject of ``batch`` under one plan."""
    return _run(plan, batch, None)


def evaluate(plans: Mapping[str | None, Plan], batch: Batch, default: Plan, given: Given | None = None) -> Result:
    """Evaluate each subject under its own agency's plan (``plans[agency]``), else ``default``.

    Rows are grouped by the plan that applies; each group is evaluated over whole
    columns, then the groups are stitched back in the batch's row order.  Quotas
    are checked within each group (a unit belongs to one agency).  With ``given``, the
    steps it names for a plan are taken from its result of the same batch (see ``given``).
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
        result = _run(plan, batch, key, given.seed(plan) if given else None)
        if key is not None:
            result.plan_key = agencies.copy()
        result.plans = _plans_used(plans, default)
        return result
    def run_parts() -> list[tuple[np.ndarray, Result]]:
        results = []
        for pos, plan, key in parts:
            population.at_part(pos)
            part = _run(plan, batch.take(pos, origins=False), key, given.seed(plan, pos) if given else None)
            if plan is not default:
                part.plan_key = agencies[pos]
            results.append((pos, part))
        return results

    # A population statistic is over the whole batch, whichever plan each part is evaluated under.
    split = any(plan.population for _, plan, _ in parts)
    results = population.over_parts(run_parts, batch.n) if split else run_parts()
    return stitch(results, batch, _plans_used(plans, default))


def _plans_used(plans: Mapping[str | None, Plan], default: Plan) -> dict[str | None, Plan]:
    out: dict[str | None, Plan] = {a: p for a, p in plans.items() if a is not None}
    out[None] = default
    return out
