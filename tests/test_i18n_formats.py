"""engine.i18n.formats lays out finite numbers as Babel does, without loading Babel's locale data."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel.numbers import format_decimal, format_percent

from engine.i18n.formats import _rounded, format_number
from engine.i18n.formats import format_percent as our_percent


def _values() -> list[float | int | Decimal]:
    pick = random.Random(20261202)
    floats = [pick.uniform(-1e7, 1e7) for _ in range(300)] + [pick.uniform(-2, 2) for _ in range(300)]
    floats += [round(pick.uniform(-1e4, 1e4), pick.randint(0, 6)) for _ in range(300)]
    edges = [0, 0.0, -0.0, 1, -1, 5, 10, 999, 1000, -1000, 999999, 1000000, 12345678901, 0.5, 1.5, 2.5, -2.5,
             0.125, 2.675, 1.005, 94.03, 81.8181, 0.1 + 0.2, 1e-7, 1.23e-5, 1e15, 123456.789, 1e20, -0.001, 0.0049]
    decimals = [Decimal("1.50"), Decimal("-0.00"), Decimal("1234.5000"), Decimal("1E+3"), Decimal("0.000"),
                Decimal("-12345.6789"), Decimal("7")]
    return [*edges, *floats, *decimals, *[pick.randint(-10**9, 10**9) for _ in range(100)]]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_numbers_are_laid_out_as_babel_lays_them_out(lang: str) -> None:
    for value in _values():
        assert format_number(value, lang=lang) == format_decimal(value, locale=lang, decimal_quantization=False), value
        for places in range(5):
            pattern = "#,##0" + ("." + "0" * places if places else "")
            expected = format_decimal(_rounded(value, places), format=pattern, locale=lang)
            assert format_number(value, places, lang=lang) == expected, (value, places)
            expected = format_percent(_rounded(value, places + 2), format=pattern + "%", locale=lang)
            assert our_percent(value, places, lang=lang) == expected, (value, places)


def test_hand_computed_layouts() -> None:
    assert format_number(9900000, lang="id") == "9.900.000" and format_number(9900000, lang="en") == "9,900,000"
    assert format_number(94.03, lang="id") == "94,03" and format_number(2.675, 2, lang="en") == "2.68"  # half up
    assert format_number(-0.001, 2, lang="id") == "-0,00"  # Babel keeps the sign of a value rounded to zero
    assert our_percent(0.818181, 2, lang="id") == "81,82%" and our_percent(0.35, lang="en") == "35%"


def test_what_is_not_finite_is_babels() -> None:
    for value, lang in ((float("nan"), "id"), (float("inf"), "en"), (float("-inf"), "id")):
        assert format_number(value, lang=lang) == format_decimal(value, locale=lang, decimal_quantization=False)
