"""Inline SVG charts for the HTML report: horizontal bars, diverging bars, rank intervals, a dot strip.

Every text goes through ``html.escape``; charts scale to the values given and
need no script, font or network to render.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from engine.analysis.common import fmt, plain, signed
from engine.i18n import _
from engine.i18n.formats import format_number

BLUE, GREY, RED, GREEN, ORANGE = "#2f6db5", "#c9d3df", "#c0392b", "#2e8b57", "#d98c1f"
ROW, LABEL_W, WIDTH = 22, 260, 760


def _svg(height: int, body: list[str], cls: str) -> str:
    return (f'<svg class="chart {cls}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img">' + "".join(body) + "</svg>")


def _text(x: float, y: float, s: str, anchor: str = "start", cls: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"' + (f' class="{cls}"' if cls else "")
            + f">{escape(s)}</text>")


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _ok(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def bars(items: Sequence[tuple[str, float | None]], top: float | None = None,
         marks: Sequence[tuple[str, float]] = (), highlight: str | None = None, unit: str = "") -> str:
    """Horizontal bars from 0 (missing values drawn as an empty row labelled '—')."""
    vals = [v for _, v in items if _ok(v)] + [m for _, m in marks]
    top = top or max([*vals, 1.0])
    scale = (WIDTH - LABEL_W - 70) / top
    height = ROW * len(items) + 28
    body = []
    for k, (label, v) in enumerate(items):
        y = 14 + k * ROW
        body.append(_text(LABEL_W - 8, y + 14, _short(label), "end"))
        if _ok(v):
            w = max(0.0, float(v)) * scale  # type: ignore[arg-type]
            color = ORANGE if label == highlight else BLUE
            body.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW - 7}" fill="{color}"/>')
            body.append(_text(LABEL_W + w + 4, y + 14, fmt(v) + unit, cls="val"))
        else:
            body.append(_text(LABEL_W + 4, y + 14, "—", cls="val"))
    for label, m in marks:
        x = LABEL_W + m * scale
        body.append(f'<line x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="{height - 14}" stroke="{RED}" '
                    'stroke-dasharray="4 3"/>')
        body.append(_text(x, height - 3, _short(f"{label} {plain(m)}", 30), "middle", "mark"))
    return _svg(height, body, "bars")


def diverging(items: Sequence[tuple[str, float | None]]) -> str:
    """Bars left (red, a fall) or right (green, a rise) of a zero line."""
    vals = [abs(v) for _, v in items if _ok(v)]
    span = max([*vals, 1e-9])
    mid = LABEL_W + (WIDTH - LABEL_W) / 2
    scale = ((WIDTH - LABEL_W) / 2 - 50) / span
    height = ROW * len(items) + 16
    body = [f'<line x1="{mid:.1f}" y1="4" x2="{mid:.1f}" y2="{height - 4}" stroke="#555"/>']
    for k, (label, v) in enumerate(items):
        y = 8 + k * ROW
        body.append(_text(LABEL_W - 8, y + 14, _short(label), "end"))
        if not _ok(v):
            body.append(_text(mid + 4, y + 14, "—", cls="val"))
            continue
        w = abs(float(v)) * scale  # type: ignore[arg-type]
        x = mid if v >= 0 else mid - w  # type: ignore[operator]
        body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW - 7}" '
                    f'fill="{GREEN if v >= 0 else RED}"/>')  # type: ignore[operator]
        tx = mid + w + 4 if v >= 0 else mid - w - 4  # type: ignore[operator]
        body.append(_text(tx, y + 14, signed(v), "start" if v >= 0 else "end", "val"))  # type: ignore[operator]
    return _svg(height, body, "diverging")


def intervals(items: Sequence[tuple[str, float, float, float, bool]], count: int) -> str:
    """Rank intervals: a line from the best to the worst rank, a dot at the actual rank; rank 1 left."""
    count = max(count, 2)
    scale = (WIDTH - LABEL_W - 40) / (count - 1)
    height = ROW * len(items) + 34
    body = []
    for r in sorted({1, count, *range(1, count + 1, max(1, count // 5))}):
        x = LABEL_W + (r - 1) * scale
        body.append(f'<line x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="{height - 22}" stroke="#e3e7ec"/>')
        body.append(_text(x, height - 8, format_number(r), "middle", "mark"))
    for k, (label, lo, hi, at, flag) in enumerate(items):
        y = 10 + k * ROW + ROW / 2
        body.append(_text(LABEL_W - 8, y + 4, _short(label), "end"))
        if not (_ok(lo) and _ok(hi)):
            continue
        color = RED if flag else BLUE
        x1, x2 = LABEL_W + (lo - 1) * scale, LABEL_W + (hi - 1) * scale
        body.append(f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="{color}" '
                    'stroke-width="4" stroke-linecap="round"/>')
        if _ok(at):
            body.append(f'<circle cx="{LABEL_W + (at - 1) * scale:.1f}" cy="{y:.1f}" r="5" fill="#222"/>')
    return _svg(height, body, "intervals")


def strip(values: Sequence[tuple[str, float]], highlight: str | None, marks: Sequence[tuple[str, float]] = ()) -> str:
    """Every peer's value as a dot on one axis; the highlighted subject larger, references dashed."""
    vals = [v for _, v in values if _ok(v)] + [m for _, m in marks]
    if not vals:
        return _svg(30, [_text(10, 20, _("no values"))], "strip")
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    left, right = 40, WIDTH - 40
    scale = (right - left) / (hi - lo)
    body = [f'<line x1="{left}" y1="50" x2="{right}" y2="50" stroke="#888"/>',
            _text(left, 80, fmt(lo + pad, 1), "start", "mark"), _text(right, 80, fmt(hi - pad, 1), "end", "mark")]
    for label, m in marks:
        x = left + (m - lo) * scale
        body.append(f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="66" stroke="{RED}" stroke-dasharray="4 3"/>')
        body.append(_text(x, 18, _short(f"{label} {plain(m)}", 34), "middle", "mark"))
    mine = None
    for label, v in values:
        if not _ok(v):
            continue
        x = left + (v - lo) * scale
        if label == highlight:
            mine = (x, v)
        else:
            body.append(f'<circle cx="{x:.1f}" cy="50" r="4" fill="{BLUE}" fill-opacity="0.55"/>')
    if mine is not None:
        body.append(f'<circle cx="{mine[0]:.1f}" cy="50" r="8" fill="{ORANGE}" stroke="#222"/>')
        body.append(_text(mine[0], 100, f"{highlight}: {fmt(mine[1])}", "middle", "val"))
    return _svg(108, body, "strip")
