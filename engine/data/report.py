"""The load report: what was read, what was accepted, and every rejection with its reason."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from engine.batch import Batch


@dataclass(frozen=True, slots=True)
class Reject:
    """One reason a row was rejected; a row with several problems has several rejects.

    ``row`` is a row reference: ``line 5`` (CSV), ``Sheet1!C5`` (XLSX, the offending
    cell), ``[3]`` (JSON/YAML list index, from 0) or ``row 3`` (Parquet, from 0).
    """

    file: str
    row: str
    subject_id: str | None
    column: str | None
    value: str | None
    reason: str
    help: str | None = None


@dataclass(frozen=True, slots=True)
class LoadWarning:
    """A file-level finding that does not reject rows (e.g. an unknown column)."""

    file: str
    message: str
    column: str | None = None
    help: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The warning as the manifest records it (slotted: no ``__dict__``)."""
        return {"file": self.file, "message": self.message, "column": self.column, "help": self.help}


@dataclass
class FileReport:
    """Counts for one file; in a long layout rows are measurement rows."""

    file: str
    format: str
    layout: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    decimal: str = "."  # the file's decimal mark
    decimal_source: str = "default"  # "detected" from the file, "forced" by --decimal, or "default"


@dataclass
class LoadReport:
    """All files of one load.  ``rows_read == rows_accepted + rows_rejected`` always holds.

    In a wide layout a row is a subject; in a long layout a row is one measurement,
    so ``rows_accepted`` counts accepted measurements and ``subjects`` the subjects
    they form (the batch length).
    """

    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    subjects: int = 0

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_accepted + self.rows_rejected


@dataclass
class LoadResult:
    batch: Batch
    report: LoadReport


REJECT_COLUMNS = ("file", "row", "subject_id", "column", "value", "reason", "help")


def write_rejects(report: LoadReport, path: str | Path) -> None:
    """Write every reject as CSV (header always present), cells neutralised against
    spreadsheet formula injection because officers open this file in Excel."""
    from engine.output import neutralise_text
    from engine.safe_output import atomic

    with atomic(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(REJECT_COLUMNS)
        for r in report.rejects:
            cells = (r.file, r.row, r.subject_id, r.column, r.value, r.reason, r.help)
            out.writerow(["" if c is None else neutralise_text(c) for c in cells])
