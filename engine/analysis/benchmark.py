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
never breaks a tie.  An entity's value is the mean of its rows' present values
(one row per subject: the subject's own value) and its peer group that of its
first row.  The positions are kept as columns (``Benchmark.table``), sorted by
group, rank and entity; ``BenchmarkFold`` gathers them chunk by chunk (entity,
group code and value per row), and the ranks are computed once at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine import nodes as n
from engine.analysis.common import ALL, NO_PEER_GROUP, default_plan, label_of, no_nan, numeric
from engine.diagnostics import did_you_mean, fail
from engine.evaluate import Result
from engine.evaluate import numeric as num
from engine.evaluate.population import over_all
from engine.i18n import _
from engine.plan import Plan


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


COLUMNS = ("entity", "peer_group", "value", "rank", "peers", "percentile", "z")


@dataclass
class Benchmark:
    """The outcome of one ``benchmark`` declaration (or an ad-hoc one).

    ``table`` holds one entry per entity in every column of ``COLUMNS`` plus ``gap <label>``
    per reference, sorted by peer group, rank (unranked last) and entity."""

    node: str
    label: str
    by: str
    within: str | None
    references: list[Reference]
    groups: list[GroupStats]
    table: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return len(self.table["entity"])

    def rows(self, idx: Sequence[int] | np.ndarray) -> list[Position]:
        t = self.table
        return [Position(str(t["entity"][i]), str(t["peer_group"][i]), float(t["value"][i]), float(t["rank"][i]),
                         int(t["peers"][i]), float(t["percentile"][i]), float(t["z"][i]),
                         {r.label: float(t[f"gap {r.label}"][i]) for r in self.references}) for i in idx]

    @property
    def positions(self) -> list[Position]:
        """Every position as an object (for small sets; see ``ends`` for national ones)."""
        return self.rows(range(self.size))

    def position(self, entity: object) -> Position | None:
        hits = np.flatnonzero(self.table["entity"] == str(entity))
        return self.rows(hits[:1])[0] if hits.size else None

    def ends(self, count: int) -> dict[str, tuple[list[Position], list[Position], int]]:
        """Per peer group: its ``count`` best and ``count`` worst positions (overlap removed) and its size."""
        groups = self.table["peer_group"]
        out = {}
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if self.size else np.empty(0, np.int64)
        for s, e in zip(starts, [*starts[1:], self.size]):
            head = range(s, min(e, s + count))
            tail = range(max(head.stop, e - count), e)
            out[str(groups[s])] = (self.rows(head), self.rows(tail), int(e - s))
        return out

    def to_dict(self, limit: int | None = None) -> dict[str, object]:
        """Plain data; with ``limit``, positions are each group's best and worst ``limit``."""
        from dataclasses import asdict

        if limit is None:
            shown = self.positions
        else:
            shown = [p for head, tail, _ in self.ends(limit).values() for p in (*head, *tail)]
        return no_nan({"node": self.node, "label": self.label, "by": self.by, "within": self.within,  # type: ignore[return-value]
                       "references": [asdict(r) for r in self.references],
                       "positions": [asdict(p) for p in shown], "groups": [asdict(g) for g in self.groups],
                       "entities": self.size})



def declared(result: Result) -> list[n.Benchmark]:
    return declared_in(default_plan(result))


def declared_in(plan: Plan) -> list[n.Benchmark]:
    """The policy's ``benchmark`` declarations; without any, the top scorecard among all subjects."""
    found = [i for i in plan.module.items if isinstance(i, n.Benchmark)]
    return found or [n.Benchmark(n.Ref(plan.top_scorecard().name))]


def benchmark(result: Result, decl: n.Benchmark, peer_groups: Mapping[str, str] | None = None) -> Benchmark:
    """Rank ``decl.target`` per entity (``by``) within peer groups (``within``)."""
    return benchmarks(result, peer_groups, [decl])[0]


def asked_benchmark(plan: Plan, node: str, by: str | None, within: str | None) -> list[n.Benchmark]:
    """The benchmark asked for on the command line (``--node``, ``--by``, ``--within``)."""
    steps = [s.name for s in plan.steps]
    if node not in steps:
        raise fail("analysis.unknown-node", _("no node `{name}` in the policy", name=node),
                   did_you_mean(node, steps) or _("name an indicator, a scorecard node or a value"))
    return [n.Benchmark(n.Ref(node), by=n.Ref(by) if by else None, within=n.Ref(within) if within else None)]


def benchmarks(result: Result, peer_groups: Mapping[str, str] | None = None,
               decls: Sequence[n.Benchmark] | None = None) -> list[Benchmark]:
    acc = BenchmarkFold(default_plan(result), peer_groups or {}, decls)
    acc.add([result])
    return acc.finish()


class BenchmarkFold:
    """Gathers (entity, group, value) per row chunk by chunk; ranks once at the end."""

    def __init__(self, plan: Plan, peer_groups: Mapping[str, str], decls: Sequence[n.Benchmark] | None = None):
        self.plan, self.peers = plan, peer_groups
        self.decls = list(decls or declared_in(plan))
        self.parts: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in self.decls]
        self.group_names: list[dict[str, int]] = [{} for _ in self.decls]

    def add(self, results: Sequence[Result]) -> None:
        (result,) = results
        for k, d in enumerate(self.decls):
            values = numeric(result, d.target.name)
            entities = _column(result, d.by.name if d.by is not None else "subject")
            groups = _groups(result, d.within.name if d.within else None, self.peers)
            names, inverse = np.unique(groups.astype(str), return_inverse=True) if groups.size else ([], groups)
            codes = np.asarray([self.group_names[k].setdefault(str(x), len(self.group_names[k])) for x in names],
                               dtype=np.int32)
            self.parts[k].append((entities.astype(str), codes[np.asarray(inverse, dtype=np.int64).reshape(-1)]
                                  if len(names) else np.empty(0, np.int32), values))

    def finish(self) -> list[Benchmark]:
        return [self._one(d, parts, names) for d, parts, names in zip(self.decls, self.parts, self.group_names)]

    def _one(self, decl: n.Benchmark, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
             names: dict[str, int]) -> Benchmark:
        ent = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=str)
        grp = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, dtype=np.int32)
        val = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
        parts.clear()
        ent, val, grp = _per_entity(ent, val, grp)
        label = np.asarray(sorted(names, key=names.get), dtype=object)  # type: ignore[arg-type]
        refs = [Reference(r.label.value, float(r.value.value), r.source.value if r.source else None)
                for r in decl.references]
        table, stats = _rank(ent, val, grp, label, refs)
        return Benchmark(decl.target.name, label_of(self.plan, decl.target.name),
                         decl.by.name if decl.by is not None else "subject",
                         decl.within.name if decl.within else None, refs, stats, table)


def _rank(ent: np.ndarray, val: np.ndarray, grp: np.ndarray, label: np.ndarray, refs: list[Reference]
          ) -> tuple[dict[str, np.ndarray], list[GroupStats]]:
    """Ranks, percentiles and z-scores within each group (entities in first-appearance order),
    then every column sorted by group name, rank and entity."""
    size = ent.size
    rank, pct, z = np.full(size, np.nan), np.full(size, np.nan), np.full(size, np.nan)
    peers = np.zeros(size, dtype=np.int64)
    order = np.argsort(grp, kind="stable")  # each group's entities stay in first-appearance order
    bounds = np.flatnonzero(np.r_[True, grp[order][1:] != grp[order][:-1]]) if size else np.empty(0, np.int64)
    stats = {}
    for s, e in zip(bounds, [*bounds[1:], size]):
        idx = order[s:e]
        v = val[idx]
        rank[idx], pct[idx], z[idx] = competition_ranks(v), percentile_ranks(v), z_scores(v)
        peers[idx] = int((~np.isnan(v)).sum())
        stats[str(label[grp[idx[0]]])] = _stats(str(label[grp[idx[0]]]), v)
    names = label[grp] if size else np.empty(0, dtype=object)
    by_name = np.argsort(np.argsort(label.astype(str), kind="stable"), kind="stable") if label.size else label
    sort = np.lexsort((ent, np.where(np.isnan(rank), np.inf, rank), by_name[grp])) if size else np.empty(0, np.int64)
    table = {"entity": ent[sort].astype(object), "peer_group": names[sort], "value": val[sort], "rank": rank[sort],
             "peers": peers[sort], "percentile": pct[sort], "z": z[sort]}
    for r in refs:
        table[f"gap {r.label}"] = val[sort] - r.value
    return table, [stats[g] for g in sorted(stats)]


def _column(result: Result, field_name: str) -> np.ndarray:
    if field_name == "subject":
        return np.asarray([str(x) for x in result.subject_ids], dtype=object)
    if field_name == "agency":
        return np.asarray(["" if x is None else str(x) for x in result.agencies], dtype=object)
    col = result.batch.columns.get(field_name)
    if col is None:
        known = ["subject", "agency", *result.batch.columns]
        raise fail("analysis.unknown-field", _("no field `{name}` to group by", name=field_name),
                   did_you_mean(field_name, known) or _("use `subject`, `agency` or a text/category input"))
    return np.asarray(["" if x is None else str(x) for x in col], dtype=object)


def _groups(result: Result, within: str | None, peer_groups: Mapping[str, str]) -> np.ndarray:
    if within is None:
        return np.full(result.n, ALL, dtype=object)
    if within == "peer_group":
        return np.asarray([peer_groups.get(str(a), NO_PEER_GROUP) for a in result.agencies], dtype=object)
    return np.asarray([x or NO_PEER_GROUP for x in _column(result, within)], dtype=object)


def _per_entity(entities: np.ndarray, values: np.ndarray, groups: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One value per entity, in order of first appearance: the mean of its rows' present values
    (np.mean, as for any group); its peer group is that of its first row."""
    if entities.size == 0:
        return entities, values, groups
    uniq, first, inverse, counts = np.unique(entities, return_index=True, return_inverse=True, return_counts=True)
    if uniq.size == entities.size:  # one row per entity: its value is its row's
        return entities, values, groups
    inverse = inverse.reshape(-1)
    appear = np.argsort(first, kind="stable")  # entity codes in order of first appearance
    rows = np.argsort(inverse, kind="stable")
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    out = values[rows[starts]]  # an entity of one row: that row's value (NaN when missing)
    for u in np.flatnonzero(counts > 1):
        v = values[rows[starts[u]:starts[u] + counts[u]]]
        v = v[~np.isnan(v)]
        out[u] = float(np.mean(v)) if v.size else np.nan
    return uniq[appear], out[appear], groups[first[appear]]


def _stats(group: str, v: np.ndarray) -> GroupStats:
    x = v[~np.isnan(v)]
    if not x.size:
        return GroupStats(group, 0, np.nan, np.nan, np.nan, np.nan, np.nan)
    sd = float(np.std(x, ddof=1)) if x.size > 1 else np.nan
    return GroupStats(group, int(x.size), float(np.mean(x)), float(np.median(x)), sd, float(x.min()), float(x.max()))
