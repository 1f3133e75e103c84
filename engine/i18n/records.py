"""Texts that remember how they were made, so that a stored one is shown again in another language.

A text written now is in the language of the moment; one that is stored (a submission's reject
reasons, warnings and quota messages) is read later by someone who may read the other language.
Inside ``recording()``, ``_()`` and ``ngettext()`` return a ``Recorded`` text: the text itself (a
``str``, usable everywhere a text is) carrying its ``record``, the message id (the catalogue's
stable key: its English template), the plural and count for ``ngettext``, and the placeholder
values, a value that was itself a recorded text kept as its own record, and a number written for
people (``formats.format_number``) kept as its exact value, to be written in the reader's digits.
The record is plain JSON; ``shown()`` writes it again in the language in force.  A text composed outside the catalogue
(joined, formatted by hand) is not recorded: it is stored, and shown, as it was written.

    {"id": "`{value}` is not a number", "values": {"value": "banyak"}}
    {"id": "line {n}", "values": {"n": 5}}
    {"id": "share {share}%, limit {op} {limit}%", "values": {"share": {"number": "85.71", "places": null}, ...}}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.i18n import catalogue, language, recording

Record = dict[str, Any]
__all__ = ["REWRITES", "Record", "Recorded", "record_of", "recorded", "recorded_number", "recording", "rewritten",
           "shown"]


class Recorded(str):
    """A text and how it was made (``record``)."""

    record: Record

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (str(self), self.record))


def _rebuild(text: str, record: Record) -> Recorded:
    made = Recorded(text)
    made.record = record
    return made


def recorded(text: str, record: Record, values: Mapping[str, Any]) -> Recorded:
    """``text`` with its record: ``record`` (id, and plural and n) plus the encoded ``values``."""
    if values:
        record["values"] = {name: _encoded(v) for name, v in values.items()}
    return _rebuild(text, record)


def recorded_number(text: str, value: Any, places: int | None) -> Recorded:
    """A number written for people (``engine.i18n.formats.format_number``) with its exact value, to be
    written again in another language's digits."""
    exact = repr(float(value)) if isinstance(value, float) or _is_numpy_float(value) else str(value)
    return _rebuild(text, {"number": exact, "places": places})


def _is_numpy_float(value: Any) -> bool:
    return getattr(value, "dtype", None) is not None and getattr(value.dtype, "kind", "") == "f"


# Rewrites a text may get after it is made (named in its record as ``then``), redone when it is
# shown again: ``numbers`` writes every number of a sentence in the reader's digits.
REWRITES = {"numbers": ("engine.i18n.digits", "numbers")}


def rewritten(text: str, made: str, how: str) -> str:
    """``text``: ``made`` rewritten by ``how`` (one of ``REWRITES``), keeping ``made``'s record, so that
    the text shown again is made and then rewritten in the reader's language."""
    record = record_of(made)
    return text if record is None else _rebuild(text, {**record, "then": how})


def record_of(text: str | None) -> Record | None:
    """How ``text`` was made, or None (not recorded: composed by hand, or made outside ``recording``)."""
    return text.record if isinstance(text, Recorded) else None


def shown(record: Record | None, fallback: str | None) -> str | None:
    """The recorded text in the language in force; ``fallback`` (the text as stored) when there is no
    record, or the catalogue no longer has its message, or its values no longer fit it."""
    if record is None:
        return fallback
    try:
        return str(_decoded(record))
    except (KeyError, ValueError, TypeError, IndexError, InvalidOperation):
        return fallback


class _Unknown(KeyError):
    """A message id the catalogue of this language does not have (a message since reworded)."""


def _written(record: Record) -> str:
    msgid, words = record["id"], catalogue(language())
    if (msgid if "plural" not in record else (msgid, 0)) not in words._catalog:  # type: ignore[attr-defined]
        raise _Unknown(msgid)
    values = {name: _decoded(v) for name, v in record.get("values", {}).items()}
    if "plural" in record:
        n = int(record["n"])
        text = words.ngettext(msgid, record["plural"], n).format(**{**values, "n": n})
        return _then(record["then"], text) if "then" in record else text
    text = words.gettext(msgid)
    text = text.format(**values) if "values" in record else text  # as _() does: no values, no formatting
    return _then(record["then"], text) if "then" in record else text


def _then(how: str, text: str) -> str:
    import importlib

    module, name = REWRITES[how]
    return getattr(importlib.import_module(module), name)(text, language()) or text


def _encoded(value: Any) -> Any:
    """A placeholder value as JSON: a recorded text as its record, numbers and plain text as they are."""
    if isinstance(value, Recorded):
        return value.record
    if value is None or isinstance(value, bool | int | str):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    item = getattr(value, "item", None)  # a numpy scalar: the Python number it holds
    if callable(item) and getattr(value, "shape", None) == ():
        return _encoded(item())
    return str(value)


def _decoded(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "number" in value:
        from engine.i18n.formats import format_number

        return format_number(Decimal(value["number"]), value["places"])
    return Decimal(value["decimal"]) if "decimal" in value else _written(value)
