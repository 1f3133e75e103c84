"""Redo the arithmetic an explanation displays, from its text alone, in exact decimals.

An explanation line claims ``EXPR = RESULT``; :func:`value` evaluates ``EXPR`` as
written (numbers as decimals, ``60%`` as 0.6, in English form ``9900000.5`` or, with
``lang="id"``, Babel's Indonesian form ``9.900.000,5``; ``×``/``*``, ``−``/``-``, ``/``,
``^``, comparisons, ``and``/``or``/``not``, ``if .. then .. else``, ``x in (..)``,
``min``/``max``/``clip``/``abs``/``round``/``sum``/``mean``/``mean_present``/``ln``/``exp``/
``sqrt``/``log10``/``pow``, strings, ``—`` or ``missing`` for a missing value;
a division by zero has no value, as in the evaluator)
and :func:`agrees` says whether it gives ``RESULT`` at the precision shown.  The
explanation builder uses it to choose how many digits an operand needs; the
test suite uses it to redo every line of every explanation.  This is a reader
of displayed text, not a policy evaluator: it never sees a policy file.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache

Val = Decimal | str | bool | None

_REST = r'|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z_0-9]*)|(<=|>=|==|!=|[-−+×*/^(),<>—]))'
# A number as this reader displays it: English ``9900000.5`` (or a policy literal ``75_000``), or
# Indonesian ``9.900.000,5`` (dots group thousands; the decimal comma is never followed by a space,
# a list's comma always is).
_NUMBER = {"en": r"(\d[\d_]*(?:\.\d+)?%?)", "id": r"(\d{1,3}(?:\.\d{3})+(?:,\d+)?%?|\d+(?:,\d+)?%?)"}
_TOKEN = {lang: re.compile(r"\s*(?:" + number + _REST) for lang, number in _NUMBER.items()}
# Every token in one group (a number is the token that starts with a digit), else one character
# no token starts with in a second group: one ``findall`` reads a whole line.
_ALL = {lang: re.compile(r"\s*(?:(" + number[1:-1] + r'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z_0-9]*|<=|>=|==|!=|'
                         r"[-−+×*/^(),<>—])|(.))") for lang, number in _NUMBER.items()}
_PREC = 40


class ArithError(ValueError):
    """The text is not arithmetic this reader understands."""


def tokens(text: str, lang: str = "en") -> list[str]:
    """The tokens of ``text``, each number in the English form whatever ``lang`` displayed it in."""
    found = _ALL[lang].findall(text.rstrip())
    if any(bad for _, bad in found):
        raise ArithError(f"cannot read {_unread(text.rstrip(), lang)!r}")
    if lang == "en":
        return [t for t, _ in found]
    return [canonical(t, lang) if t[0].isdigit() else t for t, _ in found]


def _unread(text: str, lang: str) -> str:
    """The text from the first character no token reads."""
    pos = 0
    for m in _TOKEN[lang].finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
    return text[pos:]


def canonical(shown: str, lang: str = "en") -> str:
    """A displayed number in the English form: ``9.900.000,5`` (``lang="id"``) is ``9900000.5``."""
    return shown.replace(".", "").replace(",", ".") if lang == "id" else shown


def value(text: str, lang: str = "en") -> Val:
    """The value of displayed arithmetic ``text``: computed with 40 significant digits and
    given to 30, so an inexact division (1 / 3 × 3) is not a hair off a half-way point.

    The text's shape (its tokens with every number replaced by ``#``) is compiled once into a
    function of its numbers: an explanation's lines repeat a few shapes with other numbers."""
    toks = tokens(text, lang)
    nums = [t for t in toks if t[0].isdigit()]
    shape = tuple("#" if t[0].isdigit() else t for t in toks)
    with localcontext() as ctx:
        ctx.prec = _PREC
        out = _compiled(shape)(nums)
        ctx.prec = _PREC - 10
        return +out if isinstance(out, Decimal) else out


@lru_cache(maxsize=1 << 12)
def _compiled(shape: tuple[str, ...]) -> Callable[[list[str]], Val]:
    p = _Parser(list(shape))
    out = p.expr(0)
    if p.i != len(p.t) - 1:
        raise ArithError(f"unexpected {p.t[p.i]!r} in {' '.join(shape)!r}")
    return out


def decimals(shown: str, lang: str = "en") -> int:
    """How many decimals a displayed number has."""
    shown = canonical(shown, lang)
    return len(shown.split(".")[1]) if "." in shown else 0


@lru_cache(maxsize=1 << 14)  # a pure function of its arguments; explaining many subjects repeats lines
def agrees(expr: str, shown: str, digits: int, lang: str = "en") -> bool:
    """Does ``expr`` give the displayed ``shown`` when rounded half away from zero to
    ``max(digits, decimals(shown))`` decimals?  A displayed string must match exactly."""
    try:
        got = value(expr, lang)
    except (ArithError, InvalidOperation, ZeroDivisionError, ValueError, TypeError):
        return False
    if shown.startswith('"'):
        return got == shown[1:-1]
    if shown == "—":
        return got is None
    if isinstance(got, bool):  # a truth value is stored as 1 or 0
        got = Decimal(int(got))
    if not isinstance(got, Decimal):
        return False
    places = max(digits, decimals(shown, lang))
    return round_half(got, places) == Decimal(canonical(shown, lang).replace("−", "-"))


def round_half(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


_BINARY = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4,
           "+": 5, "-": 5, "−": 5, "*": 6, "×": 6, "/": 6, "^": 8}


Fn = Callable[[list[str]], Val]  # a compiled piece of arithmetic: its value from the text's numbers


def _const(x: Val) -> Fn:
    return lambda v: x


class _Parser:
    """Compiles a shape's tokens (numbers as ``#``, the ``k``-th standing for the ``k``-th number)
    into a function of the numbers; it evaluates every operand left to right, as written."""

    def __init__(self, t: list[str]):
        self.t, self.i, self.k = [*t, None], 0, 0  # ends in None: peek needs no bounds check

    def peek(self) -> str | None:
        return self.t[self.i]

    def take(self, want: str | None = None) -> str:
        tok = self.t[self.i]
        if tok is None or (want is not None and tok != want):
            raise ArithError(f"expected {want or 'more'}, got {'a number' if tok == '#' else repr(tok)}")
        self.i += 1
        return tok

    def expr(self, floor: int) -> Fn:
        left = self.unary()
        while (op := self.peek()) in _BINARY and _BINARY[op] > floor:
            self.take()
            if op == "in":
                left = (lambda a, g: lambda v: _in(a(v), [x(v) for x in g]))(left, self.group())
                continue
            right = self.expr(_BINARY[op] - (1 if op == "^" else 0))
            if op in _ARITH:  # the common case, without _apply's dispatch
                left = (lambda f, a, b: lambda v: _arith(f, a(v), b(v)))(_ARITH[op], left, right)
            else:
                left = (lambda o, a, b: lambda v: _apply(o, a(v), b(v)))(op, left, right)
        return left

    def unary(self) -> Fn:
        tok = self.peek()
        if tok in ("-", "−"):
            self.take()
            x = self.expr(7)
            return lambda v: _negate(x(v))
        if tok == "not":
            self.take()
            x = self.expr(3)
            return lambda v: _not(x(v))
        return self.atom()

    def group(self) -> list[Fn]:
        self.take("(")
        out = [self.expr(0)]
        while self.peek() == ",":
            self.take()
            out.append(self.expr(0))
        self.take(")")
        return out

    def atom(self) -> Fn:
        tok = self.take()
        if tok == "#":
            k, self.k = self.k, self.k + 1
            return lambda v: _number(v[k])
        if tok[0] == '"':
            return _const(tok[1:-1].replace('\\"', '"'))
        if tok in ("—", "missing"):
            return _const(None)
        if tok in ("true", "false"):
            return _const(tok == "true")
        if tok == "(":
            x = self.expr(0)
            self.take(")")
            return x
        if tok == "if":
            cond = self.expr(0)
            self.take("then")
            then = self.expr(0)
            self.take("else")
            other = self.expr(0)
            return lambda v: _choose(cond(v), then(v), other(v))
        if tok in _FUNCS:
            args = self.group()
            return lambda v: _call(tok, [a(v) for a in args])
        raise ArithError(f"unknown word {tok!r}")


def _number(tok: str) -> Decimal:
    tok = tok.replace("_", "")  # a policy literal as written: 75_000
    return Decimal(tok[:-1]) / 100 if tok.endswith("%") else Decimal(tok)


def _negate(x: Val) -> Val:
    return None if x is None else -_num(x)


def _not(x: Val) -> Val:
    return None if x is None else not x


def _choose(cond: Val, then: Val, other: Val) -> Val:
    return None if cond is None else (then if cond else other)


def _num(x: Val) -> Decimal:
    if isinstance(x, bool):
        return Decimal(int(x))
    if not isinstance(x, Decimal):
        raise ArithError(f"{x!r} is not a number")
    return x


_ARITH: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add, "-": operator.sub, "−": operator.sub, "*": operator.mul, "×": operator.mul}


def _arith(f: Callable[[Decimal, Decimal], Decimal], a: Val, b: Val) -> Val:
    """``_apply`` of an operator of ``_ARITH``."""
    return None if a is None or b is None else f(_num(a), _num(b))


def _apply(op: str, a: Val, b: Val) -> Val:
    if op in ("and", "or"):
        if op == "and" and (a is False or b is False):
            return False
        if op == "or" and (a is True or b is True):
            return True
        return None if a is None or b is None else (op == "and")
    if a is None or b is None:
        return None
    if op in ("==", "!="):
        same = a == b if isinstance(a, str) or isinstance(b, str) else _num(a) == _num(b)
        return same if op == "==" else not same
    x, y = _num(a), _num(b)
    if op in ("<", "<=", ">", ">="):
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    if op == "+":
        return x + y
    if op in ("-", "−"):
        return x - y
    if op in ("*", "×"):
        return x * y
    if op == "/":
        return None if y == 0 else x / y  # no value: the evaluator records a division by zero
    return _power(x, y)


def _power(x: Decimal, y: Decimal) -> Decimal:
    if y == y.to_integral_value():
        return x ** int(y)
    return (y * x.ln()).exp() if x > 0 else x ** y


def _in(x: Val, options: list[Val]) -> Val:
    if x is None:
        return None
    return any(x == o if isinstance(x, str) or isinstance(o, str) else _num(x) == _num(o) for o in options)


def _call(f: str, args: list[Val]) -> Val:
    if f == "mean_present":  # the mean of the arguments that have a value
        args = [a for a in args if a is not None]
        f = "mean"
    if not args or any(a is None for a in args):
        return None
    xs = [_num(a) for a in args]
    return _FUNCS[f](xs)


_FUNCS = {
    "min": min, "max": max, "sum": sum,
    "mean": lambda xs: sum(xs) / len(xs),
    "mean_present": lambda xs: sum(xs) / len(xs),
    "clip": lambda xs: min(max(xs[0], xs[1]), xs[2]),
    "abs": lambda xs: abs(xs[0]),
    "round": lambda xs: round_half(xs[0], int(xs[1])),
    "ln": lambda xs: xs[0].ln(),
    "log10": lambda xs: xs[0].log10(),
    "exp": lambda xs: xs[0].exp(),
    "sqrt": lambda xs: xs[0].sqrt(),
    "pow": lambda xs: _power(xs[0], xs[1]),
}
