"""Numbers, percentages and dates as a reader of each language expects them (Babel's CLDR data).

Indonesian: ``94,03``, ``9.900.000``, ``35%``, ``1 Desember 2026``; English: ``94.03``,
``9,900,000``, ``35%``, ``1 December 2026``.  Only text meant for people uses these: machine
outputs (CSV, JSON, Parquet, SARIF) keep plain machine formats in both languages.  Babel is
imported on first use, so start-up does not pay for it.

A finite number is laid out here with the language's two marks (``MARKS``, CLDR's symbols as Babel
gives them) exactly as Babel lays out the patterns used (``#,##0.###`` with every decimal the value
has, ``#,##0.00``, ``#,##0%``): Babel's first number loads a whole locale's CLDR data (dates,
names, time zones), about a seventh of a small `kinerja eval`'s instructions when a quota message
shows a share.  tests/test_i18n_formats.py compares both over thousands of values; anything else
(NaN, infinity) is Babel's.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from engine.i18n import is_recording, language

Number = int | float | Decimal
MARKS = {"id": (",", "."), "en": (".", ",")}  # decimal and group symbols (CLDR, latn digits)


def format_number(value: Number, places: int | None = None, lang: str | None = None) -> str:
    """``value`` with the language's decimal and group marks; ``places`` fixes the decimals shown
    (rounded half away from zero on the decimal value), else as many as the value has."""
    text = _number_text(value, places, lang or language())
    if lang is None and is_recording():  # a number in a stored text: written again in the reader's digits
        from engine.i18n.records import recorded_number

        return recorded_number(text, value, places)
    return text


def _number_text(value: Number, places: int | None, lang: str) -> str:
    if places is not None:
        exact = _rounded(value, places)
    else:  # Babel's own conversion: a float through its repr
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
    if exact.is_finite():
        return _laid_out(exact, places, lang)
    from babel.numbers import format_decimal

    if places is None:
        return format_decimal(value, locale=lang, decimal_quantization=False)
    return format_decimal(exact, format="#,##0" + ("." + "0" * places if places else ""), locale=lang)


def format_percent(value: Number, places: int = 0, lang: str | None = None) -> str:
    """A fraction as a percentage: 0.35 -> ``35%``, 0.9403 (places 2) -> ``94,03%`` in Indonesian."""
    lang = lang or language()
    exact = _rounded(value, places + 2)
    if exact.is_finite():
        return _laid_out(exact.scaleb(2), places, lang) + "%"
    from babel.numbers import format_percent as babel_percent

    return babel_percent(exact, format="#,##0" + ("." + "0" * places if places else "") + "%", locale=lang)


def _laid_out(value: Decimal, places: int | None, lang: str) -> str:
    """A finite ``value`` as Babel lays out ``#,##0`` with ``places`` decimals (``None``: those the
    value has): the sign of a negative value (a negative zero included), groups of three, the decimals."""
    decimal_mark, group = MARKS[lang]
    magnitude = abs(value).normalize()
    shown = places if places is not None else max(0, -magnitude.as_tuple().exponent)  # type: ignore[operator]
    whole, _, fraction = f"{magnitude.quantize(Decimal(1).scaleb(-shown)):f}".partition(".")
    if places is None:
        fraction = fraction.rstrip("0")
    groups = [whole[max(0, end - 3):end] for end in range(len(whole), 0, -3)][::-1]
    return ("-" if value.is_signed() else "") + group.join(groups) + (decimal_mark + fraction if fraction else "")


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
