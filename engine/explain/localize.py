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
(``kemenkeu.kin:13``) are left as they are.  The rewriting itself (``number``, ``numbers``) is
``engine.i18n.digits``: reject reasons use it too, without importing the explainer.
"""

from __future__ import annotations

from engine.explain.model import Explanation, NodeExplanation
from engine.i18n.digits import number, numbers

__all__ = ["explanation", "localize_node", "number", "numbers"]


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
