"""Syntax stage: text to AST.  The only package that touches lark.

``parse(text, path)`` returns a ``Module`` or raises ``KinerjaError`` with every
syntax and shape finding of the file (one per broken declaration, no cascades).
Modules: ``lalr`` builds the lark parser once, ``errors`` words syntax errors
for policy officers, ``builder`` turns the parse tree into ``engine.nodes``,
``cache`` keeps files that parsed cleanly by content hash.  lark is imported only
when a file is actually parsed (a cached file needs none of it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import nodes as n
from engine.diagnostics import KinerjaError, error
from engine.i18n import _
from engine.syntax import cache

if TYPE_CHECKING:
    from lark import Tree

__all__ = ["TOP_LEVEL", "grammar_text", "parse", "parse_file", "parser"]


def __getattr__(name: str) -> Any:
    """``parser``, ``grammar_text`` and ``TOP_LEVEL`` import lark: loaded on first use."""
    if name in ("parser", "grammar_text"):
        from engine.syntax import lalr as module
        return getattr(module, name)
    if name == "TOP_LEVEL":
        from engine.syntax.errors import TOP_LEVEL
        return TOP_LEVEL
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    module = cache.load(text, path)
    if module is None:
        module = _parse(text, path)
        cache.store(text, path, module)
    return module


def _parse(text: str, path: str) -> n.Module:
    from lark.exceptions import UnexpectedInput, VisitError

    from engine.syntax.builder import Builder
    from engine.syntax.errors import syntax_errors
    from engine.syntax.lalr import parser

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
    from lark import Tree

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
