"""Shared reading of evaluated results: numeric columns, the top scorecard, its rating, band order."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from engine import nodes as n
from engine.evaluate import Result
from engine.evaluate.numeric import snap
from engine.i18n import N_, _
from engine.i18n.formats import format_number, format_percent
from engine.plan import Plan

ALL = "all"  # the one peer group of a benchmark without `within`
NO_PEER_GROUP = N_("(no peer group)")
# The stable keys of JSON and CSV outputs, as a reader of text and HTML sees them.
_GROUP_WORDS = {ALL: N_("all"), NO_PEER_GROUP: NO_PEER_GROUP}


def group_text(key: str) -> str:
    """A peer group as shown to a person: ``all`` and ``(no peer group)`` in the reader's language
    (``semua``, ``(tanpa kelompok sejawat)``); a group named by the data as it is."""
    word = _GROUP_WORDS.get(key)
    return _(word) if word is not None else key


def numeric(result: Result, name: str) -> np.ndarray:
    """A step's value as float64 (labels and missing as NaN), snapped to 12 significant digits
    so that float noise never breaks a tie."""
    col = result.steps[name].value
    if col.dtype == object:
        out = np.array([x if isinstance(x, (int, float)) and not isinstance(x, bool) else np.nan for x in col],
                       dtype=np.float64)
    else:
        out = col.astype(np.float64)
    return snap(out)


def labels(result: Result, name: str) -> np.ndarray:
    """A rating's or table's labels as an object array (None where missing)."""
    step = result.steps[name]
    if step.kind == "rating":  # taken from the bands' labels (engine.evaluate.decide): text or None, never NaN
        return step.value
    col = step.value
    return np.array([None if x is None or (isinstance(x, float) and math.isnan(x)) else x for x in col],
                    dtype=object)


def default_plan(result: Result) -> Plan:
    return result.plans[None]


def main_rating(plan: Plan, of: str | None = None) -> n.Rating | None:
    """The first rating of ``of`` (default: the top scorecard), else the first rating at all."""
    of = of or plan.top_scorecard().name
    ratings = [s.decl for s in plan.steps if isinstance(s.decl, n.Rating)]
    return next((r for r in ratings if r.of == of), ratings[0] if ratings else None)


def band_order(rating: n.Rating) -> list[str]:
    """Band labels from the best (highest lower edge) to the worst.

    A band's lower edge is its ``>=``/``>`` bound (minus infinity without one); the
    `otherwise` band is the worst.  Gated bands keep their place by their edges.
    """
    def edge(b: n.Band) -> tuple[float, float]:
        if b.otherwise:
            return (-math.inf, -math.inf)
        lows = [float(x.value.value) for x in b.bounds if x.op in (">=", ">")]
        highs = [float(x.value.value) for x in b.bounds if x.op in ("<=", "<")]
        return (max(lows, default=-math.inf), max(highs, default=math.inf))

    ordered = sorted(rating.bands, key=edge, reverse=True)
    return list(dict.fromkeys(b.label.value for b in ordered))


def path_weights(result: Result, tree: n.Tree) -> dict[str, np.ndarray]:
    """Per member, the product of effective weights from the top down (per row): the share of
    the top score that one point of the member is worth under a weighted mean."""
    out: dict[str, np.ndarray] = {tree.name: np.ones(result.n)}
    for m in tree.members():
        if m.parent is None:
            continue
        weights = result.steps[m.parent].weights
        w = np.asarray(weights[m.name], dtype=np.float64) if m.name in weights else np.zeros(result.n)
        out[m.name] = out[m.parent] * np.nan_to_num(w)
    return out


def label_of(plan: Plan, name: str) -> str:
    for s in plan.steps:
        if s.name == name:
            return getattr(s.decl, "label", None) or name
    return name


def peer_groups(plans: Mapping[str | None, Plan]) -> dict[str, str]:
    """Agency id -> the ``peer_group`` its agency policy declares (carried by its plan)."""
    return {key: plan.peer_group for key, plan in plans.items() if key is not None and plan.peer_group is not None}


def no_nan(x: object) -> object:
    """``x`` (nested dicts and lists) with every NaN replaced by None: an analysis as JSON."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: no_nan(v) for k, v in x.items()}
    if isinstance(x, list):
        return [no_nan(v) for v in x]
    return x


def fmt(x: float | None, places: int = 2) -> str:
    """A number for people, in the language in force (``94,03`` / ``94.03``, Babel's format): fixed
    decimals rounded half away from zero, '—' for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return format_number(float(x), places)


def plain(x: float) -> str:
    """A number for people as ``:g`` shows it (up to 6 significant digits, no trailing zeros), in the
    language in force: 17.35 -> ``17,35`` in Indonesian."""
    return format_number(Decimal(f"{float(x):.6g}"))


def signed(x: float | None, places: int = 2) -> str:
    """A change for people: ``+1,50`` / ``-2,25`` (``+0,00`` for no change), '—' for missing."""
    shown = fmt(x, places)
    if shown.startswith("-") and not shown.strip("-0.,"):  # -0.001 shown to 2 decimals is no change
        shown = shown[1:]
    return shown if shown == "—" or shown.startswith("-") else "+" + shown


def percent(fraction: float | None, places: int = 0) -> str:
    """A fraction as a percentage for people: 0.35 -> ``35%``, '—' for missing."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "—"
    return format_percent(float(fraction), places)
