"""Readers: each submitted file becomes a table of literal cells plus row references.

CSV, XLSX, JSON and YAML cells are kept as text (stripped; empty means missing) so
the validator sees what the officer typed; Parquet keeps its typed columns.
pyarrow, openpyxl, yaml and pydantic are used only here and in the validator.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.data.numbers import NumberFormat
from engine.data.report import Reject
from engine.diagnostics import KinerjaError, error, file_span
from engine.i18n import N_, _

HEADER_HELP = N_("the first line must name the columns, e.g. `id,agency,...`")
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".parquet": "parquet", ".pq": "parquet"}


class DataError(KinerjaError):
    """A file that cannot be read at all (unknown format, corrupt, no header): one ``data.*``
    diagnostic pointing at the file (``line`` when the problem has one)."""

    def __init__(self, file: str, message: str, code: str = "data.unreadable", help: str | None = None,
                 line: int = 0):
        self.file = file
        self.message = message
        super().__init__([error(code, message, file_span(file, line, 1 if line else 0), help)])

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class RowRefs:
    """How to name row ``i`` of a file: CSV line, XLSX cell, JSON index or Parquet row."""

    kind: str  # "line" | "cell" | "index" | "row"
    numbers: np.ndarray
    sheet: str = ""
    letters: dict[str, str] = field(default_factory=dict)

    def ref(self, i: int, column: str | None = None) -> str:
        num = int(self.numbers[i])
        if self.kind == "line":
            return _("line {n}", n=num)
        if self.kind == "cell":
            first = next(iter(self.letters.values()), "A")  # the row: its leftmost cell of the table
            return f"{self.sheet}!{self.letters.get(column or '', first)}{num}"
        if self.kind == "index":
            return f"[{num}]"
        return _("row {n}", n=num)

    def take(self, keep: np.ndarray) -> RowRefs:
        return RowRefs(self.kind, self.numbers[keep], self.sheet, self.letters)


@dataclass
class RawTable:
    """One file's cells: ``columns`` in file order, all of length ``n``."""

    file: str
    format: str
    columns: dict[str, pa.Array]
    refs: RowRefs
    rejects: list[Reject] = field(default_factory=list)  # rows unusable before validation
    unreadable: int = 0  # rows counted as read and rejected by the reader itself
    numbers: NumberFormat = field(default_factory=NumberFormat)  # the decimal mark, set by ``load``

    @property
    def n(self) -> int:
        return len(self.refs.numbers)


def read(path: str | Path, sheet: str | None = None, header_row: int | None = None) -> RawTable:
    """Read one file, choosing the reader from its suffix (``sheet`` and ``header_row``: Excel)."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise DataError(str(path), _("unknown file type `{suffix}`", suffix=p.suffix), "data.unknown-format",
                        _("submit .csv, .tsv, .xlsx, .json, .yaml or .parquet"))
    if not p.exists():
        raise DataError(str(path), _("file not found"), "data.not-found")
    if not p.is_file():
        raise DataError(str(path), _("not a regular file (a folder, pipe or device)"), "data.not-a-file",
                        _("give the data file itself"))
    try:
        if fmt == "csv":
            from engine.data.csvfile import read_csv

            return read_csv(p, header_row)
        if fmt == "xlsx":
            from engine.data.xlsx import read_xlsx

            return read_xlsx(p, sheet, header_row)
        if fmt == "parquet":
            return read_parquet(p)
        return read_records(p, fmt)
    except DataError:
        raise
    except Exception as exc:  # a third-party failure becomes ours, here at the boundary
        raise DataError(str(path), _("cannot read {format} file: {why}", format=fmt, why=exc), "data.unreadable",
                        _("check that the file is a complete {format} file (open it in the program that made it)",
                          format=fmt)) from exc


# ----------------------------------------------------------------------- CSV

def drop_blank_rows(raw: RawTable) -> RawTable:
    """Rows whose every cell is empty are spacing, not data: they are not counted as read."""
    if not raw.columns or raw.n == 0:
        return raw
    filled = None
    for arr in raw.columns.values():
        has = pc.is_valid(arr)
        if pa.types.is_string(arr.type):
            has = pc.fill_null(pc.and_kleene(has, pc.not_equal(arr, "")), False)
        filled = has if filled is None else pc.or_(filled, has)
    keep = np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)
    if keep.all():
        return raw
    idx = pa.array(np.flatnonzero(keep))
    raw.columns = {k: v.take(idx) for k, v in raw.columns.items()}
    raw.refs = raw.refs.take(keep)
    return raw


def check_names(file: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name == "":
            continue
        if name in seen:
            raise DataError(file, _("column `{name}` appears twice in the header", name=name), "data.duplicate-column",
                            _("rename or remove one of the two columns"), 1)
        seen.add(name)


# ---------------------------------------------------------------------- XLSX (engine.data.xlsx)

TITLE_SCAN = 30  # rows looked at to tell title rows from the header


def header_at(rows: list[list[Any]], header_row: int | None, file: str, where: str) -> int:
    """The header's row index: ``header_row - 1`` when given, else the first row of text cells
    filled at least three quarters as widely as the widest of the first ``TITLE_SCAN`` non-empty
    rows (a title above the table fills one or two cells; the header one per column)."""
    if header_row is not None:
        if not 1 <= header_row <= len(rows) or not any(cell_text(v) for v in rows[header_row - 1]):
            raise DataError(file, _("row {n} of {where} is empty", n=header_row, where=where), "data.no-header",
                            _("give the row holding the column names with --header-row"))
        return header_row - 1
    filled = [(k, sum(1 for v in values if cell_text(v))) for k, values in enumerate(rows)]
    filled = [(k, n) for k, n in filled if n][:TITLE_SCAN]
    if not filled:
        raise DataError(file, _("{where} is empty", where=where), "data.no-header", _(HEADER_HELP))
    widest = max(n for _, n in filled)
    wide = [k for k, n in filled if 4 * n >= 3 * widest]
    return next((k for k in wide if all(isinstance(v, str) for v in rows[k] if cell_text(v))), wide[0])


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: the spreadsheet's column name."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_text(v: Any) -> str | None:
    """The literal a cell stands for; floats keep their shortest exact spelling."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):  # spreadsheets store every number as a float: 12.0 is the integer 12
        return str(int(v)) if v.is_integer() else repr(v)
    text = str(v).strip()
    return text or None


# ----------------------------------------------------------------- JSON/YAML

def read_records(path: Path, fmt: str) -> RawTable:
    """A list of objects, or ``{"rows": [...]}``; each object is checked by a pydantic model."""
    import yaml

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(str(path), _("line {n} is not UTF-8 text (byte 0x{byte})", n=line,
                                     byte=f"{data[exc.start]:02X}"), "data.encoding", _("save the file as UTF-8"),
                        line) from None
    try:
        if fmt == "json":
            # An integer too long for Python's int() stays text: the validator rejects it as a number too large.
            doc = json.loads(text, parse_int=lambda s: int(s) if len(s) <= 300 else s)
        else:
            doc = yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise DataError(str(path), _("not valid JSON at line {line}, column {column}: {why}", line=exc.lineno,
                                     column=exc.colno, why=exc.msg), "data.unreadable",
                        _("check that the file is a complete {format} file (open it in the program that made it)",
                          format="JSON"), exc.lineno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if isinstance(exc, yaml.constructor.ConstructorError):
            raise DataError(str(path), _("a YAML tag at line {line} is not allowed ({why})", line=mark.line + 1,
                                         why=exc.problem) if mark is not None else
                            _("a YAML tag is not allowed ({why})", why=exc.problem), "data.unreadable",
                            _("submit plain values only")) from None
        why = getattr(exc, "problem", exc)
        raise DataError(str(path), _("not valid YAML at line {line}: {why}", line=mark.line + 1, why=why)
                        if mark is not None else _("not valid YAML: {why}", why=why)) from None
    return records_table(doc, str(path), fmt)


def records_table(doc: Any, file: str, fmt: str = "records") -> RawTable:
    """Already-parsed records (a list of objects, or ``{"rows": [...]}``) as a table of literal
    cells, exactly as a JSON/YAML submission is read; ``file`` names them in rejects."""
    from engine.data.models import check_record

    if isinstance(doc, dict) and isinstance(doc.get("rows"), list):
        doc = doc["rows"]
    if not isinstance(doc, list):
        raise DataError(file, _('expected a list of objects or {"rows": [...]}'), "data.not-rows",
                        _('write one object per subject: [{"id": ..., ...}, ...]'))
    names: dict[str, None] = {}
    good: list[tuple[int, dict[str, str | None]]] = []
    rejects: list[Reject] = []
    for i, item in enumerate(doc):
        record, problem = check_record(item)
        if record is None:
            rejects.append(Reject(file, f"[{i}]", None, None, None, problem or _("not an object")))
            continue
        texts = {k.strip(): cell_text(v) for k, v in record.items()}
        if not any(texts.values()):  # `{}` or every field null: counted, and rejected as a record with no data
            rejects.append(Reject(file, f"[{i}]", None, None, None, _("the record has no values (empty or all null)"),
                                  _("remove it, or fill in the subject's values")))
            continue
        names.update(dict.fromkeys(texts))
        good.append((i, texts))
    columns = {c: pa.array([r.get(c) for _, r in good], type=pa.string()) for c in names if c}
    refs = RowRefs("index", np.asarray([i for i, _ in good], dtype=np.int64))
    return RawTable(file, fmt, columns, refs, rejects, len(rejects))


# ------------------------------------------------------------------- Parquet

def parquet_columns(names: list[str], table: pa.Table) -> dict[str, pa.Array]:
    """A Parquet table's columns as plain arrays: chunks combined, dictionaries decoded,
    large strings as strings (what the validator expects)."""
    return {name: plain_column(col.combine_chunks()) for name, col in zip(names, table.columns)}


def plain_column(arr: pa.Array) -> pa.Array:
    """Dictionaries decoded, large strings as strings, and nested cells (struct, list, map) as
    their text, which the validator rejects where a single value is expected."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    if pa.types.is_nested(arr.type):
        arr = pa.array([None if v is None else str(v) for v in arr.to_pylist()], type=pa.string())
    return arr


def read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    names = [c.strip() for c in table.column_names]
    check_names(str(path), names)
    columns = parquet_columns(names, table)
    refs = RowRefs("row", np.arange(table.num_rows, dtype=np.int64))
    return drop_blank_rows(RawTable(str(path), "parquet", columns, refs))
