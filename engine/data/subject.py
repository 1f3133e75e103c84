"""Loading only the rows one subject's explanation or report needs (``kinerja explain --id``, ``report --id``):
from a wide Parquet file by its row groups, from a wide CSV file chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.data import validate as v
from engine.data.load import load, load_raws
from engine.data.readers import RawTable, RowRefs, check_names, drop_blank_rows, parquet_columns
from engine.data.report import LoadReport, LoadResult
from engine.data.schema import Schema
from engine.data.stream import CHUNK, Chunks, NotStreamable, repeated_keys, streamable


def load_subject(path: str | Path, schema: Schema, subject_id: str, group_fields: Iterable[str] = (),
                 known_agencies: Iterable[str] | None = None, decimal: str | None = None) -> LoadResult:
    """Load just the rows one subject's evaluation needs from a wide Parquet file.

    Those are the subject's own rows and, for each quota field in ``group_fields``, every
    row sharing one of the subject's values (a quota needs its whole group), less rows
    whose id repeats an earlier row's (a full load rejects them, so they are in no group).
    Rows keep their file numbering, so rejects and origins read as in a full load.
    """
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path, pre_buffer=False)
    names = [c.strip() for c in pf.schema_arrow.names]
    check_names(str(path), names)
    original = dict(zip(names, pf.schema_arrow.names))

    def texts(name: str) -> pa.Array:
        col = pf.read(columns=[original[name]]).column(0).combine_chunks()
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        return v.as_text(col)

    rows = np.empty(0, dtype=np.int64)
    if schema.id_column in original:
        ids = texts(schema.id_column)
        rows = _matches(ids, [subject_id])
        extra = [np.empty(0, dtype=np.int64)]
        for name in group_fields:
            if rows.size and name in original:
                col = texts(name)
                values = [x for x in col.take(pa.array(rows)).to_pylist() if x]
                extra.append(_matches(col, values) if values else extra[0])
        others = np.setdiff1d(np.concatenate(extra), rows)
        if others.size:
            keys = pc.if_else(pc.fill_null(pc.equal(ids, ""), True), pa.scalar(None, pa.string()), ids)
            repeated, _first = repeated_keys(keys)
            others = np.setdiff1d(others, repeated)
        rows = np.union1d(rows, others)
    table = _take_rows(pf, rows)
    columns = parquet_columns(names, table)
    raw = drop_blank_rows(RawTable(str(path), "parquet", columns, RowRefs("row", rows)))
    return load_raws([raw], schema, "wide", known_agencies, decimal)


def _matches(col: pa.Array, values: list[str]) -> np.ndarray:
    hit = pc.fill_null(pc.is_in(col, pa.array(values, type=pa.string())), False)
    return np.flatnonzero(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)).astype(np.int64)


def _take_rows(pf: object, rows: np.ndarray) -> pa.Table:
    """Rows (sorted file positions) of a Parquet file, reading only the row groups that hold them."""
    meta = pf.metadata  # type: ignore[attr-defined]
    starts = np.cumsum([0] + [meta.row_group(g).num_rows for g in range(meta.num_row_groups)])
    pieces = []
    for g in np.unique(np.searchsorted(starts, rows, side="right") - 1):
        local = rows[(rows >= starts[g]) & (rows < starts[g + 1])] - starts[g]
        pieces.append(pf.read_row_group(int(g)).take(pa.array(local)))  # type: ignore[attr-defined]
    if not pieces:
        return pf.schema_arrow.empty_table()  # type: ignore[attr-defined]
    return pa.concat_tables(pieces)


def stream_subject(path: str | Path, schema: Schema, subject_id: str, known_agencies: Iterable[str] | None = None,
                   decimal: str | None = None, chunk: int | None = None) -> LoadResult:
    """Just one subject's row of a wide CSV file, read chunk by chunk (``stream.Chunks``): every chunk is
    validated as a streamed run validates it (a repeated id included), the subject's accepted row is
    kept and its rejects reported; memory holds one chunk, never the file.  The report counts the
    subject's rows, as ``load_subject``'s does.  A file the chunk reader does not take is loaded whole."""
    try:
        if not streamable(path):
            raise NotStreamable("UTF-16")
        chunks = Chunks(path, schema, known_agencies, chunk or CHUNK, decimal=decimal)
    except (NotStreamable, pa.ArrowInvalid):  # read whole, as a run that cannot stream it (``load`` names why)
        return load([path], schema, layout="wide", known_agencies=known_agencies, decimal=decimal)
    batch, rejects = None, []
    for loaded in chunks:
        rows = np.flatnonzero(loaded.batch.subject_ids == subject_id)
        if rows.size or batch is None:
            batch = loaded.batch.take(rows)
        rejects.extend(r for r in loaded.report.rejects if r.subject_id == subject_id)
    whole = chunks.report
    if batch is None or not whole.files:  # no row at all: what a full load of the file gives
        return load_raws([], schema, "wide", known_agencies, decimal) if batch is None else LoadResult(batch, whole)
    bad = len({r.row for r in rejects})
    files = [replace(whole.files[0], rows_read=batch.n + bad, rows_accepted=batch.n, rows_rejected=bad)]
    return LoadResult(batch, LoadReport(files, rejects, whole.warnings, batch.n))
