"""The evaluated columns: every step's values, scores, weights, contributions and events.

Everything an explanation shows is read from here, so an explanation can never
disagree with the score.  Columns are aligned with ``subject_ids``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from engine import sources
from engine.batch import Batch
from engine.diagnostics import COMMAND_LINE, KinerjaError, error
from engine.evaluate.events import Event, Events
from engine.i18n import _
from engine.plan import Plan


class NotScored(KinerjaError, KeyError):
    """A subject the result does not hold: the ``subject.not-scored`` diagnostic, and a ``KeyError``
    for callers that look subjects up."""

    def __init__(self, subject_id: object, why: str | None = None):
        self.subject_id = subject_id
        message = _("no scored subject `{id}`: {why}", id=subject_id, why=why) if why else \
            _("no scored subject `{id}`", id=subject_id)
        super().__init__([error("subject.not-scored", message, COMMAND_LINE,
                                _("check the --id against the data's id column"))])

    def __str__(self) -> str:
        return self.diagnostics[0].message


@dataclass(frozen=True, slots=True)
class Key:
    """Which column of a step: ``part`` is value, raw, weight, contribution or extra; ``name`` the
    child (a weight, a contribution) or the extra column's name."""

    part: Literal["value", "raw", "weight", "contribution", "extra"]
    name: str = ""

    def __str__(self) -> str:
        return f"{self.part}:{self.name}" if self.name else self.part


VALUE, RAW = Key("value"), Key("raw")


@dataclass
class StepResult:
    """The columns of one plan step.

    ``value`` is the step's value as other steps see it: an input's or value's
    value, an indicator's score, a tree node's aggregate, a rating's or table's
    label (object) or numeric result.  Indicators add ``raw`` (after missing-data
    treatment).  Tree nodes add per child the ``weights`` (effective weight after
    re-weighting; 0 for an excluded child) and ``contributions`` (what the child
    adds to the parent; its meaning depends on the aggregation, see
    ``aggregate.py``).  ``extra`` holds auxiliary columns: ``unrounded``, a
    rating's ``banded`` value and ``band`` index, a gate's truth (``gate:i``), a
    table's matched ``row``.
    """

    name: str
    kind: str
    value: np.ndarray
    raw: np.ndarray | None = None
    weights: Mapping[str, np.ndarray] = field(default_factory=dict)
    contributions: Mapping[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def stored(self) -> dict[Key, np.ndarray]:
        """The columns actually held: like ``columns`` but without weights and contributions that
        a tree node derives on access from its ``pattern`` column (see ``treecols``)."""
        return self._columns(derived=False)

    def columns(self) -> dict[Key, np.ndarray]:
        """Every column of this step by its ``Key``."""
        return self._columns(derived=True)

    def _columns(self, derived: bool) -> dict[Key, np.ndarray]:
        out = {VALUE: self.value}
        if self.raw is not None:
            out[RAW] = self.raw
        for part, cols in (("weight", self.weights), ("contribution", self.contributions)):
            if derived or isinstance(cols, dict):
                out.update({Key(part, k): v for k, v in cols.items()})  # type: ignore[arg-type]
        out.update({Key("extra", k): v for k, v in self.extra.items()})
        return out

    def put(self, key: Key, col: np.ndarray) -> None:
        """Replace the column ``key`` (a stored one) by ``col``."""
        if key.part == "value":
            self.value = col
        elif key.part == "raw":
            self.raw = col
        elif key.part == "extra":
            self.extra[key.name] = col
        else:
            cols = self.weights if key.part == "weight" else self.contributions
            if isinstance(cols, dict):
                cols[key.name] = col

    @classmethod
    def of(cls, name: str, kind: str, cols: Mapping[Key, np.ndarray]) -> StepResult:
        """A step result from its stored columns."""
        def part(p: str) -> dict[str, np.ndarray]:
            return {k.name: v for k, v in cols.items() if k.part == p}
        return cls(name, kind, cols[VALUE], cols.get(RAW), part("weight"), part("contribution"), part("extra"))


@dataclass(frozen=True)
class Violation:
    """One broken quota rule in one group (unit)."""

    quota: str
    rule: int  # 1-based index of the rule inside the quota
    rule_text: str
    file: str
    line: int
    group: str  # the value of the quota's ``by`` field
    matching: int | None  # subjects matching the share()/count() condition
    size: int  # subjects in the group
    actual: float | None  # the share (0..1) or count found
    limit: float | None  # the bound the rule sets
    message: str

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Result:
    """The outcome of evaluating a batch: one entry per subject in every column."""

    subject_ids: np.ndarray
    agencies: np.ndarray
    plan_key: np.ndarray  # agency id whose own plan was used; None where the default plan was
    plan_version: np.ndarray  # "policy@version" of the plan used, per row
    steps: dict[str, StepResult]
    events: Events
    violations: list[Violation]
    plans: dict[str | None, Plan]
    batch: Batch

    @property
    def n(self) -> int:
        return len(self.subject_ids)

    def row(self, subject_id: object) -> int:
        """The row of a subject (its first, matched as given or as text); ``NotScored`` (a
        ``KeyError``) when it is not in the result.  The index is built on first use, so
        explaining every subject costs time linear in their number."""
        index = self.__dict__.get("_row_index")
        if index is None:
            index = {}
            for k, sid in enumerate(self.subject_ids.tolist()):
                index.setdefault(("text", str(sid)), k)
                index.setdefault(("id", sid), k)
            self.__dict__["_row_index"] = index
        key = ("id", subject_id) if getattr(subject_id, "__hash__", None) else None
        hit = index.get(key) if key is not None else None
        hit = index.get(("text", str(subject_id))) if hit is None else hit
        if hit is None:
            raise NotScored(subject_id)
        return hit

    def plan_at(self, row: int) -> Plan:
        return self.plans[self.plan_key[row]]

    def events_at(self, row: int, step: str | None = None) -> list[Event]:
        return self.events.at(row, step)

    def table(self, arrow: bool = False) -> dict[str, np.ndarray]:
        """One column per named result (inputs excluded: they are the data), plus
        subject, agency, policy version and the number of runtime errors per row.  ``arrow``: the
        subject and agency columns as the reader's Arrow text where the batch holds it (``keys``),
        for the results writer, which then makes no Python string into Arrow text again."""
        out: dict[str, np.ndarray] = {
            "subject_id": self.subject_ids, "agency": self.agencies, "policy_version": self.plan_version,
            **self.agency_columns(),
        }
        for name, step in self.steps.items():
            if step.kind != "input":
                out[name] = step.value
        out["errors"] = self.events.count(self.n, "error")
        if arrow:  # the same columns, in the same places
            out.update(self.keys())
            out.update(self._constant_text())
        return out

    def keys(self) -> dict[str, Any]:
        """``subject_id`` and ``agency`` as the batch's Arrow text, those it holds for these very rows."""
        mine = {"subject_id": self.subject_ids, "agency": self.agencies}
        theirs = {"subject_id": self.batch.subject_ids, "agency": self.batch.agencies}
        return {k: a for k, a in self.batch.arrow.items() if mine[k] is theirs[k]}

    def _constant_text(self) -> dict[str, Any]:
        """The policy version under one plan for every row, and the agency columns of a national run
        (empty), as Arrow text made once instead of row by row."""
        import pyarrow as pa

        out: dict[str, Any] = {}
        if len(self.plans) == 1:  # every row was scored under this plan (``plan_version`` is its key)
            plan = next(iter(self.plans.values()))
            out["policy_version"] = pa.repeat(pa.scalar(plan.key, pa.string()), self.n)
            out.update(self._rating_labels(plan))
        if all(plan.agency_file is None for plan in self.plans.values()):
            out["agency_file"] = out["agency_sha256"] = pa.nulls(self.n, pa.string())
        return out

    def _rating_labels(self, plan: Plan) -> dict[str, Any]:
        """Each rating's labels as Arrow text from its band index (``evaluate_rating`` takes the labels
        by it: band -1 is no label), not converted from a million Python strings."""
        import pyarrow as pa

        out = {}
        for name, step in self.steps.items():
            if step.kind != "rating" or "band" not in step.extra:
                continue
            band = step.extra["band"]
            labels = pa.array([b.label.value for b in plan.step(name).decl.bands], pa.string())  # type: ignore[attr-defined]
            out[name] = pa.DictionaryArray.from_arrays(pa.array(band.astype(np.int32), mask=band < 0), labels)
        return out

    def agency_columns(self) -> dict[str, np.ndarray]:
        """Per subject, the agency file whose overrides applied and its SHA-256 (empty for a
        subject scored under the national policy alone; no digest when the file is gone, e.g.
        policies compiled from a temporary copy)."""
        files = {key: plan.agency_file for key, plan in self.plans.items()}
        if all(f is None for f in files.values()):  # national policy alone: no per-row lookups
            return {"agency_file": np.full(self.n, None, dtype=object),
                    "agency_sha256": np.full(self.n, None, dtype=object)}
        digests = {f: sources.sha256_or_none(f) for f in set(files.values()) if f is not None}
        keys = self.plan_key.tolist()
        return {"agency_file": np.array([files.get(k) for k in keys], dtype=object),
                "agency_sha256": np.array([digests.get(files.get(k) or "") for k in keys], dtype=object)}

    def agency_file_counts(self) -> dict[str, int]:
        """How many subjects were scored under each agency file's overrides."""
        if all(plan.agency_file is None for plan in self.plans.values()):
            return {}
        out: dict[str, int] = {}
        # Counted in C over the keys (agency ids, None for the national plan), in key order.
        for key, count in sorted(Counter(self.plan_key.tolist()).items(), key=lambda kv: str(kv[0])):
            plan = self.plans.get(key)
            if plan is not None and plan.agency_file is not None:
                out[plan.agency_file] = out.get(plan.agency_file, 0) + count
        return out

    def to_rows(self) -> list[dict[str, object]]:
        """The result table as one dict per subject (numbers as float, missing as None)."""
        cols = self.table()
        return [{k: _py(v[i]) for k, v in cols.items()} for i in range(self.n)]


def _py(v: object) -> object:
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def stitch(parts: list[tuple[np.ndarray, Result]], batch: Batch, plans: Mapping[str | None, Plan]) -> Result:
    """Put per-plan results back in the batch's row order (``positions`` = original rows)."""
    size = batch.n
    steps: dict[str, StepResult] = {}
    events = Events()
    violations: list[Violation] = []
    plan_key = np.empty(size, dtype=object)
    version = np.empty(size, dtype=object)
    for pos, part in parts:
        plan_key[pos] = part.plan_key
        version[pos] = part.plan_version
        events.extend(part.events.remapped(pos))
        violations.extend(part.violations)
        for name, sr in part.steps.items():
            into = steps.setdefault(name, StepResult(name, sr.kind, blank_like(sr.value, size)))
            _scatter(into, sr, pos, size)
    return Result(batch.subject_ids, batch.agencies, plan_key, version, steps, events, violations,
                  dict(plans), batch)


def blank_like(like: np.ndarray, size: int) -> np.ndarray:
    """A column of ``size`` missing values of ``like``'s kind (None, -1 for codes, NaN)."""
    if like.dtype == object:
        return np.empty(size, dtype=object)
    if np.issubdtype(like.dtype, np.integer):
        return np.full(size, -1, dtype=like.dtype)
    return np.full(size, np.nan)


def put_rows(target: np.ndarray, source: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``target`` with ``source`` written at rows ``pos`` (the same array when the kinds agree)."""
    # One plan may give a label where another gives a number: the column becomes object.
    if target.dtype != object and source.dtype == object:
        missing = np.isnan(target.astype(np.float64))
        target = target.astype(object)
        target[missing] = None
    elif target.dtype == object and source.dtype != object:
        missing = np.isnan(source.astype(np.float64))
        source = source.astype(object)
        source[missing] = None
    target[pos] = source
    return target


def _scatter(into: StepResult, sr: StepResult, pos: np.ndarray, size: int) -> None:
    into.value = put_rows(into.value, sr.value, pos)
    if sr.raw is not None:
        into.raw = put_rows(into.raw if into.raw is not None else blank_like(sr.raw, size), sr.raw, pos)
    for attr in ("weights", "contributions", "extra"):
        mine, theirs = getattr(into, attr), getattr(sr, attr)
        if not isinstance(mine, dict):  # derived columns become plain ones once stitched
            mine = dict(mine)
            setattr(into, attr, mine)
        for k, v in theirs.items():
            if attr == "extra" and (k == "pattern" or k.startswith("used:")):
                continue  # a plan's compact tree codes; stitched weights are plain columns
            mine[k] = put_rows(mine.get(k, blank_like(v, size)), v, pos)
