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
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").split("## Words the catalogue does not use")[0]
    for english, indonesian in ROW.findall(text):
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


AVOID = re.compile(r"^\| ([a-z][a-z -]*) \| ([a-z][a-z ]*) \|", re.M)


def avoided() -> dict[str, str]:
    """The words the catalogue does not use (docs/glossary.md, "Words the catalogue does not use")."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    section = text.split("## Words the catalogue does not use", 1)[1]
    return {bad: good for bad, good in AVOID.findall(section) if bad != "not"}  # not the header row


def _strings(message: object) -> tuple[str, ...]:
    string = message.string  # type: ignore[attr-defined]
    return string if isinstance(string, tuple) else (string,)


def test_the_avoided_words_are_listed() -> None:
    words = avoided()
    assert words["galat"] == "kesalahan" and words["file"] == "berkas" and len(words) >= 10


@pytest.mark.parametrize("word", sorted(avoided()))
def test_no_translation_uses_an_avoided_word(word: str) -> None:
    pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.I)
    wrong = [(m.id, s) for m in read("id") if m.id for s in _strings(m) if pattern.search(_prose(s))]
    assert wrong == []


def test_an_avoided_word_is_caught_in_prose_only() -> None:
    pattern = re.compile(r"(?<![\w-])galat(?![\w-])", re.I)
    assert pattern.search(_prose("Galat internal")) and not pattern.search(_prose("`galat` {galat}"))
