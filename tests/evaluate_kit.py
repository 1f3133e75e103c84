"""Helpers for the evaluator tests: a plan from policy text, a batch from plain rows."""

from __future__ import annotations

import numpy as np

from engine import graph, syntax
from engine.batch import Batch, Origin
from engine.plan import Plan

HEADER = 'policy p "P" version "1"\nperiod 2026-01-01 .. 2026-12-31\nsubject employee\n'


def plan(body: str, header: str = HEADER) -> Plan:
    return graph.build(syntax.parse(header + body, "test.kin"))


def batch(rows: list[dict[str, object]], labels: tuple[str, ...] = ()) -> Batch:
    """Rows of ``{"id": .., "agency": .., field: value}``; fields in ``labels`` are text/category."""
    names = sorted({k for r in rows for k in r} - {"id", "agency"})
    columns: dict[str, np.ndarray] = {}
    for name in names:
        values = [r.get(name) for r in rows]
        if name in labels or any(isinstance(v, str) for v in values):
            columns[name] = np.array(values, dtype=object)
        else:
            columns[name] = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    ids = np.array([str(r.get("id", i)) for i, r in enumerate(rows)], dtype=object)
    agencies = np.array([r.get("agency", "a") for r in rows], dtype=object)
    origins = {name: [Origin("data.csv", str(i + 2)) for i in range(len(rows))] for name in names}
    return Batch(ids, agencies, columns, [Origin("data.csv", str(i + 2)) for i in range(len(rows))], origins)


def one(body: str, row: dict[str, object], header: str = HEADER):
    """Evaluate one subject under a policy; returns the Result."""
    from engine.evaluate import evaluate_plan

    return evaluate_plan(plan(body, header), batch([row]))
