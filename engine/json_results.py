"""JSON results: one subject per line (diffable, no indentation bloat), the same text for the same rows.

Missing and non-finite numbers are null, -0.0 is 0; the service stores and serves a submission's rows
as these lines (``json_lines``) without parsing them again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.output import Table, clean_float, table_columns
from engine.safe_output import atomic_text


def json_value(v: Any, text: Any = str) -> Any:
    """A cell as a plain Python value: missing and non-finite numbers become None, numpy
    scalars their Python kind, anything else ``text(str(v))``."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v) + 0.0
        return f if math.isfinite(f) else None
    return text(str(v))


def json_lines(table: Table) -> list[str]:
    """Each row of ``table`` as the JSON object text a .json results file holds on its line."""
    cols = table_columns(table)
    names, columns = [name for name, _v in cols], [json_column(arr) for _v, arr in cols]
    return [json.dumps(dict(zip(names, row)), ensure_ascii=False, allow_nan=False) for row in zip(*columns)]


def json_column(arr: np.ndarray) -> list[Any]:
    """``json_value`` of every cell; a float column in one pass (no -0.0, None where not finite)."""
    if arr.dtype.kind != "f":
        return [json_value(v) for v in arr.tolist()]
    return [v if ok else None for v, ok in zip(clean_float(arr).tolist(), np.isfinite(arr).tolist())]


def json_text(lines: Sequence[str]) -> str:
    """A .json results file from its row lines: one subject per line (diffable, no indentation bloat)."""
    return "[\n" + ",\n".join(lines) + ("\n]\n" if lines else "]\n")


def write_json(cols: list[tuple[str, np.ndarray]], path: Path) -> None:
    atomic_text(path, json_text(json_lines(cols)))
