"""Hand-written implementations of the benchmark scorecard (bench/spec.py): numpy and polars.

They are what an analyst would write by hand for this one scorecard, with the
policy's semantics: ratio scores floored at 0 and capped, a missing indicator
left out with its sibling re-weighted, weighted means and one weighted
geometric mean, the scorecard rounded half away from zero to 2 decimals, and the
rating's 5 bands on the rounded value.  Each returns a dict name -> column for
every indicator score, objective, perspective, the scorecard and the rating.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import spec

REL = 1e-12  # the policy language's rounding tolerance (half-way points stored a hair low)


def _round_half_away_np(x: np.ndarray, places: int) -> np.ndarray:
    scale = 10.0 ** places
    y = np.abs(x) * scale
    whole = np.floor(y)
    with np.errstate(invalid="ignore"):
        up = (y - whole) >= 0.5 - REL * np.maximum(1.0, y)
    return np.copysign((whole + up) / scale, x)


def _score_np(ind: spec.Indicator, x: np.ndarray) -> np.ndarray:
    if ind.better == "higher":
        s = x / ind.target * 100.0
    elif ind.better == "lower":
        s = (2.0 - x / ind.target) * 100.0
    else:
        s = np.where(x > ind.hi, x / ind.hi * 100.0, np.where(x < ind.lo, x / ind.lo * 100.0, 100.0))
        s[np.isnan(x)] = np.nan
    return np.minimum(np.maximum(s, 0.0), ind.cap)


def _mean_np(xs: list[np.ndarray], ws: list[float]) -> np.ndarray:
    num = np.zeros_like(xs[0])
    den = np.zeros_like(xs[0])
    for x, w in zip(xs, ws):
        ok = ~np.isnan(x)
        num += np.where(ok, x * w, 0.0)
        den += ok * w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _geo_np(xs: list[np.ndarray], ws: list[float]) -> np.ndarray:
    num = np.zeros_like(xs[0])
    den = np.zeros_like(xs[0])
    for x, w in zip(xs, ws):
        ok = ~np.isnan(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            num += np.where(ok, np.log(np.where(ok, x, 1.0)) * w, 0.0)
        den += ok * w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, np.exp(num / den), np.nan)


def numpy_scorecard(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    pvals, pws = [], []
    for p in spec.PERSPECTIVES:
        ovals, ows = [], []
        for o in p.objectives:
            s = [_score_np(i, cols[i.name]) for i in o.indicators]
            for i, si in zip(o.indicators, s):
                out[i.name] = si
            out[o.name] = _mean_np(s, [i.weight for i in o.indicators])
            ovals.append(out[o.name])
            ows.append(o.weight)
        out[p.name] = (_geo_np if p.method == "geometric" else _mean_np)(ovals, ows)
        pvals.append(out[p.name])
        pws.append(p.weight)
    total = _round_half_away_np(_mean_np(pvals, pws), spec.ROUND)
    out[spec.SCORECARD] = total
    label = np.full(total.shape, None, dtype=object)
    open_ = ~np.isnan(total)
    for name, edge in spec.BANDS:
        hit = open_ & (total >= edge) if edge is not None else open_
        label[hit] = name
        open_ &= ~hit
    out[spec.RATING] = label
    return out


# ------------------------------------------------------------------ polars

def polars_stages() -> list[list[Any]]:
    """The scorecard as successive ``with_columns`` stages (indicators, objectives, perspectives,
    total, rating): each level reads the previous level's columns, so no sub-expression is repeated."""
    import polars as pl

    def score(ind: spec.Indicator) -> pl.Expr:
        x = pl.col(ind.name)
        if ind.better == "higher":
            s = x / ind.target * 100.0
        elif ind.better == "lower":
            s = (2.0 - x / ind.target) * 100.0
        else:
            s = (pl.when(x.is_null()).then(None).when(x > ind.hi).then(x / ind.hi * 100.0)
                 .when(x < ind.lo).then(x / ind.lo * 100.0).otherwise(100.0))
        return s.clip(0.0, ind.cap).alias(ind.name)

    def mean(names: list[str], ws: list[float], geometric: bool = False) -> pl.Expr:
        xs = [pl.col(k) for k in names]
        num = pl.sum_horizontal([(x.log() if geometric else x) * w for x, w in zip(xs, ws)])  # nulls skipped
        den = pl.sum_horizontal([x.is_not_null().cast(pl.Float64) * w for x, w in zip(xs, ws)])
        value = num / den
        return pl.when(den > 0).then(value.exp() if geometric else value).otherwise(None)

    objectives = [o for p in spec.PERSPECTIVES for o in p.objectives]
    stages: list[list[Any]] = [
        [score(i) for i in spec.INDICATORS],
        [mean([i.name for i in o.indicators], [i.weight for i in o.indicators]).alias(o.name) for o in objectives],
        [mean([o.name for o in p.objectives], [o.weight for o in p.objectives], p.method == "geometric").alias(p.name)
         for p in spec.PERSPECTIVES],
    ]
    unrounded = mean([p.name for p in spec.PERSPECTIVES], [p.weight for p in spec.PERSPECTIVES])
    y = unrounded.abs() * 10.0 ** spec.ROUND
    whole = y.floor()
    up = ((y - whole) >= (0.5 - REL * pl.max_horizontal(y, pl.lit(1.0)))).cast(pl.Float64)
    stages.append([(((whole + up) / 10.0 ** spec.ROUND) * unrounded.sign()).alias(spec.SCORECARD)])
    total = pl.col(spec.SCORECARD)
    rating = pl.when(total.is_null()).then(pl.lit(None, pl.String))
    for name, edge in spec.BANDS:
        rating = rating.when(total >= edge).then(pl.lit(name)) if edge is not None else rating.otherwise(pl.lit(name))
    stages.append([rating.alias(spec.RATING)])
    return stages


def polars_scorecard(frame: Any) -> Any:
    """The output columns (every node and the rating) as a polars DataFrame or LazyFrame."""
    for stage in polars_stages():
        frame = frame.with_columns(stage)
    return frame.select(OUTPUTS)


OUTPUTS = ([i.name for i in spec.INDICATORS] + [o.name for p in spec.PERSPECTIVES for o in p.objectives]
           + [p.name for p in spec.PERSPECTIVES] + [spec.SCORECARD, spec.RATING])
