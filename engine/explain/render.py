"""An explanation as text, Markdown or JSON.

Text and Markdown print, per node, its value, where its raw value came from, the
derivation lines (each ``LABEL: EXPR = RESULT``), its weight and contribution,
its band, where each rule value was set, and its notes.  JSON carries the same
display lines plus every number at full precision.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from engine.explain.model import Explanation, NodeExplanation, Source
from engine.explain.numbers import show


def render(explanation: Explanation, fmt: str = "text") -> str:
    """The explanation as ``text``, ``json`` or ``markdown``."""
    if fmt == "json":
        found = asdict(explanation)
        if explanation.members_of is None:  # not a level's group: no members to list
            del found["members"], found["members_of"]
        return json.dumps(found, ensure_ascii=False, indent=2, default=str) + "\n"
    md = fmt == "markdown"
    agency = f"agency {explanation.agency}" if explanation.agency else "no agency"
    if explanation.agency_file:
        agency += f" via {explanation.agency_file}"
    head = f"{explanation.subject_id} ({agency}, policy {explanation.policy_version})"
    lines = [f"# {head}" if md else head]
    if explanation.members_of is not None:
        lines.append(_members_line(explanation))
    for root in explanation.nodes:
        _render_node(root, 0, md, lines)
    if explanation.violations:
        lines.append("## Quota violations" if md else "quota violations:")
        lines += [("- " if md else "  ") + v.message for v in explanation.violations]
    return "\n".join(lines) + "\n"


MEMBERS_SHOWN = 20  # a level's members listed in text and Markdown; JSON lists them all


def _members_line(e: Explanation) -> str:
    """``members (3 employee): e1, e2, e3``, the first ``MEMBERS_SHOWN`` and how many more."""
    more = len(e.members) - MEMBERS_SHOWN
    listed = ", ".join(e.members[:MEMBERS_SHOWN]) + (f" and {more} more (--format json lists all)" if more > 0 else "")
    return f"members ({len(e.members)} {e.members_of}): {listed or 'none'}"


def source_text(s: Source) -> str:
    """``target 105 (policies/instansi/kemenkeu.kin:13, replacing the national 100 at ...:60)``."""
    replaced = f", replacing the national {s.replaced} at {s.replaced_at}" if s.replaced_at is not None else ""
    return f"{s.what} {s.value} ({s.at}{replaced})"


def _render_node(node: NodeExplanation, depth: int, md: bool, lines: list[str]) -> None:
    pad = "  " * depth
    bullet = f"{pad}- " if md else pad
    name = f"**{node.name}**" if md else node.name
    label = f" \"{node.label}\"" if node.label else ""
    lines.append(f"{bullet}{name}{label} [{node.kind}] = {node.shown}")
    sub = f"{pad}  - " if md else f"{pad}    "
    if node.substituted is not None:
        column = f", column {node.origin.column}" if node.origin and node.origin.column else ""
        where = f" ({node.origin.file} row {node.origin.row}{column})" if node.origin else ""
        lines.append(f"{sub}raw: {node.substituted}{where}")
    elif node.origin is not None:
        column = f", column {node.origin.column}" if node.origin.column else ""
        lines.append(f"{sub}raw {show(node.raw, None)} from {node.origin.file} row {node.origin.row}{column}")
    body = [node.raw_formula, *node.lookups, node.formula]
    if node.weight is not None or node.effective_weight is not None:
        eff = "—" if node.effective_weight is None else f"{node.effective_weight * 100:.4g}%"
        body.append(f"weight {node.weight or '1'} (effective {eff})")
    body.append(node.contribution_formula)
    if node.band_reason:
        body.append(f"band {node.band or '—'}: {node.band_reason}")
    body.append(node.gap_formula)
    lines += [f"{sub}{b}" for b in body if b]
    if node.sources:
        lines.append(f"{sub}rules: " + "; ".join(source_text(s) for s in node.sources))
    lines += [f"{sub}{note.kind} {note.code}: {note.message}" for note in node.notes]
    for child in node.children:
        _render_node(child, depth + 1, md, lines)
