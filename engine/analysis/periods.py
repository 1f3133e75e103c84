"""Two national files compared in one streamed pass each: the top score and main rating per subject.

``compare`` (engine.analysis.compare) gives every node of every subject and suits a
few hundred subjects or one subject (``--id``).  For whole files, ``PeriodFold``
keeps per subject only the key columns, the top score and the rating code; the
two files are then joined by subject id (a sort, no hash table), giving the same
change, relative change, transition and bands moved as ``compare`` for the top
node (``change = current - base``, ``relative = change / |base| x 100``, bands
moved = base band index - current band index, positive = up).

Everything stays compact until a row is shown or written: ids as UTF-8 bytes (8 bytes for
``E0000007``; ids of at most 8 bytes are joined as big-endian integers, whose order is the
bytes' order), agencies and ratings as small codes.  The join sorts the base ids once and
looks every current id up in them (``searchsorted``): at 4.3M subjects a few 34 MB columns,
where joining Python strings or ``np.intersect1d`` of text cost more than a gigabyte.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine.analysis.common import band_order, labels, main_rating, no_nan, numeric
from engine.evaluate import Result
from engine.plan import Plan

COLUMNS = ("subject", "agency", "base", "current", "change", "relative", "rating_base", "rating_current",
           "bands_moved")
PIECE = 1 << 18  # rows decoded at a time when the whole table is written


class PeriodFold:
    """Subject id, agency code, top score and rating code of every scored subject of one file:
    about 25 bytes a subject (ids as UTF-8 bytes; agencies and ratings as small codes)."""

    def __init__(self, plan: Plan):
        self.top = plan.top_scorecard().name
        rating = main_rating(plan)
        self.rating = rating.name if rating else None
        self.order = band_order(rating) if rating else []
        self.codes: dict[str, dict[object, int]] = {"agency": {}, "rating": {}}
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, results: Sequence[Result]) -> None:
        (r,) = results
        rating = labels(r, self.rating) if self.rating else np.full(r.n, None, dtype=object)
        ids = np.array([str(x).encode() for x in r.subject_ids.tolist()], dtype=bytes)
        self.parts.append((ids, self._code("agency", r.agencies), numeric(r, self.top), self._code("rating", rating)))

    def _code(self, kind: str, values: np.ndarray) -> np.ndarray:
        """Each value's code in order of first appearance over the file (None is a value too)."""
        import pyarrow as pa

        known = self.codes[kind]
        local = pa.array(values, type=pa.string(), from_pandas=False).dictionary_encode()
        names = [*local.dictionary.to_pylist(), None]  # the last local code stands for None
        lookup = np.array([known.setdefault(v, len(known)) for v in names], dtype=np.int32)
        index = local.indices.fill_null(len(names) - 1).to_numpy(zero_copy_only=False)
        return lookup[index]

    def names(self, kind: str) -> list[object]:
        known = self.codes[kind]
        return sorted(known, key=known.__getitem__)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Ids (UTF-8 bytes), agency codes, scores and rating codes, in file order."""
        if not self.parts:
            return np.empty(0, dtype="S1"), np.empty(0, dtype=np.int32), np.empty(0), np.empty(0, dtype=np.int32)
        ids, agencies, scores, ratings = (np.concatenate([p[k] for p in self.parts]) for k in range(4))
        self.parts.clear()
        return ids, agencies, scores, ratings


@dataclass
class PeriodChange:
    """The top score and rating of every subject in both files, in the current file's order, as compact
    columns: ``subject`` UTF-8 bytes, ``agency`` codes into ``agencies``, ratings codes into ``ratings``."""

    base_label: str
    current_label: str
    top: str
    rating: str | None
    order: list[str]
    subject: np.ndarray
    agency: np.ndarray
    agencies: np.ndarray
    base: np.ndarray
    current: np.ndarray
    rating_base: np.ndarray
    rating_current: np.ndarray
    ratings: np.ndarray
    entering: list[str]
    leaving: list[str]

    @property
    def size(self) -> int:
        return len(self.subject)

    @property
    def change(self) -> np.ndarray:
        return self.current - self.base

    def rows(self, which: np.ndarray | slice = slice(None)) -> dict[str, np.ndarray]:
        """The table (``COLUMNS``) of the rows ``which``, decoded for showing or writing."""
        b, c = self.base[which], self.current[which]
        change = c - b
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(~np.isnan(change) & (b != 0), change / np.abs(b) * 100, np.nan)
        rb, rc = self.rating_base[which], self.rating_current[which]
        band = np.array([self.order.index(x) if x in self.order else -1 for x in self.ratings], dtype=np.int64)
        moved = np.where((band[rb] >= 0) & (band[rc] >= 0), band[rb] - band[rc], 0).astype(object)
        moved[(band[rb] < 0) | (band[rc] < 0)] = None
        subject = np.array([x.decode() for x in self.subject[which].tolist()], dtype=object)
        return {"subject": subject, "agency": self.agencies[self.agency[which]], "base": b, "current": c,
                "change": change, "relative": relative, "rating_base": self.ratings[rb],
                "rating_current": self.ratings[rc], "bands_moved": moved}

    def pieces(self, size: int = PIECE) -> Iterator[dict[str, np.ndarray]]:
        """The whole table, ``size`` rows at a time (what ``-o`` writes)."""
        for at in range(0, max(self.size, 1), size):
            yield self.rows(slice(at, at + size))

    def transitions(self) -> dict[tuple[str, str], int]:
        """(base rating, current rating) -> subjects, in order of first appearance; no rating is ``—``."""
        k = len(self.ratings)
        pairs = self.rating_base.astype(np.int64) * k + self.rating_current
        first, counts = _first_counts(pairs)
        name = ["—" if x is None else str(x) for x in self.ratings]
        return {(name[p // k], name[p % k]): int(n) for p, n in zip(first.tolist(), counts.tolist())}

    def changed(self) -> np.ndarray:
        """Rows whose rating changed."""
        return np.flatnonzero(self.rating_base != self.rating_current)

    def to_dict(self, limit: int | None = None) -> dict[str, object]:
        table = self.rows(self.changed()[:limit] if limit is not None else slice(None))
        subjects = [dict(zip(COLUMNS, (_plain(x) for x in row))) for row in zip(*(table[c] for c in COLUMNS))]
        return no_nan({"base_label": self.base_label, "current_label": self.current_label, "top": self.top,  # type: ignore[return-value]
                       "rating": self.rating, "subjects_in_both": self.size,
                       "rating_changes": int(self.changed().size), "entering": self.entering,
                       "leaving": self.leaving,
                       "transitions": [{"base": a, "current": b, "count": k}
                                       for (a, b), k in self.transitions().items()],
                       "subjects": subjects})


def _plain(x: object) -> object:
    return x.item() if isinstance(x, np.generic) else x


def _first_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values in order of first appearance, and how many times each occurs."""
    uniq, first, counts = np.unique(values, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return uniq[order], counts[order]


def _keys(ids: np.ndarray, width: int) -> np.ndarray:
    """Sortable keys in the ids' byte order: big-endian integers for ids of at most 8 bytes."""
    return ids.astype("S8").view(">u8") if width <= 8 else ids.astype(f"S{width}")


def _match(base: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each current id, whether the base holds it, and where (sort-merge on compact keys)."""
    if not len(base):
        return np.zeros(len(current), dtype=bool), np.zeros(len(current), dtype=np.int64)
    width = max(base.dtype.itemsize, current.dtype.itemsize)
    b_key, c_key = _keys(base, width), _keys(current, width)
    order = np.argsort(b_key, kind="stable")
    b_key = b_key[order]
    pos = np.searchsorted(b_key, c_key)
    np.minimum(pos, len(b_key) - 1, out=pos)
    return b_key[pos] == c_key, order[pos]


def join(base: PeriodFold, current: PeriodFold, base_label: str, current_label: str) -> PeriodChange:
    """The subjects in both files, in the current file's order, with their changes."""
    b_id, _, b_score, b_code = base.columns()
    c_id, c_code, c_score, r_code = current.columns()
    hit, at = _match(b_id, c_id)
    ci = np.flatnonzero(hit)
    bi = at[ci]
    del at
    seen = np.zeros(len(b_id), dtype=bool)
    seen[bi] = True
    ratings: dict[object, int] = {}
    remap = [np.array([ratings.setdefault(x, len(ratings)) for x in f.names("rating")], dtype=np.int32)
             for f in (base, current)]
    return PeriodChange(base_label, current_label, current.top, current.rating, current.order, c_id[ci],
                        c_code[ci], np.array(current.names("agency"), dtype=object), b_score[bi], c_score[ci],
                        remap[0][b_code[bi]], remap[1][r_code[ci]], np.array(list(ratings), dtype=object),
                        _decoded(c_id[~hit]), _decoded(b_id[~seen]))


def _decoded(ids: np.ndarray) -> list[str]:
    return sorted(x.decode() for x in ids.tolist())
