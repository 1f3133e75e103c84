"""Vectorised validation of one column against its declared field: values plus problems.

Every check is an Arrow/numpy operation over the whole column; Python only runs
for the rows that fail, to spell out their reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.data.numbers import normalise
from engine.data.schema import Field
from engine.diagnostics import closest, did_you_mean
from engine.i18n import _, language
from engine.i18n.records import rewritten

NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NONFINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?$")
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
TRUE_WORDS = ("true", "yes", "ya", "y", "1", "1.0", "benar")
FALSE_WORDS = ("false", "no", "tidak", "n", "0", "0.0", "salah")


@dataclass
class Problem:
    """Why row ``index`` of a column is rejected."""

    index: int
    value: str | None
    reason: str
    help: str | None = None


@dataclass
class Checked:
    """A validated column: ``values`` (float64 or object) and the rows that failed."""

    values: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    text: pa.Array | None = None  # ids and agencies: the values as Arrow text (null where ``values`` is None)


def as_text(arr: pa.Array) -> pa.Array:
    """Any column as trimmed text (typed Parquet columns included)."""
    if pa.types.is_boolean(arr.type):
        arr = pc.if_else(arr, "true", "false")
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.utf8_trim_whitespace(arr) if _maybe_padded(arr) else arr


def _maybe_padded(arr: pa.Array) -> bool:
    """Whether a cell may start or end with whitespace: a first or last byte that is an ASCII control
    or space, DEL or part of a non-ASCII character (every whitespace ``utf8_trim_whitespace`` trims is
    one of those).  When none is, trimming changes nothing and the column is kept as it is (the
    Unicode-aware trim costs ~0.15 s per million cells; this look at two bytes a cell, ~5 ms)."""
    if not isinstance(arr, pa.StringArray) or len(arr) == 0:
        return not isinstance(arr, pa.StringArray)
    _, offsets, data = arr.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    starts, ends = ends[:-1], ends[1:]
    filled = ends > starts
    if data is None or not filled.any():
        return False
    text = np.frombuffer(data, dtype=np.uint8)
    edges = np.concatenate([text[starts[filled]], text[ends[filled] - 1]])
    return bool(((edges <= 0x20) | (edges >= 0x7F)).any())


def blank(arr: pa.Array) -> np.ndarray:
    """Rows holding no value (null or empty text): missing, never rejected."""
    if pa.types.is_string(arr.type):
        mask = pc.fill_null(pc.equal(arr, ""), True)
    else:
        mask = pc.is_null(arr)
    return np_bool(mask)


def check(f: Field, arr: pa.Array, decimal: str = ".") -> Checked:
    """Validate one submitted column against its field; ``decimal`` is the file's decimal mark."""
    if f.type == "number":
        return check_number(f, arr, decimal)
    if f.type == "boolean":
        return check_boolean(f, as_text(arr))
    if f.type == "category":
        return check_category(f, as_text(arr))
    return Checked(to_objects(as_text(arr)))


def check_number(f: Field, arr: pa.Array, decimal: str = ".") -> Checked:
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        values = np.array(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        # In a typed column NaN is pandas' missing marker; infinities are rejected.
        bad = np.isinf(values)
        problems = [Problem(int(i), repr(float(values[i])), _("`{value}` is not a finite number", value=values[i]))
                    for i in np.flatnonzero(bad)]
        values[bad] = np.nan
    else:
        values, problems = _parse_numbers(arr, f, decimal)
    problems += _range_problems(f, values)
    return Checked(values, problems)


def _parse_numbers(arr: pa.Array, f: Field, decimal: str) -> tuple[np.ndarray, list[Problem]]:
    """Text to float64.  Fast path (decimal-point files): one Arrow cast of the whole column,
    which accepts exactly NUMBER_RE plus nan/inf spellings (rejected below); on any other
    text, and always in a decimal-comma file, the cells are normalised (``numbers.normalise``)
    and the slow path finds the offending cells by pattern."""
    raw = arr if pa.types.is_string(arr.type) else as_text(arr)
    try:
        if decimal != ".":
            raise pa.ArrowInvalid("decimal comma: normalise first")
        nulled = pc.if_else(pc.fill_null(pc.equal(raw, ""), True), pa.scalar(None, pa.string()), raw)
        values = np.array(pc.cast(nulled, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        bad = np.isinf(values) | (np.isnan(values) & ~blank(raw))
        text = raw
    except pa.ArrowInvalid:
        text = as_text(raw)
        plain, wrong = normalise(text, decimal, f.unit)
        empty = blank(text)
        ok = np_bool(pc.fill_null(pc.match_substring_regex(plain, NUMBER_RE), False)) & ~wrong
        parsed = pc.cast(pc.if_else(pa.array(ok), plain, pa.scalar(None, pa.string())), pa.float64())
        values = np.array(parsed.to_numpy(zero_copy_only=False), dtype=np.float64)
        bad = (~empty & ~ok) | np.isinf(values)  # an exponent past the float range overflows to inf
    problems = [_number_problem(int(i), text[int(i)].as_py(), decimal) for i in np.flatnonzero(bad)]
    values[bad] = np.nan
    return values, problems


def _number_problem(i: int, text: str, decimal: str = ".") -> Problem:
    """Why a cell is not a number, quoting at most its first 20 characters."""
    problem = _number_reason(i, text, decimal)
    if len(text) > 40:
        shown = _("`{start}...` ({n:,} characters)", start=text[:20], n=len(text))
        problem.reason = problem.reason.replace(f"`{text}`", shown)
    return problem


def _number_reason(i: int, text: str, decimal: str) -> Problem:
    if _NONFINITE.match(text):
        return Problem(i, text, _("`{value}` is not a finite number", value=text),
                       _("leave the cell empty when the value is missing"))
    if decimal == "," and re.match(r"^[+-]?[\d.]*\.\d*$", text):
        return Problem(i, text,
                       _("`{value}` has a decimal point, but this file writes decimals with a comma", value=text),
                       _("write `{fixed}`, or give --decimal . if the file uses points", fixed=text.replace(".", ",")))
    if decimal == "," and _THOUSANDS.match(text):
        return Problem(i, text, _("`{value}` is not a number", value=text),
                       _("group thousands with `.` and write decimals with `,`"))
    if text.endswith("%") or text.lower().startswith(("rp", "idr")):
        return Problem(i, text, _("`{value}` is not a number", value=text),
                       _("`%` and `Rp` are read only for a field whose unit is % or Rp; write the number alone"))
    if _DECIMAL_COMMA.match(text):
        return Problem(i, text, _("`{value}` is not a number", value=text),
                       _("use a decimal point, not a comma: `{fixed}` (no thousands separators)",
                         fixed=text.replace(",", ".")))
    if _THOUSANDS.match(text):
        return Problem(i, text, _("`{value}` is not a number", value=text),
                       _("write numbers without thousands separators"))
    if re.match(NUMBER_RE, text) is not None:  # matched the pattern but overflowed
        return Problem(i, text, _("`{value}` is not a finite number", value=text))
    return Problem(i, text, _("`{value}` is not a number", value=text))


def _range_problems(f: Field, values: np.ndarray) -> list[Problem]:
    if f.lo is None or f.hi is None:
        return []
    with np.errstate(invalid="ignore"):
        out = (values < f.lo) | (values > f.hi)
    outside = np.flatnonzero(out)
    if outside.size == 0:
        return []
    from engine.i18n.digits import numbers  # the reason in the reader's digits; the value column stays plain

    problems = []
    for i in outside:
        v = float(values[i])
        shown = _num(v)
        why = _("value {value} is outside the range {range} of `{name}`", value=shown, range=f.range_text, name=f.name)
        problems.append(Problem(int(i), shown, rewritten(numbers(why, language()) or why, why, "numbers")))
        values[i] = np.nan
    return problems


def _num(v: float) -> str:
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def check_boolean(f: Field, text: pa.Array) -> Checked:
    lower = pc.utf8_lower(text)
    yes = np_bool(pc.fill_null(pc.is_in(lower, pa.array(TRUE_WORDS)), False))
    no = np_bool(pc.fill_null(pc.is_in(lower, pa.array(FALSE_WORDS)), False))
    values = np.where(yes, 1.0, np.where(no, 0.0, np.nan))
    bad = ~blank(text) & ~yes & ~no
    problems = [Problem(int(i), text[int(i)].as_py(), _("`{value}` is not a boolean", value=text[int(i)].as_py()),
                        _("use true/false, yes/no, ya/tidak or 1/0")) for i in np.flatnonzero(bad)]
    return Checked(values, problems)


def check_category(f: Field, text: pa.Array) -> Checked:
    """Options match ignoring case and surrounding spaces (`wtp` is `WTP`); the value kept is the
    option as the policy spells it."""
    folded = pc.utf8_lower(text)
    canon = pa.array(f.options, type=pa.string())
    at = pc.index_in(folded, value_set=pc.utf8_lower(canon))
    ok = np_bool(pc.is_valid(at))
    bad = ~blank(text) & ~ok
    problems = []
    for i in np.flatnonzero(bad):
        v = text[int(i)].as_py()
        options = ", ".join(f'"{o}"' for o in f.options)
        problems.append(Problem(int(i), v, _("`{value}` is not an option of `{name}` ({options})", value=v, name=f.name,
                                                  options=options),
                                closest_option(v, f.options)))
    values = to_objects(pc.if_else(pa.array(ok), pc.take(canon, pc.fill_null(at, 0)), text), repeats=True)
    values[bad] = None
    return Checked(values, problems)


INTENSIFIERS = frozenset({"sangat", "amat", "paling", "sekali", "very"})  # degree words, not meaning


def closest_option(value: str, options: Iterable[str]) -> str | None:
    """A "did you mean" for a category cell, compared without case.  An option sharing a
    meaning word with the cell comes first (`Sangat Baik` -> `Baik`, never `Sangat Kurang`,
    which shares only the degree word); otherwise the closest spelling."""
    by_fold = {o.lower(): o for o in options}
    words = set(value.lower().split()) - INTENSIFIERS
    sharing = [o for o in by_fold if words & set(o.split())]
    near = closest(value.lower(), sharing) or (sharing[0] if sharing else None) or closest(value.lower(), by_fold)
    return _("did you mean `{name}`?", name=by_fold[near]) if near else None


def check_id(arr: pa.Array) -> Checked:
    text = as_text(arr)
    problems = [Problem(int(i), None, _("missing subject id")) for i in np.flatnonzero(blank(text))]
    cleaned = _cleaned(text)
    return Checked(to_objects(cleaned), problems, cleaned)


def check_agency(arr: pa.Array, known: Iterable[str] | None) -> Checked:
    text = as_text(arr)
    encoded = pc.dictionary_encode(_cleaned(text))  # one Python string per distinct agency (``to_objects``)
    values = to_objects(encoded, repeats=True)
    if known is None:
        return Checked(values, text=encoded)
    known = sorted(set(known))
    empty = blank(text)
    ok = np_bool(pc.fill_null(pc.is_in(text, pa.array(known, type=pa.string())), False))
    problems = [Problem(int(i), None, _("missing agency")) for i in np.flatnonzero(empty)]
    for i in np.flatnonzero(~empty & ~ok):
        v = values[i]
        problems.append(Problem(int(i), v, _("unknown agency `{name}`", name=v), did_you_mean(v, known)))
    return Checked(values, problems, encoded)


def check_period(arr: pa.Array) -> Checked:
    """ISO dates (YYYY-MM-DD) that exist on the calendar."""
    text = as_text(arr)
    shaped = pc.fill_null(pc.match_substring_regex(text, DATE_RE), False)
    ts = pc.strptime(pc.if_else(shaped, text, pa.scalar(None, pa.string())), format="%Y-%m-%d",
                     unit="s", error_is_null=True)
    # strptime rolls 2026-02-30 over to March; a round trip catches it.
    same = pc.fill_null(pc.equal(pc.strftime(ts, format="%Y-%m-%d"), text), False)
    bad = ~blank(text) & ~np_bool(same)
    problems = [Problem(int(i), text[int(i)].as_py(), _("`{value}` is not a date", value=text[int(i)].as_py()),
                        _("write dates as YYYY-MM-DD")) for i in np.flatnonzero(bad)]
    values = to_objects(text)
    values[bad] = None
    return Checked(values, problems)


def to_objects(text: pa.Array, repeats: bool = False) -> np.ndarray:
    """Text as an object array with None for missing (empty text is missing).  A column of few
    distinct values (``repeats``: agencies, categories) is made through its dictionary: one
    Python string per distinct value, shared by its rows (half the time, and less memory)."""
    cleaned = text if pa.types.is_dictionary(text.type) else _cleaned(text)  # a dictionary: already cleaned
    if repeats:
        if isinstance(cleaned, pa.ChunkedArray):
            cleaned = cleaned.combine_chunks()
        encoded = cleaned if pa.types.is_dictionary(cleaned.type) else pc.dictionary_encode(cleaned)
        words = np.append(encoded.dictionary.to_numpy(zero_copy_only=False).astype(object), None)
        at = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)
        return words.take(at)
    out = cleaned.to_numpy(zero_copy_only=False)
    return out if out.dtype == object else out.astype(object)


def _cleaned(text: pa.Array) -> pa.Array:
    """Text with empty cells as null (the cells are already trimmed)."""
    if text.null_count == 0 and not bool(pc.any(pc.equal(pc.utf8_length(text), 0)).as_py() or False):
        return text  # nothing empty: the same array, no copy
    return pc.if_else(pc.fill_null(pc.equal(text, ""), True), pa.scalar(None, pa.string()), text)


def np_bool(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
