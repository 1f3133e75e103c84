"""The submission workflow shared by the JSON API and the web pages: check, score, store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException

from engine.diagnostics import KinerjaError
from engine.service import scoring, store
from engine.service.app import Service
from engine.service.auth import Caller
from engine.service.limits import check_xlsx

NOT_FOUND = {"code": "not-found", "message": "no such submission"}


def fail(status: int, code: str, message: str, **extra: Any) -> HTTPException:
    return HTTPException(status, {"code": code, "message": message, **extra})


def require(caller: Caller, *roles: str) -> None:
    """Refuse a role not allowed here, before anything is looked up (so nothing leaks)."""
    if caller.role not in roles:
        raise fail(403, "forbidden", f"the {caller.role} role may not do this; it needs: {', '.join(roles)}")


def submit(service: Service, caller: Caller, filename: str, content: bytes, policy: str | None, period: str,
           idempotency_key: str | None = None) -> tuple[dict[str, Any], bool]:
    """Score and store one upload of the caller's agency; ``(summary, created)``."""
    require(caller, "submitter")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 200:
        raise fail(400, "invalid-idempotency-key", "an Idempotency-Key has 1 to 200 characters")
    ps = service.policies
    try:
        policy_id = policy or _only_policy(ps)
        fmt = scoring.file_format(filename)
        scoring.as_of(period)
        if not content:
            raise scoring.SubmissionError("the file is empty")
        if fmt == "xlsx":
            check_xlsx(content, service.limits)
        incoming = store.Incoming(caller.agency, policy_id, period.strip(), Path(filename).name[:255] or "upload",
                                  fmt, content, idempotency_key)
        repeat = store.existing(service.engine, caller, incoming)
        if repeat is None:
            scored = scoring.score(ps, content, incoming.filename, policy_id, incoming.period, caller.agency)
            repeat, created = store.save(service.engine, caller, incoming, scored)
        else:
            created = False
    except scoring.SubmissionError as exc:
        raise fail(400, "unreadable-submission", str(exc)) from None
    except KinerjaError as exc:
        raise policy_failure(exc) from None
    found = store.summary(service.engine, caller, repeat)
    assert found is not None  # the caller's own agency
    return found, created


def _only_policy(ps: scoring.PolicySet) -> str:
    names = sorted(ps.policies.national)
    if len(names) != 1:
        raise scoring.SubmissionError("say which policy applies (field `policy`): " + ", ".join(names))
    return names[0]


def policy_failure(exc: KinerjaError) -> HTTPException:
    """A policy or version problem (no version in force, unknown policy) as a 400 with its diagnostics."""
    diags = [{"code": d.code, "message": d.message, "help": d.help} for d in exc.diagnostics]
    return fail(400, diags[0]["code"] if diags else "policy", diags[0]["message"] if diags else str(exc),
                diagnostics=diags)
