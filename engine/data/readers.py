"""Readers: each submitted file becomes a table of literal cells plus row references.

CSV, XLSX, JSON and YAML cells are kept as text (stripped; empty means missing) so
the validator sees what the officer typed; Parquet keeps its typed columns.
pyarrow, openpyxl, yaml and pydantic are used only here and in the validator.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.data.report import Reject
from engine.diagnostics import KinerjaError, error, file_span

HEADER_HELP = "the first line must name the columns, e.g. `id,agency,...`"
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
            return f"line {num}"
        if self.kind == "cell":
            first = next(iter(self.letters.values()), "A")  # the row: its leftmost cell of the table
            return f"{self.sheet}!{self.letters.get(column or '', first)}{num}"
        if self.kind == "index":
            return f"[{num}]"
        return f"row {num}"

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

    @property
    def n(self) -> int:
        return len(self.refs.numbers)


def read(path: str | Path, sheet: str | None = None) -> RawTable:
    """Read one file, choosing the reader from its suffix."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise DataError(str(path), f"unknown file type `{p.suffix}`", "data.unknown-format",
                        "submit .csv, .tsv, .xlsx, .json, .yaml or .parquet")
    if not p.is_file():
        raise DataError(str(path), "file not found", "data.not-found")
    try:
        if fmt == "csv":
            return read_csv(p)
        if fmt == "xlsx":
            return read_xlsx(p, sheet)
        if fmt == "parquet":
            return read_parquet(p)
        return read_records(p, fmt)
    except DataError:
        raise
    except Exception as exc:  # a third-party failure becomes ours, here at the boundary
        raise DataError(str(path), f"cannot read {fmt} file: {exc}", "data.unreadable",
                        f"check that the file is a complete {fmt} file (open it in the program that made it)") from exc


# ----------------------------------------------------------------------- CSV

def read_csv(path: Path) -> RawTable:
    import pyarrow.csv as pcsv

    data = path.read_bytes()
    text_head = data[:65536].decode("utf-8-sig", errors="replace")
    first_line = text_head.splitlines()[0] if text_head.strip() else ""
    if not first_line.strip():
        raise DataError(str(path), "no header line", "data.no-header", HEADER_HELP, 1)
    delim = _sniff_delimiter(first_line)
    names = [h.strip() for h in next(csv.reader([first_line], delimiter=delim))]
    _check_names(str(path), names)
    table = pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    lines = _csv_line_numbers(data, table.num_rows, delim)
    # Not trimmed here: the validator trims only where needed (a clean number column never is).
    columns = {c: table.column(c).combine_chunks() for c in names}
    return _drop_blank_rows(RawTable(str(path), "csv", columns, RowRefs("line", lines)))


def _sniff_delimiter(header: str) -> str:
    # Indonesian spreadsheets exported with a comma decimal separator use `;`.
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_line_numbers(data: bytes, n_rows: int, delim: str) -> np.ndarray:
    """Line of each data row: fast when every record is one line, exact otherwise."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines == n_rows + 1:
        return np.arange(2, n_rows + 2, dtype=np.int64)
    # Blank lines or quoted newlines: walk the records once to learn where each starts.
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""), delimiter=delim)
    next(reader, None)
    out: list[int] = []
    prev = reader.line_num
    for row in reader:
        if row:
            out.append(prev + 1)
        prev = reader.line_num
    if len(out) != n_rows:  # the two parsers disagree; keep record order rather than guess
        return np.arange(2, n_rows + 2, dtype=np.int64)
    return np.asarray(out, dtype=np.int64)


def _drop_blank_rows(raw: RawTable) -> RawTable:
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


def _check_names(file: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name == "":
            continue
        if name in seen:
            raise DataError(file, f"column `{name}` appears twice in the header", "data.duplicate-column",
                            "rename or remove one of the two columns", 1)
        seen.add(name)


# ---------------------------------------------------------------------- XLSX

def read_xlsx(path: Path, sheet: str | None = None) -> RawTable:
    """The first (or named) sheet; the first non-empty row is the header.  Read with
    python-calamine (a Rust reader, about 10x openpyxl's speed); cells keep their
    absolute positions so a reject names the sheet cell (``Data!C5``)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    if sheet is not None and sheet not in wb.sheet_names:
        raise DataError(str(path), f"no sheet `{sheet}`", "data.no-sheet",
                        f"sheets are: {', '.join(wb.sheet_names)}; choose one with --sheet")
    title = sheet if sheet is not None else wb.sheet_names[0]
    ws = wb.get_sheet_by_name(title)
    rows = ws.to_python(skip_empty_area=False)  # from the sheet's first row, so positions are absolute
    header_at = next((k for k, values in enumerate(rows) if any(_cell_text(v) for v in values)), None)
    if header_at is None:
        raise DataError(str(path), f"sheet `{title}` is empty", "data.no-header", HEADER_HELP)
    names = [_cell_text(v) or "" for v in rows[header_at]]
    _check_names(str(path), names)
    width = len(names)
    kept = [k for k in range(header_at + 1, len(rows)) if not all(map(_blank, rows[k][:width]))]
    numbers = [k + 1 for k in kept]  # 1-based sheet row numbers
    body = [rows[k][:width] + [""] * (width - len(rows[k][:width])) for k in kept]
    by_column = list(zip(*body)) if body else [() for _ in names]
    columns = {name: _column_text(by_column[j]) for j, name in enumerate(names) if name}
    letters = {name: _column_letter(j + 1) for j, name in enumerate(names) if name}
    refs = RowRefs("cell", np.asarray(numbers, dtype=np.int64), title, letters)
    return RawTable(str(path), "xlsx", columns, refs)


def _blank(v: Any) -> bool:
    return v == "" or (isinstance(v, str) and not v.strip())


def _column_text(cells: tuple[Any, ...]) -> pa.Array:
    """One column's cells as the literal text the validator reads.  All-number and all-text
    columns (nearly every column of a submission) are converted by pyarrow in one call; a
    column mixing kinds (dates, booleans, numbers among text) goes cell by cell."""
    values = [None if v == "" else v for v in cells]
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {float, int}:
        return pc.cast(pa.array(values, pa.float64()), pa.string())  # 12.0 -> "12", 92.5 -> "92.5"
    if kinds == {str}:
        trimmed = pc.utf8_trim_whitespace(pa.array(values, pa.string()))
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return pa.array([_cell_text(v) for v in values], type=pa.string())


def _column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: the spreadsheet's column name."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell_text(v: Any) -> str | None:
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
    text = path.read_text(encoding="utf-8-sig")
    if fmt == "json":
        doc = json.loads(text)
    else:
        import yaml

        doc = yaml.safe_load(text)
    return records_table(doc, str(path), fmt)


def records_table(doc: Any, file: str, fmt: str = "records") -> RawTable:
    """Already-parsed records (a list of objects, or ``{"rows": [...]}``) as a table of literal
    cells, exactly as a JSON/YAML submission is read; ``file`` names them in rejects."""
    from engine.data.models import check_record

    if isinstance(doc, dict) and isinstance(doc.get("rows"), list):
        doc = doc["rows"]
    if not isinstance(doc, list):
        raise DataError(file, 'expected a list of objects or {"rows": [...]}', "data.not-rows",
                        'write one object per subject: [{"id": ..., ...}, ...]')
    names: dict[str, None] = {}
    good: list[tuple[int, dict[str, str | None]]] = []
    rejects: list[Reject] = []
    for i, item in enumerate(doc):
        record, problem = check_record(item)
        if record is None:
            rejects.append(Reject(file, f"[{i}]", None, None, None, problem or "not an object"))
            continue
        texts = {k.strip(): _cell_text(v) for k, v in record.items()}
        names.update(dict.fromkeys(texts))
        good.append((i, texts))
    good = [(i, r) for i, r in good if any(r.values())]  # an empty object is spacing
    columns = {c: pa.array([r.get(c) for _, r in good], type=pa.string()) for c in names if c}
    refs = RowRefs("index", np.asarray([i for i, _ in good], dtype=np.int64))
    return RawTable(file, fmt, columns, refs, rejects, len(rejects))


# ------------------------------------------------------------------- Parquet

def parquet_columns(names: list[str], table: pa.Table) -> dict[str, pa.Array]:
    """A Parquet table's columns as plain arrays: chunks combined, dictionaries decoded,
    large strings as strings (what the validator expects)."""
    columns: dict[str, pa.Array] = {}
    for name, col in zip(names, table.columns):
        arr = col.combine_chunks()
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if pa.types.is_large_string(arr.type):
            arr = pc.cast(arr, pa.string())
        columns[name] = arr
    return columns


def read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    names = [c.strip() for c in table.column_names]
    _check_names(str(path), names)
    columns = parquet_columns(names, table)
    refs = RowRefs("row", np.arange(table.num_rows, dtype=np.int64))
    return _drop_blank_rows(RawTable(str(path), "parquet", columns, refs))
