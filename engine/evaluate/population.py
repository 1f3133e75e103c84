"""Population statistics: a value against every subject of the batch, or of its group.

``min_of(x)``, ``max_of(x)``, ``mean_of(x)``, ``sd_of(x)``, ``sum_of(x)``,
``count_of(x)`` and ``rank_of(x)``, optionally ``by FIELD``, give each row the
statistic of its group (all rows, or the rows sharing FIELD's value).  The same
functions serve ``kinerja benchmark`` (rank and z-score), so a policy and a
benchmark never disagree on the same data.  Definitions:

* values are snapped to 12 significant digits first (float noise never breaks a
  tie or moves a mean), and missing values are not counted;
* ``sd_of`` is the **sample** standard deviation (n - 1), as COINr's z-score and
  the OECD/JRC handbook use; undefined (missing) for fewer than two values;
* ``rank_of`` is competition ranking ("1224"): 1 + the number of group members
  with a strictly higher value; a row without a value has no rank;
* ``sum_of`` and ``count_of`` of a group without values are missing and 0;
  ``min_of``/``max_of``/``mean_of`` of such a group are missing;
* a row whose FIELD is missing belongs to no group: every statistic is missing;
* ``by peer_group`` groups by the ``peer_group`` of the agency policy a row is scored under
  (what ``benchmark ... within peer_group`` reads); a row under a policy without one (the national
  policy alone, an agency file without ``peer_group``) belongs to no group.

The population is the whole batch even when agency policies split it into parts
evaluated under different plans: ``over_parts`` evaluates the parts again with
every call's argument gathered over all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from engine.evaluate import numeric as num
from engine.i18n import N_

if TYPE_CHECKING:
    from engine.plan import Plan

T = TypeVar("T")

NAMES = {"min_of": N_("minimum"), "max_of": N_("maximum"), "mean_of": N_("mean"),
         "sd_of": N_("sample standard deviation"), "sum_of": N_("sum"), "count_of": N_("count"),
         "rank_of": N_("competition rank (1 = highest)")}


def group_codes(key: np.ndarray | None, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group number (-1: no group, its key is missing) and the groups' keys."""
    if key is None:
        return np.zeros(size, dtype=np.int64), np.array(["(all)"], dtype=object)
    col = np.asarray(key)
    if col.dtype == object:
        has = np.not_equal(col, None)
        texts = np.array([str(v) for v in col[has]], dtype=object)
    else:
        has = ~np.isnan(col.astype(np.float64))
        texts = col[has].astype(np.float64)
    codes = np.full(size, -1, dtype=np.int64)
    keys, inverse = np.unique(texts, return_inverse=True)
    codes[has] = inverse
    return codes, keys.astype(object)


def statistic(func: str, x: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """``func`` of each row's group (``codes`` from ``group_codes``), per row."""
    x = num.snap(np.asarray(x, dtype=np.float64))
    if groups == 0:  # every row's key is missing: no group at all
        return np.full(x.shape, np.nan)
    ok = ~np.isnan(x) & (codes >= 0)
    c, v = codes[ok], x[ok]
    count = np.bincount(c, minlength=groups).astype(np.float64)
    if func == "rank_of":
        out = np.full(x.shape, np.nan)
        out[ok] = _ranks(c, v, groups)
        return out
    if func == "count_of":
        per = count
    elif func in ("sum_of", "mean_of", "sd_of"):
        total = np.bincount(c, weights=v, minlength=groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        per = np.where(count > 0, total, np.nan) if func == "sum_of" else mean
        if func == "sd_of":
            squares = np.bincount(c, weights=(v - mean[c]) ** 2, minlength=groups)
            with np.errstate(invalid="ignore", divide="ignore"):
                per = np.where(count > 1, np.sqrt(squares / np.maximum(count - 1, 1)), np.nan)
    else:
        fill = np.inf if func == "min_of" else -np.inf
        per = np.full(groups, fill)
        (np.minimum if func == "min_of" else np.maximum).at(per, c, v)
        per[count == 0] = np.nan
    return np.where(codes >= 0, per[np.maximum(codes, 0)], np.nan)


def _ranks(c: np.ndarray, v: np.ndarray, groups: int) -> np.ndarray:
    """Competition ranks of ``v`` within the groups ``c`` (higher is better)."""
    # One group: the same stable order from one key (a two-key lexsort of 4.3M rows costs about 2.5x).
    order = np.argsort(-v, kind="stable") if groups == 1 else np.lexsort((-v, c))
    cs, vs = c[order], v[order]
    start = np.searchsorted(cs, cs, side="left")
    new = np.ones(cs.size, dtype=bool)
    new[1:] = (cs[1:] != cs[:-1]) | (vs[1:] != vs[:-1])
    first = np.maximum.accumulate(np.where(new, np.arange(cs.size), 0))
    out = np.empty(cs.size)
    out[order] = first - start + 1
    return out


def peer_groups_of(plan_key: np.ndarray, plans: Mapping[str | None, Plan]) -> np.ndarray:
    """Each row's peer group: the ``peer_group`` of the agency policy it was scored under (None: none)."""
    return np.array([getattr(plans.get(k), "peer_group", None) for k in plan_key.tolist()], dtype=object)


def over_all(func: str, values: np.ndarray) -> np.ndarray:
    """``func`` over one group holding every value (what ``kinerja benchmark`` uses per peer group)."""
    x = np.asarray(values, dtype=np.float64)
    codes, keys = group_codes(None, x.size)
    return statistic(func, x, codes, len(keys))


# ------------------------------------------------- runs split by agency plan

@dataclass
class Shared:
    """A run whose rows are evaluated in parts (one per agency plan): each population call's argument and
    group key gathered over the whole batch, so every part's statistic is the whole batch's."""

    size: int
    gathered: dict[str, tuple[np.ndarray, np.ndarray | None]] = field(default_factory=dict)  # this pass
    columns: dict[str, tuple[np.ndarray, np.ndarray | None]] | None = None  # the previous pass's
    positions: np.ndarray | None = None  # the rows of the part being evaluated

    def gather(self, name: str, x: np.ndarray, key: np.ndarray | None) -> None:
        assert self.positions is not None
        full_x, full_key = self.gathered.setdefault(
            name, (np.full(self.size, np.nan), None if key is None else np.full(self.size, None, dtype=object)))
        full_x[self.positions] = x
        if full_key is not None and key is not None:
            full_key[self.positions] = key

    def whole(self, name: str) -> tuple[np.ndarray, np.ndarray | None, np.ndarray] | None:
        """The whole batch's argument and key of a call, and this part's rows (None in a first pass)."""
        if self.columns is None or name not in self.columns or self.positions is None:
            return None
        x, key = self.columns[name]
        return x, key, self.positions


SHARED: ContextVar[Shared | None] = ContextVar("population_shared", default=None)
MAX_PASSES = 4  # a statistic of a statistic needs one pass more per level


def over_parts(run: Callable[[], T], size: int) -> T:
    """``run()`` (which evaluates every part) repeated until the population calls' arguments are the
    same as in the pass before: the first pass gathers them, the next reads the whole batch."""
    shared = Shared(size)
    token = SHARED.set(shared)
    try:
        out = run()
        for _ in range(MAX_PASSES - 1):
            if shared.columns is not None and _same(shared.columns, shared.gathered):
                break
            shared.columns, shared.gathered = shared.gathered, {}
            out = run()
        return out
    finally:
        SHARED.reset(token)


def at_part(positions: np.ndarray) -> None:
    """Mark the rows of the part about to be evaluated (no-op outside ``over_parts``)."""
    shared = SHARED.get()
    if shared is not None:
        shared.positions = positions


def _same(a: dict[str, tuple[np.ndarray, np.ndarray | None]],
          b: dict[str, tuple[np.ndarray, np.ndarray | None]]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k][0], b[k][0], equal_nan=True) for k in a)
