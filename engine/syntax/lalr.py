"""The lark parser for the Kinerja grammar, built once per process (lark's cache on disk)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark


def grammar_text() -> str:
    """The grammar shipped with the package (``grammar/kinerja.lark``)."""
    local = Path(__file__).resolve().parents[2] / "grammar" / "kinerja.lark"
    if local.is_file():
        return local.read_text(encoding="utf-8")
    return resources.files("grammar").joinpath("kinerja.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", strict=True, propagate_positions=True,
                maybe_placeholders=True, cache=True)
