"""The subjects a policy change moves: ``Mover`` records and the ``-o`` file of every rating change.

``ChangeWriter`` receives the rating changes chunk by chunk (``engine.output.open_results``:
CSV and Parquet streamed, XLSX and JSON written at the end; renamed into place when the
pass ends, an aborted pass leaves nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

COLUMNS = ("subject_id", "agency", "old_score", "new_score", "change", "old_rating", "new_rating", "bands_dropped")


@dataclass
class Mover:
    subject: str
    agency: str | None
    old: float | None
    new: float | None
    delta: float
    old_rating: str
    new_rating: str
    node: str | None  # the direct child of the top scorecard whose contribution changed most
    node_delta: float | None


class ChangeWriter:
    """Every rating change, one row each, written to ``path`` (.csv, .parquet, .xlsx or .json)."""

    def __init__(self, path: str | Path):
        from engine.output import open_results

        self.path = Path(path)
        self._out = open_results(self.path, "changes")  # ``output.unknown-format`` for another suffix
        self.rows = 0

    def write(self, ids: np.ndarray, agencies: np.ndarray, old: np.ndarray, new: np.ndarray, change: np.ndarray,
              old_rating: np.ndarray, new_rating: np.ndarray, dropped: np.ndarray) -> None:
        self.rows += len(ids)
        self._out.write(dict(zip(COLUMNS, (ids, agencies, old, new, change, old_rating, new_rating, dropped))))

    def close(self) -> None:
        if self.rows == 0:  # the columns, with their types, and no row
            self._out.write({c: np.empty(0, dtype=object if c in ("subject_id", "agency", "old_rating", "new_rating")
                                         else np.float64) for c in COLUMNS})
        self._out.close()  # renamed into place

    def abort(self) -> None:
        self._out.abort()
