"""An explanation as text, Markdown or JSON.

Text and Markdown print, per node, its value, where its raw value came from, the
derivation lines (each ``LABEL: EXPR = RESULT``), its weight and contribution,
its band, where each rule value was set, and its notes.  JSON carries the same
display lines plus every number at full precision.
"""

from __future__ import annotations

import json
import re

from engine.batch import Origin
from engine.explain.localize import numbers
from engine.explain.model import Citation, Explanation, GroupExplanation, NodeExplanation, Source, as_dict
from engine.explain.numbers import show
from engine.explain.rules import NO_SUCH_BAND, NOT_SET
from engine.i18n import N_, _, using
from engine.i18n.terms import members_word

_KINDS = {"tree": N_("tree"), "indicator": N_("indicator"), "input": N_("input"), "value": N_("value"),
          "rating": N_("rating"), "table": N_("table"), "aggregate": N_("aggregate")}
_NOTES = {"decision": N_("decision"), "error": N_("error"), "warning": N_("warning"), "info": N_("info")}
# What a citation cites (``Citation.what``), as the explanation says it.
CITED = {"policy": N_("policy"), "scoring": N_("scoring"), "weight": N_("weight"),
         "weights and aggregation below": N_("weights and aggregation below"), "band": N_("band"),
         "row": N_("row"), "formula": N_("formula"), "definition": N_("definition")}
_PLACE = re.compile(r"^(?:(line|row) (\d+)|(\[\d+\]))$")  # a file's line, a table's row, an in-memory row


def render(explanation: Explanation, fmt: str = "text") -> str:
    """The explanation as ``text``, ``json`` or ``markdown``, in the explanation's own language
    (JSON keys and kinds stay as they are)."""
    if fmt == "json":
        return json.dumps(as_dict(explanation), ensure_ascii=False, indent=2, default=str) + "\n"
    with using(explanation.lang):
        return _render(explanation, fmt == "markdown")


def _render(explanation: Explanation, md: bool) -> str:
    agency = _("agency {agency}", agency=explanation.agency) if explanation.agency else _("no agency")
    if explanation.agency_file:
        agency = _("{agency} via {file}", agency=agency, file=explanation.agency_file)
    policy = _("policy {version}", version=explanation.policy_version)
    head = f"{explanation.subject_id} ({agency}, {policy})"
    lines = [f"# {head}" if md else head]
    if explanation.policy_citation is not None:
        lines.append(("" if md else "  ") + _("cited") + ": " + citation_text(explanation.policy_citation))
    if isinstance(explanation, GroupExplanation):
        lines.append(_members_line(explanation))
    for root in explanation.nodes:
        _render_node(root, 0, md, lines, explanation.lang)
    if explanation.violations:
        lines.append("## " + _("Quota violations") if md else _("quota violations") + ":")
        lines += [("- " if md else "  ") + v.message for v in explanation.violations]
    return "\n".join(lines) + "\n"


MEMBERS_SHOWN = 20  # a level's members listed in text and Markdown; JSON lists them all


def _members_line(e: GroupExplanation) -> str:
    """``members (3 employee): e1, e2, e3``, the first ``MEMBERS_SHOWN`` and how many more."""
    more = len(e.members) - MEMBERS_SHOWN
    listed = ", ".join(e.members[:MEMBERS_SHOWN])
    if more > 0:
        listed += " " + _("and {count} more (--format json lists all)", count=more)
    return _("members ({count} {level}): {listed}", count=len(e.members), level=members_word(e.members_of),
             listed=listed or _("none"))


def source_text(s: Source) -> str:
    """```target 105`` (policies/instansi/kemenkeu.kin:13, replacing the national ``100`` at ...:60)``: the
    rule as written is policy code, marked as such inside the sentence (a ``what`` in words, ``band 1``,
    stays outside the code span)."""
    replaced = ", " + _("replacing the national {value} at {where}", value=_code(s.replaced), where=s.replaced_at) \
        if s.replaced_at is not None else ""
    rule = f"`{s.what} {s.value}`" if s.what.isidentifier() else f"{s.what} `{s.value}`"
    return f"{rule} ({s.at}{replaced})"


def _code(value: str | None) -> str:
    return value or "" if value in (None, _(NOT_SET), _(NO_SUCH_BAND)) else f"`{value}`"


def citation_text(c: Citation) -> str:
    """``scoring "PermenPANRB 8/2021 lampiran" (policies/nasional/bsc-instansi.kin:63)``."""
    return f'{_(CITED[c.what]) if c.what in CITED else c.what} "{c.ref}" ({c.at})'


def place(origin: Origin) -> str:
    """Where a submitted value was: ``examples/x.csv line 2, column ikm`` (a sheet cell as it is)."""
    got = _PLACE.match(origin.row)
    row = origin.row if got is None else _("line {n}", n=got[2]) if got[1] == "line" else \
        _("row {n}", n=got[2] or got[3])
    column = ", " + _("column {name}", name=origin.column) if origin.column else ""
    return f"{origin.file} {row}{column}"


def _render_node(node: NodeExplanation, depth: int, md: bool, lines: list[str], lang: str) -> None:
    pad = "  " * depth
    bullet = f"{pad}- " if md else pad
    name = f"**{node.name}**" if md else node.name
    label = f" \"{node.label}\"" if node.label else ""
    kind = _(_KINDS[node.kind]) if node.kind in _KINDS else node.kind
    lines.append(f"{bullet}{name}{label} [{kind}] = {node.shown}")
    sub = f"{pad}  - " if md else f"{pad}    "
    if node.substituted is not None:
        where = f" ({place(node.origin)})" if node.origin else ""
        lines.append(sub + _("raw") + f": {node.substituted}{where}")
    elif node.origin is not None:
        raw = numbers(show(node.raw, None), lang)
        lines.append(f"{sub}" + _("raw {value} from {where}", value=raw, where=place(node.origin)))
    body = [node.raw_formula, *node.lookups, node.formula]
    if node.weight is not None or node.effective_weight is not None:
        eff = "—" if node.effective_weight is None else f"{node.effective_weight * 100:.4g}%"
        body.append(_("weight {weight} (effective {effective})", weight=numbers(node.weight or "1", lang),
                      effective=numbers(eff, lang)))
    body.append(node.contribution_formula)
    if node.band_reason:
        body.append(_("band {band}", band=node.band or "—") + f": {node.band_reason}")
    body.append(node.gap_formula)
    lines += [f"{sub}{b}" for b in body if b]
    if node.sources:
        lines.append(sub + _("rules") + ": " + "; ".join(source_text(s) for s in node.sources))
    if node.citations:
        lines.append(sub + _("cited") + ": " + "; ".join(citation_text(c) for c in node.citations))
    lines += [sub + (_(_NOTES[note.kind]) if note.kind in _NOTES else note.kind) + f" {note.code}: {note.message}"
              for note in node.notes]
    for child in node.children:
        _render_node(child, depth + 1, md, lines, lang)
