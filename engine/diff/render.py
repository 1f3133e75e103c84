"""A diff (``Diff``) as text, Markdown (for a review comment) or JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from engine.analysis.common import fmt, signed
from engine.diff.gates import Gate
from engine.diff.impact import Impact
from engine.diff.structure import ABSENT, BAND_ORDER, Change
from engine.i18n import N_, _, ngettext
from engine.i18n.formats import format_number
from engine.i18n.terms import NOUNS, in_words, noun

_KINDS = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed"), "moved": N_("moved")}
# Attributes that are not a keyword of the policy language, in words; a keyword is shown as code.
_WORD_ATTRS = (BAND_ORDER, N_("parent"), N_("bounds"))

AGENCY_LINES = 25  # the text summary lists this many agencies; JSON and Markdown list all


@dataclass
class Diff:
    """What changed between two policy versions: the structural changes and, with reference data,
    the impact on it and the gates it trips."""

    old: str
    new: str
    changes: list[Change]
    impact: Impact | None = None
    gates: list[Gate] = field(default_factory=list)

    @property
    def tripped(self) -> list[Gate]:
        return [g for g in self.gates if self.impact is not None and g.trips(self.impact)]


def _what(c: Change) -> str:
    """What changed, in the reader's words (``indikator``); JSON keeps the stable ``what``."""
    return noun(c.what) if c.what in NOUNS else c.what


# An attribute a change names, in the reader's words before the keyword as code: ``bobot (`weight`)``.
_ATTR_WORDS = {"weight": N_("weight"), "target": N_("target"), "baseline": N_("baseline"), "score": N_("scoring"),
               "aggregate": N_("aggregation"), "missing": N_("missing data"), "range": N_("range"),
               "better": N_("direction"), "require": N_("required share"), "round": N_("rounding")}


def _attr(attr: str) -> str:
    if attr in _ATTR_WORDS:
        return in_words(_(_ATTR_WORDS[attr]), attr)
    return _(attr) if attr in _WORD_ATTRS else f"`{attr}`"


def _code(value: str | None) -> str:
    """A value as the policy writes it, marked as code (``88.31`` must not read as a number of the text)."""
    return ABSENT if value in (None, ABSENT) else f"`{value}`"


def _change_text(c: Change) -> str:
    head = f"{_(_KINDS[c.kind]).ljust(8)} {_what(c)} {c.id}"
    if c.attr:
        return f"{head}: {_attr(c.attr)} {_code(c.before)} -> {_code(c.after)}"
    if c.kind == "changed":
        return f"{head}: {_code(c.before)} -> {_code(c.after)}"
    detail = c.after if c.kind == "added" else c.before
    return f"{head}" + (f" ({_code(detail)})" if detail and detail != ABSENT else "")


def _share(count: int, imp: Impact) -> str:
    return fmt(imp.share(count), 1) + "%"


def _table(imp: Impact) -> list[list[str]]:
    """Rows old rating x columns new rating (only labels that occur), with the counts."""
    used = [lb for lb in imp.labels if any(lb in k for k in imp.transitions)]
    rows = [[_("old") + " \\ " + _("new"), *used]]
    for a in used:
        rows.append([a, *[format_number(imp.transitions.get((a, b), 0)) for b in used]])
    return rows


def render_text(r: Diff) -> str:
    lines = [_("policy diff {old} -> {new}", old=r.old, new=r.new)]
    files = sorted({c.file for c in r.changes})
    if not r.changes:
        lines.append(_("no structural changes"))
    for f in files:
        lines.append(f"{f}:")
        lines += [f"  {_change_text(c)}" for c in r.changes if c.file == f]
    if r.impact is not None:
        lines += [""] + _impact_text(r.impact)
    lines += _gates_text(r)
    return "\n".join(lines) + "\n"


def _impact_text(imp: Impact) -> list[str]:
    lines = [ngettext("impact on {count} subject (score: {score}, rating: {rating})",
                      "impact on {count} subjects (score: {score}, rating: {rating})", imp.subjects,
                      count=format_number(imp.subjects), score=imp.scorecard, rating=imp.rating or ABSENT) + ":",
             "  " + _("score changed") + f":  {format_number(imp.changed_score)} ({_share(imp.changed_score, imp)})",
             "  " + _("rating changed") + f": {format_number(imp.changed_rating)} ({_share(imp.changed_rating, imp)})",
             "  " + _("largest band drop") + f": {imp.max_drop}", "",
             _("rating transitions (rows: {base}, columns: {current})", base=_("old"), current=_("new")) + ":"]
    table = _table(imp)
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    if imp.drops:
        lines.append("  " + _("band drops") + ": " + ", ".join(
            ngettext("{count} band: {subjects}", "{count} bands: {subjects}", k, count=k, subjects=format_number(v))
            for k, v in sorted(imp.drops.items())))
    if imp.changes:
        more = imp.changed_rating - len(imp.changes)
        first = _("first {n} of {total}; all with -o FILE", n=len(imp.changes), total=imp.changed_rating)
        lines += ["", _("rating changes") + (f" ({first})" if more > 0 else "") + ":"]
        lines += [f"  {m.subject}: {m.old_rating} -> {m.new_rating} ({fmt(m.old)} -> {fmt(m.new)})"
                  for m in imp.changes]
    if imp.movers:
        lines += ["", _("largest movers") + ":"]
        for m in imp.movers:
            moved = _("most moved by {node} ({change})", node=m.node or ABSENT, change=signed(m.node_delta))
            lines.append(f"  {m.subject}: {fmt(m.old)} -> {fmt(m.new)} ({signed(m.delta)}), "
                         f"{m.old_rating} -> {m.new_rating}; {moved}")
    lines += ["", _("per agency") + ":"]
    for s in imp.agencies[:AGENCY_LINES]:
        lines.append(f"  {s.agency}: " + _("{subjects} subject(s), {scores} score change(s), {ratings} rating "
                                           "change(s), mean change {mean}", subjects=format_number(s.subjects),
                                           scores=format_number(s.changed_score),
                                           ratings=format_number(s.changed_rating), mean=signed(s.mean_delta)))
    if len(imp.agencies) > AGENCY_LINES:
        lines.append("  ... " + _("and {n} more agencies (all of them in --format json)",
                                  n=len(imp.agencies) - AGENCY_LINES))
    return lines


def _gates_text(r: Diff) -> list[str]:
    if not r.gates or r.impact is None:
        return []
    lines = ["", _("gates") + ":"]
    for g in r.gates:
        state = _("TRIPPED") if g.trips(r.impact) else _("ok")
        lines.append(f"  {state.ljust(7)} {g.describe(r.impact)}")
    return lines


def render_markdown(r: Diff) -> str:
    lines = ["### " + _("Policy diff {old} → {new}", old=f"`{r.old}`", new=f"`{r.new}`"), ""]
    if not r.changes:
        lines.append(_("No structural changes."))
    else:
        head = [_("file"), _("change"), "id", _("attribute"), _("before"), _("after")]
        lines += ["| " + " | ".join(head) + " |", "|---|---|---|---|---|---|"]
        for c in r.changes:
            cells = [c.file, f"{_(_KINDS[c.kind])} {_what(c)}", f"`{c.id}`", _attr(c.attr) if c.attr else "",
                     _code(c.before) if c.before else "", _code(c.after) if c.after else ""]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    imp = r.impact
    if imp is not None:
        lines += ["", "**" + _("Impact on {n} subjects", n=format_number(imp.subjects)) + "**: " + _(
            "score changed for {scores} ({score_share}), rating for {ratings} ({rating_share}); largest band drop "
            "{drop}.", scores=format_number(imp.changed_score), score_share=_share(imp.changed_score, imp),
            ratings=format_number(imp.changed_rating), rating_share=_share(imp.changed_rating, imp),
            drop=imp.max_drop), "",
                  _("Rating transitions (rows: {base}, columns: {current})", base=_("old"), current=_("new")) + ":",
                  ""]
        table = _table(imp)
        lines += ["| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
        lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
        for title, movers in ((_("Largest movers"), imp.movers), (_("Rating changes"), imp.changes)):
            if not movers:
                continue
            head = [_("subject"), _("old"), _("new"), _("change"), _("rating"), _("moved most by")]
            lines += ["", f"{title}:", "", "| " + " | ".join(head) + " |", "|---|---|---|---|---|---|"]
            lines += [f"| {m.subject} | {fmt(m.old)} | {fmt(m.new)} | {signed(m.delta)} | "
                      f"{m.old_rating} → {m.new_rating} | `{m.node or ABSENT}` ({signed(m.node_delta)}) |"
                      for m in movers]
        head = [_("agency"), _("subjects"), _("score changes"), _("rating changes"), _("mean change")]
        lines += ["", "| " + " | ".join(head) + " |", "|---|---|---|---|---|"]
        lines += [f"| {s.agency} | {format_number(s.subjects)} | {format_number(s.changed_score)} | "
                  f"{format_number(s.changed_rating)} | {signed(s.mean_delta)} |" for s in imp.agencies]
        if r.gates:
            lines += [""] + [f"- {'❌' if g.trips(imp) else '✅'} `{g.text}` ({g.describe(imp)})" for g in r.gates]
    return "\n".join(lines) + "\n"


def render_json(r: Diff) -> str:
    out: dict[str, object] = {"old": r.old, "new": r.new, "changes": [c.to_dict() for c in r.changes]}
    imp = r.impact
    if imp is not None:
        d = asdict(imp)
        d["transitions"] = [{"old": a, "new": b, "count": k} for (a, b), k in imp.transitions.items()]
        out["impact"] = _clean(d)
        out["gates"] = [{"gate": g.text, "value": g.measure(imp), "tripped": g.trips(imp)} for g in r.gates]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def _clean(x: object) -> object:
    if isinstance(x, float):
        return None if math.isnan(x) else round(x, 12)
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x
