"""CSV submissions: encoding, delimiter and header found once; a bad row is a reject with its line.

A row with too few or too many cells, or a quote that is never closed, is
skipped by the parser and becomes a reject naming its line, while the rest of
the file is read.  UTF-16 files (with their byte-order mark) are read as such;
a file that is not UTF-8 is refused with the line of the first bad byte and
the encoding it looks like.  Cells over ``MAX_CELL`` characters reject their row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.data.readers import (
    HEADER_HELP,
    TITLE_SCAN,
    DataError,
    RawTable,
    RowRefs,
    check_names,
    drop_blank_rows,
    header_at,
)
from engine.data.report import Reject
from engine.i18n import _

csv.field_size_limit(1 << 30)  # the csv module numbers records and finds titles; cell sizes are judged below
MAX_CELL = 1 << 20  # characters: far beyond any honest cell, small enough to keep a run's memory sane
PARSE_BLOCK = 1 << 24  # bytes of CSV text per parse block
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def header(data: bytes, file: str) -> tuple[str, list[str]]:
    """The delimiter and the column names of the first line (an unnamed column is ``(column N)``)."""
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8-sig", errors="replace").rstrip("\r")
    if not first_line.strip():
        raise DataError(file, _("no header line: the first line of the file is empty"), "data.no-header",
                        _(HEADER_HELP), 1)
    delim = sniff_delimiter(first_line)
    names = [h.strip() or f"(column {j + 1})" for j, h in enumerate(next(csv.reader([first_line], delimiter=delim)))]
    check_names(file, names)
    return delim, names


def sniff_delimiter(header_line: str) -> str:
    # Indonesian spreadsheets exported with a comma decimal separator use `;`.
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def is_utf16(head: bytes) -> bool:
    return head[:2] in _UTF16


def title_lines(data: bytes, header_row: int | None, file: str) -> int:
    """How many lines stand above the header: ``header_row - 1``, or the title rows found the way
    an Excel sheet's are (``readers.header_at``)."""
    lines = data[: 1 << 20].decode("utf-8-sig", errors="replace").split("\n")[:TITLE_SCAN]
    rows = [next(csv.reader([x.rstrip("\r")], delimiter=sniff_delimiter(x))) if x.strip() else [] for x in lines]
    if header_row is not None and header_row > len(rows):
        rows += [[]] * (header_row - len(rows))
    return header_at(rows, header_row, file, _("the file"))


def read_csv(path: Path, header_row: int | None = None) -> RawTable:
    data = path.read_bytes()
    file = str(path)
    if not data:
        raise DataError(file, _("the file is empty (0 bytes)"), "data.no-header",
                        _("export it again with its header row"))
    if is_utf16(data):
        data = data.decode("utf-16").encode("utf-8")
    above = title_lines(data, header_row, file)
    for _title in range(above):  # title rows: read from the header on, numbering lines as in the file
        data = data[data.index(b"\n") + 1:]
    delim, names = header(data, file)
    invalid: list[Any] = []
    try:
        # Arrow's threads parse blocks in parallel: a file of one block gains nothing from them but
        # starting the pool (a few ms of a small run).
        table = _parse(data, names, delim, invalid, threads=len(data) > PARSE_BLOCK)
        if invalid:  # numbered only when parsed on one thread: read again to name the lines
            invalid.clear()
            table = _parse(data, names, delim, invalid, threads=False)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc) or len(data) >= 1 << 31:
            raise unreadable(file, data, str(exc)) from None
        invalid.clear()  # a cell longer than a parse block: one block for the whole file
        table = _parse(data, names, delim, invalid, threads=False, block=len(data) + 1)
    starts = _record_starts(data, delim) if invalid or not _one_line_records(data, table.num_rows) else None
    bad = {r.number - 1 for r in invalid}  # pyarrow numbers records from 1, the header included
    lines = _data_lines(starts, bad, table.num_rows) + above
    rejects = [_bad_row(file, r, starts, len(names), above) for r in invalid if r.text.strip()]
    # Not trimmed here: the validator trims only where needed (a clean number column never is).
    columns = {c: table.column(c).combine_chunks() for c in names
               if not (c.startswith("(column ") and _empty(table.column(c)))}  # an unnamed, empty column
    raw = RawTable(file, "csv", columns, RowRefs("line", lines), rejects, len(rejects))
    return reject_oversize(drop_blank_rows(raw))


def _parse(data: bytes, names: list[str], delim: str, invalid: list[Any], threads: bool,
           block: int = PARSE_BLOCK) -> pa.Table:
    import pyarrow.csv as pcsv

    def skip(row: Any) -> str:
        invalid.append(row)
        return "skip"

    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=block, use_threads=threads),
        parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=True, invalid_row_handler=skip),
        convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _one_line_records(data: bytes, n_rows: int) -> bool:
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines == n_rows + 1


def _record_starts(data: bytes, delim: str) -> list[int]:
    """The line each non-empty record starts on, the header's first (blank lines and quoted
    newlines make these differ from the record's position)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""), delimiter=delim)
    out: list[int] = []
    prev = 0
    for row in reader:
        if row:
            out.append(prev + 1)
        prev = reader.line_num
    return out


def _data_lines(starts: list[int] | None, bad: set[int], n_rows: int) -> np.ndarray:
    """The line of each parsed data row."""
    if starts is not None:
        out = [line for k, line in enumerate(starts) if k and k not in bad]
        if len(out) == n_rows:
            return np.asarray(out, dtype=np.int64)
    # Every record one line (or the two parsers disagree: keep record order rather than guess).
    return np.arange(2, n_rows + 2, dtype=np.int64)


def _empty(col: Any) -> bool:
    return bool(pc.all(pc.equal(pc.utf8_trim_whitespace(col), "")).as_py() is not False)


def _bad_row(file: str, row: Any, starts: list[int] | None, width: int, above: int) -> Reject:
    k = row.number - 1
    line = (starts[k] if starts is not None and 0 <= k < len(starts) else row.number) + above
    text = row.text if len(row.text) <= 80 else row.text[:77] + "..."
    if row.text.count('"') % 2:
        return Reject(file, _("line {n}", n=line), None, None, text, _("a quote opened on this line is never closed"),
                      _("close the quote, or remove it; every line after it was read as part of this cell"))
    return Reject(file, _("line {n}", n=line), None, None, text,
                  _("the row has {cells} cell(s) but the header has {width}", cells=row.actual_columns, width=width),
                  _("a cell holding the delimiter needs quotes; or a cell is missing or extra"))


def unreadable(file: str, data: bytes, message: str) -> DataError:
    """A plain sentence for a file the parser refuses: a bad encoding names its line."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return DataError(file, _("line {n} is not UTF-8 text (byte 0x{byte}); the file looks like Windows-1252 "
                                 "(Latin-1)", n=line, byte=f"{data[exc.start]:02X}"), "data.encoding",
                         _("save it from Excel as `CSV UTF-8 (Comma delimited)`"), line)
    return DataError(file, _("cannot read the CSV file: {why}", why=message))


def _longest_bytes(arr: pa.Array) -> int:
    """The longest cell of a string column in bytes, from its offsets alone (no pass over the text)."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    return int(np.subtract(offsets[1:], offsets[:-1]).max(initial=0))


def reject_oversize(raw: RawTable) -> RawTable:
    """Rows holding a text cell longer than ``MAX_CELL`` characters are rejects, not data."""
    too_long = np.zeros(raw.n, dtype=bool)
    for arr in raw.columns.values():
        if pa.types.is_string(arr.type) and raw.n and _longest_bytes(arr) > MAX_CELL:  # characters <= bytes
            too_long |= np.asarray(pc.fill_null(pc.greater(pc.utf8_length(arr), MAX_CELL), False)
                                   .to_numpy(zero_copy_only=False), dtype=bool)
    if not too_long.any():
        return raw
    for i in np.flatnonzero(too_long):
        raw.rejects.append(Reject(raw.file, raw.refs.ref(int(i)), None, None, None,
                                  _("a cell is longer than {n:,} characters", n=MAX_CELL),
                                  _("a cell holds one value; check the row for a missing quote or pasted text")))
    keep = pa.array(np.flatnonzero(~too_long))
    raw.columns = {k: v.take(keep) for k, v in raw.columns.items()}
    raw.refs = raw.refs.take(~too_long)
    raw.unreadable += int(too_long.sum())
    return raw
