"""``kinerja report``: one self-contained HTML page for an agency or the nation.

``build`` runs every analysis over one evaluated result held in memory.  ``assemble`` takes
analyses already made, which is how a report on one subject of a national file is built
(``cli.analysis.report``): the subject's own rows are evaluated alone, and the benchmark and the
sensitivity runs come from streamed passes over the file (``engine.analysis.national``), so
nothing holds the whole file's results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from engine import analysis
from engine.analysis.benchmark import Benchmark
from engine.analysis.common import default_plan, main_rating
from engine.analysis.sensitivity import Sensitivity
from engine.evaluate import Result
from engine.i18n import _
from engine.report.model import ReportData
from engine.report.page import render

__all__ = ["ReportData", "assemble", "build", "render"]


def build(result: Result, subject: str | None = None, previous: Result | None = None,
          data_files: Sequence[str] = (), runs: int = 100, seed: int = 0, weight_range: float = 0.2,
          labels: tuple[str, str] | None = None, date: dt.date | None = None) -> ReportData:
    """Every analysis the report shows, over one evaluated result (and an earlier one for the trend);
    ``labels`` name the two periods (default: previous, current), ``date`` is the report's date."""
    if subject is not None:
        result.row(subject)  # KeyError for an unknown subject, before any work
    benchmarks = analysis.benchmarks(result, analysis.peer_groups(result.plans))
    found = analysis.sensitivity(result, runs=runs, seed=seed, weight_range=weight_range) if runs > 0 else None
    return assemble(result, subject, benchmarks, found, previous, data_files, labels, date)


def assemble(result: Result, subject: str | None, benchmarks: list[Benchmark], sensitivity: Sensitivity | None,
             previous: Result | None = None, data_files: Sequence[str] = (),
             labels: tuple[str, str] | None = None, date: dt.date | None = None) -> ReportData:
    """The report of ``subject`` (or the nation) from its result and analyses made over all subjects.

    ``result`` (and ``previous``) need only hold the subject's row for a subject's report: the
    tree, the improvement areas and the trend are the subject's own; the benchmark positions
    and rank intervals come from ``benchmarks`` and ``sensitivity``; ``labels`` name the two
    periods (default: previous, current), ``date`` is the report's date."""
    plan = default_plan(result)
    header = plan.header
    rating = main_rating(plan)
    data = ReportData(result, plan, (header.label or header.name) if header else plan.module.path,
                      _("version {version}", version=header.version) if header and header.version else "", subject,
                      rating.name if rating else None, list(data_files), date=date)
    if subject is not None:
        result.row(subject)  # KeyError for an unknown subject
    data.benchmarks = benchmarks
    data.improvements = analysis.improvement_areas(result, None if subject is None else [subject])
    data.sensitivity = sensitivity
    if previous is not None:
        data.comparison = analysis.compare(previous, result, *(labels or (_("previous"), _("current"))))
    return data
