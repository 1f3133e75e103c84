"""Numbers in the reader's language inside displayed text, digit for digit.

Text meant for people is built with numbers as the arithmetic reader (``engine.explain.arith``) and
the policy language write them (``94.03``, ``9900000``, ``75_000``).  For a reader of Bahasa
Indonesia every such number is rewritten with the Indonesian format (``94,03``, ``9.900.000``,
``75.000``), keeping exactly the decimals shown (``83,00``), so every line can still be redone by
hand from its own digits.  Only numbers are rewritten: quoted strings (``"Baik"``), code in
backticks, names (``iku_1``, ``bakamla-0001``) and file positions (``kemenkeu.kin:13``) are left as
they are.  Explanations, documents, graphs and reject reasons use it (``engine.explain.localize``
applies it to an explanation); it imports nothing heavy, so a data check that words a reject
pays for no explainer.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from engine.i18n.formats import format_number

# A quoted string or code span (kept), else a number that is not part of a name, a path or a position.
_SPAN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|(?<![\w.:/])(?<!\w-)(\d[\d_]*(?:\.\d+)?)(?!\w|\.\w)')


@lru_cache(maxsize=1 << 16)  # a pure function of its text; an explanation shows the same numbers again and again
def number(shown: str, lang: str) -> str:
    """One displayed number (``94.03``, ``75_000``) in ``lang``'s format, its decimals kept."""
    if lang == "en":
        return shown
    digits = shown.replace("_", "")
    whole, decimals = digits.partition(".")[::2]
    if lang == "id":  # Babel's Indonesian format written out (dots group threes, a decimal comma): tested equal
        return f"{int(whole):,}".replace(",", ".") + ("," + decimals if decimals else "")
    return format_number(Decimal(digits), len(decimals), lang)


@lru_cache(maxsize=1 << 16)  # pure; shown values, rule values and many lines repeat from subject to subject
def numbers(text: str | None, lang: str) -> str | None:
    """``text`` with every number in it shown in ``lang``'s format."""
    if text is None or lang == "en":
        return text
    return _SPAN.sub(lambda m: m.group(0) if m.group(1) is None else number(m.group(1), lang), text)
