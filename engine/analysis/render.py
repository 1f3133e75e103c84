"""Plain-text and JSON renderings of the analyses, for `kinerja benchmark|compare|sensitivity`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import numpy as np

from engine.analysis.benchmark import Benchmark, Position
from engine.analysis.common import fmt, group_text, percent, plain, signed
from engine.analysis.compare import Comparison
from engine.analysis.periods import PeriodChange
from engine.analysis.sensitivity import Sensitivity
from engine.i18n import N_, _, ngettext
from engine.i18n.formats import format_number as num

_BY = {"subject": N_("subject"), "agency": N_("agency")}


def to_json(obj: object, **kw: object) -> str:
    data = [x.to_dict(**kw) for x in obj] if isinstance(obj, list) else obj.to_dict(**kw)  # type: ignore[attr-defined]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _grid(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: "  ".join(str(c).rjust(w) if k else str(c).ljust(w) for k, (c, w) in  # noqa: E731
                               enumerate(zip(r, widths))).rstrip()
    return [line(head), *(line(r) for r in rows)]


def benchmarks_text(found: list[Benchmark], top: int = 10) -> str:
    """Per benchmark: references, group statistics and each group's ``top`` best and worst positions."""
    out: list[str] = []
    for b in found:
        by = _(_BY[b.by]) if b.by in _BY else b.by  # a built-in level in words, a field by its name
        head = _("benchmark {node} ({label}) by {by}", node=b.node, label=b.label, by=by)
        if b.within:
            head += " " + _("within {group}", group=b.within)
        out.append(head + ": " + ngettext("{count} entity", "{count} entities", b.size, count=num(b.size)))
        for r in b.references:
            out.append("  " + _("reference {label}: {value}", label=r.label, value=plain(r.value))
                       + (f" ({r.source})" if r.source else ""))
        for g in b.groups:
            out.append("  " + _("group {group}: n={n} mean={mean} median={median} sd={sd} min={min} max={max}",
                                group=group_text(g.peer_group), n=num(g.count), mean=fmt(g.mean), median=fmt(g.median),
                                sd=fmt(g.sd), min=fmt(g.low), max=fmt(g.high)))
        refs = [r.label for r in b.references]
        rows: list[list[str]] = []
        cut = False
        for head, tail, size in b.ends(top).values():
            rows += [_position(p, refs) for p in head]
            if size > len(head) + len(tail):
                rows.append(["...", _("{n} more", n=num(size - len(head) - len(tail)))] + [""] * (4 + len(refs)))
                cut = True
            rows += [_position(p, refs) for p in tail]
        columns = [_("entity"), _("group"), _("value"), _("rank"), _("pct"), "z", *(_("gap {reference}", reference=r)
                                                                                     for r in refs)]
        out += ["  " + x for x in _grid(columns, rows)]
        if cut:
            out.append("  (" + _("the best and worst {n} of each group; every entity with -o FILE", n=top) + ")")
        out.append("")
    return "\n".join(out)


def _position(p: Position, refs: list[str]) -> list[str]:
    return [p.entity, group_text(p.peer_group), fmt(p.value), f"{fmt(p.rank, 0)}/{num(p.peers)}",
            fmt(p.percentile, 1), fmt(p.z)] + [fmt(p.gaps[r]) for r in refs]


def benchmark_table(found: list[Benchmark]) -> dict[str, np.ndarray]:
    """Every position of every benchmark as one table (a ``benchmark`` column names the node)."""
    gaps = list(dict.fromkeys(k for b in found for k in b.table if k.startswith("gap ")))
    parts = []
    for b in found:
        cols = {"benchmark": np.full(b.size, b.node, dtype=object), **{k: b.table[k] for k in b.table if
                                                                        not k.startswith("gap ")}}
        cols.update({g: b.table.get(g, np.full(b.size, np.nan)) for g in gaps})
        parts.append(cols)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}


def comparison_text(c: Comparison, subject: str | None = None) -> str:
    out = [_compare_head(c.base_label, c.current_label) + ngettext(
        "{count} subject in both", "{count} subjects in both", len(c.subjects), count=num(len(c.subjects)))]
    for names, where in ((c.entering, c.current_label), (c.leaving, c.base_label)):
        if names:
            out.append("  " + _("only in {period}", period=where) + ": " + ", ".join(names))
    if subject is not None:
        s = c.subject(subject)
        out.append(f"{s.subject}: {s.rating_base or '-'} -> {s.rating_current or '-'}")
        rows = [[x.node, fmt(x.base), fmt(x.current), fmt(x.change), fmt(x.relative, 1),
                 "" if x.raw_change is None else fmt(x.raw_change)] for x in s.nodes]
        head = [_("node"), _("base"), _("current"), _("change"), _("% of base"), _("raw change")]
        out += ["  " + x for x in _grid(head, rows)]
        return "\n".join(out) + "\n"
    rows = [[s.subject, fmt(s.node(c.top).base), fmt(s.node(c.top).current), fmt(s.node(c.top).change),
             fmt(s.node(c.top).relative, 1), f"{s.rating_base or '-'} -> {s.rating_current or '-'}",
             "" if s.bands_moved is None else f"{s.bands_moved:+d}"] for s in c.subjects]
    head = [_("subject"), _("base"), _("current"), _("change"), _("% of base"), _("rating"), _("bands")]
    out += ["  " + x for x in _grid(head, rows)]
    return "\n".join(out) + "\n"


def _compare_head(base: str, current: str) -> str:
    return _("compare {base} -> {current}", base=base, current=current) + ": "


def period_change_text(c: PeriodChange, top: int = 25) -> str:
    """Counts, the mean change, the rating transitions and the subjects whose rating changed (``top`` of them)."""
    out = [_compare_head(c.base_label, c.current_label) + ngettext(
        "{count} subject in both", "{count} subjects in both", c.size, count=num(c.size)) + ", "
        + _("{n} only in {period}", n=num(len(c.entering)), period=c.current_label) + ", "
        + _("{n} only in {period}", n=num(len(c.leaving)), period=c.base_label)]
    for names, where in ((c.entering, c.current_label), (c.leaving, c.base_label)):
        if names:
            out.append("  " + _("only in {period}", period=where) + ": " + ", ".join(names[:top])
                       + (" ..." if len(names) > top else ""))
    change = c.change[~np.isnan(c.change)] if c.size else np.empty(0)
    if change.size:
        up, down = int((change > 0).sum()), int((change < 0).sum())
        out.append(f"  {c.top}: " + _("mean change {mean}, median {median}; up {up}, down {down}, same {same}",
                                      mean=signed(change.mean()), median=signed(np.median(change)), up=num(up),
                                      down=num(down), same=num(change.size - up - down)))
    cells = c.transitions()
    used = [x for x in [*c.order, "—"] if any(x in k for k in cells)]
    out += ["", _("rating transitions (rows: {base}, columns: {current})", base=c.base_label,
                  current=c.current_label) + ":"]
    out += ["  " + x for x in _grid(["", *used], [[a, *(num(cells.get((a, b), 0)) for b in used)] for a in used])]
    rows = c.changed()
    changed = ngettext("rating changed for {count} subject", "rating changed for {count} subjects", rows.size,
                       count=num(rows.size))
    out += ["", changed + ("; " + _("the first {n} (all with -o FILE)", n=top) if rows.size > top else "") + ":"]
    t = c.rows(rows[:top])
    shown = [[str(t["subject"][i]), fmt(t["base"][i]), fmt(t["current"][i]), fmt(t["change"][i]),
              f"{t['rating_base'][i] or '-'} -> {t['rating_current'][i] or '-'}",
              "" if t["bands_moved"][i] is None else f"{t['bands_moved'][i]:+d}"] for i in range(len(t["subject"]))]
    head = [_("subject"), _("base"), _("current"), _("change"), _("rating"), _("bands")]
    out += ["  " + x for x in _grid(head, shown)]
    return "\n".join(out) + "\n"


def sensitivity_options(s: Sensitivity, code: Callable[[str], str] = lambda word: f"`{word}`") -> str:
    """What the runs varied and when a subject counts as unstable, in one sentence (the text
    summary's and the HTML report's); ``code`` marks the language's words (aggregations, treatments)."""
    opts = [_("{runs} runs, seed {seed}, weights ±{range}", runs=num(s.runs), seed=s.seed,
              range=plain(s.weight_range * 100) + "%")]
    if s.aggregations:
        opts.append(_("aggregations {names}", names="/".join(code(a) for a in s.aggregations)))
    if s.treatments:
        opts.append(_("missing-data treatments {names}", names="/".join(code(t) for t in s.treatments)))
    return ", ".join(opts) + "; " + _("unstable when the rating changes in more than {share} of runs",
                                      share=plain(s.threshold * 100) + "%")


def sensitivity_text(s: Sensitivity, top: int = 25) -> str:
    """The options, rank-interval and rating-change summaries, and the subjects: all of them by rank
    when there are at most ``top``, else the ``top`` least stable."""
    head = _("sensitivity of {node} ({rating})", node=s.top, rating=s.rating or _("no rating"))
    out = [f"{head}: " + sensitivity_options(s)]
    out += _spread(s)
    if s.size <= top:
        shown = sorted(s.subjects, key=lambda x: (x.rank != x.rank, x.rank, x.subject))
    else:
        shown = s.least_stable(top)
        out.append(_("the {n} least stable subjects (every subject with -o FILE):", n=top))
    rows = [[x.subject, fmt(x.score), fmt(x.rank, 0), f"{fmt(x.rank_low, 0)}-{fmt(x.rank_high, 0)}",
             fmt(x.rank_median, 1), str(x.rating or "-"), percent(x.changed, 1), _("UNSTABLE") if x.unstable else ""]
            for x in shown]
    head_row = [_("subject"), _("score"), _("rank"), _("interval"), _("median"), _("rating"), _("changed"), ""]
    out += ["  " + x for x in _grid(head_row, rows)]
    out.append(ngettext("{count} unstable rating of {size}", "{count} unstable ratings of {size}", s.unstable,
                        count=num(s.unstable), size=num(s.size)))
    return "\n".join(out) + "\n"


def _spread(s: Sensitivity) -> list[str]:
    """Quartiles of the rank-interval width and the shares of subjects by how often their rating changed."""
    if not s.size:
        return []
    width = (s.table["rank_high"] - s.table["rank_low"])
    width = width[~np.isnan(width)]
    changed = s.table["changed"]
    out = []
    if width.size:
        q = np.percentile(width, [50, 90, 99, 100])
        out.append("  " + _("rank interval width: median {median}, 90th percentile {p90}, 99th {p99}, max {max}",
                            median=plain(q[0]), p90=plain(q[1]), p99=plain(q[2]), max=plain(q[3])))
    shares = [(_("never"), changed == 0), (_("in up to 10% of runs"), (changed > 0) & (changed <= 0.1)),
              (_("in 10-50%"), (changed > 0.1) & (changed <= 0.5)), (_("in more than 50%"), changed > 0.5)]
    out.append("  " + _("rating changed") + ": " + ", ".join(f"{name} {percent(m.sum() / s.size, 1)}"
                                                              for name, m in shares))
    return out
