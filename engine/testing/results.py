"""What a test run produced: one outcome per test, the failing expectations, and coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.diagnostics import Diagnostic
from engine.i18n import N_

Status = Literal["passed", "failed", "skipped", "errored"]


@dataclass
class Failure:
    """One expectation that did not hold.

    ``what`` names the expectation as written (``expect.nilai``,
    ``expect_subjects.p1.predikat``, ``expect_violations[0]``); ``derivation``
    is the explanation of the failing node for that subject, trimmed to the
    node's subtree (empty when the node has none, e.g. an input).
    """

    what: str
    expected: str
    actual: str
    subject: str | None = None
    node: str | None = None
    derivation: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"what": self.what, "expected": self.expected, "actual": self.actual, "subject": self.subject,
                "node": self.node, "derivation": self.derivation or None}


@dataclass
class CaseResult:
    """The outcome of one test; ``message`` says why a test was skipped or errored."""

    file: str
    name: str
    line: int
    status: Status
    failures: list[Failure] = field(default_factory=list)
    message: str = ""
    source: str | None = None
    policy: str | None = None
    seconds: float = 0.0
    diagnostic: Diagnostic | None = None  # why a test file could not be used (a ``test.*`` code)

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "name": self.name, "status": self.status,
                "policy": self.policy, "source": self.source, "message": self.message or None,
                "seconds": round(self.seconds, 6), "failures": [f.to_dict() for f in self.failures],
                "diagnostic": self.diagnostic.to_dict() if self.diagnostic else None}


@dataclass
class CoverageItem:
    """One thing a policy's tests should exercise, named by a stable dotted id."""

    category: str  # indicators | bands | rows | gates | missing
    id: str
    description: str
    covered: bool = False


@dataclass
class PolicyCoverage:
    """Semantic coverage of one policy (plan) over every test that evaluated it."""

    policy: str  # the plan key: ``policy@version`` or the agency id
    file: str
    items: list[CoverageItem] = field(default_factory=list)

    def share(self, category: str | None = None) -> tuple[int, int]:
        chosen = [i for i in self.items if category is None or i.category == category]
        return sum(i.covered for i in chosen), len(chosen)

    @property
    def percent(self) -> float:
        done, total = self.share()
        return 100.0 if total == 0 else 100.0 * done / total

    def to_dict(self) -> dict[str, object]:
        cats = {}
        for c in CATEGORIES:
            done, total = self.share(c)
            cats[c] = {"covered": done, "total": total,
                       "uncovered": [i.id for i in self.items if i.category == c and not i.covered]}
        return {"policy": self.policy, "file": self.file, "percent": round(self.percent, 2), "categories": cats}


CATEGORIES = ("indicators", "bands", "rows", "gates", "missing")
CATEGORY_TITLES = {"indicators": N_("indicators evaluated"), "bands": N_("rating bands hit"),
                   "rows": N_("table rows matched"), "gates": N_("gates taken both ways"),
                   "missing": N_("missing-data paths")}  # translated where shown


@dataclass
class TestRun:
    """A whole ``kinerja test`` run."""

    __test__ = False  # a result, not a test class for pytest to collect

    cases: list[CaseResult] = field(default_factory=list)
    coverage: list[PolicyCoverage] = field(default_factory=list)
    untested: list[str] = field(default_factory=list)  # policy files under the paths that no test evaluated

    def count(self, status: Status) -> int:
        return sum(c.status == status for c in self.cases)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0 and self.count("errored") == 0

    def lowest_coverage(self) -> float | None:
        return min((c.percent for c in self.coverage), default=None)

    def to_dict(self) -> dict[str, object]:
        return {"summary": {s: self.count(s) for s in ("passed", "failed", "skipped", "errored")}
                | {"tests": len(self.cases)},
                "tests": [c.to_dict() for c in self.cases],
                "coverage": [c.to_dict() for c in self.coverage], "untested": self.untested}
