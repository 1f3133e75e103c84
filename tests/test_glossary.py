"""The Indonesian catalogue uses the regulations' words of docs/glossary.md: every message whose
English text uses a glossary term translates it with the term's Indonesian word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.i18n.catalog import read

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| ([a-z][a-z ,]*) \| ([a-z][a-z /]*) \|", re.M)

# Messages where a glossary word is not the glossary's term, each with the reason.
EXCEPTIONS = {
    "`{word}` is not a known hit policy": "`hit policy` is the decision-table term (aturan pencocokan), not a policy",
    "Hit policy: {hit}.": "`hit policy` is the decision-table term (aturan pencocokan), not a policy",
    "With --node: subject (default), agency, or a text/category input.": "option values, written as typed",
}


def glossary() -> dict[str, tuple[str, ...]]:
    """English term (each of a comma list) -> the accepted Indonesian words."""
    out = {}
    for english, indonesian in ROW.findall((ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")):
        for term in english.split(","):
            out[term.strip()] = tuple(w.strip() for w in indonesian.split("/"))
    return out


def _prose(msgid: str) -> str:
    """The words of a message: placeholders and `code` spans removed."""
    return re.sub(r"`[^`]*`|\{[^{}]*\}", " ", msgid)


def test_the_glossary_has_the_issue_terms() -> None:
    terms = glossary()
    for term, word in [("weight", "bobot"), ("rating", "predikat"), ("agency", "instansi"), ("employee", "pegawai"),
                       ("achievement", "capaian"), ("realisation", "realisasi"), ("contribution", "kontribusi"),
                       ("perspective", "perspektif"), ("objective", "sasaran"), ("rejected", "ditolak")]:
        assert word in terms[term]


def test_the_glossary_has_the_analysis_terms() -> None:
    """The words of benchmark, sensitivity and the report's rank intervals (issue 14's analyses)."""
    terms = glossary()
    for term, word in [("peer group", "kelompok sejawat"), ("rank", "peringkat"), ("percentile", "persentil"),
                       ("seed", "benih"), ("baseline", "nilai dasar")]:
        assert word in terms[term]


@pytest.mark.parametrize("term", sorted(glossary()))
def test_the_catalogue_uses_the_glossary_term(term: str) -> None:
    words = glossary()[term]
    pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.I)
    wrong = [(m.id, m.string) for m in read("id") if isinstance(m.id, str) and m.id not in EXCEPTIONS
             and pattern.search(_prose(m.id)) and not any(w in m.string.lower() for w in words)]
    assert wrong == []


def test_a_wrong_term_is_caught() -> None:
    pattern = re.compile(r"(?<![\w-])weight(?![\w-])", re.I)
    assert pattern.search(_prose("the weight of `x`")) and not pattern.search(_prose("`weight` {weight}"))
