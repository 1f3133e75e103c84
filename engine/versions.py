"""Version selection: which national policy, in which version, scores which submitted row.

``Policies`` holds the checked national versions (oldest first) and agency plans;
``select`` picks one plan (``--policy``, ``--as-of``); ``version_rows`` gives each
row of a batch the version in force on its ``period``.  A row whose period falls
in no version is an ordinary reject, with the reason and the versions that exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from engine import nodes as n
from engine.compiler import Compilation
from engine.data import LoadResult, schema_from_plan
from engine.data.report import Reject
from engine.data.schema import Schema
from engine.diagnostics import fail
from engine.i18n import _
from engine.plan import Plan


@dataclass
class Policies:
    """A checked set of policies: national versions by policy id, agency plans by agency id."""

    compilation: Compilation
    national: dict[str, list[Plan]]
    agencies: dict[str, Plan]

    @classmethod
    def of(cls, compilation: Compilation) -> Policies:
        """The plans of a clean compilation, national versions sorted by the start of their period."""
        national: dict[str, list[Plan]] = {}
        for key, plan in compilation.plans.items():
            if key not in compilation.agencies:
                national.setdefault(plan.header.name if plan.header else key, []).append(plan)
        for versions in national.values():
            versions.sort(key=lambda p: (period(p)[0] or dt.date.min))
        return cls(compilation, national, {k: p for k, p in compilation.plans.items() if k in compilation.agencies})

    def select(self, policy: str | None = None, as_of: dt.date | None = None) -> Plan:
        """The national plan to evaluate with: policy ``policy`` (needed when several are
        present), in the version in force on ``as_of`` (default: the newest version)."""
        versions = self._named(policy)
        if as_of is None:
            return versions[-1]
        k = in_force(versions, as_of)
        if k < 0:
            raise fail("api.no-version-in-force", _("no version of `{name}` is in force on {date}",
                                                    name=name(versions), date=as_of),
                       _("versions: {versions}", versions=describe(versions)))
        return versions[k]

    def versions(self, policy: str | None = None) -> list[Plan]:
        """Every version of the national policy ``policy`` (or of the only one), oldest first."""
        return self._named(policy)

    def agencies_of(self, national: Plan) -> dict[str | None, Plan]:
        """Agency plans that extend the chosen national policy: same id and version."""
        return {k: p for k, p in self.agencies.items() if _ident(p) == _ident(national)}

    def _named(self, policy: str | None) -> list[Plan]:
        if not self.national:
            raise fail("api.no-national-policy", _("no national policy among the given files (only agency "
                                                   "policies)"),
                       _("give the national policy too, or the folder that holds both"))
        if policy is None and len(self.national) != 1:
            raise fail("api.policy-ambiguous", _("several national policies are present: {names}",
                                                 names=", ".join(sorted(self.national))),
                       _("choose one with --policy ID"))
        key = policy if policy is not None else next(iter(self.national))
        if key not in self.national:
            raise fail("api.unknown-policy", _("no national policy `{name}`", name=key),
                       _("known: {names}", names=", ".join(sorted(self.national))))
        return self.national[key]


def version_rows(versions: list[Plan], loaded: LoadResult) -> np.ndarray:
    """Per subject, the index of the version in force on its period; rows in none are rejected
    (and dropped from the batch in place)."""
    batch, report = loaded.batch, loaded.report
    if batch.period is None:
        raise fail("api.version-ambiguous", _("`{name}` has several versions ({versions}) and the data has no "
                                              "`period` column", name=name(versions),
                                              versions=", ".join(_version(p) for p in versions)),
                   _("give --as-of DATE, or a `period` column (YYYY-MM-DD) in the data"))
    chosen = np.array([in_force(versions, dt.date.fromisoformat(str(p)) if p else None) for p in batch.period],
                      dtype=np.int64)
    bad = np.flatnonzero(chosen < 0)
    if bad.size and report.files and report.files[0].layout == "long":
        raise fail("api.version-ambiguous", _("{n} subject(s) have a period in no version of `{name}`", n=bad.size,
                                              name=name(versions)), _("give --as-of DATE"))
    for i in bad:
        _reject(loaded, int(i), versions)
    if bad.size:
        keep = np.flatnonzero(chosen >= 0)
        loaded.batch = batch.take(keep)
        report.subjects = loaded.batch.n
        chosen = chosen[keep]
    return chosen


def _reject(loaded: LoadResult, i: int, versions: list[Plan]) -> None:
    batch, report = loaded.batch, loaded.report
    origin = batch.row_origin[i]
    when = batch.period[i]  # type: ignore[index]
    reason = (_("period {period} is in no version of `{name}`", period=when, name=name(versions)) if when else
              _("no period: `{name}` has several versions, so the row must say which applies", name=name(versions)))
    report.rejects.append(Reject(origin.file, origin.row, str(batch.subject_ids[i]), "period", when, reason,
                                 _("versions: {versions}", versions=describe(versions))))
    counts = next(f for f in report.files if f.file == origin.file)
    counts.rows_accepted -= 1
    counts.rows_rejected += 1


def in_force(versions: list[Plan], day: dt.date | None) -> int:
    """The index of the newest version whose period holds ``day``; -1 for none (or no day)."""
    if day is None:
        return -1
    for k in range(len(versions) - 1, -1, -1):
        start, end = period(versions[k])
        if (start is None or start <= day) and (end is None or day <= end):
            return k
    return -1


def union_schema(versions: list[Plan]) -> Schema:
    """Every field any version reads (the newest version's declaration wins); a field is
    required only when every version requires it."""
    schemas = [schema_from_plan(p) for p in versions]
    fields = {}
    for schema in schemas:
        fields.update(schema.fields)
    required = set.intersection(*(set(s.required) for s in schemas))
    fields = {k: replace(f, required=k in required) for k, f in fields.items()}
    return replace(schemas[-1], fields=fields)


def period(plan: Plan) -> tuple[dt.date | None, dt.date | None]:
    decl = plan.module.first(n.PeriodDecl)
    if isinstance(decl, n.PeriodDecl):
        return decl.range.start, decl.range.end
    return None, None


def describe(versions: list[Plan]) -> str:
    """``12/2015 (2015-01-01 .. 2021-12-31), 88/2021 (2022-01-01 .. …)``: for help texts."""
    return ", ".join(f"{_version(p)} ({period(p)[0] or '…'} .. {period(p)[1] or '…'})" for p in versions)


def name(versions: list[Plan]) -> str:
    return versions[0].header.name if versions[0].header else "?"


def _ident(plan: Plan) -> tuple[str | None, str | None]:
    return (plan.header.name, plan.header.version) if plan.header else (None, None)


def _version(plan: Plan) -> str:
    return plan.header.version or "?" if plan.header else "?"
