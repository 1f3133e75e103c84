"""A level as a policy of its own: its aggregates become the inputs of a sub-module that the
ordinary checker, graph and evaluator handle; the key columns that identify its groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine import nodes as n
from engine.levels.nodes import Aggregate, Level, levels

if TYPE_CHECKING:
    from engine.plan import Plan

AGENCY = "agency"  # `by agency`: the submission's agency column


@dataclass(frozen=True)
class LevelPlan:
    """One level ready to evaluate: its sub-plan, the level its members are (None: the policy's rows)
    and ``keys``, the row columns whose values identify one of its groups (outermost level first)."""

    level: Level
    plan: Plan
    member: str | None
    keys: tuple[str, ...]
    subject: str = field(default="subject")  # what a row of the member level is (for messages)

    @property
    def name(self) -> str:
        return self.level.name


def sub_module(module: n.Module, level: Level) -> n.Module:
    """The level's declarations as a module: a header ``POLICY.LEVEL`` (the policy's version) and one
    numeric ``input`` per aggregate, then the level's other declarations, spans kept."""
    header = module.first(n.Header)
    name = f"{header.name}.{level.name}" if isinstance(header, n.Header) else level.name
    version = header.version if isinstance(header, n.Header) else None
    items: list[n.Node] = [n.Header(name, label=level.label, version=version, name_span=level.name_span,
                                    span=level.span)]
    for decl in level.items:
        if isinstance(decl, Aggregate):
            items.append(n.Input(decl.name, label=decl.label, name_span=decl.name_span, span=decl.span))
        else:
            items.append(decl)
    return n.Module(module.path, tuple(items), span=module.span)


def ordered(module: n.Module) -> list[Level]:
    """The levels, each after the level its members are (levels whose `of` is unknown or circular
    are left out: the checker reports them)."""
    found = {lv.name: lv for lv in levels(module)}
    out: list[Level] = []
    done: set[str] = set()
    progress = True
    while progress:
        progress = False
        for lv in found.values():
            if lv.name not in done and (lv.of is None or lv.of.name in done):
                out.append(lv)
                done.add(lv.name)
                progress = True
    return out


def keys(module: n.Module) -> dict[str, tuple[str, ...]]:
    """Per level, the row columns identifying its groups: the keys of the levels its groups belong
    to (those whose `of` is this level), then its own ``by``.  A unit inside an agency is the pair
    (agency, unit), so two agencies' "Biro Umum" stay two units."""
    found = ordered(module)
    out: dict[str, tuple[str, ...]] = {}
    for lv in reversed(found):  # the outermost levels first
        above = [k for up in found if up.of is not None and up.of.name == lv.name for k in out.get(up.name, ())]
        own = lv.by.name if lv.by is not None else AGENCY
        out[lv.name] = tuple(dict.fromkeys([*above, own]))
    return out


def build(module: n.Module) -> tuple[LevelPlan, ...]:
    """Every level's plan, members first (the graph stage calls this on a checked module)."""
    from engine import graph

    subject = module.first(n.SubjectDecl)
    rows = subject.kind.value if isinstance(subject, n.SubjectDecl) else "subject"
    ids = keys(module)
    return tuple(LevelPlan(lv, graph.build(sub_module(module, lv)), lv.of.name if lv.of else None, ids[lv.name],
                           lv.of.name if lv.of else rows) for lv in ordered(module))
