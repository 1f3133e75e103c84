"""Building subject levels (``level ... { aggregate ... }``) from the parse tree: a mixin of ``Builder``."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from engine import nodes as n
from engine.diagnostics import Diagnostic, did_you_mean, error
from engine.i18n import _
from engine.levels.nodes import FUNCTIONS, TREATMENTS, Aggregate, Level

_ATTRS = ("missing", "require", "round", "roles")


@v_args(meta=True)
class LevelBuilder(Transformer):
    """``level``, ``aggregate`` and their attributes (see ``engine.levels.nodes``)."""

    path: str
    diags: list[Diagnostic]

    def _sp(self, meta: Any) -> n.Span:
        raise NotImplementedError  # Builder's

    def _name(self, tok: Token) -> dict[str, Any]:
        raise NotImplementedError  # Builder's

    def _ref(self, tok: Token) -> n.Ref:
        return n.Ref(tok.value, span=n.Span(self.path, tok.line or 0, tok.column or 0,
                                            tok.end_line or 0, tok.end_column or 0))

    def level(self, meta: Any, c: list[Any]) -> Level:
        name, label, of, by, role, *items = c
        return Level(name.value, _text(label), of, self._ref(by), role, tuple(items),
                     name_span=self._ref(name).span, span=self._sp(meta))

    def level_of(self, meta: Any, c: list[Any]) -> n.Ref:
        return self._ref(c[0])

    def level_role(self, meta: Any, c: list[Any]) -> n.Ref:
        return self._ref(c[0])

    def roles(self, meta: Any, c: list[Any]) -> tuple[str, tuple[n.Str, ...]]:
        return "roles", tuple(n.Str(t.value[1:-1], span=self._ref(t).span) for t in c)

    def member_aggregate(self, meta: Any, c: list[Any]) -> Aggregate:
        name, label, func, arg, *attrs = c
        kw: dict[str, Any] = {}
        for key, value in attrs:
            if key in kw:
                self.diags.append(error("syntax.duplicate-attribute", _("`{key}` is given twice", key=key),
                                        getattr(value, "span", n.NO_SPAN) if not isinstance(value, tuple)
                                        else value[0].span, _("keep one of them")))
            kw[key] = value
        self._check_function(func, arg)
        missing = kw.get("missing")
        if isinstance(missing, n.Missing) and missing.treatment not in TREATMENTS:
            self.diags.append(error("syntax.unknown-missing", _("`{word}` is not a treatment of a member without a "
                                                                "value", word=missing.treatment), missing.span,
                                    _("use one of: {values}", values="exclude, zero, value N, fail")))
        return Aggregate(**self._name(name), label=_text(label), func=func.value, arg=arg,
                         roles=kw.get("roles", ()), missing=missing, require=kw.get("require"),
                         round=kw.get("round"), span=self._sp(meta))

    def _check_function(self, func: Token, arg: n.Node | None) -> None:
        span = self._ref(func).span
        if func.value not in FUNCTIONS:
            self.diags.append(error("syntax.member-function", _("`{name}` does not aggregate members", name=func.value),
                                    span, did_you_mean(func.value, FUNCTIONS) or
                                    _("use one of: {values}", values=", ".join(FUNCTIONS))))
        elif arg is None and func.value != "count":
            self.diags.append(error("syntax.aggregate-form",
                                    _("`{name}()` needs the member value it reads", name=func.value), span,
                                    _("write `{name}(NAME)` with a name of the member level", name=func.value)))
        elif arg is not None and not _member_form(func.value, arg):
            takes = _("`{name}(...)` takes one member name or a condition on one, e.g. `{name}(predikat in "
                      "(\"Baik\"))` or `{name}(nilai >= 90)`") if func.value in ("share", "count") else \
                _("`{name}(...)` takes one member name, e.g. `mean(nilai)`")
            self.diags.append(error("syntax.aggregate-form", takes.format(name=func.value),
                                    getattr(arg, "span", span), _("compute anything else as a `value` of the "
                                                                  "member level and aggregate that")))


def _member_form(func: str, arg: n.Node) -> bool:
    """``mean(NAME)``; ``share`` and ``count``: also ``NAME in (literals)`` or ``NAME op literal``."""
    if isinstance(arg, n.Ref):
        return True
    if func not in ("share", "count"):
        return False
    literal = (n.Num, n.Str, n.Bool)
    if isinstance(arg, n.InList):
        return isinstance(arg.operand, n.Ref) and all(isinstance(o, literal) for o in arg.options)
    if isinstance(arg, n.Binary) and arg.op in ("<", "<=", ">", ">=", "==", "!="):
        return isinstance(arg.left, n.Ref) and isinstance(arg.right, (*literal, n.Unary))
    return False


def _text(tok: Token | None) -> str | None:
    import re

    return re.sub(r"\\(.)", r"\1", tok.value[1:-1]) if tok is not None else None
