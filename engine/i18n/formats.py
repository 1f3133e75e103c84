"""Numbers, percentages and dates as a reader of each language expects them (Babel's CLDR data).

Indonesian: ``94,03``, ``9.900.000``, ``35%``, ``1 Desember 2026``; English: ``94.03``,
``9,900,000``, ``35%``, ``1 December 2026``.  Only text meant for people uses these: machine
outputs (CSV, JSON, Parquet, SARIF) keep plain machine formats in both languages.  Babel is
imported on first use, so start-up does not pay for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from engine.i18n import is_recording, language

Number = int | float | Decimal


def format_number(value: Number, places: int | None = None, lang: str | None = None) -> str:
    """``value`` with the language's decimal and group marks; ``places`` fixes the decimals shown
    (rounded half away from zero on the decimal value), else as many as the value has."""
    from babel.numbers import format_decimal

    if places is None:
        text = format_decimal(value, locale=lang or language(), decimal_quantization=False)
    else:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        text = format_decimal(_rounded(value, places), format=pattern, locale=lang or language())
    if lang is None and is_recording():  # a number in a stored text: written again in the reader's digits
        from engine.i18n.records import recorded_number

        return recorded_number(text, value, places)
    return text


def format_percent(value: Number, places: int = 0, lang: str | None = None) -> str:
    """A fraction as a percentage: 0.35 -> ``35%``, 0.9403 (places 2) -> ``94,03%`` in Indonesian."""
    from babel.numbers import format_percent as babel_percent

    pattern = "#,##0" + ("." + "0" * places if places else "") + "%"
    return babel_percent(_rounded(value, places + 2), format=pattern, locale=lang or language())


def format_date(value: dt.date, lang: str | None = None) -> str:
    """A date in words: ``1 Desember 2026`` / ``1 December 2026``."""
    from babel.dates import format_date as babel_date

    return babel_date(value, format="d MMMM y", locale=lang or language())


def format_moment(value: dt.datetime, lang: str | None = None) -> str:
    """A date and time of day: ``1 Desember 2026 14.05`` / ``1 December 2026 2:05 PM`` (the language's
    short time)."""
    from babel.dates import format_time

    lang = lang or language()
    return f"{format_date(value, lang)} {format_time(value, format='short', locale=lang)}"


def _rounded(value: Number, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals (Babel's own rounding is half even);
    a float through its shortest repr, so 2.675 rounds as the decimal 2.675 a reader sees."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
