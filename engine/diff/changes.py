"""The subjects a policy change moves: ``Mover`` records and the ``-o`` file of every rating change.

``ChangeWriter`` receives the rating changes chunk by chunk; CSV and Parquet are
streamed (``engine.output.ResultStream``: renamed into place when the pass ends, an
aborted pass leaves nothing), XLSX and JSON are written at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        from engine.safe_output import RESULT_SUFFIXES

        if suffix not in RESULT_SUFFIXES:
            from engine.diagnostics import fail, file_span

            raise fail("output.unknown-format", f"cannot write `{suffix or '(no suffix)'}` changes to {path}",
                       "name a .csv, .xlsx, .json or .parquet file", file_span(path))
        self.rows = 0
        self._stream: Any = None
        self._held: list[dict[str, np.ndarray]] = []

    def restart(self) -> ChangeWriter:
        """Drop what was written (the pass starts again)."""
        self.abort()
        self.rows, self._held = 0, []
        return self

    def write(self, ids: np.ndarray, agencies: np.ndarray, old: np.ndarray, new: np.ndarray, change: np.ndarray,
              old_rating: np.ndarray, new_rating: np.ndarray, dropped: np.ndarray) -> None:
        table = dict(zip(COLUMNS, (ids, agencies, old, new, change, old_rating, new_rating, dropped)))
        self.rows += len(ids)
        if self.path.suffix.lower() not in (".csv", ".parquet"):
            self._held.append(table)
            return
        if self._stream is None:
            from engine.output import ResultStream

            self._stream = ResultStream(self.path)
        self._stream.write(table)

    def close(self) -> None:
        from engine.output import write_results

        if self._stream is None:
            held = self._held or [{c: np.empty(0, dtype=object if c in ("subject_id", "agency", "old_rating",
                                                                          "new_rating") else np.float64)
                                   for c in COLUMNS}]
            table = {c: np.concatenate([h[c] for h in held]) for c in COLUMNS}
            write_results(table, self.path)  # written to a temporary file, renamed into place
        else:
            self._stream.close()  # renamed into place
            self._stream = None

    def abort(self) -> None:
        if self._stream is not None:
            self._stream.abort()
            self._stream = None
