"""The AST of subject levels: ``level unit by unit_kerja { aggregate rata = mean(nilai) ... }``.

A level's subjects are the groups of the level below (its ``of``: another level, or by default
the policy's own rows) that share the value of a key column (``by``), as OpenFisca builds a
household from its persons.  Its declarations are a small policy of their own: ``aggregate``
nodes read the members, and indicators, values, scorecards, ratings and tables read those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine import nodes as n

# aggregate function -> (what it computes, whether its argument may be left out)
FUNCTIONS = {
    "mean": "mean", "sum": "sum", "min": "minimum", "max": "maximum",
    "count": "number", "share": "share",
}
TREATMENTS = ("exclude", "zero", "value", "fail")  # what a member without a value counts as


@dataclass(frozen=True, slots=True)
class Aggregate(n.Decl):
    """``aggregate NAME = FUNC(ARG) [role "r", ...] [missing T] [require P] [round D]``.

    ``arg`` is a member name (``mean(nilai)``), a condition on one (``share(predikat in ("Baik"))``,
    ``share(nilai >= 90)``) or None (``count()``: the members)."""

    label: str | None = None
    func: str = "mean"
    arg: n.Expr | None = None
    roles: tuple[n.Str, ...] = ()
    missing: n.Missing | None = None
    require: n.Num | None = None
    round: n.Num | None = None

    def member(self) -> n.Ref | None:
        """The member name the aggregate reads (None for ``count()``)."""
        if isinstance(self.arg, n.Ref):
            return self.arg
        return next((x for x in self.arg.walk() if isinstance(x, n.Ref)), None) if self.arg is not None else None


@dataclass(frozen=True, slots=True)
class Level(n.Node):
    """``level NAME "Label" [of LEVEL] by FIELD [role FIELD] { ... }``."""

    name: str
    label: str | None = None
    of: n.Ref | None = None
    by: n.Ref | None = None
    role: n.Ref | None = None
    items: tuple[n.Decl, ...] = ()
    name_span: n.Span = field(default=n.NO_SPAN, compare=False, repr=False)

    def aggregates(self) -> list[Aggregate]:
        return [d for d in self.items if isinstance(d, Aggregate)]


def levels(module: n.Module) -> list[Level]:
    return [i for i in module.items if isinstance(i, Level)]


def reads(module: n.Module) -> set[str]:
    """The names of the policy's rows its levels read: keys, role fields and aggregated members."""
    out: set[str] = set()
    for lv in levels(module):
        if lv.by is not None:  # every key is a column of the rows
            out.add(lv.by.name)
        if lv.of is None:  # members are the rows
            out |= {lv.role.name} if lv.role is not None else set()
            out |= {ref.name for a in lv.aggregates() if (ref := a.member()) is not None}
    return out
