"""Long layout: one row per measurement (id, agency, indicator, value, period, source).

Counts are in measurement rows.  A measurement with an unknown indicator, a bad
value, or a repeat of the same subject and indicator is rejected on its own; a
subject is in the batch when at least one of its measurements is accepted.
"""

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
    unknown_columns,
    where,
)
from engine.data.readers import RawTable
from engine.data.report import LoadWarning
from engine.data.schema import Schema
from engine.diagnostics import did_you_mean
from engine.i18n import N_, _

INDICATOR, VALUE, SOURCE = "indicator", "value", "source"


def check_long(file_no: int, raw: RawTable, schema: Schema, known_agencies: Iterable[str] | None,
               warnings: list[LoadWarning]) -> Part:
    """Validate each measurement row of one long file against its indicator's field."""
    n, cols = raw.n, raw.columns
    part = Part(file_no, raw, np.full(n, None, dtype=object), np.full(n, None, dtype=object), None,
                np.zeros(n, dtype=bool))
    part.indicator = np.full(n, None, dtype=object)
    part.number = np.full(n, np.nan)
    part.text = np.full(n, None, dtype=object)
    unknown_columns(raw, {*schema.key_columns, INDICATOR, VALUE, SOURCE}, warnings)
    check_keys(part, schema, known_agencies)
    missing_columns(part, [schema.id_column, INDICATOR, VALUE])
    if INDICATOR in cols and VALUE in cols:
        _check_measurements(part, schema, v.as_text(cols[INDICATOR]), v.as_text(cols[VALUE]))
    return part


def _check_measurements(part: Part, schema: Schema, names: pa.Array, values: pa.Array) -> None:
    indicator = v.to_objects(names)
    known = pa.array(list(schema.fields), type=pa.string())
    ok = v.np_bool(pc.fill_null(pc.is_in(names, known), False))
    for i in np.flatnonzero(~ok):
        name = indicator[i]
        if name is None:
            part.reject(int(i), INDICATOR, v.Problem(0, None, _("missing indicator name")))
        else:
            part.reject(int(i), INDICATOR, v.Problem(0, name, _("unknown indicator `{name}`", name=name),
                                                     did_you_mean(name, schema.fields)))
    part.indicator = np.where(ok, indicator, None)
    for name, f in schema.fields.items():
        rows = np.flatnonzero(v.np_bool(pc.fill_null(pc.equal(names, name), False)))
        if len(rows) == 0:
            continue
        checked = v.check(f, values.take(pa.array(rows)), part.raw.numbers.decimal)
        for p in checked.problems:
            p.index = int(rows[p.index])
            part.reject(p.index, VALUE, p)
        if checked.values.dtype == object:
            part.text[rows] = checked.values
        else:
            part.number[rows] = checked.values


def merge_long(parts: list[Part], schema: Schema) -> Batch:
    """Reject repeated measurements and conflicting agency/period, then pivot to subjects."""
    cat = _concat(parts)
    ids, indicator = cat["ids"], cat["indicator"]
    keys = np.array([None if a is None or b is None else f"{a}\x1f{b}" for a, b in zip(ids, indicator)],
                    dtype=object)
    _reject_repeats(parts, cat, keys, ids, indicator)
    for what, col, values in ((N_("agency `{value}` differs from `{other}` given for subject `{id}` at {first}"),
                               schema.agency_column, cat["agencies"]),
                              (N_("period `{value}` differs from `{other}` given for subject `{id}` at {first}"),
                               schema.period_column, cat["periods"])):
        _reject_conflicts(parts, cat, ids, values, what, col)
    keep = np.concatenate([~p.rejected for p in parts])
    rows = np.flatnonzero(keep)
    codes, first = first_occurrence(ids[rows])
    n_subj = len(first)
    head = rows[first]
    sources = [(p.raw.file, p.raw.refs) for p in parts]
    columns: dict[str, np.ndarray] = {}
    origins: dict[str, list[Origin | None]] = {}
    for name, f in schema.fields.items():
        col = empty_values(f, n_subj)
        at = np.full(n_subj, -1, dtype=np.int64)
        mine = rows[indicator[rows] == name]
        subj = codes[np.searchsorted(rows, mine)]
        source = cat["text"] if col.dtype == object else cat["number"]
        col[subj] = source[mine]
        at[subj] = mine
        columns[name] = col
        origins[name] = Origins(sources, cat["file_no"][np.maximum(at, 0)],  # type: ignore[assignment]
                                np.where(at >= 0, cat["row_no"][np.maximum(at, 0)], -1), VALUE)
    periods = cat["periods"][head] if any(p.periods is not None for p in parts) else None
    row_origin = Origins(sources, cat["file_no"][head], cat["row_no"][head])
    return Batch(ids[head], cat["agencies"][head], columns, row_origin, origins, periods)  # type: ignore[arg-type]


def _concat(parts: list[Part]) -> dict[str, np.ndarray]:
    def cat(get) -> np.ndarray:  # type: ignore[no-untyped-def]
        return np.concatenate([get(p) for p in parts]) if parts else np.empty(0, dtype=object)

    return {
        "ids": cat(lambda p: p.ids),
        "agencies": cat(lambda p: p.agencies),
        "periods": cat(lambda p: p.periods if p.periods is not None else np.full(p.n, None, dtype=object)),
        "indicator": cat(lambda p: p.indicator),
        "number": cat(lambda p: p.number).astype(np.float64),
        "text": cat(lambda p: p.text),
        "file_no": cat(lambda p: np.full(p.n, p.file_no, dtype=np.int64)).astype(np.int64),
        "row_no": cat(lambda p: np.arange(p.n, dtype=np.int64)).astype(np.int64),
    }


def _locate(parts: list[Part], cat: dict[str, np.ndarray], g: int) -> tuple[Part, int]:
    return parts[int(cat["file_no"][g])], int(cat["row_no"][g])


def _reject_repeats(parts: list[Part], cat: dict[str, np.ndarray], keys: np.ndarray, ids: np.ndarray,
                    indicator: np.ndarray) -> None:
    """A second measurement of one indicator for one subject is rejected, naming the first."""
    codes, first = first_occurrence(keys)
    if len(first) == 0:
        return
    dup = (codes >= 0) & (first[np.maximum(codes, 0)] != np.arange(len(keys)))
    for g in np.flatnonzero(dup):
        part, i = _locate(parts, cat, int(g))
        p0, i0 = _locate(parts, cat, int(first[codes[g]]))
        ref0 = where(p0.raw.file, p0.raw.refs.ref(i0), part.raw.file)
        part.reject(i, INDICATOR, v.Problem(
            0, indicator[g], _("duplicate measurement of `{indicator}` for subject `{id}` (first at {first})",
                               indicator=indicator[g], id=ids[g], first=ref0),
            _("keep one measurement per subject and indicator")))


def _reject_conflicts(parts: list[Part], cat: dict[str, np.ndarray], ids: np.ndarray, values: np.ndarray,
                      what: str, column: str) -> None:
    """All accepted measurements of a subject must name the same agency (period)."""
    keep = np.concatenate([~p.rejected for p in parts])
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        return
    codes, first = first_occurrence(ids[rows])
    ref_rows = rows[first[codes]]
    differs = values[rows] != values[ref_rows]
    for j in np.flatnonzero(differs):
        g, g0 = int(rows[j]), int(ref_rows[j])
        part, i = _locate(parts, cat, g)
        p0, i0 = _locate(parts, cat, g0)
        ref0 = where(p0.raw.file, p0.raw.refs.ref(i0), part.raw.file)
        part.reject(i, column, v.Problem(0, values[g], _(what, value=values[g], other=values[g0], id=ids[g],
                                                         first=ref0)))
