"""Two national files compared in one streamed pass each: the top score and main rating per subject.

``compare`` (engine.analysis.compare) gives every node of every subject and suits a
few hundred subjects or one subject (``--id``).  For whole files, ``PeriodFold``
keeps per subject only the key columns, the top score and the rating code; the
two files are then joined by subject id (a sort, no hash table), giving the same
change, relative change, transition and bands moved as ``compare`` for the top
node (``change = current - base``, ``relative = change / |base| x 100``, bands
moved = base band index - current band index, positive = up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.analysis.common import band_order, labels, main_rating, no_nan, numeric, top_tree
from engine.evaluate import Result
from engine.plan import Plan

COLUMNS = ("subject", "agency", "base", "current", "change", "relative", "rating_base", "rating_current",
           "bands_moved")


class PeriodFold:
    """Subject id, agency code, top score and rating code of every scored subject of one file:
    about 45 bytes a subject (ids as fixed-width text; agencies and ratings as small codes)."""

    def __init__(self, plan: Plan):
        self.top = top_tree(plan).name
        rating = main_rating(plan)
        self.rating = rating.name if rating else None
        self.order = band_order(rating) if rating else []
        self.codes: dict[str | None, dict[object, int]] = {"agency": {}, "rating": {}}  # type: ignore[dict-item]
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, results: Sequence[Result]) -> None:
        (r,) = results
        rating = labels(r, self.rating) if self.rating else np.full(r.n, None, dtype=object)
        self.parts.append((np.array([str(x) for x in r.subject_ids]), self._code("agency", r.agencies),
                           numeric(r, self.top), self._code("rating", rating)))

    def _code(self, kind: str, values: np.ndarray) -> np.ndarray:
        """Each value's code in order of first appearance over the file (None is a value too)."""
        known = self.codes[kind]
        out = np.empty(values.size, dtype=np.int32)
        for k, v in enumerate(values.tolist()):
            out[k] = known.setdefault(v, len(known))
        return out

    def names(self, kind: str) -> np.ndarray:
        known = self.codes[kind]
        return np.array(sorted(known, key=known.get), dtype=object)  # type: ignore[arg-type]

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Ids, agencies, scores and ratings (agencies and ratings decoded)."""
        if not self.parts:
            return np.empty(0, dtype=str), np.empty(0, dtype=np.int32), np.empty(0), np.empty(0, dtype=np.int32)
        ids, agencies, scores, ratings = (np.concatenate([p[k] for p in self.parts]) for k in range(4))
        self.parts.clear()
        return ids, agencies, scores, ratings


@dataclass
class PeriodChange:
    """The top score and rating of every subject in both files (``table``, current file order)."""

    base_label: str
    current_label: str
    top: str
    rating: str | None
    order: list[str]
    table: dict[str, np.ndarray]
    entering: list[str]
    leaving: list[str]

    @property
    def size(self) -> int:
        return len(self.table["subject"])

    def transitions(self) -> dict[tuple[str, str], int]:
        t = self.table
        out: dict[tuple[str, str], int] = {}
        for a, b in zip(t["rating_base"], t["rating_current"]):
            key = ("—" if a is None else str(a), "—" if b is None else str(b))
            out[key] = out.get(key, 0) + 1
        return out

    def changed(self) -> np.ndarray:
        """Rows whose rating changed."""
        return np.flatnonzero(self.table["rating_base"] != self.table["rating_current"])

    def to_dict(self, limit: int | None = None) -> dict[str, object]:
        rows = self.changed()[:limit] if limit is not None else np.arange(self.size)
        subjects = [{c: _plain(self.table[c][i]) for c in COLUMNS} for i in rows]
        return no_nan({"base_label": self.base_label, "current_label": self.current_label, "top": self.top,  # type: ignore[return-value]
                       "rating": self.rating, "subjects_in_both": self.size,
                       "rating_changes": int(self.changed().size), "entering": self.entering,
                       "leaving": self.leaving,
                       "transitions": [{"base": a, "current": b, "count": k}
                                       for (a, b), k in self.transitions().items()],
                       "subjects": subjects})


def _plain(x: object) -> object:
    return x.item() if isinstance(x, np.generic) else x


def join(base: PeriodFold, current: PeriodFold, base_label: str, current_label: str) -> PeriodChange:
    """The subjects in both files, in the current file's order, with their changes."""
    b_id, _, b_score, b_code = base.columns()
    c_id, c_code, c_score, r_code = current.columns()
    _, bi, ci = np.intersect1d(b_id, c_id, assume_unique=True, return_indices=True)
    keep = np.argsort(ci, kind="stable")
    bi, ci = bi[keep], ci[keep]
    b, c = b_score[bi], c_score[ci]
    change = c - b
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(~np.isnan(change) & (b != 0), change / np.abs(b) * 100, np.nan)
    rank = {x: k for k, x in enumerate(current.order)}
    rb, rc = base.names("rating")[b_code[bi]], current.names("rating")[r_code[ci]]
    c_agency = current.names("agency")[c_code]
    moved = np.array([rank[x] - rank[y] if x in rank and y in rank else None for x, y in zip(rb, rc)], dtype=object)
    table = {"subject": c_id[ci].astype(object), "agency": c_agency[ci], "base": b, "current": c, "change": change,
             "relative": relative, "rating_base": rb, "rating_current": rc, "bands_moved": moved}
    return PeriodChange(base_label, current_label, current.top, current.rating, current.order, table,
                        sorted(np.setdiff1d(c_id, b_id).tolist()), sorted(np.setdiff1d(b_id, c_id).tolist()))
