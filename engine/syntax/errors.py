"""Syntax errors in words a policy officer understands, one per broken declaration."""

from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from engine import nodes as n
from engine.diagnostics import Diagnostic, did_you_mean, error
from engine.i18n import N_, _
from engine.syntax.lalr import parser as _parser

TOP_LEVEL = ("policy", "period", "subject", "indicator", "input", "value", "scorecard",
             "rating", "table", "quota", "constraint", "agency", "benchmark")
MAX_SYNTAX_ERRORS = 20


def syntax_errors(text: str, path: str) -> list[Diagnostic]:
    """Parse, and on an error report it and resume at the next top-level line.

    Everything before the resume point is blanked (newlines kept) so positions
    stay true; so each broken declaration gives one diagnostic.
    """
    diags: list[Diagnostic] = []
    offset = 0
    while len(diags) < MAX_SYNTAX_ERRORS:
        chunk = re.sub(r"[^\n]", " ", text[:offset]) + text[offset:]
        try:
            _parser().parse(chunk)
            return diags
        except UnexpectedInput as exc:
            diags.append(_describe(exc, chunk, path))
            offset = _resume_offset(text, exc)
            if offset is None:
                return diags
    return diags


def _resume_offset(text: str, exc: UnexpectedInput) -> int | None:
    start = text.find("\n", exc.pos_in_stream or 0) if exc.pos_in_stream is not None else -1
    if start < 0:
        return None
    pattern = re.compile(r"^({})\b".format("|".join(TOP_LEVEL)), re.M)
    m = pattern.search(text, start + 1)
    return m.start() if m else None


_WORDS = {
    "NAME": N_("a name"), "STRING": N_('a quoted text ("...")'), "NUMBER": N_("a number"),
    "PERCENT": N_("a percentage"), "DATE": N_("a date (YYYY-MM-DD)"),
    "LEVEL": N_("`perspective`, `objective` or `group`"), "SELF": N_("`value`, `target` or `baseline`"),
    "WILDCARD": "`_`", "$END": N_("the end of the file"),
}


def _word(term: str) -> str:
    if term in _WORDS:
        return _(_WORDS[term])
    for t in _parser().terminals:
        if t.name == term:
            return f"`{t.pattern.value}`" if t.pattern.type == "str" else term.lower()
    return term.lower()


def _expected(names: set[str]) -> list[str]:
    words = sorted({_word(t) for t in names if not t.startswith("__ANON") or True})
    return words


def _describe(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    line, col = exc.line if exc.line > 0 else 1, exc.column if exc.column > 0 else 1
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream]
        span = n.Span(path, line, col, line, col + 1)
        if ch == '"':
            return error("syntax.unclosed-string", _("text is not closed on this line"), span,
                         _('close it with `"` before the end of the line'))
        return error("syntax.bad-character", _("unexpected character `{char}`", char=ch), span,
                     _("remove it; comments start with `#`") if ch in "/;" else _("remove it or put it inside quotes"))
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        expected = _expected(set(getattr(exc, "expected", ()) or ()))
        last = text.rstrip()
        eline = last.count("\n") + 1
        ecol = len(last) - (last.rfind("\n") + 1) + 1
        span = n.Span(path, eline, max(1, ecol), eline, max(1, ecol) + 1)
        hint = _("a `{` block is not closed: add `}`") if "`}`" in expected else _expect_help(expected)
        return error("syntax.unexpected-end", _("the file ends in the middle of a declaration"), span, hint)
    assert isinstance(exc, UnexpectedToken)
    tok: Token = exc.token
    found = f"`{tok.value}`"
    span = n.Span(path, line, col, tok.end_line or line, tok.end_column or col + len(tok.value))
    expected = _expected(set(exc.expected))
    hint = None
    if tok.type == "NAME" or tok.value.isalpha():
        keywords = [w.strip("`") for w in expected if w.startswith("`")]
        hint = did_you_mean(tok.value, keywords)
    return error("syntax.unexpected", _("unexpected {found}; expected {expected}", found=found,
                                        expected=_or_list(expected)), span,
                 hint or _expect_help(expected))


def _or_list(words: list[str]) -> str:
    if len(words) > 8:
        return _("{words} or another keyword", words=", ".join(words[:8]))
    return words[0] if len(words) == 1 else _("{words} or {last}", words=", ".join(words[:-1]), last=words[-1])


def _expect_help(expected: list[str]) -> str | None:
    if "`}`" in expected:
        return _("check that every `{` has a matching `}` and each attribute starts with its keyword")
    return None
