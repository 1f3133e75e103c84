"""Syntax stage: text to AST.  The only package that touches lark.

``parse(text, path)`` returns a ``Module`` or raises ``KinerjaError`` with every
syntax and shape finding of the file (one per broken declaration, no cascades).
Modules: ``parser`` builds the lark parser once, ``errors`` words syntax errors
for policy officers, ``builder`` turns the parse tree into ``engine.nodes``.
"""

from __future__ import annotations

import re
from pathlib import Path

from lark import Tree
from lark.exceptions import UnexpectedInput, VisitError

from engine import nodes as n
from engine.diagnostics import KinerjaError, error
from engine.i18n import _
from engine.syntax.builder import Builder
from engine.syntax.errors import TOP_LEVEL, syntax_errors
from engine.syntax.parser import grammar_text, parser

__all__ = ["TOP_LEVEL", "grammar_text", "parse", "parse_file", "parser"]

def parse_file(path: str | Path, display: str | None = None) -> n.Module:
    return parse(read_text(path, display), display or str(path))


def read_text(path: str | Path, display: str | None = None) -> str:
    """A policy file's text; ``syntax.encoding`` when it is not UTF-8."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        span = n.Span(display or str(path), 1, 1, 1, 1)
        raise KinerjaError([error("syntax.encoding", _("file is not UTF-8 text ({reason})", reason=exc.reason),
                                  span, _("save the policy as UTF-8"))]) from None


def parse(text: str, path: str = "<string>") -> n.Module:
    """Parse one policy file into a ``Module``; raise ``KinerjaError`` on any finding."""
    try:
        tree = parser().parse(text)
    except UnexpectedInput:
        raise KinerjaError(syntax_errors(text, path)) from None
    _check_depth(tree, path)
    builder = Builder(path)
    try:
        items = builder.transform(tree)
    except VisitError as exc:  # a bug in the builder, not a user error
        raise exc.orig_exc from None
    diags = builder.diags + builder.unknown_calls(items)
    if diags:
        raise KinerjaError(sorted(diags, key=lambda d: (d.span.line, d.span.column)))
    span = n.Span(path, 1, 1, text.count("\n") + 1, 1)
    return n.Module(path, tuple(items), _comments(text, path), span=span)


MAX_DEPTH = 100  # nesting levels of the parse tree: deeper policies are refused before any recursion


def _check_depth(tree: Tree, path: str) -> None:
    """``syntax.too-deep`` at the first place the parse tree nests deeper than ``MAX_DEPTH`` (the
    builder, checker, formatter and evaluator walk expressions recursively)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            span = n.Span(path, getattr(meta, "line", 1), getattr(meta, "column", 1),
                          getattr(meta, "line", 1), getattr(meta, "column", 1))
            raise KinerjaError([error("syntax.too-deep",
                                      _("this expression nests more than {n} levels deep", n=MAX_DEPTH), span,
                                      _("split it into named `value`s, each a part of the whole"))])
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _comments(text: str, path: str) -> tuple[n.Comment, ...]:
    """Every ``#`` comment (outside quoted text), with its position, for the formatter."""
    out = []
    for m in re.finditer(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#[^\n]*', text):  # unrolled: no backtracking
        if m.group().startswith("#"):
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            out.append(n.Comment(m.group().rstrip(), span=n.Span(path, line, col, line, col + len(m.group()))))
    return tuple(out)
