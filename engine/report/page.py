"""The HTML report: one self-contained page (inline CSS and SVG; no script, font or network).

Sections: summary, scorecard tree with values, bars per perspective, benchmark
position, trend between periods, improvement areas, rank intervals.  For one
subject (an agency) the values are that subject's; for the nation they are the
means over all subjects.  Every text from policies and data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np

from engine import nodes as n
from engine.analysis.benchmark import Position
from engine.analysis.common import fmt, group_text, numeric, percent, plain, signed
from engine.analysis.render import sensitivity_options
from engine.i18n import _, language
from engine.i18n.formats import format_date, format_number
from engine.report import svg
from engine.report.model import ReportData

# A peer group of a national file holds up to millions of subjects: the page lists the best and worst
# EDGE, NEAR either side of the subject (all of a group of at most LISTED), and plots DOTS of them.
EDGE, NEAR, LISTED, DOTS = 10, 10, 60, 400

CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:0;background:#f4f6f9;color:#1d2733}
header{background:#1f3b5c;color:#fff;padding:22px 36px}header h1{margin:0 0 6px;font-size:26px}
header p{margin:0;opacity:.85}main{padding:18px 36px;max-width:1200px}
section{background:#fff;border-radius:8px;padding:16px 22px;margin:0 0 18px;box-shadow:0 1px 3px #0002}
h2{margin:0 0 12px;font-size:19px;color:#1f3b5c}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:5px 8px;border-bottom:1px solid #e3e7ec;
text-align:left}th{background:#eef2f7}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:14px;flex-wrap:wrap}.card{background:#eef2f7;border-radius:8px;padding:10px 16px;
min-width:150px}.card b{display:block;font-size:24px;color:#1f3b5c}.card span{font-size:12px;color:#556}
.d1{font-weight:bold}.d2 td:first-child{padding-left:26px}.d3 td:first-child{padding-left:46px}
.d4 td:first-child{padding-left:66px}.bar{display:inline-block;height:10px;background:#2f6db5;border-radius:2px}
.chart text{font-size:12px;fill:#1d2733}.chart text.val{fill:#333}.chart text.mark{fill:#a33;font-size:11px}
tr.me td{background:#fff3dc}.flag{color:#c0392b;font-weight:bold}.ok{color:#2e8b57}.muted{color:#778}
"""


def render(data: ReportData) -> str:
    """The page, in the language in force (its words, numbers and date)."""
    parts = [_summary(data), _tree(data), _perspectives(data), _benchmarks(data), _trend(data),
             _improvements(data), _robustness(data)]
    who = _("Subject: {subject}", subject=data.subject) if data.subject else \
        _("National: {n} subjects", n=format_number(data.result.n))
    facts = [who, data.version, _("data: {files}", files=", ".join(data.data_files))]
    if data.date is not None:
        facts.append(_("report date: {date}", date=format_date(data.date)))
    return (f"<!DOCTYPE html>\n<html lang=\"{language()}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(data.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(data.title)}</h1><p>{escape(' · '.join(x for x in facts if x))}</p>"
            f"{_policy_ref(data)}</header><main>"
            + "".join(p for p in parts if p) + "</main></body></html>\n")


def _policy_ref(data: ReportData) -> str:
    header = data.own_plan.header
    ref = header.ref if header is not None else None
    return f'<p class="ref">{escape(_("Citation"))}: {escape(ref.value)}</p>' if ref is not None else ""


def _section(ident: str, title: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{escape(title)}</h2>{body}</section>'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric_cols: Sequence[int] = (),
           classes: Sequence[str] | None = None, ident: str = "") -> str:
    """A table; cells are already escaped HTML."""
    th = "".join(f'<th class="num">{escape(h)}</th>' if i in numeric_cols else f"<th>{escape(h)}</th>"
                 for i, h in enumerate(head))
    body = []
    for k, row in enumerate(rows):
        cls = f' class="{classes[k]}"' if classes and classes[k] else ""
        tds = "".join(f'<td class="num">{c}</td>' if i in numeric_cols else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{cls}>{tds}</tr>")
    idattr = f' id="{ident}"' if ident else ""
    return f"<table{idattr}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _value(data: ReportData, name: str) -> float:
    """The subject's value of a node, or the mean over all subjects for the nation."""
    col = numeric(data.result, name)
    if data.row is not None:
        return float(col[data.row])
    ok = col[~np.isnan(col)]
    return float(ok.mean()) if ok.size else math.nan


def _summary(data: ReportData) -> str:
    tree = data.plan.top_scorecard()
    cards = [(fmt(_value(data, tree.name)), escape(data.label(tree.name)))]
    if data.rating is not None:
        labels = data.result.steps[data.rating].value
        if data.row is not None:
            cards.append((escape(str(labels[data.row] or "—")), escape(_("Rating"))))
        else:
            counts = {}
            for x in labels:
                counts[x] = counts.get(x, 0) + 1
            cards += [(format_number(c), escape(_("Rating {band}", band=x or "—"))) for x, c in counts.items()]
    bench = data.benchmarks[0] if data.benchmarks else None
    if bench is not None and data.subject is not None:
        pos = bench.position(data.entity(bench.by))
        if pos is not None:
            cards.append((f"{fmt(pos.rank, 0)} / {fmt(pos.peers, 0)}",
                          escape(_("Rank ({group})", group=group_text(pos.peer_group)))))
            cards.append((fmt(pos.percentile, 0), escape(_("Percentile"))))
    html = '<div class="cards">' + "".join(f'<div class="card"><b>{v}</b><span>{t}</span></div>'
                                           for v, t in cards) + "</div>"
    return _section("summary", _("Summary"), html)


def _tree(data: ReportData) -> str:
    tree = data.own_plan.top_scorecard()
    rows, classes = [], []
    cited: dict[str, n.Str | None] = {}  # member id -> its citation, else its nearest cited ancestor's
    for m in tree.members():
        decl = data.own_plan.step(m.name).decl if isinstance(m.node, n.Leaf) else None
        cited[m.id] = m.node.ref or getattr(decl, "ref", None) or cited.get(m.id.rpartition(".")[0])
        v = _value(data, m.name)
        weight = getattr(m.node, "weight", None)
        w = format_number(weight.value * 100) + "%" if isinstance(weight, n.Num) and weight.percent else \
            (format_number(weight.value) if isinstance(weight, n.Num) else "")
        bar = f'<span class="bar" style="width:{max(0.0, min(v, 130.0)) * 1.6:.0f}px"></span>' \
            if not math.isnan(v) else ""
        ref = cited[m.id]
        rows.append([escape(data.label(m.name)), escape(w), fmt(v), bar,
                     f'<span class="muted">{escape(ref.value)}</span>' if ref is not None else ""])
        classes.append(f"d{min(m.depth + 1, 4)}")
    title = _("Scorecard (the subject's values)") if data.subject else _("Scorecard (mean of all subjects)")
    return _section("tree", title,
                    _table([_("Node"), _("Weight"), _("Value"), "", _("Citation")], rows, (1, 2), classes,
                           "scorecard-tree"))


def _perspectives(data: ReportData) -> str:
    tree = data.own_plan.top_scorecard()
    charts = []
    groups = [c for c in tree.children or () if isinstance(c, n.Tree)] or [tree]  # a flat scorecard: one chart
    for child in groups:
        items = [(data.label(c.name), _value(data, c.name)) for c in child.children or ()]
        charts.append(f"<h3>{escape(data.label(child.name))}: {fmt(_value(data, child.name))}</h3>"
                      + svg.bars(items, 120.0, [("target", 100.0)]))
    return _section("perspectives", _("Values per perspective"), "".join(charts)) if charts else ""


def _benchmarks(data: ReportData) -> str:
    out = []
    for b in data.benchmarks:
        me = data.entity(b.by) if data.subject else None
        mine = b.position(me) if me is not None else None
        group = mine.peer_group if mine is not None else None
        members = np.flatnonzero(b.table["peer_group"] == group) if group is not None else np.arange(b.size)
        at = np.flatnonzero(b.table["entity"][members] == me) if me is not None else np.empty(0, np.int64)
        marks = [(r.label, r.value) for r in b.references]
        shown = " · " + escape(_("group {group}", group=group_text(group))) if group else ""
        out.append(f"<h3>{escape(b.label)}{shown}</h3>")
        dots = b.rows(members[_spread(members.size, DOTS, at)])
        out.append(svg.strip([(p.entity, p.value) for p in dots], me, marks))
        if members.size > DOTS:
            out.append("<p class=\"muted\">" + escape(_(
                "{shown} of {total} points, evenly spaced by rank; this subject is always shown.",
                shown=format_number(DOTS), total=format_number(members.size))) + "</p>")
        refs = [r.label for r in b.references]
        shown: list[Position | None] = []
        for piece in _runs(_listed(members.size, at)):
            shown += [None] if shown else []  # a gap between listed ranks
            shown += b.rows(members[piece])
        rows = [[escape(p.entity), escape(group_text(p.peer_group)), fmt(p.value),
                 fmt(p.rank, 0) + f" / {fmt(p.peers, 0)}", fmt(p.percentile, 1), fmt(p.z)]
                + [fmt(p.gaps.get(r)) for r in refs] if p is not None
                else ["…", "", "", "", "", ""] + [""] * len(refs) for p in shown]
        classes = ["me" if p is not None and p.entity == me else "" for p in shown]
        out.append(_table([_("Subject"), _("Group"), _("Value"), _("Rank"), _("Percentile"), _("z-score")]
                          + [_("Gap: {reference}", reference=r) for r in refs], rows, tuple(range(2, 6 + len(refs))),
                          classes, "benchmark-table"))
        if b.references:
            out.append("<p class=\"muted\">" + escape(_("References")) + ": " + "; ".join(
                escape(f"{r.label} = {plain(r.value)}" + (f" ({r.source})" if r.source else ""))
                for r in b.references) + "</p>")
    note = "<p class=\"muted\">" + escape(_(
        "Competition ranking (equal values share a rank, the next rank is skipped); percentile = (below + half "
        "of the equal) / count; the z-score uses the sample standard deviation.")) + "</p>"
    return _section("benchmark", _("Benchmark position"), "".join(out) + note) if out else ""


def _spread(size: int, most: int, keep: np.ndarray) -> np.ndarray:
    """At most ``most`` positions of ``range(size)`` evenly spaced (the first and last included), plus ``keep``."""
    if size <= most:
        return np.arange(size)
    return np.union1d(np.linspace(0, size - 1, most - keep.size).round().astype(np.int64), keep)


def _listed(size: int, at: np.ndarray) -> np.ndarray:
    """The table rows of a group of ``size`` (in rank order): all of a small group; of a large one
    the best and worst ``EDGE`` and ``NEAR`` either side of the subject at ``at``."""
    if size <= LISTED:
        return np.arange(size)
    near = [np.arange(max(k - NEAR, 0), min(k + NEAR + 1, size)) for k in at.tolist()]
    return np.unique(np.concatenate([np.arange(EDGE), np.arange(size - EDGE, size), *near]))


def _runs(rows: np.ndarray) -> list[np.ndarray]:
    """Sorted rows split where they skip: each run is listed together."""
    return np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1) if rows.size else []


def _trend(data: ReportData) -> str:
    c = data.comparison
    if c is None:
        return ""
    head = f"<p>{escape(c.base_label)} → {escape(c.current_label)}</p>"
    if data.subject is not None:
        try:
            s = c.subject(data.subject)
        except StopIteration:
            return _section("trend", _("Trend between periods"),
                            head + "<p>" + escape(_("The subject is not in the base period.")) + "</p>")
        tree = data.plan.top_scorecard()
        names = [m.name for m in tree.members()]
        items = [(data.label(x), s.node(x).change) for x in names if any(k.node == x for k in s.nodes)]
        rows = [[escape(data.label(x)), fmt(s.node(x).base), fmt(s.node(x).current), signed(s.node(x).change),
                 fmt(s.node(x).relative, 1)] for x in names if any(k.node == x for k in s.nodes)]
        move = escape(f"{_('Rating')}: {s.rating_base or '—'} → {s.rating_current or '—'}")
        return _section("trend", _("Trend between periods"), head + f"<p>{move}</p>" + svg.diverging(items)
                        + _table([_("Node"), c.base_label, c.current_label, _("Change"), _("% of base")], rows,
                                 (1, 2, 3, 4), ident="trend-table"))
    items = [(s.subject, s.node(c.top).change) for s in c.subjects]
    rows = [[escape(s.subject), fmt(s.node(c.top).base), fmt(s.node(c.top).current), signed(s.node(c.top).change),
             escape(f"{s.rating_base or '—'} → {s.rating_current or '—'}")] for s in c.subjects]
    return _section("trend", _("Trend between periods"), head + svg.diverging(items)
                    + _table([_("Subject"), c.base_label, c.current_label, _("Change"), _("Rating")], rows, (1, 2, 3),
                             ident="trend-table"))


def _improvements(data: ReportData) -> str:
    if not data.improvements:
        return ""
    if data.subject is None:  # the nation: mean points lost per indicator
        names = [x.indicator for x in data.improvements[0].losses]
        mean = {k: float(np.mean([i.loss(k).points for i in data.improvements])) for k in names}
        items = sorted(((data.label(k), v) for k, v in mean.items()), key=lambda x: -x[1])
        return _section("improvement", _("Improvement areas (mean points lost per indicator)"), svg.bars(items))
    imp = data.improvements[0]
    rows = [[escape(x.label), fmt(x.score), fmt(x.full), percent(x.weight, 1), fmt(x.points)]
            for x in imp.losses]
    body = svg.bars([(x.label, x.points) for x in imp.losses[:10]]) + _table(
        [_("Indicator"), _("Score"), _("Full value"), _("Effective weight"), _("Points lost")], rows, (1, 2, 3, 4),
        ident="losses-table")
    if imp.next_band:
        steps = [[escape(s.label), fmt(s.current), fmt(s.needed) if s.reachable else "—",
                  signed(s.change) if s.change is not None else escape(_("not reachable by this indicator alone"))]
                 for s in imp.steps]
        body += ("<h3>" + escape(_("Towards the next rating: {band}", band=imp.next_band)) + "</h3>"
                 + _table([_("Indicator"), _("Now"), _("Needed"), _("Change")], steps, (1, 2), ident="next-band"))
    else:
        body += "<p class=\"muted\">" + escape(_("Already at the highest rating (or no rating).")) + "</p>"
    return _section("improvement", _("Improvement areas"), body)


def _robustness(data: ReportData) -> str:
    s = data.sensitivity
    if s is None:
        return ""
    rank = s.table["rank"] if s.size else np.empty(0)
    order = np.argsort(np.where(np.isnan(rank), np.inf, rank), kind="stable")  # by rank, unranked last
    if data.subject is not None:
        mine = np.flatnonzero(s.table["subject"] == data.subject) if s.size else order[:0]
        order = order[np.abs(rank[order] - rank[mine[0]]) <= 6] if mine.size else order[:12]
    subs = s.rows(order[:40])
    items = [(x.subject, x.rank_low, x.rank_high, x.rank, x.unstable) for x in subs[:40]]
    flags = ('<span class="flag">' + escape(_("unstable")) + "</span>",
             '<span class="ok">' + escape(_("stable")) + "</span>")
    rows = [[escape(x.subject), fmt(x.score), fmt(x.rank, 0), f"{fmt(x.rank_low, 0)} – {fmt(x.rank_high, 0)}",
             escape(str(x.rating or "—")), percent(x.changed), flags[0] if x.unstable else flags[1]]
            for x in subs[:40]]
    info = escape(sensitivity_options(s, code=str) + ".")
    count = int(np.count_nonzero(~np.isnan(rank)))
    return _section("robustness", _("Rank intervals (sensitivity analysis)"),
                    f"<p class=\"muted\">{info}</p>" + svg.intervals(items, count)
                    + _table([_("Subject"), _("Value"), _("Rank"), _("Interval"), _("Rating"), _("Changed"),
                              _("Status")], rows, (1, 2, 3, 5), ident="rank-intervals"))
