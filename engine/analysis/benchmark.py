"""Benchmarking: rank, percentile rank and z-score of a node within peer groups, and gaps to references.

Definitions (higher values are better; missing values are not ranked and not counted):

* rank: competition ranking ("1224"): 1 + the number of peers with a strictly
  higher value, so tied peers share the best (minimum) rank and the next rank
  is skipped;
* percentile rank: 100 x (B + E/2) / N, where B peers are strictly below, E are
  equal (the subject itself included) and N peers have a value: the share of
  peers it beats, ties counted half (the highest of five distinct values is 90);
* z-score: (x - mean) / s with the sample standard deviation s (n - 1); not
  defined (missing) for fewer than two peers or s = 0 (rank, mean and s are the
  policy language's ``rank_of``, ``mean_of`` and ``sd_of``: engine/evaluate/population.py);
* gap to a reference: x - reference (positive: above it).

Values are compared after snapping to 12 significant digits, so float noise
never breaks a tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine import nodes as n
from engine.analysis.common import NO_PEER_GROUP, default_plan, label_of, no_nan, numeric, top_tree
from engine.diagnostics import did_you_mean, fail
from engine.evaluate import Result
from engine.evaluate import numeric as num
from engine.evaluate.population import over_all

ALL = "all"  # the one peer group of a benchmark without `within`


def competition_ranks(values: np.ndarray) -> np.ndarray:
    """1 + the number of strictly higher values; NaN stays NaN (not ranked): ``rank_of`` of a policy."""
    return over_all("rank_of", values)


def percentile_ranks(values: np.ndarray) -> np.ndarray:
    """100 x (below + equal / 2) / count, ties counted half; NaN stays NaN."""
    x = np.asarray(values, dtype=np.float64)
    ok = ~np.isnan(x)
    out = np.full(x.shape, np.nan)
    asc = np.sort(x[ok])
    below = np.searchsorted(asc, x[ok], side="left")
    equal = np.searchsorted(asc, x[ok], side="right") - below
    if asc.size:
        out[ok] = 100.0 * (below + equal / 2.0) / asc.size
    return out


def z_scores(values: np.ndarray) -> np.ndarray:
    """(x - mean) / sample standard deviation (``mean_of``, ``sd_of`` of a policy); NaN for fewer
    than two values or no spread."""
    x = np.asarray(values, dtype=np.float64)
    sd = over_all("sd_of", x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 0, (num.snap(x) - over_all("mean_of", x)) / sd, np.nan)


@dataclass(frozen=True)
class Reference:
    label: str
    value: float
    source: str | None = None


@dataclass
class Position:
    """One compared entity (a subject, an agency or a group) within its peer group."""

    entity: str
    peer_group: str
    value: float
    rank: float
    peers: int
    percentile: float
    z: float
    gaps: dict[str, float] = field(default_factory=dict)


@dataclass
class GroupStats:
    peer_group: str
    count: int
    mean: float
    median: float
    sd: float
    low: float
    high: float


@dataclass
class Benchmark:
    """The outcome of one ``benchmark`` declaration (or an ad-hoc one)."""

    node: str
    label: str
    by: str
    within: str | None
    references: list[Reference]
    positions: list[Position]
    groups: list[GroupStats]

    def position(self, entity: object) -> Position | None:
        return next((p for p in self.positions if p.entity == str(entity)), None)

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return no_nan(asdict(self))  # type: ignore[return-value]


def declared(result: Result) -> list[n.Benchmark]:
    """The policy's ``benchmark`` declarations; without any, the top scorecard among all subjects."""
    plan = default_plan(result)
    found = [i for i in plan.module.items if isinstance(i, n.Benchmark)]
    return found or [n.Benchmark(n.Ref(top_tree(plan).name))]


def benchmark(result: Result, decl: n.Benchmark, peer_groups: Mapping[str, str] | None = None) -> Benchmark:
    """Rank ``decl.target`` per entity (``by``) within peer groups (``within``)."""
    values = numeric(result, decl.target.name)
    by = decl.by.name if decl.by is not None else "subject"
    entities = _column(result, by)
    groups = _groups(result, decl.within.name if decl.within else None, peer_groups or {})
    ent, val, grp = _per_entity(entities, values, groups)
    refs = [Reference(r.label.value, float(r.value.value), r.source.value if r.source else None)
            for r in decl.references]
    positions: list[Position] = []
    stats: list[GroupStats] = []
    for g in sorted(set(grp)):
        idx = [i for i, x in enumerate(grp) if x == g]
        v = np.asarray([val[i] for i in idx], dtype=np.float64)
        ranks, pct, z = competition_ranks(v), percentile_ranks(v), z_scores(v)
        peers = int((~np.isnan(v)).sum())
        for k, i in enumerate(idx):
            gaps = {r.label: float(v[k] - r.value) for r in refs}
            positions.append(Position(ent[i], g, float(v[k]), float(ranks[k]), peers, float(pct[k]), float(z[k]),
                                      gaps))
        stats.append(_stats(g, v))
    positions.sort(key=lambda p: (p.peer_group, np.inf if np.isnan(p.rank) else p.rank, p.entity))
    return Benchmark(decl.target.name, label_of(default_plan(result), decl.target.name), by,
                     decl.within.name if decl.within else None, refs, positions, stats)


def asked_benchmark(result: Result, node: str, by: str | None, within: str | None) -> list[n.Benchmark]:
    """The benchmark asked for on the command line (``--node``, ``--by``, ``--within``)."""
    if node not in result.steps:
        raise fail("analysis.unknown-node", f"no node `{node}` in the policy",
                   did_you_mean(node, result.steps) or "name an indicator, a scorecard node or a value")
    return [n.Benchmark(n.Ref(node), by=n.Ref(by) if by else None, within=n.Ref(within) if within else None)]


def benchmarks(result: Result, peer_groups: Mapping[str, str] | None = None,
               decls: Sequence[n.Benchmark] | None = None) -> list[Benchmark]:
    return [benchmark(result, d, peer_groups) for d in (decls or declared(result))]


def _column(result: Result, field_name: str) -> np.ndarray:
    if field_name == "subject":
        return np.asarray([str(x) for x in result.subject_ids], dtype=object)
    if field_name == "agency":
        return np.asarray(["" if x is None else str(x) for x in result.agencies], dtype=object)
    col = result.batch.columns.get(field_name)
    if col is None:
        known = ["subject", "agency", *result.batch.columns]
        raise fail("analysis.unknown-field", f"no field `{field_name}` to group by",
                   did_you_mean(field_name, known) or "use subject, agency or a text/category input")
    return np.asarray(["" if x is None else str(x) for x in col], dtype=object)


def _groups(result: Result, within: str | None, peer_groups: Mapping[str, str]) -> np.ndarray:
    if within is None:
        return np.full(result.n, ALL, dtype=object)
    if within == "peer_group":
        return np.asarray([peer_groups.get(str(a), NO_PEER_GROUP) for a in result.agencies], dtype=object)
    return np.asarray([x or NO_PEER_GROUP for x in _column(result, within)], dtype=object)


def _per_entity(entities: np.ndarray, values: np.ndarray, groups: np.ndarray
                ) -> tuple[list[str], list[float], list[str]]:
    """One value per entity: the mean of its rows' present values; its peer group is that of its
    first row (a group field should be constant within an entity)."""
    order: dict[str, list[int]] = {}
    for i, e in enumerate(entities):
        order.setdefault(e, []).append(i)
    ent, val, grp = [], [], []
    for e, rows in order.items():
        v = values[rows]
        v = v[~np.isnan(v)]
        ent.append(e)
        val.append(float(np.mean(v)) if v.size else np.nan)
        grp.append(groups[rows[0]])
    return ent, val, grp


def _stats(group: str, v: np.ndarray) -> GroupStats:
    x = v[~np.isnan(v)]
    if not x.size:
        return GroupStats(group, 0, np.nan, np.nan, np.nan, np.nan, np.nan)
    sd = float(np.std(x, ddof=1)) if x.size > 1 else np.nan
    return GroupStats(group, int(x.size), float(np.mean(x)), float(np.median(x)), sd, float(x.min()), float(x.max()))
