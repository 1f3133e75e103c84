"""Semantic coverage: which parts of a policy the tests exercised, read from evaluated results.

Per plan, the items are: every indicator evaluated with a value; every rating
band hit; every decision-table row matched; every band gate (``if ...``) seen
both true and false; and every missing-data path (an indicator, input or value
with its own ``missing``, a tree node with ``missing`` or ``require``, a tree
leaf with ``missing``) seeing a missing input.  Ids are stable dotted ids: the
plan step id, then ``.bands.K``, ``.rows.K``, ``.gate.true|false``, ``.missing``
(K counts from 1, in declaration order).
"""

from __future__ import annotations

import numpy as np

from engine import nodes as n
from engine.evaluate import Result
from engine.evaluate import numeric as num
from engine.evaluate.exprtext import num_text, to_text
from engine.i18n import _
from engine.plan import Plan
from engine.testing.results import CoverageItem, PolicyCoverage

MISSING_CODES = frozenset({"eval.missing-excluded", "eval.missing-zero", "eval.missing-value",
                           "eval.missing-baseline", "eval.missing-refused"})


def items_of(plan: Plan) -> list[CoverageItem]:
    """Everything in ``plan`` a test suite should exercise, in plan order."""
    out: list[CoverageItem] = []
    for step in plan.steps:
        d = step.decl
        if isinstance(d, n.Indicator):
            out.append(CoverageItem("indicators", step.id, d.label or d.name))
        if isinstance(d, (n.Indicator, n.Input, n.Value)) and d.missing is not None:
            out.append(CoverageItem("missing", f"{step.id}.missing", f"`missing {d.missing.treatment}`"))
        if isinstance(d, n.Tree):
            rules = ([f"missing {d.missing.treatment}"] if d.missing else []) + (
                [f"require {num_text(d.require)}"] if d.require is not None else [])
            if rules:
                out.append(CoverageItem("missing", f"{step.id}.missing", f"`{', '.join(rules)}`"))
            for leaf in d.children or ():
                if isinstance(leaf, n.Leaf) and leaf.missing is not None:
                    out.append(CoverageItem("missing", f"{step.id}.{leaf.name}.missing.in-tree",
                                            f"`{leaf.name} missing {leaf.missing.treatment}`"))  # id names d
        if isinstance(d, n.Rating):
            for k, band in enumerate(d.bands, start=1):
                out.append(CoverageItem("bands", f"{step.id}.bands.{k}", f"`{_band_text(band)}`"))
                if band.gate is not None:
                    gate = to_text(band.gate)
                    key = f"{step.id}.bands.{k}.gate"
                    out.append(CoverageItem("gates", f"{key}.true", _("`{gate}` holds", gate=gate)))
                    out.append(CoverageItem("gates", f"{key}.false", _("`{gate}` does not hold", gate=gate)))
        if isinstance(d, n.Table):
            for k, row in enumerate(d.rows, start=1):
                cells = ", ".join(to_text(c) for c in row.cells)
                out.append(CoverageItem("rows", f"{step.id}.rows.{k}", f"`{cells} -> {to_text(row.result)}`"))
    return out


def _band_text(band: n.Band) -> str:
    bounds = " and ".join(f"{b.op} {num_text(b.value)}" for b in band.bounds) or "otherwise"
    return f'"{band.label.value}" {bounds}'


def covered(plan: Plan, result: Result, rows: np.ndarray) -> set[str]:
    """The ids of ``items_of(plan)`` exercised by ``rows`` of ``result`` (rows evaluated under ``plan``)."""
    out: set[str] = set()
    for step in plan.steps:
        sr = result.steps.get(step.name)
        if sr is None:
            continue
        d = step.decl
        if isinstance(d, n.Indicator) and _any_present(sr.value[rows]):
            out.add(step.id)
        if isinstance(d, (n.Indicator, n.Input, n.Value)) and _has_event(result, rows, step.name):
            out.add(f"{step.id}.missing")
        if isinstance(d, n.Tree):
            out |= _tree(step.id, d, result, rows)
        if isinstance(d, n.Rating):
            out |= _rating(step.id, d, sr.extra, rows)
        if isinstance(d, n.Table):
            matched = sr.extra["row"][rows]
            out |= {f"{step.id}.rows.{int(k) + 1}" for k in np.unique(matched) if k >= 0}
    return out


def _any_present(col: np.ndarray) -> bool:
    if col.dtype == object:
        return any(v is not None for v in col)
    return bool(np.any(~np.isnan(col.astype(np.float64))))


def _has_event(result: Result, rows: np.ndarray, step: str) -> bool:
    wanted = set(rows.tolist())
    return any(c.step == step and c.code in MISSING_CODES and wanted.intersection(c.rows.tolist())
               for c in result.events.chunks)


def _tree(sid: str, d: n.Tree, result: Result, rows: np.ndarray) -> set[str]:
    out = set()
    any_missing = False
    for child in d.children or ():
        col = result.steps[child.name].value[rows] if child.name in result.steps else np.empty(0)
        gone = bool(col.size) and not _all_present(col)
        any_missing |= gone
        if gone and isinstance(child, n.Leaf) and child.missing is not None:
            out.add(f"{sid}.{child.name}.missing.in-tree")
    if any_missing:
        out.add(f"{sid}.missing")
    return out


def _all_present(col: np.ndarray) -> bool:
    if col.dtype == object:
        return all(v is not None for v in col)
    return bool(np.all(~np.isnan(col.astype(np.float64))))


def _rating(sid: str, d: n.Rating, extra: dict[str, np.ndarray], rows: np.ndarray) -> set[str]:
    band = extra["band"][rows].astype(np.int64)
    out = {f"{sid}.bands.{int(k) + 1}" for k in np.unique(band) if k >= 0}
    banded = extra.get("banded")
    for k, b in enumerate(d.bands):
        if b.gate is None:
            continue
        if np.any(band == k):
            out.add(f"{sid}.bands.{k + 1}.gate.true")
        # The gate was consulted and refused where the band was still open and its bounds held.
        gate = extra.get(f"gate:{k}")
        if gate is None or banded is None:
            continue
        x = banded[rows]
        open_ = (band > k) | (band < 0)
        for bound in b.bounds:
            open_ &= num.COMPARE[bound.op](x, num.to_float(bound.value.value)) == 1.0
        if np.any(open_ & (gate[rows] == 0.0)):
            out.add(f"{sid}.bands.{k + 1}.gate.false")
    return out


class CoverageCollector:
    """Coverage per plan, accumulated over every evaluated test."""

    def __init__(self) -> None:
        self.plans: dict[tuple[str, str], tuple[Plan, set[str]]] = {}

    def add(self, result: Result) -> None:
        groups: dict[int, list[int]] = {}
        for row in range(result.n):
            groups.setdefault(id(result.plan_at(row)), []).append(row)
        for rows in groups.values():
            plan = result.plan_at(rows[0])
            agency = result.plan_key[rows[0]]
            key = (plan.module.path, str(agency) if agency is not None else plan.key)
            entry = self.plans.setdefault(key, (plan, set()))
            entry[1].update(covered(plan, result, np.asarray(rows, dtype=np.int64)))

    def report(self) -> list[PolicyCoverage]:
        out = []
        for (file, key), (plan, done) in sorted(self.plans.items()):
            items = items_of(plan)
            for item in items:
                item.covered = item.id in done
            out.append(PolicyCoverage(key, file, items))
        return out
