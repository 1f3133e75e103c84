"""The explanation's data: what the builder fills in and the renderers print."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from engine.batch import Origin
from engine.evaluate.result import Violation

Scalar = float | str | None


@dataclass
class Note:
    """A missing-data decision or runtime error at this node."""

    code: str
    kind: str
    message: str


@dataclass
class Source:
    """Where a rule value came from: ``what`` (``target``, ``weight``, ``band "Baik"``...)
    as written, the file and line that set it, and for an agency override the national
    value it replaced and where that was declared."""

    what: str
    value: str
    at: str
    replaced: str | None = None
    replaced_at: str | None = None


@dataclass
class Citation:
    """The article a step encodes (``ref "..."``), which step it cites (``scoring``,
    ``weight``, ``band "Baik"``...) and the file and line of the ``ref``."""

    what: str
    ref: str
    at: str


@dataclass
class NodeExplanation:
    """One node of the derivation.  ``value``/``raw``/``effective_weight``/``contribution``
    are full precision; ``shown`` and the ``*formula`` lines are the display text, each
    ``LABEL: EXPR = RESULT`` redoable from its own digits (see ``numbers``)."""

    name: str
    id: str
    kind: str
    label: str | None
    value: Scalar
    shown: str = "—"
    raw: float | None = None
    origin: Origin | None = None
    substituted: str | None = None  # the submitted cell was empty: what was used instead, from where
    raw_formula: str | None = None
    formula: str | None = None
    lookups: list[str] = field(default_factory=list)  # table calls in the formula and what they gave
    weight: str | None = None  # declared, as written
    effective_weight: float | None = None
    contribution: float | None = None
    contribution_kind: str | None = None  # "addend" | "factor" | "reciprocal term" | "chosen value"
    contribution_formula: str | None = None
    band: str | None = None
    band_reason: str | None = None
    next_band: str | None = None
    gap: float | None = None
    gap_formula: str | None = None
    sources: list[Source] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    children: list[NodeExplanation] = field(default_factory=list)

    def walk(self) -> list[NodeExplanation]:
        return [self] + [d for c in self.children for d in c.walk()]


@dataclass
class Explanation:
    subject_id: str
    agency: str | None
    policy_version: str
    nodes: list[NodeExplanation]
    violations: list[Violation] = field(default_factory=list)
    agency_file: str | None = None
    precision: int = 2
    lang: str = "en"  # the language of its display text (sentences and numbers)
    policy_citation: Citation | None = None

    def walk(self) -> list[NodeExplanation]:
        return [d for r in self.nodes for d in r.walk()]


@dataclass
class GroupExplanation(Explanation):
    """A group of a subject level (``engine.levels``): an explanation plus its members."""

    members: list[str] = field(default_factory=list)  # the ids of its members, in data order
    members_of: str = ""  # what the members are (employee, unit...)


_FIELDS: dict[type, tuple[str, ...]] = {}


def as_dict(obj: Any) -> Any:
    """``dataclasses.asdict`` of an explanation: the same nested dicts, lists and values, without
    its generic recursion and deep copies (a third of the cost of ``--explain-all``).  The leaves
    of an explanation are immutable (text, numbers, dates), so they are shared, not copied."""
    if isinstance(obj, (str, int, float)) or obj is None:
        return obj
    if isinstance(obj, list):
        return [as_dict(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(as_dict(v) for v in obj)
    if isinstance(obj, dict):
        return {as_dict(k): as_dict(v) for k, v in obj.items()}
    if is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS.get(type(obj))
        if names is None:
            names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
        return {name: as_dict(getattr(obj, name)) for name in names}
    return obj


def _fields_of(obj: Any) -> Any:
    """A dataclass as the dict of its fields (``as_dict`` one level deep), anything else as text."""
    if is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS.get(type(obj))
        if names is None:
            names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
        return {name: getattr(obj, name) for name in names}
    return str(obj)


_COMPACT = json.JSONEncoder(ensure_ascii=False, default=_fields_of, check_circular=False)


def to_json(obj: Any) -> str:
    """``json.dumps(as_dict(obj), ensure_ascii=False, default=str)`` (one line, as ``--explain-all``
    writes it) without building the dicts first: json's C encoder asks for each dataclass's fields
    as it meets it."""
    return _COMPACT.encode(obj)
