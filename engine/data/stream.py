"""Chunked loading of one large wide Parquet or CSV file: validated batches, never the whole file.

``Chunks(path, schema)`` first reads only the id column to find repeated subject
ids over the whole file (the first row of an id wins, later rows are rejected
naming it, exactly as ``load`` does; a Parquet file's id pass runs on its own
thread while the first chunks are read and validated), then yields one ``LoadResult`` per chunk of
rows, validated by the same code as ``load``.  The report of every chunk is
added to ``Chunks.report``, which ends equal to what ``load`` reports.
``streamable`` says whether a file can be read this way (otherwise use ``load``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.data import validate as v
from engine.data.background import Later, Scan, ahead
from engine.data.csvfile import header, is_utf16, reject_oversize, title_lines, unreadable
from engine.data.load import load_report, number_format
from engine.data.long import INDICATOR, VALUE
from engine.data.numbers import SAMPLE, detect
from engine.data.readers import (
    FORMATS,
    DataError,
    RawTable,
    RowRefs,
    check_names,
    drop_blank_rows,
    plain_column,
)
from engine.data.report import LoadReport, LoadResult, LoadWarning
from engine.data.schema import Schema
from engine.data.wide import check_wide, merge_wide
from engine.i18n import _

CHUNK = 1 << 17  # rows per chunk: about 50 MB of columns for a 24-indicator policy; three chunks are in flight


def streamable(path: str | Path) -> bool:
    """A single wide CSV (UTF-8) or Parquet file (the formats with a streaming reader)."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt not in ("csv", "parquet") or not Path(path).is_file():
        return False
    with open(path, "rb") as fh:
        return fmt == "parquet" or not is_utf16(fh.read(2))


def _first_lines(path: Path) -> bytes:
    """The file's first MB, or more until it holds the end of the first line."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
        for block in iter(lambda: fh.read(1 << 20), b""):
            if b"\n" in head:
                break
            head += block
    return head


class Chunks:
    """The validated chunks of one file, in file order."""

    block = 1 << 23  # bytes the CSV reader parses at a time

    def __init__(self, path: str | Path, schema: Schema, known_agencies: Iterable[str] | None = None,
                 chunk: int = CHUNK, typed: bool = True, decimal: str | None = None):
        self.path = Path(path)
        self.file = str(path)
        self.schema = schema
        self.known = None if known_agencies is None else frozenset(known_agencies)
        self.chunk = chunk
        self.format = FORMATS[self.path.suffix.lower()]
        # CSV number fields parsed by the reader (as a Parquet file's are typed): see ``TypedFailed``.
        self.typed = typed
        self.text_from: int | None = None  # the row from which a typed CSV read went on as text
        self.report = LoadReport()
        self._csv: dict[str, object] = {}
        self.names = self._names()
        if INDICATOR in self.names and VALUE in self.names:
            raise NotStreamable("long layout")
        # The decimal mark ``load`` would read from the first rows; nothing to read when it is given
        # or every number field of a Parquet file is stored as numbers (the first row group is not read twice).
        self.numbers = (detect([], decimal) if decimal is not None or self._typed_numbers()
                        else number_format(self._sample(), schema, decimal))
        self.rows = 0  # rows in the file (after the reader), known after the id pass
        # While the id pass parses, another thread reads the file once for its line count and the
        # manifest's SHA-256 (hashing releases the GIL): both cores work, and nothing reads it twice.
        self._scan = Scan(self.path, count_lines=self.format == "csv")
        if self.format == "parquet":  # the row count is in the footer: the id pass overlaps the first chunks
            self.rows = int(self._pq.metadata.num_rows)
            self._repeats = Later(self._duplicates, "kinerja-ids")
        else:  # a CSV's rows are known, and its lines checked (``NotStreamable``), once its ids are parsed
            repeats = self._duplicates()
            self._repeats = Later(lambda: repeats, "kinerja-ids")

    @property
    def dup_rows(self) -> np.ndarray:
        """File rows whose id appeared on an earlier row (sorted), once the id pass is done."""
        return self._repeats_found()[0]

    @property
    def dup_first(self) -> np.ndarray:
        """The row of each ``dup_rows`` id's first appearance."""
        return self._repeats_found()[1]

    def _repeats_found(self) -> tuple[np.ndarray, np.ndarray]:
        try:
            return self._repeats.result()
        except pa.ArrowInvalid as exc:
            raise _unreadable_parquet(self.file, exc) from None

    # ------------------------------------------------------------------ reading

    def _names(self) -> list[str]:
        if self.format == "parquet":
            import pyarrow.parquet as pq

            self._pq = pq.ParquetFile(self.path, pre_buffer=False)  # pre-buffering keeps row groups alive
            names = [c.strip() for c in self._pq.schema_arrow.names]
        else:
            head = _first_lines(self.path)
            if title_lines(head, None, self.file):
                raise NotStreamable("title rows above the header")
            delim, names = header(head, self.file)
            self._csv = {"delim": delim, "names": names}
        check_names(self.file, names)
        return names

    def _typed_numbers(self) -> bool:
        """A Parquet file whose number fields are all stored as numbers (no spelling to detect)."""
        if self.format != "parquet":
            return False
        types = dict(zip(self.names, self._pq.schema_arrow.types))
        stored = [types[k] for k, f in self.schema.fields.items() if f.type == "number" and k in types]
        return all(pa.types.is_floating(t) or pa.types.is_integer(t) for t in stored)

    def _sample(self) -> RawTable:
        """The file's first ``SAMPLE`` non-blank rows, every column as ``load`` reads it (CSV as text)."""
        batches: list[pa.RecordBatch] = []
        raw = RawTable(self.file, self.format, {}, RowRefs("row", np.empty(0, dtype=np.int64)))
        for batch in self._batches(self.names):
            batches.append(batch)
            table = pa.Table.from_batches(batches)
            columns = {name: col.combine_chunks() for name, col in zip(self.names, table.columns)}
            raw = drop_blank_rows(RawTable(self.file, self.format, columns,
                                            RowRefs("row", np.arange(table.num_rows, dtype=np.int64))))
            if raw.n >= SAMPLE:
                break
        return raw

    def _batches(self, columns: list[str] | None = None, start: int = 0, typed: bool = True,
                 block: int | None = None, own: bool = False) -> Iterator[pa.RecordBatch]:
        """The file's record batches from row ``start`` (CSV: number columns parsed by the reader when
        ``typed``; ``TypedFailed`` when a cell defeats it).  ``own``: a Parquet reader of its own (the
        id pass runs on another thread than the chunks' reader)."""
        if self.format == "parquet":
            import pyarrow.parquet as pq

            originals = self._pq.schema_arrow.names
            pick = None if columns is None else [originals[self.names.index(c)] for c in columns]
            source = pq.ParquetFile(self.path, pre_buffer=False) if own else self._pq
            yield from source.iter_batches(batch_size=self.chunk, columns=pick, use_threads=True)
            return
        import pyarrow.csv as pcsv

        names = self._csv["names"]
        numbers = self._number_columns() if columns is None and typed else set()
        try:
            yield from self._csv_reader(pcsv, names, numbers, columns, start, block or self.block)
        except pa.ArrowInvalid as exc:  # a number cell the reader cannot parse: the text path reports it
            if numbers:
                raise TypedFailed(str(exc)) from exc
            raise

    def _csv_reader(self, pcsv: Any, names: list[str], numbers: set[str], columns: list[str] | None,
                    start: int, block: int) -> Iterator[pa.RecordBatch]:
        source = pa.OSFile(str(self.path))
        source.seek(_line_start(self.path, 1 + start))  # the header and ``start`` rows, one line each
        reader = pcsv.open_csv(
            source,
            read_options=pcsv.ReadOptions(column_names=names, block_size=block),
            parse_options=pcsv.ParseOptions(delimiter=self._csv["delim"], newlines_in_values=True,
                                            invalid_row_handler=_skip),  # row counts differ: ``load`` reads it
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.float64() if c in numbers else pa.string() for c in names},  # type: ignore[misc]
                include_columns=columns or [], null_values=[""], strings_can_be_null=False,
                decimal_point=self.numbers.decimal if numbers else ".",
                quoted_strings_can_be_null=bool(numbers)),  # text columns never hold nulls either way
        )
        try:
            yield from reader
        finally:
            source.close()

    def _number_columns(self) -> set[str]:
        """CSV columns read as numbers: the schema's number fields, when ``typed``."""
        if not self.typed or self.format != "csv":
            return set()
        return {name for name, f in self.schema.fields.items() if f.type == "number" and name in self.names}

    def _rechunked(self, start: int, typed: bool, block: int) -> Iterator[pa.Table]:
        """Tables of exactly ``chunk`` rows (the last shorter) from row ``start``, whatever the reader's batches."""
        pending: list[pa.RecordBatch] = []
        rows = 0
        for batch in ahead(self._batches(None, start, typed, block)):
            pending.append(batch)
            rows += batch.num_rows
            while rows >= self.chunk:
                table = pa.Table.from_batches(pending)
                yield table.slice(0, self.chunk)
                rest = table.slice(self.chunk)
                pending, rows = rest.to_batches(), rest.num_rows
        if rows:
            yield pa.Table.from_batches(pending)

    def _tables(self) -> Iterator[pa.Table]:
        """The file's chunks as tables, each read once.  CSV number cells are parsed by the reader (the
        fast path) until a chunk holds one it cannot parse as a finite number; from that chunk on the
        file is read as text (``text_from``), whose checks give ``load``'s rejects."""
        offset, typed, block = 0, bool(self._number_columns()), self.block
        while True:
            tables = self._rechunked(offset, typed, block)
            try:
                for table in tables:
                    if typed and _nonfinite(table):
                        raise TypedFailed("a non-finite number")  # "nan", "inf": the text path rejects them
                    yield table
                    offset += table.num_rows
                return
            except TypedFailed:
                typed, self.text_from = False, offset
            except pa.ArrowInvalid as exc:
                size = self.path.stat().st_size
                if self.format == "parquet":
                    raise _unreadable_parquet(self.file, exc) from None
                if "straddl" not in str(exc) or block > size:
                    raise unreadable(self.file, self.path.read_bytes(), str(exc)) from None
                block = size + 1  # a row longer than a parse block: one block for the rest, as ``load`` does
            finally:
                tables.close()

    def _duplicates(self) -> tuple[np.ndarray, np.ndarray]:
        """File rows whose id appeared earlier, and the row of that first appearance (both sorted by row)."""
        empty = np.empty(0, dtype=np.int64)
        id_col = self.schema.id_column
        if id_col not in self.names:
            self.rows = self._count_rows()
            return empty, empty
        pieces = [b.column(0) for b in self._batches([id_col], own=True)]
        self.rows = sum(len(p) for p in pieces)
        if self.format == "csv":
            self._check_csv_lines()
        if not pieces:
            return empty, empty
        keys = v.as_text(pa.chunked_array(pieces).combine_chunks() if len(pieces) > 1 else pieces[0])
        if pa.types.is_dictionary(keys.type):
            keys = keys.dictionary_decode()
        keys = pc.if_else(pc.fill_null(pc.equal(keys, ""), True), pa.scalar(None, pa.string()), keys)
        return repeated_keys(keys)

    def _count_rows(self) -> int:
        if self.format == "parquet":
            return int(self._pq.metadata.num_rows)
        rows = sum(b.num_rows for b in self._batches([self.names[0]]))
        self.rows = rows
        self._check_csv_lines()
        return rows

    def _check_csv_lines(self) -> None:
        # Row i is line i + 2 only when every record is one line (no blank lines, no quoted
        # newlines); otherwise ``load`` walks the records to number them: not streamed.
        lines = self._scan.lines()
        if lines != self.rows + 1:
            raise NotStreamable("CSV records span several lines or blank lines")

    # ------------------------------------------------------------------ chunks

    def __iter__(self) -> Iterator[LoadResult]:
        offset = 0
        kind = "row" if self.format == "parquet" else "line"
        base = 0 if self.format == "parquet" else 2
        for table in self._tables():
            size = table.num_rows
            columns = {name: plain_column(col.combine_chunks()) for name, col in zip(self.names, table.columns)}
            refs = RowRefs(kind, np.arange(base + offset, base + offset + size, dtype=np.int64))
            raw = reject_oversize(drop_blank_rows(RawTable(self.file, self.format, columns, refs,
                                                            numbers=self.numbers)))
            # Unknown-column warnings once per file, as ``load`` gives them.
            warnings: list[LoadWarning] = self.report.warnings if offset == 0 else []
            part = check_wide(0, raw, self.schema, self.known, warnings)
            self._reject_duplicates(part, raw, offset, base)
            batch = merge_wide([part], self.schema, duplicates=False)
            report = load_report([part], "wide", [])
            report.subjects = batch.n
            self._add(report)
            offset += size
            yield LoadResult(batch, report)
        if offset == 0:
            self._add(load_report([], "wide", []))

    def _reject_duplicates(self, part: object, raw: RawTable, offset: int, base: int) -> None:
        lo, hi = np.searchsorted(self.dup_rows, [offset, offset + self.chunk])
        if lo == hi:
            return
        # Local positions after blank rows were dropped: a duplicate has an id, so it was kept.
        file_rows = raw.refs.numbers - base
        kind = raw.refs.kind
        for g, g0 in zip(self.dup_rows[lo:hi], self.dup_first[lo:hi]):
            i = int(np.searchsorted(file_rows, g))
            if i >= len(file_rows) or file_rows[i] != g:
                continue  # the row was rejected by the reader already (an oversize cell)
            sid = part.ids[i]  # type: ignore[attr-defined]
            ref0 = RowRefs(kind, np.array([g0 + base])).ref(0)
            part.reject(i, self.schema.id_column, v.Problem(  # type: ignore[attr-defined]
                0, sid, _("duplicate subject id `{id}` (first at {first})", id=sid, first=ref0),
                _("keep one row per subject")))

    def _add(self, chunk: LoadReport) -> None:
        report = self.report
        if not report.files:
            report.files = chunk.files
        elif chunk.files:
            mine, theirs = report.files[0], chunk.files[0]
            mine.rows_read += theirs.rows_read
            mine.rows_accepted += theirs.rows_accepted
            mine.rows_rejected += theirs.rows_rejected
        report.rejects.extend(chunk.rejects)
        report.subjects += chunk.subjects


def repeated_keys(keys: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose key appeared on an earlier row, and that earlier (first) row, sorted by row.

    A stable sort puts equal keys next to each other in row order, so the first of each
    run is the first occurrence; this peaks far lower than a hash table of millions of
    keys (about 300 MB against 1 GB at 4.3M ids) at a similar speed.  Ids that strictly increase
    down the file (a file sorted by id) are all distinct: one comparison pass, no sort."""
    size, empty = len(keys), np.empty(0, dtype=np.int64)
    if size > 1 and keys.null_count == 0 and pc.all(pc.less(keys.slice(0, size - 1), keys.slice(1))).as_py():
        return empty, empty
    order = np.asarray(pc.sort_indices(keys).to_numpy(), dtype=np.int64)
    ranked = keys.take(pa.array(order))
    starts = np.ones(size, dtype=bool)
    if size > 1:
        same = pc.fill_null(pc.equal(ranked.slice(1), ranked.slice(0, size - 1)), False)
        starts[1:] = ~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
    repeat = np.flatnonzero(~starts)
    if repeat.size == 0:
        return empty, empty
    run_start = np.maximum.accumulate(np.where(starts, np.arange(size), 0))
    rows, first = order[repeat], order[run_start[repeat]]
    by_row = np.argsort(rows, kind="stable")
    return rows[by_row], first[by_row]


class NotStreamable(Exception):
    """The file needs the in-memory loader (``load``)."""


class TypedFailed(Exception):
    """A CSV number column holds text the reader could not parse as a finite number: from that
    chunk on the file is read as text (``Chunks._tables``), whose checks give ``load``'s rejects."""


def _nonfinite(table: pa.Table) -> bool:
    """NaN or an infinity written in a CSV number cell ("nan", "inf"): the text path rejects those."""
    return any(bool(pc.any(pc.is_nan(col)).as_py()) or bool(pc.any(pc.is_inf(col)).as_py())
               for col in table.columns if pa.types.is_floating(col.type))


def _unreadable_parquet(file: str, exc: Exception) -> DataError:
    return DataError(file, _("cannot read {format} file: {why}", format="parquet", why=exc), "data.unreadable",
                     _("check that the file is a complete {format} file (open it in the program that made it)",
                       format="parquet"))


def _line_start(path: Path, lines: int) -> int:
    """The byte offset just past the first ``lines`` newlines of ``path`` (0 for none)."""
    pos = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            found = block.count(b"\n")
            if found < lines:
                lines -= found
                pos += len(block)
                continue
            end = -1
            for _k in range(lines):
                end = block.index(b"\n", end + 1)
            return pos + end + 1 if lines else pos
    return pos


def _skip(row: object) -> str:
    return "skip"
