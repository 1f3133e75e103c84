"""The validated columns handed from data loading to the evaluator.

One ``Batch`` holds the accepted rows of every submitted file, column by
column: numbers as float64 with NaN for missing, booleans as float64 1.0/0.0
with NaN for missing, categories and text as object arrays with None for
missing.  Rejected rows never reach a batch; they are in the load report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Origin:
    """Where one value came from: file, row (a line number or a sheet cell) and column."""

    file: str
    row: str
    column: str | None = None


@dataclass
class Batch:
    """Accepted subjects, one entry per subject in every array (same length ``n``).

    ``origins[name][i]`` says which file and row gave subject i's value of
    ``name`` (in a long layout each measurement has its own row);
    ``row_origin[i]`` is the subject's own row (wide) or first row (long).
    ``period`` holds ISO dates per subject when the data carries a period column.
    ``arrow`` may hold ``subject_ids`` and ``agencies`` as the reader's Arrow text, the same values
    (None is null): the results writer and the agency counts use it instead of the Python strings.
    """

    subject_ids: np.ndarray
    agencies: np.ndarray
    columns: dict[str, np.ndarray]
    row_origin: list[Origin]
    origins: dict[str, list[Origin | None]] = field(default_factory=dict)
    period: np.ndarray | None = None
    arrow: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.subject_ids)

    def take(self, index: np.ndarray | slice, origins: bool = True) -> Batch:
        """The sub-batch of the given row positions (e.g. one agency's subjects); a slice gives
        views, no copy.  ``origins=False`` leaves the per-row origins out: evaluation never reads
        them (a stitched result refers to the full batch's), so no per-row Python work is done."""
        pick = range(self.n)[index] if isinstance(index, slice) else [int(i) for i in index] if origins else []
        return Batch(
            subject_ids=self.subject_ids[index],
            agencies=self.agencies[index],
            columns={k: v[index] for k, v in self.columns.items()},
            row_origin=[self.row_origin[i] for i in pick] if origins else [],
            origins={k: [v[i] for i in pick] for k, v in self.origins.items()} if origins else {},
            period=None if self.period is None else self.period[index],
        )
