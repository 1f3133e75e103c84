"""A diff report as text, Markdown (for a review comment) or JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from engine.diff.gates import Gate
from engine.diff.impact import Impact
from engine.diff.structure import ABSENT, Change

AGENCY_LINES = 25  # the text summary lists this many agencies; JSON and Markdown list all


@dataclass
class DiffReport:
    old: str
    new: str
    changes: list[Change]
    impact: Impact | None = None
    gates: list[Gate] = field(default_factory=list)

    @property
    def tripped(self) -> list[Gate]:
        return [g for g in self.gates if self.impact is not None and g.trips(self.impact)]


def _change_text(c: Change) -> str:
    head = f"{c.kind:<8} {c.what} {c.id}"
    if c.attr:
        return f"{head}: {c.attr} {c.before} -> {c.after}"
    if c.kind == "changed":
        return f"{head}: {c.before} -> {c.after}"
    detail = c.after if c.kind == "added" else c.before
    return f"{head}" + (f" ({detail})" if detail and detail != ABSENT else "")


def _num(x: float | None) -> str:
    return ABSENT if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def _signed(x: float | None) -> str:
    return ABSENT if x is None or math.isnan(x) else f"{x:+.2f}"


def _table(imp: Impact) -> list[list[str]]:
    """Rows old rating x columns new rating (only labels that occur), with the counts."""
    used = [lb for lb in imp.labels if any(lb in k for k in imp.transitions)]
    rows = [["old \\ new", *used]]
    for a in used:
        rows.append([a, *[str(imp.transitions.get((a, b), 0)) for b in used]])
    return rows


def render_text(r: DiffReport) -> str:
    lines = [f"diff {r.old} -> {r.new}"]
    files = sorted({c.file for c in r.changes})
    if not r.changes:
        lines.append("no structural changes")
    for f in files:
        lines.append(f"{f}:")
        lines += [f"  {_change_text(c)}" for c in r.changes if c.file == f]
    if r.impact is not None:
        lines += [""] + _impact_text(r.impact)
    lines += _gates_text(r)
    return "\n".join(lines) + "\n"


def _impact_text(imp: Impact) -> list[str]:
    lines = [f"impact on {imp.subjects} subject(s) (score: {imp.scorecard}, rating: {imp.rating or ABSENT}):",
             f"  score changed:  {imp.changed_score} ({imp.share(imp.changed_score):.1f}%)",
             f"  rating changed: {imp.changed_rating} ({imp.share(imp.changed_rating):.1f}%)",
             f"  largest band drop: {imp.max_drop}", "", "rating transitions (rows: old, columns: new):"]
    table = _table(imp)
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    if imp.drops:
        lines.append("  band drops: " + ", ".join(f"{k} band(s): {v}" for k, v in sorted(imp.drops.items())))
    if imp.changes:
        more = imp.changed_rating - len(imp.changes)
        lines += ["", "rating changes" + (f" (first {len(imp.changes)} of {imp.changed_rating}; all with -o FILE)"
                                          if more > 0 else "") + ":"]
        lines += [f"  {m.subject}: {m.old_rating} -> {m.new_rating} ({_num(m.old)} -> {_num(m.new)})"
                  for m in imp.changes]
    if imp.movers:
        lines += ["", "largest movers:"]
        for m in imp.movers:
            lines.append(f"  {m.subject}: {_num(m.old)} -> {_num(m.new)} ({_signed(m.delta)}), "
                         f"{m.old_rating} -> {m.new_rating}; "
                         f"most moved by {m.node or ABSENT} ({_signed(m.node_delta)})")
    lines += ["", "per agency:"]
    for s in imp.agencies[:AGENCY_LINES]:
        lines.append(f"  {s.agency}: {s.subjects} subject(s), {s.changed_score} score change(s), "
                     f"{s.changed_rating} rating change(s), mean change {_signed(s.mean_delta)}")
    if len(imp.agencies) > AGENCY_LINES:
        lines.append(f"  ... and {len(imp.agencies) - AGENCY_LINES} more agencies (all of them in --format json)")
    return lines


def _gates_text(r: DiffReport) -> list[str]:
    if not r.gates or r.impact is None:
        return []
    lines = ["", "gates:"]
    for g in r.gates:
        lines.append(f"  {'TRIPPED' if g.trips(r.impact) else 'ok':<7} {g.describe(r.impact)}")
    return lines


def render_markdown(r: DiffReport) -> str:
    lines = [f"### Policy diff `{r.old}` → `{r.new}`", ""]
    if not r.changes:
        lines.append("No structural changes.")
    else:
        lines += ["| file | change | id | attribute | before | after |", "|---|---|---|---|---|---|"]
        for c in r.changes:
            cells = [c.file, f"{c.kind} {c.what}", f"`{c.id}`", c.attr or "", c.before or "", c.after or ""]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    imp = r.impact
    if imp is not None:
        lines += ["", f"**Impact on {imp.subjects} subjects**: score changed for {imp.changed_score} "
                  f"({imp.share(imp.changed_score):.1f}%), rating for {imp.changed_rating} "
                  f"({imp.share(imp.changed_rating):.1f}%); largest band drop {imp.max_drop}.", "",
                  "Rating transitions (rows: old, columns: new):", ""]
        table = _table(imp)
        lines += ["| " + " | ".join(table[0]) + " |", "|" + "---|" * len(table[0])]
        lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
        for title, movers in (("Largest movers", imp.movers), ("Rating changes", imp.changes)):
            if not movers:
                continue
            lines += ["", f"{title}:", "", "| subject | old | new | change | rating | moved most by |",
                      "|---|---|---|---|---|---|"]
            lines += [f"| {m.subject} | {_num(m.old)} | {_num(m.new)} | {_signed(m.delta)} | "
                      f"{m.old_rating} → {m.new_rating} | `{m.node or ABSENT}` ({_signed(m.node_delta)}) |"
                      for m in movers]
        lines += ["", "| agency | subjects | score changes | rating changes | mean change |", "|---|---|---|---|---|"]
        lines += [f"| {s.agency} | {s.subjects} | {s.changed_score} | {s.changed_rating} | {_signed(s.mean_delta)} |"
                  for s in imp.agencies]
        if r.gates:
            lines += [""] + [f"- {'❌' if g.trips(imp) else '✅'} `{g.text}` ({g.describe(imp)})" for g in r.gates]
    return "\n".join(lines) + "\n"


def render_json(r: DiffReport) -> str:
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
