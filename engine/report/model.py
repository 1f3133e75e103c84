"""What a report shows: one evaluated result and the analyses over it, for a subject or the nation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.analysis.benchmark import Benchmark
from engine.analysis.common import label_of
from engine.analysis.compare import Comparison
from engine.analysis.improve import Improvement
from engine.analysis.sensitivity import Sensitivity
from engine.evaluate import Result
from engine.plan import Plan


@dataclass
class ReportData:
    result: Result
    plan: Plan
    title: str
    version: str
    subject: str | None = None
    rating: str | None = None
    data_files: list[str] = field(default_factory=list)
    benchmarks: list[Benchmark] = field(default_factory=list)
    improvements: list[Improvement] = field(default_factory=list)
    sensitivity: Sensitivity | None = None
    comparison: Comparison | None = None
    date: dt.date | None = None  # the report's date, shown in the reader's words (1 Desember 2026)

    @property
    def row(self) -> int | None:
        return None if self.subject is None else self.result.row(self.subject)

    @property
    def own_plan(self) -> Plan:
        """The subject's own plan (its agency's weights and targets), else the national one."""
        return self.plan if self.row is None else self.result.plan_at(self.row)

    def label(self, name: str) -> str:
        return label_of(self.plan, name)

    def entity(self, by: str) -> str | None:
        """The subject's entity under a benchmark's ``by`` (its id, its agency or a field value)."""
        r = self.row
        if r is None:
            return None
        if by == "subject":
            return str(self.result.subject_ids[r])
        if by == "agency":
            return str(self.result.agencies[r])
        col = self.result.batch.columns.get(by)
        return None if col is None else str(col[r])
