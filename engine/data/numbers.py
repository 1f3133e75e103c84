"""How a file spells its numbers: a decimal comma or point, thousands separators, `Rp` and `%`.

Indonesian spreadsheets write ``87,57`` and ``1.234.567,5``; others ``87.57``.
``detect`` decides a file's decimal mark from the number fields of its first
``SAMPLE`` rows (cells that can only be read one way, such as ``87,57`` or
``1.234,5``), or takes the one the officer forces with ``--decimal``; a file
with many cells of both kinds is refused rather than guessed.  ``normalise``
rewrites a column's cells into plain ``1234.5`` text for the number parser:
thousands separators are removed only where they group digits by three, `Rp`
is read only for a field whose unit is rupiah and `%` only for a field whose
unit is a percentage; any other spelling is left for the parser to reject.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.i18n import _

SAMPLE = 10_000  # rows that decide a file's decimal mark (the same rows whether streamed or not)
MINORITY = 20  # the other mark may appear on at most 1 cell in 20 (typos, rejected) before a file is refused
# Cells that can be read only one way (a leading `Rp` or trailing `%` ignored).
_COMMA_ONLY = r"^[+-]?(\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,}|\d+,(\d{1,2}|\d{4,}))$"
_POINT_ONLY = r"^[+-]?(\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}|\d+\.(\d{1,2}|\d{4,}))$"
_DECORATION = r"(?i)^(rp\.?|idr)\s*|\s*%$"
_COMMA_NUMBER = r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?([eE][+-]?\d+)?$"


class AmbiguousDecimal(Exception):
    """A file writing many numbers with a decimal comma and many with a decimal point."""


@dataclass(frozen=True)
class NumberFormat:
    """A file's decimal mark and how it was chosen: ``detected``, ``forced`` or ``default``."""

    decimal: str = "."
    source: str = "default"


def is_percent(unit: str | None) -> bool:
    return bool(unit) and unit.strip().startswith("%")  # type: ignore[union-attr]


def is_rupiah(unit: str | None) -> bool:
    return bool(unit) and unit.strip().lower().startswith(("rp", "rupiah", "idr"))  # type: ignore[union-attr]


def detect(columns: list[pa.Array], forced: str | None = None) -> NumberFormat:
    """The decimal mark of a file whose number-field columns (as text) are ``columns``."""
    if forced is not None:
        return NumberFormat(forced, "forced")
    comma = point = 0
    examples: dict[str, str] = {}
    for col in columns:
        if not pa.types.is_string(col.type):
            continue  # typed (Parquet, Excel numbers): no spelling to read
        text = pc.replace_substring_regex(pc.utf8_trim_whitespace(col.slice(0, SAMPLE)), _DECORATION, "")
        for mark, pattern in ((",", _COMMA_ONLY), (".", _POINT_ONLY)):
            hits = pc.fill_null(pc.match_substring_regex(text, pattern), False)
            found = int(pc.sum(hits).as_py() or 0)
            if found and mark not in examples:
                examples[mark] = text.filter(hits)[0].as_py()
            comma, point = (comma + found, point) if mark == "," else (comma, point + found)
    if comma and point and min(comma, point) * MINORITY > max(comma, point):
        raise AmbiguousDecimal(
            _("numbers are written with a decimal comma in {comma} cell(s) (e.g. `{comma_example}`) and with a "
              "decimal point in {point} (e.g. `{point_example}`)", comma=comma, point=point,
              comma_example=examples[","], point_example=examples["."]))
    return NumberFormat("," if comma > point else ".", "detected" if comma or point else "default")


def normalise(text: pa.Array, decimal: str, unit: str | None) -> tuple[pa.Array, np.ndarray]:
    """``text`` (trimmed) as plain numbers where the spelling allows, and the cells written with a
    decimal point in a decimal-comma file (rejected: ``87.57`` there could mean 8757)."""
    if is_percent(unit):
        text = pc.replace_substring_regex(text, r"\s*%$", "")
    if is_rupiah(unit):
        text = pc.replace_substring_regex(text, r"(?i)^(rp\.?|idr)\s*", "")
    if decimal == ".":
        return text, np.zeros(len(text), dtype=bool)
    shaped = pc.fill_null(pc.match_substring_regex(text, _COMMA_NUMBER), False)
    plain = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    wrong = pc.and_(pc.invert(shaped), pc.fill_null(pc.match_substring(text, "."), False))
    return pc.if_else(shaped, plain, text), np.asarray(wrong.to_numpy(zero_copy_only=False), dtype=bool)
