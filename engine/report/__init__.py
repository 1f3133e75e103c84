"""``kinerja report``: one self-contained HTML page for an agency or the nation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from engine import analysis
from engine.analysis.common import default_plan, main_rating
from engine.evaluate import Result
from engine.i18n import _
from engine.report.model import ReportData
from engine.report.page import render

__all__ = ["ReportData", "build", "render"]


def build(result: Result, subject: str | None = None, previous: Result | None = None,
          data_files: Sequence[str] = (), runs: int = 100, seed: int = 0, weight_range: float = 0.2,
          labels: tuple[str, str] | None = None, date: dt.date | None = None) -> ReportData:
    """Every analysis the report shows, over one evaluated result (and an earlier one for the trend);
    ``labels`` name the two periods (default: previous, current), ``date`` is the report's date."""
    plan = default_plan(result)
    header = plan.header
    rating = main_rating(plan)
    groups = analysis.peer_groups(result.plans)
    data = ReportData(result, plan, (header.label or header.name) if header else plan.module.path,
                      _("version {version}", version=header.version) if header and header.version else "", subject,
                      rating.name if rating else None, list(data_files), date=date)
    if subject is not None:
        result.row(subject)  # KeyError for an unknown subject, before any work
    data.benchmarks = analysis.benchmarks(result, groups)
    data.improvements = analysis.improvement_areas(result, None if subject is None else [subject])
    if runs > 0:
        data.sensitivity = analysis.sensitivity(result, runs=runs, seed=seed, weight_range=weight_range)
    if previous is not None:
        data.comparison = analysis.compare(previous, result, *(labels or (_("previous"), _("current"))))
    return data
