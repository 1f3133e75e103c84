"""The policy AST's base (``Span``, ``Node``), its expressions and its attribute values.

``engine.nodes`` re-exports everything here beside the declarations: import from there.

Every node carries a source ``span`` that does not take part in equality, so
"the same policy" is plain ``==`` whatever its layout.  Numbers are ``Decimal``
(the arithmetic regulations are written in); a percentage literal ``70%`` is
stored as its value ``0.70`` with ``percent=True`` so the formatter can write it
back the way the author did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one source file; lines and columns are 1-based."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.column)


NO_SPAN = Span("<unknown>", 0, 0, 0, 0)


def ref_field() -> Str | None:
    """``ref "PermenPANRB 6/2022 pasal 12 ayat (3)"``: the article a declaration encodes."""
    return field(default=None, kw_only=True)  # type: ignore[return-value]


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every AST node."""

    span: Span = _span()

    def child_nodes(self) -> Iterator[Node]:
        """Direct child nodes, in source order (tuples are flattened).

        Not named ``children``: ``Tree`` has a field of that name."""
        for f in fields(self):
            if f.name == "span" or not f.compare:
                continue
            value = getattr(self, f.name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                yield from (v for v in value if isinstance(v, Node))

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first, in source order."""
        yield self
        for child in self.child_nodes():
            yield from child.walk()


# ------------------------------------------------------------------ expressions


@dataclass(frozen=True, slots=True)
class Num(Node):
    """A number literal; ``70%`` has value 0.70 and ``percent=True``."""

    value: Decimal
    percent: bool = False
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Str(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Wildcard(Node):
    """``_`` in a decision-table row: matches anything."""


@dataclass(frozen=True, slots=True)
class Ref(Node):
    """A name in an expression; ``value``, ``target`` and ``baseline`` refer to the
    indicator being scored when used inside its ``score`` formula."""

    name: str


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # + - * / < <= > >= == != and or
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``func(args)``; a population function may add ``by FIELD`` (its groups)."""

    func: str
    args: tuple[Expr, ...]
    by: Ref | None = None


@dataclass(frozen=True, slots=True)
class IfElse(Node):
    cond: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class InList(Node):
    operand: Expr
    options: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Absent(Node):
    """The ``missing`` literal: a piece or branch that deliberately yields no value."""


Expr = Num | Str | Bool | Ref | Unary | Binary | Call | IfElse | InList | Absent

SELF_NAMES = ("value", "target", "baseline")
FUNCTIONS = {  # name -> (min args, max args or None)
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "round": (2, 2),
    "sum": (1, None),
    "mean": (1, None),
    "mean_present": (1, None),
    "share": (1, 1),
    "count": (1, 1),
    "raw": (1, 1),
    "ln": (1, 1),
    "exp": (1, 1),
    "sqrt": (1, 1),
    "log10": (1, 1),
    "pow": (2, 2),
    "min_of": (1, 1),
    "max_of": (1, 1),
    "mean_of": (1, 1),
    "sd_of": (1, 1),
    "sum_of": (1, 1),
    "count_of": (1, 1),
    "rank_of": (1, 1),
}
MATH_FUNCTIONS = ("ln", "exp", "sqrt", "log10", "pow")  # domain errors are recorded, never NaN/inf
GROUP_FUNCTIONS = ("share", "count")
# Over every subject of the batch (or each group of ``by FIELD``), computed in a pass over whole columns.
POPULATION_FUNCTIONS = ("min_of", "max_of", "mean_of", "sd_of", "sum_of", "count_of", "rank_of")
# ``by agency``: the submission's agency column; ``by peer_group``: the peer group of the agency's policy.
GROUP_KEYWORDS = ("agency", "peer_group")

# ------------------------------------------------------------ attribute values


@dataclass(frozen=True, slots=True)
class Word(Node):
    """A chosen word such as a kind, direction, method or treatment."""

    value: str


@dataclass(frozen=True, slots=True)
class Interval(Node):
    lo: Num
    hi: Num


@dataclass(frozen=True, slots=True)
class DateRange(Node):
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class DateLit(Node):
    value: dt.date


@dataclass(frozen=True, slots=True)
class Better(Node):
    """Direction: ``higher``, ``lower`` or ``within`` (with ``lo``/``hi``: numbers or per-subject inputs).

    ``within`` reads the range the way ``sense`` says: ``higher`` (``better within``) or ``lower``
    (``better lower within``), each with its own PermenPANRB 8/2021 formula.
    """

    direction: str
    lo: Num | Ref | None = None
    hi: Num | Ref | None = None
    sense: str = "higher"


@dataclass(frozen=True, slots=True)
class Case(Node):
    """One piece of a piecewise score; ``when is None`` is the ``otherwise`` piece."""

    when: Expr | None
    then: Expr
    ref: Str | None = ref_field()


@dataclass(frozen=True, slots=True)
class Scoring(Node):
    """How a raw value becomes a score.

    ``method`` is one of ``SCORING_METHODS``; ``lo``/``hi`` are goalposts,
    ``cases`` the pieces of ``piecewise``, ``formula`` the body of ``formula``.
    """

    method: str
    cap: Num | None = None
    lo: Num | None = None
    hi: Num | None = None
    cases: tuple[Case, ...] = ()
    formula: Expr | None = None


@dataclass(frozen=True, slots=True)
class Missing(Node):
    """Missing-data treatment; ``value`` is set for ``missing value N``."""

    treatment: str
    value: Num | None = None


@dataclass(frozen=True, slots=True)
class ValueType(Node):
    """``number`` (default), ``boolean`` or ``category`` with its options."""

    name: str
    options: tuple[str, ...] = ()


KINDS = ("input", "process", "output", "outcome")
DIRECTIONS = ("higher", "lower", "within")
SCORING_METHODS = ("ratio", "progress", "goalposts", "piecewise", "formula", "raw")
AGGREGATIONS = ("mean", "geometric", "harmonic", "min", "max", "sum")
TREATMENTS = ("exclude", "zero", "baseline", "value", "fail")
VALUE_TYPES = ("number", "boolean", "text")
SUBJECTS = ("employee", "unit", "agency")
HIT_POLICIES = ("unique", "first")
LEVELS = ("scorecard", "perspective", "objective", "group")
CONSTRAINT_FIELDS = ("weight", "target", "baseline", "cap")
