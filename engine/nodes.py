"""The policy AST: frozen, slotted dataclasses independent of the grammar's spelling.

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


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)  # type: ignore[return-value]


def _ref() -> Str | None:
    """``ref "PermenPANRB 6/2022 pasal 12 ayat (3)"``: the article a declaration encodes."""
    return field(default=None, kw_only=True)  # type: ignore[return-value]


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
    ref: Str | None = _ref()


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

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Decl(Node):
    """A named declaration; ``name_span`` covers just its name."""

    name: str
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)
    ref: Str | None = _ref()


@dataclass(frozen=True, slots=True)
class Header(Decl):
    label: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class PeriodDecl(Node):
    """The period a policy is in force (top level)."""

    range: DateRange


@dataclass(frozen=True, slots=True)
class SubjectDecl(Node):
    kind: Word


@dataclass(frozen=True, slots=True)
class Indicator(Decl):
    """A measured (or derived, when ``formula`` is set) indicator with SMART metadata."""

    label: str | None = None
    formula: Expr | None = None
    kind: Word | None = None
    unit: Str | None = None
    source: Str | None = None
    owner: Str | None = None
    range: Interval | None = None
    better: Better | None = None
    baseline: Num | None = None
    target: Num | None = None
    period: DateRange | None = None
    deadline: DateLit | None = None
    score: Scoring | None = None
    missing: Missing | None = None
    round: Num | None = None
    type: ValueType | None = None
    # ``target NAME`` / ``baseline NAME``: a submitted (input) field scored per row; then
    # ``target``/``baseline`` above stay None.
    target_field: Ref | None = None
    baseline_field: Ref | None = None


@dataclass(frozen=True, slots=True)
class Input(Decl):
    """A submitted data field that is not itself scored (a budget, a flag, a category)."""

    label: str | None = None
    type: ValueType | None = None
    unit: Str | None = None
    source: Str | None = None
    owner: Str | None = None
    range: Interval | None = None
    missing: Missing | None = None


@dataclass(frozen=True, slots=True)
class Value(Decl):
    """A derived value: a safe expression over other names."""

    label: str | None = None
    formula: Expr | None = None
    unit: Str | None = None
    range: Interval | None = None
    missing: Missing | None = None
    round: Num | None = None


@dataclass(frozen=True, slots=True)
class Leaf(Decl):
    """A reference from an aggregation tree to an indicator or value."""

    weight: Num | None = None
    missing: Missing | None = None


@dataclass(frozen=True, slots=True)
class Tree(Decl):
    """An aggregation node: the scorecard itself or a perspective/objective/group.

    ``children is None`` only in an agency override that changes attributes.
    """

    level: str = "scorecard"
    label: str | None = None
    weight: Num | None = None
    aggregate: Word | None = None
    missing: Missing | None = None
    require: Num | None = None
    round: Num | None = None
    children: tuple[Tree | Leaf, ...] | None = ()

    def members(self, at: Member | None = None) -> Iterator[Member]:
        """This node and every node and leaf below it, depth first in source order, each with its
        dotted id (``nilai_kinerja.keuangan.realisasi_anggaran``), parent and depth."""
        at = at or Member(self, self.name)
        yield at
        for child in self.children or ():
            m = Member(child, f"{at.id}.{child.name}", self.name, at.depth + 1)
            yield from child.members(m) if isinstance(child, Tree) else (m,)


@dataclass(frozen=True, slots=True)
class Member:
    """A scorecard node or leaf where it stands in its tree."""

    node: Tree | Leaf
    id: str
    parent: str | None = None
    depth: int = 0

    @property
    def name(self) -> str:
        return self.node.name


@dataclass(frozen=True, slots=True)
class Bound(Node):
    op: str  # >= > <= <
    value: Num


@dataclass(frozen=True, slots=True)
class Band(Node):
    """A rating band; ``bounds`` empty and ``otherwise`` True for the catch-all."""

    label: Str
    bounds: tuple[Bound, ...] = ()
    gate: Expr | None = None
    otherwise: bool = False
    ref: Str | None = _ref()


@dataclass(frozen=True, slots=True)
class Rating(Decl):
    label: str | None = None
    of: str | None = None
    round: Num | None = None
    bands: tuple[Band, ...] = ()
    of_span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


Cell = Str | Num | Bool | Wildcard


@dataclass(frozen=True, slots=True)
class Row(Node):
    cells: tuple[Cell, ...]
    result: Cell
    ref: Str | None = _ref()


@dataclass(frozen=True, slots=True)
class Table(Decl):
    label: str | None = None
    inputs: tuple[Ref, ...] = ()
    hit: Word | None = None
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True, slots=True)
class QuotaRule(Node):
    where: Expr | None
    require: Expr
    ref: Str | None = _ref()


@dataclass(frozen=True, slots=True)
class Quota(Decl):
    """A group constraint evaluated over the results of each group ``by`` a field."""

    label: str | None = None
    by: Ref | None = None
    rules: tuple[QuotaRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Constraint(Node):
    """A bound on what an agency may override: ``constraint weight(x) in 20% .. 35%``."""

    field: Word
    target: Ref
    op: str  # "in" or a comparison
    lo: Num | None = None
    hi: Num | None = None
    ref: Str | None = _ref()


@dataclass(frozen=True, slots=True)
class Agency(Decl):
    """An agency policy: a national policy plus overrides."""

    label: str | None = None
    extends: Str | None = None
    peer_group: Word | None = None
    overrides: tuple[Decl, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference(Node):
    """A reference value a benchmark compares with (a national average, an international median)."""

    label: Str
    value: Num
    source: Str | None = None


@dataclass(frozen=True, slots=True)
class Benchmark(Node):
    """``benchmark NODE by FIELD within FIELD { reference ... }``: rank, percentile and z-score
    of a numeric node across subjects, within peer groups, and its gap to reference values.

    ``by`` is ``subject`` (default), ``agency`` or a text/category input: who is compared
    (values are averaged per group).  ``within`` is ``peer_group`` (the agency policy's
    peer group) or a text/category input; absent, everyone is one peer group.
    """

    target: Ref
    by: Ref | None = None
    within: Ref | None = None
    references: tuple[Reference, ...] = ()


BENCHMARK_BY = ("subject", "agency")
BENCHMARK_WITHIN = ("peer_group",)


@dataclass(frozen=True, slots=True)
class Comment(Node):
    text: str  # including the leading '#'


@dataclass(frozen=True, slots=True)
class Module(Node):
    """One parsed ``.kin`` file."""

    path: str
    items: tuple[Node, ...]
    comments: tuple[Comment, ...] = ()

    def decls(self) -> Iterator[Decl]:
        return (i for i in self.items if isinstance(i, Decl))

    def first(self, cls: type) -> Node | None:
        return next((i for i in self.items if isinstance(i, cls)), None)

    def members(self) -> Iterator[Member]:
        """The members of every scorecard of the file (see ``Tree.members``)."""
        for item in self.items:
            if isinstance(item, Tree):
                yield from item.members()
