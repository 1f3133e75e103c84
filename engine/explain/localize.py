"""The numbers of displayed text in the reader's language, digit for digit.

An explanation is built with numbers as the arithmetic reader (``arith``) and the
policy language write them (``94.03``, ``9900000``, ``75_000``): that is what
``numbers.fit`` checks while choosing how many digits an operand needs.  For a
reader of Bahasa Indonesia every such number is then rewritten with Babel's
Indonesian format (``94,03``, ``9.900.000``, ``75.000``), keeping exactly the
decimals shown (``83,00``), so every line can still be redone by hand from its
own digits; ``arith.value(..., lang="id")`` reads them back.

Only numbers are rewritten: quoted strings (``"Baik"``), code in backticks
(```missing zero```), names (``iku_1``, ``bakamla-0001``) and file positions
(``kemenkeu.kin:13``) are left as they are.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from engine.explain.model import Explanation, NodeExplanation
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


def explanation(ex: Explanation) -> Explanation:
    """``ex`` with the numbers of every display line in its own language (built in English form)."""
    for node in ex.walk():
        localize_node(node, ex.lang)
    return ex


def localize_node(node: NodeExplanation, lang: str) -> None:
    """The numbers of one node's display lines (not its children's) in ``lang``'s format."""
    if lang == "en":
        return
    node.shown = numbers(node.shown, lang) or node.shown
    for attr in ("substituted", "raw_formula", "formula", "contribution_formula", "band_reason", "gap_formula"):
        setattr(node, attr, numbers(getattr(node, attr), lang))
    node.lookups = [numbers(x, lang) or x for x in node.lookups]
