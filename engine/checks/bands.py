"""Rules on rating bands: bounds, order, overlaps, gaps and unreachable bands, decided exactly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.context import CheckContext, decimals
from engine.checks.intervals import FULL, Iv
from engine.diagnostics import Diagnostic, Label, error
from engine.i18n import _

_LOWER = (">=", ">")


@dataclass(frozen=True)
class _Band:
    band: n.Band
    iv: Iv | None  # None for `otherwise` and for bands with broken bounds

    @property
    def name(self) -> str:
        return self.band.label.value

    @property
    def catches(self) -> Iv | None:
        """What this band takes for sure (a gated band may let values through)."""
        if self.band.gate is not None:
            return None
        return FULL if self.band.otherwise else self.iv


def band_interval(band: n.Band) -> Iv | None:
    """The values a band's bounds admit, or None when the bounds are contradictory."""
    lows = [b for b in band.bounds if b.op in _LOWER]
    highs = [b for b in band.bounds if b.op not in _LOWER]
    if len(lows) > 1 or len(highs) > 1:
        return None
    lo, hi = (lows[0] if lows else None), (highs[0] if highs else None)
    out = Iv(lo.value.value if lo else -iv.INF, hi.value.value if hi else iv.INF,
             bool(lo and lo.op == ">"), bool(hi and hi.op == "<"))
    return None if out.empty else out


def _setup(ctx: CheckContext, r: n.Rating) -> tuple[list[_Band], Iv, int | None]:
    bands = [_Band(b, None if b.otherwise else band_interval(b)) for b in r.bands]
    target = ctx.decls.get(r.of) if r.of else None
    places = decimals(r.round) if r.round is not None else ctx.grid(target)
    whole = ctx.range_of(r.of) if target is not None else FULL
    if places is not None:
        whole = iv.round_iv(whole, places)
    return bands, whole, places


def _live(bands: list[_Band]) -> list[_Band]:
    """Bands up to the first catch-all `otherwise`; later ones are reported by otherwise_last."""
    out = []
    for b in bands:
        out.append(b)
        if b.band.otherwise and b.band.gate is None:
            break
    return out


def band_bounds(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        for b in r.bands:
            lows = [x for x in b.bounds if x.op in _LOWER]
            highs = [x for x in b.bounds if x.op not in _LOWER]
            if len(lows) > 1 or len(highs) > 1:
                two = _("band `{name}` has two lower bounds") if len(lows) > 1 else \
                    _("band `{name}` has two upper bounds")
                yield error("check.band-bounds", two.format(name=b.label.value), b.bounds[1].span,
                            _("give a band one lower bound (`>=`/`>`) and one upper bound (`<=`/`<`)"))
            elif not b.otherwise and band_interval(b) is None:
                yield error("check.band-bounds", _("band `{name}` matches no value: its lower bound is above its "
                                                   "upper bound", name=b.label.value), b.span,
                            _("swap the two numbers"))


def otherwise_last(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        others = [b for b in r.bands if b.otherwise]
        for b in others:
            if b is not r.bands[-1] or b is not others[0]:
                yield error("check.band-otherwise-last",
                            _("`otherwise` band `{name}` is not the last band", name=b.label.value), b.span,
                            _("keep a single `otherwise` band, at the end: bands after it are never tried"))


def band_order(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        # A gated band may span any values (it only takes those passing its gate): not part of the ladder.
        keyed = [b for b in _setup(ctx, r)[0] if b.iv is not None and b.band.gate is None]
        direction = 0
        for prev, cur in zip(keyed, keyed[1:]):
            step = _cmp((cur.iv.lo, cur.iv.hi), (prev.iv.lo, prev.iv.hi))
            if step and not direction:
                direction = step
            elif step and step != direction:
                down = direction < 0
                message = _("band `{name}` is out of order: the bands run down from the highest") if down else \
                    _("band `{name}` is out of order: the bands run up from the lowest")
                fix = _("list bands down from the highest band, without jumping back") if down else \
                    _("list bands up from the lowest band, without jumping back")
                yield error("check.band-order", message.format(name=cur.name), cur.band.span, fix,
                            [Label(prev.band.span, _("the band before it"))])
                break


def _cmp(a: tuple, b: tuple) -> int:
    return (a > b) - (a < b)


def band_unreachable(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        bands, whole, places = _setup(ctx, r)
        earlier: list[_Band] = []
        for b in _live(bands):
            if b.iv is not None:
                own = iv.intersect(b.iv, whole)
                left = iv.uncovered(own, [e.catches for e in earlier if e.catches is not None])
                if not iv.has_grid_point(own, places):
                    yield error("check.band-unreachable", _("band `{name}` can never be reached: `{of}` lies in "
                                                            "{range}", name=b.name, of=r.of, range=iv.show(whole)),
                                b.band.span, _("move its bounds into that range, or remove it"))
                elif not any(iv.has_grid_point(p, places) for p in left):
                    takers = [e for e in earlier if e.catches and not iv.intersect(e.catches, own).empty]
                    yield error("check.band-unreachable", _("band `{name}` can never be reached: earlier bands take "
                                                            "every value it covers", name=b.name), b.band.span,
                                _("bands are tried in order: move it up or narrow the earlier bands"),
                                [Label(e.band.span, _("takes its values first")) for e in takers])
            earlier.append(b)


def band_overlap(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        bands, whole, places = _setup(ctx, r)
        live = _live(bands)
        for j, b in enumerate(live):
            if b.iv is None or not iv.has_grid_point(iv.intersect(b.iv, whole), places):
                continue
            own = iv.intersect(b.iv, whole)
            takers = [e.catches for e in live[:j] if e.catches is not None]
            if not any(iv.has_grid_point(p, places) for p in iv.uncovered(own, takers)):
                continue  # wholly shadowed: band_unreachable says so
            for e in live[:j]:
                if e.iv is None or e.band.gate is not None:
                    continue
                both = iv.intersect(e.iv, own)
                if iv.has_grid_point(both, places):
                    yield error("check.band-overlap", _("bands `{first}` and `{second}` both match {values}",
                                                        first=e.name, second=b.name, values=iv.describe(both)),
                                b.band.span, _("give each band both edges so they meet without overlapping "
                                               "(e.g. `when >= 90 and < 110`), or gate `{name}` with `if`",
                                               name=e.name),
                                [Label(e.band.span, _("the earlier band"))])
                    break


def band_gap(ctx: CheckContext) -> Iterator[Diagnostic]:
    for r in ctx.of(n.Rating):
        bands, whole, places = _setup(ctx, r)
        if not bands or any(b.band.otherwise and b.band.gate is None for b in bands):
            continue
        caught = [b.catches for b in bands if b.catches is not None]
        for gap in iv.uncovered(whole, caught):
            if not iv.has_grid_point(gap, places):
                continue
            edges = sorted(_edges_at(bands, gap), key=lambda b: b.span.sort_key())
            span = edges[0].span if edges else r.name_span
            help_ = _("make the neighbouring edges meet (`<=` against `>`), round first with `round N`, "
                      "or add an `otherwise` band") if len(edges) > 1 else _("widen a band or add an `otherwise` band")
            gets = _("{value} gets no band") if gap.lo == gap.hi else _("{values} get no band")
            yield error("check.band-gap", gets.format(value=iv.describe(gap), values=iv.describe(gap)), span, help_,
                        [Label(b.span, _("the other side of the gap")) for b in edges[1:]])


def _edges_at(bands: list[_Band], gap: Iv) -> Iterator[n.Bound]:
    """The band edges a gap lies between (the upper edge below it, the lower edge above it)."""
    for b in bands:
        if b.iv is None:
            continue
        for bound in b.band.bounds:
            lower = bound.op in _LOWER
            if (not lower and b.iv.hi == gap.lo) or (lower and b.iv.lo == gap.hi):
                yield bound


RULES = (band_bounds, otherwise_last, band_order, band_unreachable, band_overlap, band_gap)
