"""``load``: read submitted files, validate them against the schema, merge into one batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from engine.data.long import INDICATOR, VALUE, check_long, merge_long
from engine.data.numbers import AmbiguousDecimal, NumberFormat, detect
from engine.data.parts import Part
from engine.data.readers import DataError, RawTable, read, records_table
from engine.data.report import FileReport, LoadReport, LoadResult, LoadWarning, Reject
from engine.data.schema import Schema
from engine.data.wide import check_wide, merge_wide
from engine.i18n import _

Layout = Literal["auto", "wide", "long"]


def detect_layout(raw: RawTable) -> str:
    """A long file has both an ``indicator`` and a ``value`` column."""
    return "long" if INDICATOR in raw.columns and VALUE in raw.columns else "wide"


def load(paths: str | Path | Sequence[str | Path], schema: Schema, layout: Layout = "auto",
         known_agencies: Iterable[str] | None = None, sheet: str | None = None,
         decimal: str | None = None, header_row: int | None = None) -> LoadResult:
    """Read, validate and merge ``paths`` into one batch plus a report of every rejection.

    All files of one load share a layout (``auto`` detects it per file and requires
    them to agree).  A subject id repeated within or across files is rejected after
    its first row.  ``known_agencies`` (when given) makes an unknown or missing
    agency a rejection.  ``decimal`` (`,` or `.`) forces the decimal mark of text numbers,
    otherwise detected per file (``numbers.detect``); ``header_row`` (1-based) is an Excel
    sheet's header row, found below any title rows when not given.  Raises ``DataError`` for a file that
    cannot be read at all, or whose decimal mark is ambiguous.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return load_raws([read(p, sheet, header_row) for p in paths], schema, layout, known_agencies, decimal)


def load_records(records: Sequence[Mapping[str, Any]], schema: Schema, file: str = "<records>",
                 known_agencies: Iterable[str] | None = None) -> LoadResult:
    """In-memory records (one dict per subject, wide layout) validated exactly like a
    JSON/YAML submission: the same record model, cell texts, checks and rejects."""
    return load_raws([records_table(list(records), file)], schema, "wide", known_agencies)


def number_format(raw: RawTable, schema: Schema, forced: str | None = None) -> NumberFormat:
    """The decimal mark of ``raw``'s text numbers: forced, or read from its number fields."""
    if INDICATOR in raw.columns and VALUE in raw.columns:
        columns = [raw.columns[VALUE]]
    else:
        columns = [raw.columns[k] for k, f in schema.fields.items() if f.type == "number" and k in raw.columns]
    try:
        return detect(columns, forced)
    except AmbiguousDecimal as exc:
        raise DataError(raw.file, str(exc), "data.ambiguous-decimal",
                        _("give --decimal , or --decimal . to say which mark the file uses")) from None


def load_raws(raws: list[RawTable], schema: Schema, layout: Layout,
               known_agencies: Iterable[str] | None, decimal: str | None = None) -> LoadResult:
    known = None if known_agencies is None else frozenset(known_agencies)
    for raw in raws:
        raw.numbers = number_format(raw, schema, decimal)
    layouts = [layout if layout != "auto" else detect_layout(r) for r in raws]
    if len(set(layouts)) > 1:
        mixed = ", ".join(f"{r.file} ({lay})" for r, lay in zip(raws, layouts))
        raise DataError(raws[0].file, _("files of one load must share a layout; got {layouts}", layouts=mixed),
                        "data.mixed-layout", _("submit wide and long files in separate runs, or convert one"))
    chosen = layouts[0] if layouts else "wide"
    warnings: list[LoadWarning] = []
    check = check_long if chosen == "long" else check_wide
    parts = [check(k, raw, schema, known, warnings) for k, raw in enumerate(raws)]
    batch = merge_long(parts, schema) if chosen == "long" else merge_wide(parts, schema)
    report = load_report(parts, chosen, warnings)
    report.subjects = batch.n
    return LoadResult(batch, report)


def load_report(parts: list[Part], layout: str, warnings: list[LoadWarning]) -> LoadReport:
    report = LoadReport(warnings=warnings)
    for part in parts:
        rejected = int(np.count_nonzero(part.rejected))
        raw = part.raw
        report.files.append(FileReport(raw.file, raw.format, layout, rows_read=raw.n + raw.unreadable,
                                       rows_accepted=raw.n - rejected, rows_rejected=rejected + raw.unreadable,
                                       decimal=raw.numbers.decimal, decimal_source=raw.numbers.source))
        report.rejects.extend(raw.rejects)
        report.rejects.extend(_in_row_order(part))
    return report


def _in_row_order(part: Part) -> list[Reject]:
    # Rejects are found check by check; a reader expects them row by row (stable within a row).
    order = sorted(range(len(part.rejects)), key=lambda k: part.reject_rows[k])
    return [part.rejects[k] for k in order]


__all__ = ["DataError", "Layout", "detect_layout", "load", "load_records"]
