"""Wide layout: one row per subject, one column per field."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from engine.batch import Batch, Origin
from engine.data import compute as pc
from engine.data import validate as v
from engine.data.parts import (
    Origins,
    Part,
    check_keys,
    empty_values,
    first_occurrence,
    missing_columns,
    schema_known,
    unknown_columns,
    where,
)
from engine.data.readers import RawTable
from engine.data.report import LoadWarning
from engine.data.schema import Schema
from engine.i18n import _


def check_wide(file_no: int, raw: RawTable, schema: Schema, known_agencies: Iterable[str] | None,
               warnings: list[LoadWarning]) -> Part:
    """Validate every column of one wide file; rejected rows are marked, not removed."""
    n = raw.n
    cols = raw.columns
    part = Part(file_no, raw, np.full(n, None, dtype=object), np.full(n, None, dtype=object), None,
                np.zeros(n, dtype=bool))
    unknown_columns(raw, schema_known(schema), warnings)
    check_keys(part, schema, known_agencies)  # the ids' text too (``id_text``), trimmed once
    missing_columns(part, [schema.id_column, *schema.required])
    for name, f in schema.fields.items():
        if name in cols:
            part.values[name] = part.take(name, v.check(f, cols[name], raw.numbers.decimal))
    return part


def merge_wide(parts: list[Part], schema: Schema, duplicates: bool = True) -> Batch:
    """Concatenate files, reject repeated subject ids (later occurrences), build the batch.

    ``duplicates=False``: the caller has already rejected repeated ids (a streamed chunk,
    whose ids were checked against the whole file)."""
    ids = _cat([p.ids for p in parts], object)
    if duplicates:
        _reject_duplicates(parts, ids, schema.id_column)
    keep = _cat([~p.rejected for p in parts], bool)
    take = (lambda col: col) if keep.all() else (lambda col: col[keep])  # no copy when nothing is rejected
    columns = {}
    for name, f in schema.fields.items():
        pieces = [p.values.get(name, empty_values(f, p.n)) for p in parts]
        columns[name] = take(_cat(pieces, object)) if pieces else empty_values(f, 0)
    periods = None
    if any(p.periods is not None for p in parts):
        periods = take(_cat([p.periods if p.periods is not None else np.full(p.n, None, dtype=object)
                             for p in parts], object))
    agencies = take(_cat([p.agencies for p in parts], object))
    sources = [(p.raw.file, p.raw.refs) for p in parts]
    file_no = np.concatenate([np.full(p.n, k, dtype=np.int64) for k, p in enumerate(parts)])[keep] \
        if parts else np.empty(0, dtype=np.int64)
    row_no = np.concatenate([np.arange(p.n, dtype=np.int64) for p in parts])[keep] \
        if parts else np.empty(0, dtype=np.int64)
    row_origin = Origins(sources, file_no, row_no)
    origins: dict[str, list[Origin | None]] = {name: row_origin.with_column(name)  # type: ignore[misc]
                                               for name in schema.fields}
    return Batch(take(ids), agencies, columns, row_origin, origins, periods,  # type: ignore[arg-type]
                 _arrow_keys(parts, keep))


def _arrow_keys(parts: list[Part], keep: np.ndarray) -> dict[str, pa.Array]:
    """The ids and agencies of one file's accepted rows as Arrow text, when validation made them."""
    if len(parts) != 1:
        return {}
    texts = {"subject_id": parts[0].id_text, "agency": parts[0].agency_text}
    pick = None if keep.all() else pa.array(keep)
    return {k: t if pick is None else pc.filter(t, pick) for k, t in texts.items() if t is not None}


def _cat(pieces: list[np.ndarray], dtype: type) -> np.ndarray:
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate(pieces) if pieces else np.empty(0, dtype=dtype)


def _reject_duplicates(parts: list[Part], ids: np.ndarray, id_column: str) -> None:
    """The first row of an id wins (rejected or not: two rows for one subject are
    ambiguous); every later row is rejected naming the first."""
    if len(ids) == 0:
        return
    texts = [p.id_text for p in parts]
    if all(t is not None for t in texts):  # Arrow's hash table, no Python strings
        keys = pa.concat_arrays(texts) if len(texts) > 1 else texts[0]
        keys = pc.if_else(pc.fill_null(pc.equal(keys, ""), True), pa.scalar(None, pa.string()), keys)
        if len(pc.dictionary_encode(keys).dictionary) == len(keys) - keys.null_count:
            return  # every id once: the common case costs one hash pass
        codes, first = first_occurrence(keys)
    else:
        codes, first = first_occurrence(ids)
    if len(first) == 0:
        return
    rows = np.arange(len(ids))
    dup = (codes >= 0) & (first[np.maximum(codes, 0)] != rows)
    if not dup.any():
        return
    offsets = np.cumsum([0] + [p.n for p in parts])
    for g in np.flatnonzero(dup):
        k = int(np.searchsorted(offsets, g, side="right") - 1)
        g0 = int(first[codes[g]])
        k0 = int(np.searchsorted(offsets, g0, side="right") - 1)
        part, first_part = parts[k], parts[k0]
        ref0 = where(first_part.raw.file, first_part.raw.refs.ref(g0 - offsets[k0]), part.raw.file)
        sid = ids[g]
        part.reject(int(g - offsets[k]), id_column, v.Problem(
            0, sid, _("duplicate subject id `{id}` (first at {first})", id=sid, first=ref0),
            _("keep one row per subject")))

