"""Submissions, their evaluation runs, results, rejects and reviews: stored once, never changed.

Every read takes the caller and is scoped in the query itself: a submitter's query carries
``agency = caller.agency``, so another agency's submission and a missing one are the same
"not found", found by the same query in the same time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select
from sqlalchemy.exc import IntegrityError

from engine.service import audit, texts
from engine.service.auth import Caller
from engine.service.db import reading, writing
from engine.service.models import (
    audit_log,
    explanations,
    level_results,
    policy_sets,
    policy_sources,
    rejects,
    results,
    reviews,
    runs,
    submissions,
)
from engine.service.scoring import Scoring, engine_version

SUMMARY_COLUMNS = (submissions.c.id, submissions.c.agency, submissions.c.unit, submissions.c.policy,
                   submissions.c.period, submissions.c.revision, submissions.c.filename, submissions.c.format,
                   submissions.c.size,
                   submissions.c.sha256, submissions.c.uploader, submissions.c.created_at)

# How many of a run's subjects have their explanation stored (all of them once the explainer is done).
EXPLAINED = (select(func.count()).where(explanations.c.run_id == runs.c.id)
             .scalar_subquery().label("explained"))


@dataclass
class Incoming:
    """A received upload, before it is stored."""

    agency: str
    policy: str
    period: str
    filename: str
    format: str
    content: bytes
    idempotency_key: str | None = None
    unit: str = ""  # the submitting unit ('' = the whole agency): its own revisions

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def existing(engine: Engine, caller: Caller, sub: Incoming) -> str | None:
    """The submission this upload repeats: same Idempotency-Key, or the same bytes as the current revision."""
    with reading(engine) as conn:
        return _repeat_of(conn, caller, sub)


def _repeat_of(conn: Connection, caller: Caller, sub: Incoming) -> str | None:
    if sub.idempotency_key:
        hit = conn.execute(select(submissions.c.id).where(submissions.c.agency == caller.agency,
                                                          submissions.c.idempotency_key == sub.idempotency_key)).first()
        if hit:
            return str(hit.id)
    current = conn.execute(select(submissions.c.id, submissions.c.sha256).where(*_series(sub))
                           .order_by(submissions.c.revision.desc()).limit(1)).first()
    return str(current.id) if current is not None and current.sha256 == sub.sha256 else None


def save(engine: Engine, caller: Caller, sub: Incoming, scoring: Scoring) -> tuple[str, bool]:
    """Store the submission, its run, results and rejects and the audit entry in one transaction.
    Returns ``(id, created)``; ``created`` is False when it repeats a stored one."""
    try:
        with writing(engine) as conn:
            repeat = _repeat_of(conn, caller, sub)
            if repeat is not None:
                return repeat, False
            return _insert(conn, caller, sub, scoring), True
    except IntegrityError:  # a concurrent twin with the same Idempotency-Key won the race
        found = existing(engine, caller, sub)
        if found is None:
            raise
        return found, False


def _insert(conn: Connection, caller: Caller, sub: Incoming, s: Scoring) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    sid, rid = secrets.token_hex(16), secrets.token_hex(16)
    revision = (conn.execute(select(func.max(submissions.c.revision)).where(*_series(sub))).scalar() or 0) + 1
    conn.execute(submissions.insert().values(
        id=sid, agency=sub.agency, unit=sub.unit, policy=sub.policy, period=sub.period, revision=revision,
        uploader=caller.token_id, filename=sub.filename, format=sub.format, size=len(sub.content), sha256=sub.sha256,
        content=sub.content,
        idempotency_key=sub.idempotency_key, created_at=now))
    conn.execute(runs.insert().values(
        id=rid, submission_id=sid, engine_version=engine_version(), policy_id=s.policy_id,
        policy_version=s.policy_version, policy_set=s.policy_set, policy_files=json.dumps(s.policy_files),
        rows_read=s.rows_read, rows_scored=s.rows_scored, rows_rejected=s.rows_rejected, subjects=s.subjects,
        summary=json.dumps(s.summary, default=str), created_at=now))
    if s.lines:
        conn.execute(results.insert(), [{"run_id": rid, "position": i, "subject_id": subject, "row": line}
                                        for i, (subject, line) in enumerate(zip(s.subject_ids, s.lines))])
    if s.rejects:
        conn.execute(rejects.insert(), [{"run_id": rid, "position": i, **r, "messages": json.dumps(r["messages"])}
                                        for i, r in enumerate(s.rejects)])
    level_rows = [{"run_id": rid, "level": name, "position": i, "subject_id": subject, "row": line}
                  for name, lv in s.levels.items() for i, (subject, line) in enumerate(zip(lv.subject_ids, lv.lines))]
    if level_rows:
        conn.execute(level_results.insert(), level_rows)
    audit.append(conn, caller, "submission.create", "submission", sid, sub.agency, {
        **({"unit": sub.unit} if sub.unit else {}), "sha256": sub.sha256, "size": len(sub.content),
        "format": sub.format, "policy": sub.policy, "period": sub.period, "revision": revision,
        "policy_files": s.policy_files, "run": rid,
        "rows": {"read": s.rows_read, "scored": s.rows_scored, "rejected": s.rows_rejected},
        "results_sha256": s.results_sha256,
        **({"levels_sha256": {name: lv.sha256 for name, lv in s.levels.items()}} if s.levels else {})})
    return sid


def _series(sub: Incoming) -> tuple[Any, ...]:
    """The revisions an upload continues: its agency's (or unit's) for the policy and period."""
    return (submissions.c.agency == sub.agency, submissions.c.unit == sub.unit, submissions.c.policy == sub.policy,
            submissions.c.period == sub.period)


def _visible(caller: Caller) -> Any:
    """Reviewers and auditors see all; a submitter its agency's, or only its unit's when scoped to one."""
    if caller.reads_all:
        return True
    own = submissions.c.agency == caller.agency
    return and_(own, submissions.c.unit == caller.unit) if caller.unit else own


def _status(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The latest review of each submission (a later review supersedes an earlier one)."""
    if not ids:
        return {}
    rows = conn.execute(select(reviews).where(reviews.c.submission_id.in_(ids)).order_by(reviews.c.created_at))
    return {r.submission_id: {"decision": r.decision, "reason": r.reason, "at": r.created_at} for r in rows}


def summary(engine: Engine, caller: Caller, sid: str) -> dict[str, Any] | None:
    """A visible submission with its run counts and review status (None: not found for this caller)."""
    with reading(engine) as conn:
        row = conn.execute(select(*SUMMARY_COLUMNS, runs, EXPLAINED)
                           .join(runs, runs.c.submission_id == submissions.c.id)
                           .where(submissions.c.id == sid, _visible(caller))).first()
        if row is None:
            return None
        return _summary(row, _status(conn, [sid]).get(sid))


def _summary(row: Any, review: dict[str, Any] | None) -> dict[str, Any]:
    m = row._mapping
    return {
        "id": m["id"], "agency": m["agency"], "unit": m["unit"], "policy": m["policy"], "period": m["period"],
        "revision": m["revision"], "filename": m["filename"], "format": m["format"], "size": m["size"],
        "sha256": m["sha256"], "uploaded_by": m["uploader"], "created_at": m[submissions.c.created_at],
        "status": review["decision"] + "ed" if review else "submitted",
        "review": review,
        "run": {"id": m[runs.c.id], "policy_set": m["policy_set"], "engine_version": m["engine_version"],
                "policy_id": m["policy_id"],
                "policy_version": m["policy_version"], "policy_files": json.loads(m["policy_files"]),
                "rows": {"read": m["rows_read"], "scored": m["rows_scored"], "rejected": m["rows_rejected"]},
                "subjects": m["subjects"], "explained": m["explained"],
                **texts.run_summary(json.loads(m["summary"]))},
    }


def listing(engine: Engine, caller: Caller, agency: str | None = None, status: str | None = None,
            limit: int = 100, current_only: bool = False) -> list[dict[str, Any]]:
    """Visible submissions, newest first; ``status`` filters on the review status."""
    with reading(engine) as conn:
        q = (select(*SUMMARY_COLUMNS, runs, EXPLAINED).join(runs, runs.c.submission_id == submissions.c.id)
             .where(_visible(caller)).order_by(submissions.c.created_at.desc()).limit(min(limit, 1000)))
        if agency:
            q = q.where(submissions.c.agency == agency)
        if current_only:
            later = submissions.alias("later")
            q = q.where(~select(later.c.id).where(and_(
                later.c.agency == submissions.c.agency, later.c.unit == submissions.c.unit,
                later.c.policy == submissions.c.policy, later.c.period == submissions.c.period,
                later.c.revision > submissions.c.revision)).exists())
        rows = conn.execute(q).all()
        status_of = _status(conn, [r.id for r in rows])
    out = [_summary(r, status_of.get(r.id)) for r in rows]
    return [s for s in out if status is None or s["status"] == status]


def result_rows(engine: Engine, caller: Caller, sid: str) -> list[dict[str, Any]] | None:
    lines = result_lines(engine, caller, sid)
    return None if lines is None else [json.loads(line) for line in lines]


def result_lines(engine: Engine, caller: Caller, sid: str) -> list[str] | None:
    """Each result row's JSON text, in file order (None: not found for this caller)."""
    with reading(engine) as conn:
        run = _run_id(conn, caller, sid)
        if run is None:
            return None
        return list(conn.execute(select(results.c.row).where(results.c.run_id == run)
                                 .order_by(results.c.position)).scalars())


def level_lines(engine: Engine, caller: Caller, sid: str, level: str) -> list[str] | None:
    """Each group's row of one subject level, as its line of the level's results file (None: the
    submission is not found for this caller, or its policy has no such level)."""
    with reading(engine) as conn:
        row = conn.execute(select(runs.c.id, runs.c.summary).join(submissions, runs.c.submission_id == submissions.c.id)
                           .where(submissions.c.id == sid, _visible(caller))).first()
        if row is None or level not in {lv["level"] for lv in json.loads(row.summary).get("levels", [])}:
            return None
        return list(conn.execute(select(level_results.c.row).where(
            level_results.c.run_id == row.id, level_results.c.level == level)
            .order_by(level_results.c.position)).scalars())


def reject_rows(engine: Engine, caller: Caller, sid: str) -> list[dict[str, Any]] | None:
    with reading(engine) as conn:
        run = _run_id(conn, caller, sid)
        if run is None:
            return None
        rows = conn.execute(select(rejects).where(rejects.c.run_id == run).order_by(rejects.c.position))
        return [{**{k: v for k, v in r._mapping.items() if k not in ("run_id", "position")},
                 "messages": None if r.messages is None else json.loads(r.messages)} for r in rows]


def explanation(engine: Engine, caller: Caller, sid: str, subject: str) -> dict[str, Any] | None:
    """A stored explanation (None: not produced yet, or not visible)."""
    body = _subject_value(engine, caller, sid, subject, explanations.c.body)
    return None if body is None else json.loads(zlib.decompress(body))


def result_row(engine: Engine, caller: Caller, sid: str, subject: str) -> dict[str, Any] | None:
    """One subject's stored result row (None: not scored, or not visible)."""
    text = _subject_value(engine, caller, sid, subject, results.c.row)
    return None if text is None else json.loads(text)


def _subject_value(engine: Engine, caller: Caller, sid: str, subject: str, column: Any) -> Any:
    with reading(engine) as conn:
        run = _run_id(conn, caller, sid)
        table = column.table
        return None if run is None else conn.execute(select(column).where(
            table.c.run_id == run, table.c.subject_id == subject)).scalar()


def save_explanations(engine: Engine, run_id: str, made: dict[str, dict[str, Any]]) -> None:
    """Keep produced explanations, compressed before the write transaction so it stays short; one
    already stored (by the background explainer or a concurrent reader: the same content) is skipped."""
    now = dt.datetime.now(dt.timezone.utc)
    bodies = {sub: zlib.compress(json.dumps(ex, ensure_ascii=False).encode("utf-8")) for sub, ex in made.items()}
    with writing(engine) as conn:
        have = set(conn.execute(select(explanations.c.subject_id).where(
            explanations.c.run_id == run_id, explanations.c.subject_id.in_(list(bodies)))).scalars())
        new = [{"run_id": run_id, "subject_id": sub, "body": body, "created_at": now}
               for sub, body in bodies.items() if sub not in have]
        if new:
            conn.execute(explanations.insert(), new)


def explanations_pending(engine: Engine, limit: int = 10) -> list[str]:
    """Submissions whose subjects are not all explained yet, oldest first (the explainer's queue:
    derived from what is stored, so it survives any restart)."""
    stored = select(func.count()).where(explanations.c.run_id == runs.c.id).scalar_subquery()
    with reading(engine) as conn:
        return list(conn.execute(select(runs.c.submission_id).where(stored < runs.c.subjects)
                                 .order_by(runs.c.created_at).limit(limit)).scalars())


def unexplained(engine: Engine, sid: str) -> list[dict[str, Any]]:
    """The result rows of a submission's subjects that have no stored explanation yet."""
    done = select(explanations.c.subject_id).where(explanations.c.run_id == results.c.run_id)
    with reading(engine) as conn:
        rows = conn.execute(select(results.c.row).join(runs, runs.c.id == results.c.run_id)
                            .where(runs.c.submission_id == sid, results.c.subject_id.not_in(done))
                            .order_by(results.c.position)).scalars()
        return [json.loads(r) for r in rows]


def keep_policy_set(conn: Connection, files: dict[str, str], texts: dict[str, str], digest: str) -> None:
    """Store a loaded policy set and any file text not stored before (inside a write transaction)."""
    known = {r.sha256 for r in conn.execute(select(policy_sources.c.sha256).where(
        policy_sources.c.sha256.in_(list(texts))))}
    new = [{"sha256": sha, "text": text} for sha, text in texts.items() if sha not in known]
    if new:
        conn.execute(policy_sources.insert(), new)
    if conn.execute(select(policy_sets.c.digest).where(policy_sets.c.digest == digest)).first() is None:
        conn.execute(policy_sets.insert().values(digest=digest, files=json.dumps(files, sort_keys=True),
                                                 created_at=dt.datetime.now(dt.timezone.utc)))


def policies_in_force(engine: Engine) -> str | None:
    """The digest of the policy set last loaded or reloaded by any worker process."""
    with reading(engine) as conn:
        return conn.execute(select(audit_log.c.object_id).where(audit_log.c.object_type == "policies")
                            .order_by(audit_log.c.seq.desc()).limit(1)).scalar()


def policy_set_files(engine: Engine, digest: str) -> dict[str, str]:
    with reading(engine) as conn:
        return json.loads(conn.execute(select(policy_sets.c.files).where(policy_sets.c.digest == digest)).scalar_one())


def policy_texts(engine: Engine, shas: list[str]) -> dict[str, str]:
    with reading(engine) as conn:
        return {r.sha256: r.text for r in conn.execute(select(policy_sources).where(policy_sources.c.sha256.in_(shas)))}


def content(engine: Engine, caller: Caller, sid: str) -> tuple[str, bytes] | None:
    """The submission's bytes as received."""
    with reading(engine) as conn:
        row = conn.execute(select(submissions.c.filename, submissions.c.content)
                           .where(submissions.c.id == sid, _visible(caller))).first()
        return None if row is None else (row.filename, bytes(row.content))


def _run_id(conn: Connection, caller: Caller, sid: str) -> str | None:
    row = conn.execute(select(runs.c.id).join(submissions, runs.c.submission_id == submissions.c.id)
                       .where(submissions.c.id == sid, _visible(caller))).first()
    return None if row is None else str(row.id)


def review(engine: Engine, caller: Caller, sid: str, decision: str, reason: str) -> dict[str, Any] | None:
    """Record a reviewer's decision (``accept`` or ``return``) with its reason; None: not found."""
    with writing(engine) as conn:
        row = conn.execute(select(submissions.c.agency, submissions.c.sha256).where(submissions.c.id == sid)).first()
        if row is None:
            return None
        rid = secrets.token_hex(16)
        conn.execute(reviews.insert().values(id=rid, submission_id=sid, decision=decision, reason=reason,
                                             reviewer=caller.token_id, created_at=dt.datetime.now(dt.timezone.utc)))
        audit.append(conn, caller, "review.create", "review", rid, row.agency,
                     {"submission": sid, "decision": decision, "submission_sha256": row.sha256,
                      "reason_sha256": hashlib.sha256(reason.encode()).hexdigest()})
    return {"id": rid, "submission": sid, "decision": decision, "reason": reason}


def trail(engine: Engine, sid: str) -> list[dict[str, Any]]:
    """The audit entries about one submission: its creation and its reviews."""
    with reading(engine) as conn:
        review_ids = [r.id for r in conn.execute(select(reviews.c.id).where(reviews.c.submission_id == sid))]
        found = audit.entries(conn, "submission", [sid]) + audit.entries(conn, "review", review_ids)
        return sorted(found, key=lambda e: e["seq"])
