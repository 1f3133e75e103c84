"""Policy expressions over whole columns: arithmetic, logic, choices and functions.

A column is a float64 array (numbers; booleans as 1.0/0.0), an object array
(labels, categories, text; ``None`` when missing) or a scalar (a literal, kept
scalar so constants cost nothing).  Missing propagates: NaN through arithmetic,
``None`` through labels.  ``and``/``or`` use three-valued logic (false and
missing is false; true or missing is true).  A division by zero yields missing
and records ``eval.division-by-zero`` for the rows that actually take that
branch (see ``Recorder``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate.events import Recorder
from engine.evaluate.exprtext import to_text
from engine.i18n import N_, _

Col = np.ndarray | float | str
Lookup = Callable[[str], Col]


ARITHMETIC: dict[str, np.ufunc] = {"+": np.add, "-": np.subtract, "*": np.multiply}

class ExprError(Exception):
    """An expression the checker should have refused (a bug, not a user error)."""


def is_obj(x: object) -> bool:
    return isinstance(x, str) or (isinstance(x, np.ndarray) and x.dtype == object)


def obj_missing(x: np.ndarray) -> np.ndarray:
    return np.equal(x, None)


def full(x: Col, size: int) -> np.ndarray:
    """A column of length ``size`` (scalars broadcast)."""
    if isinstance(x, np.ndarray) and x.shape == (size,):
        return x
    if is_obj(x):
        out = np.empty(size, dtype=object)
        out[:] = x
        return out
    return np.full(size, float(x), dtype=np.float64) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


def truth(x: Col, size: int) -> np.ndarray:
    """Where a condition column is definitely true (missing counts as not true)."""
    return np.broadcast_to(np.asarray(x, dtype=np.float64) == 1.0, (size,))


class Evaluator:
    """Evaluates expressions for one step; names resolve through ``lookup`` and ``raw``.

    ``group`` evaluates ``share``/``count`` when the expression runs per group
    (quotas); elsewhere those functions are errors.  ``call`` evaluates a call of a
    declaration used as a function (a table on named inputs).
    """

    def __init__(self, lookup: Lookup, raw: Lookup, rec: Recorder, size: int,
                 group: Callable[[n.Call], Col] | None = None,
                 call: Callable[[n.Call, list[Col], int], Col] | None = None):
        self.lookup = lookup
        self.raw = raw
        self.rec = rec
        self.n = size
        self.group = group
        self.call = call  # a declaration called as a function (a table)

    def __call__(self, expr: n.Node) -> Col:
        return self.ev(expr)

    def ev(self, e: n.Node) -> Col:
        if isinstance(e, (n.Num, n.Str, n.Bool)):
            return literal(e)  # type: ignore[return-value]
        if isinstance(e, n.Ref):
            return self.lookup(e.name)
        if isinstance(e, n.Unary):
            return self._unary(e)
        if isinstance(e, n.Binary):
            return self._binary(e)
        if isinstance(e, n.IfElse):
            return self._if(e)
        if isinstance(e, n.InList):
            return self._in(e)
        if isinstance(e, n.Call):
            return self._call(e)
        if isinstance(e, n.Absent):  # `missing`: no value by rule, recorded for the rows that take it
            self.rec.no_value(np.ones(self.n, dtype=bool),
                              _("no value by rule: `missing` at line {line}", line=e.span.line))
            return np.nan
        raise ExprError(f"cannot evaluate {type(e).__name__}")

    # ------------------------------------------------------------ operators

    def _unary(self, e: n.Unary) -> Col:
        x = self._number(self.ev(e.operand), e)
        if e.op == "-":
            return -x
        x_ = np.asarray(x, dtype=np.float64)
        return np.where(np.isnan(x_), np.nan, (x_ != 1.0).astype(np.float64))

    def _binary(self, e: n.Binary) -> Col:
        if e.op in ("and", "or"):
            return self._logic(e)
        a, b = self.ev(e.left), self.ev(e.right)
        if e.op in ("==", "!="):
            if is_obj(a) or is_obj(b):
                out = self._obj_eq(a, b)
                return out if e.op == "==" else np.where(np.isnan(out), np.nan, 1.0 - out)
            return num.COMPARE[e.op](a, b)
        a, b = self._number(a, e), self._number(b, e)
        if e.op in num.COMPARE:
            return num.COMPARE[e.op](a, b)
        if e.op in ARITHMETIC:
            return self.arith(ARITHMETIC[e.op], a, b, e)
        if e.op == "/":
            return self.divide(a, b, e)
        raise ExprError(f"unknown operator {e.op}")

    def divide(self, a: Col, b: Col, where: n.Node) -> Col:
        if np.ndim(b) == 0 and not num.is_zero(b):  # a constant divisor (a target, an edge): no row can fail
            return self.arith(np.divide, a, b, where)
        zero = num.is_zero(b) & ~np.isnan(a)
        if not np.any(zero):
            return self.arith(np.divide, a, b, where)
        self.rec.error(zero, "eval.division-by-zero", _("division by zero at line {line}", line=where.span.line))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(zero, np.nan, self.arith(np.divide, a, np.where(zero, 1.0, b), where))

    def arith(self, op: np.ufunc, a: Col, b: Col, where: n.Node) -> Col:
        """``op(a, b)``; a row whose result is too large for a float64 (inputs are always finite)
        is a recorded ``eval.overflow`` and stays missing, never an infinity.  Free when nothing
        overflows: numpy reports overflow through the FPU flags it checks anyway."""
        try:
            with np.errstate(over="raise"):
                return op(a, b)
        except FloatingPointError:
            pass
        with np.errstate(over="ignore"):
            out = op(a, b)
        bad = np.isinf(out)
        self.rec.error(bad, "eval.overflow", _("the result at line {line} is too large for a number",
                                               line=where.span.line))
        return np.where(bad, np.nan, out)

    def _logic(self, e: n.Binary) -> Col:
        a = self._number(self.ev(e.left), e)
        # The right side matters only where the left does not decide: record errors there only.
        decided = np.asarray(a) == (0.0 if e.op == "and" else 1.0)
        self.rec.push(np.broadcast_to(~decided, (self.n,)))
        try:
            b = self._number(self.ev(e.right), e)
        finally:
            self.rec.pop()
        a_, b_ = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if e.op == "and":
            out = np.where((a_ == 0.0) | (b_ == 0.0), 0.0, np.where(np.isnan(a_) | np.isnan(b_), np.nan, 1.0))
        else:
            out = np.where((a_ == 1.0) | (b_ == 1.0), 1.0, np.where(np.isnan(a_) | np.isnan(b_), np.nan, 0.0))
        return out

    def _if(self, e: n.IfElse) -> Col:
        cond = np.asarray(self._number(self.ev(e.cond), e), dtype=np.float64)
        yes = np.broadcast_to(cond == 1.0, (self.n,))
        no = np.broadcast_to(cond == 0.0, (self.n,))
        then = self.branch(e.then, yes)
        other = self.branch(e.otherwise, no)
        return choose([yes, no], [then, other], self.n)

    def branch(self, expr: n.Node, live: np.ndarray) -> Col:
        self.rec.push(live)
        try:
            return self.ev(expr)
        finally:
            self.rec.pop()

    def _in(self, e: n.InList) -> Col:
        x = self.ev(e.operand)
        hits = [self._obj_eq(x, self.ev(o)) if is_obj(x) else num.eq(x, self._number(self.ev(o), e))
                for o in e.options]
        out = np.zeros(self.n)
        for h in hits:
            out = np.maximum(out, np.nan_to_num(np.broadcast_to(h, (self.n,)), nan=0.0))
        return np.where(np.isnan(hits[0]), np.nan, out) if hits else out

    def _call(self, e: n.Call) -> Col:
        f = e.func
        if f in n.GROUP_FUNCTIONS:
            if self.group is None:
                raise ExprError(f"{f}() is only meaningful in a quota")
            return self.group(e)
        if f == "raw":
            arg = e.args[0]
            if not isinstance(arg, n.Ref):
                raise ExprError("raw() takes a name")
            return self.raw(arg.name)
        if f not in n.FUNCTIONS or f in n.POPULATION_FUNCTIONS:  # a table, or a statistic of the batch
            if self.call is None:
                raise ExprError(f"{f}() cannot be called here")
            return self.call(e, [self.ev(a) for a in e.args], self.n)
        args = [self._number(self.ev(a), e) for a in e.args]
        if f in n.MATH_FUNCTIONS:
            return self._math(f, args, e)
        if f == "abs":
            return np.abs(args[0])
        if f == "round":
            return num.round_half_away(args[0], int(np.asarray(args[1]).flat[0]))
        if f in ("min", "max"):
            op = np.minimum if f == "min" else np.maximum
            out = args[0]
            for a in args[1:]:
                out = op(out, a)
            return out
        if f in ("sum", "mean"):
            total = args[0]
            for a in args[1:]:
                total = self.arith(np.add, total, a, e)
            return total if f == "sum" else np.divide(total, len(args))
        if f == "mean_present":
            return self._mean_present(args, e)
        raise ExprError(f"unknown function {f}")

    def _mean_present(self, args: list[Col], e: n.Call) -> Col:
        """The mean of the arguments that have a value (missing only when none has); each argument
        left out of some row is recorded there as an ``eval.missing-excluded`` decision."""
        total, count = np.zeros(self.n), np.zeros(self.n)
        gaps = []
        for a in args:
            col = np.broadcast_to(np.asarray(a, dtype=np.float64), (self.n,))
            gap = np.isnan(col)
            total = total + np.where(gap, 0.0, col)  # 0 + a == a: bit-identical to mean() when all are present
            count += ~gap
            gaps.append(gap)
        with np.errstate(invalid="ignore"):
            out = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        failed = self._failed(e.args, gaps)
        if failed is not None:  # an argument missing by a runtime error is not missing data
            out[failed] = np.nan
            count[failed] = 0
        for arg, gap in zip(e.args, gaps):
            left_out = self.rec.live(gap & (count > 0))
            if np.any(left_out):
                self.rec.decision(left_out, "eval.missing-excluded", _("mean_present() at line {line} left out "
                                                                      "`{name}` (missing)", line=e.span.line,
                                                                      name=to_text(arg)))
        return out

    def _failed(self, args: tuple[n.Expr, ...], gaps: list[np.ndarray]) -> np.ndarray | None:
        """Rows where an argument is missing because a name it reads failed with a runtime error
        (recorded as ``eval.child-failed``, as a tree node does); None when there are none."""
        events, out = self.rec.events, None
        for arg, gap in zip(args, gaps):
            for name in sorted({r.name for r in arg.walk() if isinstance(r, n.Ref)}):
                if not events.has(name):
                    continue
                hit = self.rec.error(gap & events.mask(self.n, name), "eval.child-failed",
                                     _("{name} has a runtime error: mean_present() has no value", name=name))
                out = hit if out is None else (out | hit)
        return out if out is not None and out.any() else None

    def _math(self, f: str, args: list[Col], e: n.Call) -> Col:
        """ln, exp, sqrt, log10, pow: a row outside the domain (or overflowing) is a recorded
        ``eval.domain-error`` and stays missing, never NaN or inf from numpy."""
        x = np.asarray(args[0], dtype=np.float64)
        with np.errstate(all="ignore"):
            if f == "ln" or f == "log10":
                bad, out, why = x <= 0, (np.log(x) if f == "ln" else np.log10(x)), \
                    N_("{func}() of a number not above 0 at line {line}")
            elif f == "sqrt":
                bad, out, why = x < 0, np.sqrt(x), N_("{func}() of a negative number at line {line}")
            elif f == "exp":
                out = np.exp(x)
                bad, why = np.isinf(out) & ~np.isnan(x), N_("{func}() overflows at line {line}")
            else:
                y = np.asarray(args[1], dtype=np.float64)
                out = np.power(x, y)
                bad = ~np.isfinite(out) & ~np.isnan(x) & ~np.isnan(y)
                why = N_("{func}() has no finite value (a negative base with a fractional power, 0 to a negative "
                         "power, or too large) at line {line}")
        if not np.any(bad):
            return out if np.ndim(out) else float(out)
        self.rec.error(bad, "eval.domain-error", _(why, func=f, line=e.span.line))
        return np.where(bad, np.nan, out)

    # -------------------------------------------------------------- helpers

    def _number(self, x: Col, e: n.Node) -> Col:
        if is_obj(x):
            raise ExprError(f"line {e.span.line}: a label is used as a number")
        return x

    def _obj_eq(self, a: Col, b: Col) -> np.ndarray:
        if not is_obj(a) and not is_obj(b):
            return num.eq(a, b)
        if not is_obj(a) or not is_obj(b):
            return np.zeros(self.n)  # a label never equals a number
        A, B = full(a, self.n), full(b, self.n)
        out = np.asarray(A == B, dtype=np.float64)
        return np.where(obj_missing(A) | obj_missing(B), np.nan, out)


def choose(conds: list[np.ndarray], values: list[Col], size: int) -> np.ndarray:
    """The value of the first true condition per row; missing where none is true."""
    label = any(is_obj(v) for v in values)
    out = np.empty(size, dtype=object) if label else np.full(size, np.nan)
    done = np.zeros(size, dtype=bool)
    for cond, value in zip(conds, values):
        pick = cond & ~done
        if np.any(pick):
            if label and not is_obj(value) and np.ndim(value) == 0 and value != value:  # `missing` among labels
                value = None
            out[pick] = full(value, size)[pick] if np.ndim(value) else value
        done |= cond
    return out


def literal(e: n.Node) -> object:
    """A literal's value as columns hold it: numbers and booleans as floats, text as str;
    anything else (a wildcard) None."""
    if isinstance(e, n.Num):
        return num.to_float(e.value)
    if isinstance(e, n.Str):
        return e.value
    if isinstance(e, n.Bool):
        return 1.0 if e.value else 0.0
    return None
