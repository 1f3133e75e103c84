"""The fields a submission may carry, derived from a compiled plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine import nodes as n
from engine.plan import Plan

FieldType = Literal["number", "boolean", "text", "category"]


@dataclass(frozen=True, slots=True)
class Field:
    """One submitted field: an ``input`` or an ``indicator`` without a formula.

    ``lo``/``hi`` are the declared ``range`` as floats (None when absent);
    ``required`` is true when the field's missing treatment is ``fail``.
    """

    name: str
    type: FieldType = "number"
    options: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    range_text: str | None = None  # the range as written, e.g. "0 .. 100", for messages
    required: bool = False
    kind: Literal["input", "indicator"] = "input"
    unit: str | None = None  # as declared: `%` and `Rp` cells are read for such fields


@dataclass(frozen=True, slots=True)
class Schema:
    """Submitted fields by name plus the names of the id, agency and period columns."""

    fields: dict[str, Field] = field(default_factory=dict)
    id_column: str = "id"
    agency_column: str = "agency"
    period_column: str = "period"

    @property
    def key_columns(self) -> tuple[str, str, str]:
        return (self.id_column, self.agency_column, self.period_column)

    @property
    def required(self) -> tuple[str, ...]:
        """Field names a wide submission must carry as columns."""
        return tuple(f.name for f in self.fields.values() if f.required)


def schema_from_plan(plan: Plan, id_column: str = "id", agency_column: str = "agency",
                     period_column: str = "period") -> Schema:
    """Every input and every formula-less indicator of ``plan``, in plan order."""
    fields: dict[str, Field] = {}
    for step in plan.steps:
        decl = step.decl
        if isinstance(decl, n.Input) or (isinstance(decl, n.Indicator) and decl.formula is None):
            fields[decl.name] = field_of(decl)
    return Schema(fields, id_column, agency_column, period_column)


def field_of(decl: n.Input | n.Indicator) -> Field:
    """The submitted-field view of one declaration."""
    vtype = decl.type
    ftype: FieldType = "number"
    options: tuple[str, ...] = ()
    if vtype is not None:
        if vtype.name == "category" or vtype.options:
            ftype, options = "category", tuple(vtype.options)
        elif vtype.name in ("boolean", "text"):
            ftype = vtype.name  # type: ignore[assignment]
    lo = hi = None
    range_text = None
    if decl.range is not None and ftype == "number":
        lo, hi = float(decl.range.lo.value), float(decl.range.hi.value)
        range_text = f"{_num_text(decl.range.lo)} .. {_num_text(decl.range.hi)}"
    required = decl.missing is not None and decl.missing.treatment == "fail"
    kind = "input" if isinstance(decl, n.Input) else "indicator"
    unit = decl.unit.value if decl.unit is not None else None
    return Field(decl.name, ftype, options, lo, hi, range_text, required, kind, unit)


def _num_text(num: n.Num) -> str:
    # Prefer the author's spelling (``1e15``, ``70%``); fall back to the plain decimal.
    if num.text:
        return num.text
    return format(num.value.normalize(), "f")
