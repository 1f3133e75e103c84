"""Per-file validated parts, lazy row origins and the helpers both layouts share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import pyarrow as pa

from engine.batch import Origin
from engine.data import compute as pc
from engine.data import validate as v
from engine.data.readers import RawTable, RowRefs
from engine.data.report import LoadWarning, Reject
from engine.data.schema import Field, Schema
from engine.data.validate import Checked, Problem
from engine.diagnostics import did_you_mean
from engine.i18n import _

LONG_COLUMNS = ("indicator", "value")


@dataclass
class Part:
    """One file after validation, before files are merged (rows in file order)."""

    file_no: int
    raw: RawTable
    ids: np.ndarray
    agencies: np.ndarray
    periods: np.ndarray | None
    rejected: np.ndarray
    rejects: list[Reject] = field(default_factory=list)
    reject_rows: list[int] = field(default_factory=list)  # row position of each reject
    values: dict[str, np.ndarray] = field(default_factory=dict)  # wide: field -> column
    indicator: np.ndarray | None = None  # long: the field each measurement row is for
    number: np.ndarray | None = None  # long: numeric/boolean value per measurement
    text: np.ndarray | None = None  # long: text/category value per measurement
    id_text: pa.Array | None = None  # wide: the ids as Arrow text (null when blank), for fast duplicate checks
    agency_text: pa.Array | None = None  # the agencies as Arrow text (dictionary-encoded, null when blank)

    @property
    def n(self) -> int:
        return self.raw.n

    def reject(self, i: int, column: str | None, problem: Problem) -> None:
        self.rejected[i] = True
        self.reject_rows.append(i)
        sid = self.ids[i] if self.ids is not None else None
        self.rejects.append(Reject(self.raw.file, self.raw.refs.ref(i, column), sid, column,
                                   problem.value, problem.reason, problem.help))

    def take(self, column: str | None, checked: Checked) -> np.ndarray:
        for p in checked.problems:
            self.reject(p.index, column, p)
        return checked.values


def missing_columns(part: Part, required: Sequence[str]) -> None:
    """A required column absent from the file rejects every row, once per column."""
    for col in required:
        if col in part.raw.columns:
            continue
        hint = _("add the column to the file, or give --header-row N when the column names are on another row") \
            if part.raw.format == "xlsx" else _("add the column to the file")
        problem = Problem(0, None, _("missing required column `{name}`", name=col), hint)
        for i in range(part.n):
            problem.index = i
            part.reject(i, None, problem)


def check_keys(part: Part, schema: Schema, known_agencies: Iterable[str] | None) -> None:
    """The id, agency and period columns of one file, the same in wide and long layouts;
    a missing agency column is a rejection only when the known agencies are given."""
    cols = part.raw.columns
    if schema.id_column in cols:
        checked = v.check_id(cols[schema.id_column])
        part.ids, part.id_text = part.take(schema.id_column, checked), checked.text
    if schema.agency_column in cols:
        checked = v.check_agency(cols[schema.agency_column], known_agencies)
        part.agencies, part.agency_text = part.take(schema.agency_column, checked), checked.text
    elif known_agencies is not None:
        missing_columns(part, [schema.agency_column])
    if schema.period_column in cols:
        part.periods = part.take(schema.period_column, v.check_period(cols[schema.period_column]))


def unknown_columns(raw: RawTable, known: set[str], warnings: list[LoadWarning]) -> None:
    """One warning per unknown column per file; the column is ignored."""
    for col in raw.columns:
        if col not in known:
            warnings.append(LoadWarning(raw.file, _("unknown column `{name}` is ignored", name=col), col,
                                        did_you_mean(col, known)))


def empty_values(f: Field | None, n: int) -> np.ndarray:
    if f is None or f.type in ("number", "boolean"):
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)


def first_occurrence(keys: np.ndarray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, first row of each code); a missing key has code -1."""
    arr = keys if isinstance(keys, (pa.Array, pa.ChunkedArray)) else pa.array(keys, type=pa.string())
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    present = codes >= 0
    first = np.zeros(len(enc.dictionary), dtype=np.int64)
    if present.any():
        uniq, idx = np.unique(codes[present], return_index=True)
        first[uniq] = np.flatnonzero(present)[idx]
    return codes, first


def where(file: str, ref: str, this_file: str) -> str:
    return ref if file == this_file else f"{file} {ref}"


def schema_known(schema: Schema) -> set[str]:
    return set(schema.fields) | set(schema.key_columns)


class Origins(Sequence[Origin | None]):
    """Origins computed on access, so a national batch does not hold millions of objects.

    Row ``i`` came from ``sources[file_no[i]]`` at row position ``row_no[i]`` (-1: none).
    """

    def __init__(self, sources: list[tuple[str, RowRefs]], file_no: np.ndarray, row_no: np.ndarray,
                 column: str | None = None):
        self.sources, self.file_no, self.row_no, self.column = sources, file_no, row_no, column

    def __len__(self) -> int:
        return len(self.row_no)

    @overload
    def __getitem__(self, i: int) -> Origin | None: ...

    @overload
    def __getitem__(self, i: slice) -> list[Origin | None]: ...

    def __getitem__(self, i: int | slice) -> Origin | None | list[Origin | None]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        row = int(self.row_no[i])
        if row < 0:
            return None
        file, refs = self.sources[int(self.file_no[i])]
        return Origin(file, refs.ref(row, self.column), self.column)

    def __iter__(self) -> Iterator[Origin | None]:
        return (self[i] for i in range(len(self)))

    def with_column(self, column: str) -> Origins:
        return Origins(self.sources, self.file_no, self.row_no, column)
