"""Value added between two periods: the change of every node per subject, relative to the baseline.

Subjects are matched by id; a subject in one period only is listed as entering
or leaving.  For every numeric node (indicator scores, values, tree nodes):
``change = current - base`` and ``relative = change / |base| x 100`` (missing when
the base is 0 or either value is missing).  Indicators also show the change of
their raw value; ratings show the transition (``Baik -> Sangat Baik``) and how
many bands it moved (positive = up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.analysis.common import band_order, default_plan, labels, main_rating, no_nan, numeric
from engine.diagnostics import fail
from engine.evaluate import Result
from engine.i18n import _


@dataclass
class NodeChange:
    node: str
    base: float
    current: float
    change: float
    relative: float
    raw_change: float | None = None


@dataclass
class SubjectChange:
    subject: str
    agency: str | None
    top: str
    rating_base: str | None
    rating_current: str | None
    bands_moved: int | None
    nodes: list[NodeChange] = field(default_factory=list)

    def node(self, name: str) -> NodeChange:
        return next(c for c in self.nodes if c.node == name)


@dataclass
class Comparison:
    base_label: str
    current_label: str
    top: str
    rating: str | None
    subjects: list[SubjectChange]
    entering: list[str]
    leaving: list[str]

    def subject(self, sid: object) -> SubjectChange:
        return next(s for s in self.subjects if s.subject == str(sid))

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return no_nan(asdict(self))  # type: ignore[return-value]


def compare(base: Result, current: Result, base_label: str = "base", current_label: str = "current") -> Comparison:
    """Every numeric node of ``current`` minus ``base``, per subject present in both."""
    plan = default_plan(current)
    top = plan.top_scorecard().name
    rating = main_rating(plan)
    numeric_steps = [s.name for s in plan.steps if s.kind in ("indicator", "value", "tree")
                     and s.name in base.steps]
    b_ids = {str(x): i for i, x in enumerate(base.subject_ids)}
    c_ids = {str(x): i for i, x in enumerate(current.subject_ids)}
    both = [s for s in c_ids if s in b_ids]
    bi = np.asarray([b_ids[s] for s in both], dtype=np.int64)
    ci = np.asarray([c_ids[s] for s in both], dtype=np.int64)
    cols: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    for name in numeric_steps:
        b, c = numeric(base, name)[bi], numeric(current, name)[ci]
        raw = None
        if current.steps[name].raw is not None and base.steps[name].raw is not None:
            raw = _raw(current, name)[ci] - _raw(base, name)[bi]
        cols[name] = (b, c, raw)
    order = band_order(rating) if rating else []
    rb = labels(base, rating.name)[bi] if rating and rating.name in base.steps else np.full(len(both), None)
    rc = labels(current, rating.name)[ci] if rating else np.full(len(both), None)
    subjects = []
    for k, sid in enumerate(both):
        changes = []
        for name, (b, c, raw) in cols.items():
            d = c[k] - b[k]
            rel = d / abs(b[k]) * 100 if not np.isnan(d) and b[k] != 0 else np.nan
            changes.append(NodeChange(name, float(b[k]), float(c[k]), float(d), float(rel),
                                      None if raw is None else float(raw[k])))
        moved = order.index(rb[k]) - order.index(rc[k]) if rb[k] in order and rc[k] in order else None
        agency = current.agencies[ci[k]]
        subjects.append(SubjectChange(sid, None if agency is None else str(agency), top, rb[k], rc[k], moved,
                                      changes))
    return Comparison(base_label, current_label, top, rating.name if rating else None, subjects,
                      sorted(set(c_ids) - set(b_ids)), sorted(set(b_ids) - set(c_ids)))


def _raw(result: Result, name: str) -> np.ndarray:
    raw = result.steps[name].raw
    assert raw is not None
    return np.asarray(raw, dtype=np.float64) if raw.dtype != object else np.array(
        [x if isinstance(x, (int, float)) else np.nan for x in raw], dtype=np.float64)


# ---------------------------------------------------------------- periods


def split_periods(path: str | Path, schema: object, sheet: str | None = None) -> dict[str, list[dict[str, object]]]:
    """The rows of one submitted file grouped by its period column, as records (wide layout).

    The data loader keeps one row per subject, so a file holding several periods
    is split here and each period is loaded (and validated) on its own; rejects
    then name the period's records (``[i]``) rather than the file's lines.
    """
    from engine.data.readers import read

    raw = read(path, sheet)
    period_col = getattr(schema, "period_column", "period")
    if period_col not in raw.columns:
        raise fail("analysis.no-period-column", _("{file} has no `{column}` column", file=path, column=period_col),
                   _("add a period column (YYYY-MM-DD) to the file, or give two files (BASE CURRENT)"))
    cols = {k: v.to_pylist() for k, v in raw.columns.items()}
    out: dict[str, list[dict[str, object]]] = {}
    for i in range(raw.n):
        key = cols[period_col][i]
        if key is None or str(key).strip() == "":
            continue
        out.setdefault(str(key).strip(), []).append({k: v[i] for k, v in cols.items() if k != period_col})
    return dict(sorted(out.items()))


def evaluate_periods(policies: object, plan: object, path: str | Path, periods: Sequence[str] | None = None,
                     sheet: str | None = None) -> dict[str, Result]:
    """Evaluate each period of one file separately under the same plans (``api`` objects)."""
    from engine.data import load_records, schema_from_plan
    from engine.evaluate import evaluate

    schema = schema_from_plan(plan)  # type: ignore[arg-type]
    groups = split_periods(path, schema, sheet)
    chosen = list(periods) if periods else list(groups)
    out: dict[str, Result] = {}
    for p in chosen:
        if p not in groups:
            raise fail("analysis.unknown-period", _("no rows for period `{period}` in {file}", period=p, file=path),
                       _("periods in the file: {periods}", periods=", ".join(groups)))
        loaded = load_records(groups[p], schema, file=_("{file} [period {period}]", file=path, period=p))
        out[p] = evaluate(policies.agencies_of(plan), loaded.batch, plan)  # type: ignore[attr-defined]
    return out
