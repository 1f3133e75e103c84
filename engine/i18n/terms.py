"""The policy language's kinds of declaration as a reader names them, shared by the parser's and
the checker's messages: ``indicator``/``indikator``, ``an input``/``masukan (`input`)``."""

from __future__ import annotations

from engine.i18n import N_, _

NOUNS = {"indicator": N_("indicator"), "input": N_("input"), "value": N_("value"), "group": N_("group"),
          "rating": N_("rating"), "table": N_("table"), "quota": N_("quota"), "scorecard": N_("scorecard"),
          "perspective": N_("perspective"), "objective": N_("objective"), "declaration": N_("declaration"),
          # the other things a policy diff names (engine.diff.structure's Change.what)
          "leaf": N_("scorecard member"), "band": N_("band"), "row": N_("table row"), "rule": N_("quota rule"),
          "constraint": N_("constraint"), "file": N_("policy file"), "policy": N_("policy"), "agency": N_("agency")}
_A_NOUNS = {"indicator": N_("an indicator"), "input": N_("an input"), "value": N_("a value"), "group": N_("a group"),
            "rating": N_("a rating"), "table": N_("a table"), "quota": N_("a quota"), "scorecard": N_("a scorecard"),
            "perspective": N_("a perspective"), "objective": N_("an objective"),
            "declaration": N_("a declaration")}
_A_TYPED_INPUT = {"number": N_("a number input"), "boolean": N_("a boolean input"), "text": N_("a text input"),
                  "category": N_("a category input")}


def noun(kind: str) -> str:
    """``indicator`` / ``indikator`` (``kind`` is the language's word: indicator, perspective...)."""
    return _(NOUNS[kind])


def a_noun(kind: str, input_type: str | None = None) -> str:
    """With its article: ``an indicator``; ``a text input`` when ``input_type`` is given."""
    return _(_A_TYPED_INPUT[input_type]) if input_type is not None else _(_A_NOUNS[kind])


def named(kind: str, name: str) -> str:
    """A declaration by kind and name: ``indicator `x``` / ``indikator `x```."""
    return _("{kind} `{name}`", kind=noun(kind), name=name)


# The methods a policy names (``aggregate mean``, ``score ratio``) as a sentence says them, before the
# keyword itself as code: ``rata-rata berbobot (`mean`)``.
METHODS = {"mean": N_("weighted mean"), "sum": N_("weighted sum"), "geometric": N_("weighted geometric mean"),
           "harmonic": N_("weighted harmonic mean"), "min": N_("minimum"), "max": N_("maximum"),
           "ratio": N_("ratio"), "progress": N_("progress"), "goalposts": N_("goalposts"),
           "raw": N_("the realisation as it is"), "formula": N_("formula"), "piecewise": N_("piecewise")}


def in_words(words: str, code: str) -> str:
    """A policy keyword in the reader's ``words`` (already translated), then as written, as code:
    ``rata-rata berbobot (`mean`)``; only the code when the words would repeat it (English ``ratio``)."""
    return f"`{code}`" if words == code else f"{words} (`{code}`)"


_AS_WRITTEN = {"raw": "score raw"}  # alone, `raw` would read as the function raw(x)


def method_words(keyword: str) -> str:
    """An aggregation or scoring method in words and as written, as code."""
    code = _AS_WRITTEN.get(keyword, keyword)
    return in_words(_(METHODS[keyword]), code) if keyword in METHODS else f"`{code}`"


# What a row of data is (``subject employee``), as a sentence names a level's members.
SUBJECTS = {"employee": N_("employee"), "unit": N_("unit"), "agency": N_("agency"), "subject": N_("subject")}


def members_word(of: str) -> str:
    """What a level's members are: a kind of subject in words (``pegawai``), else the lower level's
    name, as code (``unit``)."""
    return _(SUBJECTS[of]) if of in SUBJECTS else f"`{of}`"
