"""Plain-text and JSON renderings of the analyses, for `kinerja benchmark|compare|sensitivity`."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from engine.analysis.benchmark import Benchmark, Position
from engine.analysis.common import fmt
from engine.analysis.compare import Comparison
from engine.analysis.periods import PeriodChange
from engine.analysis.sensitivity import Sensitivity


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
        within = f" within {b.within}" if b.within else ""
        out.append(f"benchmark {b.node} ({b.label}) by {b.by}{within}: {b.size:,} entities")
        for r in b.references:
            out.append(f"  reference {r.label}: {r.value:g}" + (f" ({r.source})" if r.source else ""))
        for g in b.groups:
            out.append(f"  group {g.peer_group}: n={g.count} mean={fmt(g.mean)} median={fmt(g.median)} "
                       f"sd={fmt(g.sd)} min={fmt(g.low)} max={fmt(g.high)}")
        refs = [r.label for r in b.references]
        rows: list[list[str]] = []
        cut = False
        for head, tail, size in b.ends(top).values():
            rows += [_position(p, refs) for p in head]
            if size > len(head) + len(tail):
                rows.append(["...", f"{size - len(head) - len(tail):,} more"] + [""] * (4 + len(refs)))
                cut = True
            rows += [_position(p, refs) for p in tail]
        out += ["  " + x for x in _grid(["entity", "group", "value", "rank", "pct", "z", *(f"gap {r}" for r in refs)],
                                        rows)]
        if cut:
            out.append(f"  (the best and worst {top} of each group; every entity with -o FILE)")
        out.append("")
    return "\n".join(out)


def _position(p: Position, refs: list[str]) -> list[str]:
    return [p.entity, p.peer_group, fmt(p.value), f"{fmt(p.rank, 0)}/{p.peers}", fmt(p.percentile, 1), fmt(p.z)] \
        + [fmt(p.gaps[r]) for r in refs]


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
    out = [f"compare {c.base_label} -> {c.current_label}: {len(c.subjects)} subject(s) in both"]
    if c.entering:
        out.append("  only in " + c.current_label + ": " + ", ".join(c.entering))
    if c.leaving:
        out.append("  only in " + c.base_label + ": " + ", ".join(c.leaving))
    if subject is not None:
        s = c.subject(subject)
        out.append(f"{s.subject}: {s.rating_base or '-'} -> {s.rating_current or '-'}")
        rows = [[x.node, fmt(x.base), fmt(x.current), fmt(x.change), fmt(x.relative, 1),
                 "" if x.raw_change is None else fmt(x.raw_change)] for x in s.nodes]
        out += ["  " + x for x in _grid(["node", "base", "current", "change", "% of base", "raw change"], rows)]
        return "\n".join(out) + "\n"
    rows = [[s.subject, fmt(s.node(c.top).base), fmt(s.node(c.top).current), fmt(s.node(c.top).change),
             fmt(s.node(c.top).relative, 1), f"{s.rating_base or '-'} -> {s.rating_current or '-'}",
             "" if s.bands_moved is None else f"{s.bands_moved:+d}"] for s in c.subjects]
    out += ["  " + x for x in _grid(["subject", "base", "current", "change", "% of base", "rating", "bands"], rows)]
    return "\n".join(out) + "\n"


def period_change_text(c: PeriodChange, top: int = 25) -> str:
    """Counts, the mean change, the rating transitions and the subjects whose rating changed (``top`` of them)."""
    out = [f"compare {c.base_label} -> {c.current_label}: {c.size:,} subject(s) in both, "
           f"{len(c.entering):,} only in {c.current_label}, {len(c.leaving):,} only in {c.base_label}"]
    for names, where in ((c.entering, c.current_label), (c.leaving, c.base_label)):
        if names:
            out.append(f"  only in {where}: " + ", ".join(names[:top]) + (" ..." if len(names) > top else ""))
    change = c.change[~np.isnan(c.change)] if c.size else np.empty(0)
    if change.size:
        up, down = int((change > 0).sum()), int((change < 0).sum())
        out.append(f"  {c.top}: mean change {change.mean():+.2f}, median {np.median(change):+.2f}; "
                   f"up {up:,}, down {down:,}, same {change.size - up - down:,}")
    cells = c.transitions()
    used = [x for x in [*c.order, "—"] if any(x in k for k in cells)]
    out += ["", f"rating transitions (rows: {c.base_label}, columns: {c.current_label}):"]
    out += ["  " + x for x in _grid(["", *used], [[a, *(str(cells.get((a, b), 0)) for b in used)] for a in used])]
    rows = c.changed()
    out += ["", f"rating changed for {rows.size:,} subject(s)" + (f"; the first {top} (all with -o FILE):"
                                                                  if rows.size > top else ":")]
    t = c.rows(rows[:top])
    shown = [[str(t["subject"][i]), fmt(t["base"][i]), fmt(t["current"][i]), fmt(t["change"][i]),
              f"{t['rating_base'][i] or '-'} -> {t['rating_current'][i] or '-'}",
              "" if t["bands_moved"][i] is None else f"{t['bands_moved'][i]:+d}"] for i in range(len(t["subject"]))]
    out += ["  " + x for x in _grid(["subject", "base", "current", "change", "rating", "bands"], shown)]
    return "\n".join(out) + "\n"


def sensitivity_text(s: Sensitivity, top: int = 25) -> str:
    """The options, rank-interval and rating-change summaries, and the subjects: all of them by rank
    when there are at most ``top``, else the ``top`` least stable."""
    opts = f"weights ±{s.weight_range * 100:g}%"
    opts += f", aggregations {'/'.join(s.aggregations)}" if s.aggregations else ""
    opts += f", missing {'/'.join(s.treatments)}" if s.treatments else ""
    out = [f"sensitivity of {s.top} ({s.rating or 'no rating'}): {s.runs} runs, seed {s.seed}, {opts}; "
           f"unstable when the rating changes in more than {s.threshold * 100:g}% of runs"]
    out += _spread(s)
    if s.size <= top:
        shown = sorted(s.subjects, key=lambda x: (x.rank != x.rank, x.rank, x.subject))
    else:
        shown = s.least_stable(top)
        out.append(f"the {top} least stable subjects (every subject with -o FILE):")
    rows = [[x.subject, fmt(x.score), fmt(x.rank, 0), f"{fmt(x.rank_low, 0)}-{fmt(x.rank_high, 0)}",
             fmt(x.rank_median, 1), str(x.rating or "-"), f"{x.changed * 100:.1f}%", "UNSTABLE" if x.unstable else ""]
            for x in shown]
    out += ["  " + x for x in _grid(["subject", "score", "rank", "interval", "median", "rating", "changed", ""],
                                    rows)]
    out.append(f"{s.unstable} unstable rating(s) of {s.size}")
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
        out.append(f"  rank interval width: median {q[0]:g}, 90th percentile {q[1]:g}, 99th {q[2]:g}, max {q[3]:g}")
    shares = [("never", changed == 0), ("in up to 10% of runs", (changed > 0) & (changed <= 0.1)),
              ("in 10-50%", (changed > 0.1) & (changed <= 0.5)), ("in more than 50%", changed > 0.5)]
    out.append("  rating changed: " + ", ".join(f"{name} {100 * m.sum() / s.size:.1f}%" for name, m in shares))
    return out
