"""A submission opened as a sequence of validated chunks: what every run reads its data through.

``open_submission(reading, schema)`` decides once how to read the files: one
large wide CSV or Parquet file is read chunk by chunk (``stream.Chunks``: ids
checked over the whole file first, each chunk validated by ``load``'s code);
anything else, or a run that needs every row at once (``whole``: quotas,
population statistics, rule versions chosen row by row, JSON/XLSX output), is
loaded whole (``load``) and is one chunk.  Either way the caller iterates
``LoadResult``s and reads the whole file's ``report`` afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.data.background import ahead
from engine.data.load import load
from engine.data.report import LoadReport, LoadResult
from engine.data.schema import Schema


@dataclass(frozen=True)
class Reading:
    """How to read the data: the files and the options of ``engine.data.load``."""

    data: Sequence[str | Path]
    known_agencies: Sequence[str] | None = None
    layout: str = "auto"
    sheet: str | None = None
    chunk: int | None = None  # rows per chunk (default ``stream.CHUNK``); given, even a small file is chunked
    decimal: str | None = None
    header_row: int | None = None
    # Filled by an analysis pass: the load report of each distinct schema (read/scored/rejected, with
    # reasons), so the command reports the counts and writes the rejects as ``eval`` does.
    reports: list[LoadReport] = field(default_factory=list, compare=False, hash=False)


# Reads a submission whole given its schema (e.g. one subject's rows, or in-memory records).
Reader = Callable[[Schema], LoadResult]


class Submission:
    """The validated chunks of a submission, in data order; ``report`` covers every chunk read so far
    (the whole submission once iterated); ``rows`` is the number of data rows when known (progress)."""

    def __init__(self, chunks: Iterator[LoadResult], report: Callable[[], LoadReport], rows: int | None,
                 chunk: int | None):
        self._chunks, self._report, self.rows, self.chunk = chunks, report, rows, chunk

    @property
    def report(self) -> LoadReport:
        return self._report()

    @property
    def streamed(self) -> bool:
        return self.chunk is not None

    def __iter__(self) -> Iterator[LoadResult]:
        return self._chunks


def open_submission(reading: Reading, schema: Schema, whole: bool = False, reader: Reader | None = None
                    ) -> Submission:
    """``reading``'s data as validated chunks: streamed when it is one large wide CSV/Parquet file
    (or ``reading.chunk`` is given) and the caller does not need it ``whole``; otherwise one chunk
    (read by ``reader`` when given)."""
    chunks = None if whole or reader is not None else _chunks(reading, schema)
    if chunks is not None:  # chunk k + 1 is read and validated on a background thread while k is scored
        return Submission(ahead(iter(chunks), depth=1), lambda: chunks.report, chunks.rows, chunks.chunk)
    loaded = reader(schema) if reader is not None else load(
        list(reading.data), schema, layout=reading.layout, known_agencies=reading.known_agencies,  # type: ignore[arg-type]
        sheet=reading.sheet, decimal=reading.decimal, header_row=reading.header_row)
    return Submission(iter([loaded]), lambda: loaded.report, loaded.report.rows_read, None)


def _chunks(reading: Reading, schema: Schema):  # type: ignore[no-untyped-def]
    """The chunk reader of a streamable file worth streaming, or None (then ``load`` reads it)."""
    from pyarrow import ArrowInvalid

    from engine.data.stream import CHUNK, Chunks, NotStreamable, streamable

    data = list(reading.data)
    if len(data) != 1 or reading.layout not in ("auto", "wide") or reading.header_row not in (None, 1):
        return None
    if not streamable(data[0]) or (reading.chunk is None and _estimated_rows(Path(data[0])) <= CHUNK):
        return None
    try:
        return Chunks(data[0], schema, reading.known_agencies, reading.chunk or CHUNK, True, reading.decimal)
    except (NotStreamable, ArrowInvalid):  # ``load`` reads it (and names what is wrong with it)
        return None


def _estimated_rows(path: Path) -> int:
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # noqa: BLE001 - an unreadable file is reported by ``load``
            return 0
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        return 0
    lines = max(1, head.count(b"\n"))
    return int(path.stat().st_size / (len(head) / lines))
