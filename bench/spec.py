"""The benchmark scorecard as plain data: read by the policy writer and by the hand-written baselines.

24 indicators = 4 perspectives x 3 objectives x 2 indicators.  ``proses`` is
aggregated by a weighted geometric mean (its indicators have ranges above zero,
so their scores are never 0); the others by a weighted mean.  Every indicator is
``missing exclude`` (the default): a missing one is left out and its sibling
re-weighted.  The scorecard is rounded to 2 decimals and rated in 5 bands.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    name: str
    better: str  # "higher" | "lower" | "within"
    target: float | None  # higher/lower
    lo: float | None  # within: the target range
    hi: float | None
    cap: float
    range: tuple[float, float]  # valid data range (the generator stays inside it)
    weight: float  # percent of its objective


@dataclass(frozen=True)
class Objective:
    name: str
    weight: float  # percent of its perspective
    indicators: tuple[Indicator, Indicator]


@dataclass(frozen=True)
class Perspective:
    name: str
    weight: float  # percent of the scorecard
    method: str  # "mean" | "geometric"
    objectives: tuple[Objective, Objective, Objective]


# (better, target-or-range, cap, data range) patterns; geometric children need a range above 0.
_KINDS = {
    "h": ("higher", (100.0,), 120.0, (0.0, 200.0)),
    "l": ("lower", (10.0,), 120.0, (0.0, 40.0)),
    "w": ("within", (95.0, 105.0), 110.0, (0.0, 200.0)),
    "H": ("higher", (4.0,), 110.0, (1.0, 5.0)),
    "W": ("within", (3.0, 3.5), 110.0, (1.0, 5.0)),
}
_LAYOUT = (  # perspective, weight %, method, objectives: (name, weight %, kinds, indicator weights %)
    ("hasil", 35.0, "mean", (("sasaran", 40.0, "hl", (60.0, 40.0)), ("layanan", 35.0, "wh", (50.0, 50.0)),
                             ("kepuasan", 25.0, "hw", (70.0, 30.0)))),
    ("keuangan", 20.0, "mean", (("anggaran", 50.0, "hh", (60.0, 40.0)), ("aset", 25.0, "lw", (50.0, 50.0)),
                                ("akuntabilitas", 25.0, "hl", (50.0, 50.0)))),
    ("proses", 25.0, "geometric", (("digital", 40.0, "HW", (60.0, 40.0)), ("integritas", 30.0, "HH", (50.0, 50.0)),
                                   ("budaya", 30.0, "WH", (40.0, 60.0)))),
    ("pembelajaran", 20.0, "mean", (("kompetensi", 50.0, "hw", (50.0, 50.0)), ("inovasi", 30.0, "lh", (40.0, 60.0)),
                                    ("organisasi", 20.0, "hh", (50.0, 50.0)))),
)
# (label, lower edge inclusive); the last band has no lower edge.
BANDS = (("Sangat Baik", 110.0), ("Baik", 90.0), ("Butuh Perbaikan", 70.0), ("Kurang", 50.0), ("Sangat Kurang", None))
SCORECARD = "nilai"
RATING = "predikat"
ROUND = 2
MISSING_SHARE = 0.02
N_AGENCIES = 600


def _build() -> tuple[Perspective, ...]:
    out = []
    k = 0
    for pname, pw, method, objectives in _LAYOUT:
        objs = []
        for oname, ow, kinds, iws in objectives:
            inds = []
            for kind, iw in zip(kinds, iws):
                k += 1
                better, tgt, cap, rng = _KINDS[kind]
                target = tgt[0] if len(tgt) == 1 else None
                lo, hi = (tgt if len(tgt) == 2 else (None, None))
                inds.append(Indicator(f"i{k:02d}_{oname}", better, target, lo, hi, cap, rng, iw))
            objs.append(Objective(oname, ow, (inds[0], inds[1])))
        out.append(Perspective(pname, pw, method, (objs[0], objs[1], objs[2])))
    return tuple(out)


PERSPECTIVES = _build()
INDICATORS = tuple(i for p in PERSPECTIVES for o in p.objectives for i in o.indicators)
