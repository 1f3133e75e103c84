"""The policy AST: frozen, slotted dataclasses independent of the grammar's spelling.

Every node carries a source ``span`` that does not take part in equality, so
"the same policy" is plain ``==`` whatever its layout.  Numbers are ``Decimal``
(the arithmetic regulations are written in); a percentage literal ``70%`` is
stored as its value ``0.70`` with ``percent=True`` so the formatter can write it
back the way the author did.  The base, expressions and attribute values are in
``engine.nodes_expr`` (re-exported here); this module holds the declarations and
the queries on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from engine.nodes_expr import (  # noqa: F401 - the AST is imported from here
    AGGREGATIONS,
    CONSTRAINT_FIELDS,
    DIRECTIONS,
    FUNCTIONS,
    GROUP_FUNCTIONS,
    GROUP_KEYWORDS,
    HIT_POLICIES,
    KINDS,
    LEVELS,
    MATH_FUNCTIONS,
    NO_SPAN,
    POPULATION_FUNCTIONS,
    SCORING_METHODS,
    SELF_NAMES,
    SUBJECTS,
    TREATMENTS,
    VALUE_TYPES,
    Absent,
    Better,
    Binary,
    Bool,
    Call,
    Case,
    DateLit,
    DateRange,
    Expr,
    IfElse,
    InList,
    Interval,
    Missing,
    Node,
    Num,
    Ref,
    Scoring,
    Span,
    Str,
    Unary,
    ValueType,
    Wildcard,
    Word,
    ref_field,
)

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Decl(Node):
    """A named declaration; ``name_span`` covers just its name."""

    name: str
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)
    ref: Str | None = ref_field()


@dataclass(frozen=True, slots=True)
class Header(Decl):
    label: str | None = None
    version: str | None = None

    @property
    def key(self) -> str:
        """``policy@version``, the policy id alone without a version: how plans and results name it."""
        return f"{self.name}@{self.version}" if self.version else self.name


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
    ref: Str | None = ref_field()


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
    ref: Str | None = ref_field()


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
    ref: Str | None = ref_field()


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
    ref: Str | None = ref_field()


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
