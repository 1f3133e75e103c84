"""The submission workflow shared by the JSON API and the web pages: check, score, store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request

from engine.diagnostics import KinerjaError
from engine.i18n import N_, _, language
from engine.service import auth, reproduce, scoring, store, texts, throttle
from engine.service.app import Service
from engine.service.auth import Caller
from engine.service.db import reading
from engine.service.limits import check_xlsx

NOT_FOUND = {"code": "not-found", "message": N_("no such submission")}  # translated by fail()


def fail(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> HTTPException:
    """An error answer: ``code`` stays as it is, ``message`` is in the request's language (a text marked
    with ``N_`` is translated here; one already translated is left as it is)."""
    return HTTPException(status, {"code": code, "message": _(message), **extra}, headers=headers)


def require(caller: Caller, *roles: str) -> None:
    """Refuse a role not allowed here, before anything is looked up (so nothing leaks)."""
    if caller.role not in roles:
        raise fail(403, "forbidden", _("the {role} role may not do this; it needs: {roles}",
                                        role=auth.role_name(caller.role), roles=", ".join(map(auth.role_name, roles))))


def client_address(request: Request) -> str:
    """The client's address (a proxy's X-Forwarded-For when uvicorn trusts that proxy)."""
    return request.client.host if request.client else "unknown"


def sign_in(service: Service, address: str, secret: str | None) -> Caller | None:
    """The caller a presented token names (None: none, unknown or revoked), with guessing throttled:
    ``429`` while the address or the token's prefix is locked out (``throttle``)."""
    if not secret:
        return None
    try:
        throttle.check(service.engine, service.limits, address, secret)
    except throttle.Locked as exc:
        raise fail(429, "too-many-sign-in-failures", str(exc),
                   headers={"Retry-After": str(exc.retry_after)}) from None
    with reading(service.engine) as conn:
        caller = auth.caller_for(conn, secret)
    if caller is None:
        throttle.failed(service.engine, service.limits, address, secret)
    return caller


def submit(service: Service, caller: Caller, filename: str, content: bytes, policy: str | None, period: str,
           idempotency_key: str | None = None) -> tuple[dict[str, Any], bool]:
    """Score and store one upload of the caller's agency; ``(summary, created)``."""
    require(caller, "submitter")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 200:
        raise fail(400, "invalid-idempotency-key", _("an Idempotency-Key has 1 to 200 characters"))
    ps = service.current()
    try:
        policy_id = policy or _only_policy(ps)
        fmt = scoring.file_format(filename)
        scoring.as_of(period)
        if not content:
            raise scoring.SubmissionError(_("the file is empty"))
        if fmt == "xlsx":
            check_xlsx(content, service.limits)
        incoming = store.Incoming(caller.agency, policy_id, period.strip(), Path(filename).name[:255] or "upload",
                                  fmt, content, idempotency_key, caller.unit)
        repeat = store.existing(service.engine, caller, incoming)
        if repeat is None:
            scored = scoring.score(ps, content, incoming.filename, policy_id, incoming.period, caller.agency,
                                   caller.unit)
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
        raise scoring.SubmissionError(_("say which policy applies (field `policy`): {policies}",
                                         policies=", ".join(names)))
    return names[0]


def policy_failure(exc: KinerjaError) -> HTTPException:
    """A policy or version problem (no version in force, unknown policy) as a 400 with its diagnostics."""
    diags = [{"code": d.code, "message": d.message, "help": d.help} for d in exc.diagnostics]
    return fail(400, diags[0]["code"] if diags else "policy", diags[0]["message"] if diags else str(exc),
                diagnostics=diags)


def explain(service: Service, caller: Caller, sid: str, subject: str) -> dict[str, Any]:
    """A subject's explanation: stored (by the background explainer), or, when asked for before it got
    there, reproduced from the stored file and policies now and then stored.  A stored one written in
    another language than the request's is reproduced in the request's (the stored one stays)."""
    found = store.explanation(service.engine, caller, sid, subject)
    if found is not None and found.get("lang", language()) == language():
        return found
    sub, content, row = _inputs(service, caller, sid, subject)
    try:
        made = reproduce.explain(policies_of(service, sub), sub, content, subject, row)
    except reproduce.NotReproducible as exc:
        raise fail(409, "not-reproducible", str(exc)) from None
    if found is None:
        store.save_explanations(service.engine, sub["run"]["id"], {subject: made})
    return made


def rejects(service: Service, caller: Caller, sid: str) -> list[dict[str, Any]] | None:
    """The rejected rows of a submission, their reasons in the request's language: written again from
    how they were made (``texts``).  Rows stored before that was kept: as stored when written in this
    language; otherwise the stored file read again under its stored policies, in this language (the
    same rows are required, else the stored texts stand).  None: not found."""
    stored = store.reject_rows(service.engine, caller, sid)
    if stored is not None and texts.recorded(stored):
        return [texts.reject(r) for r in stored]
    sub = store.summary(service.engine, caller, sid)
    if not stored or sub is None or sub["run"].get("language") == language():
        return stored
    kept = store.content(service.engine, caller, sid)
    try:
        again = reproduce.rejects(policies_of(service, sub), sub, kept[1]) if kept else []
    except (scoring.SubmissionError, KinerjaError):  # the stored reasons are the record
        return stored
    same = [(r["subject_id"], r["column"], r["value"]) for r in again] == \
        [(r["subject_id"], r["column"], r["value"]) for r in stored]
    return again if same else stored


def report(service: Service, caller: Caller, sid: str, subject: str) -> str:
    """The HTML report of one subject of a stored submission."""
    sub, content, _row = _inputs(service, caller, sid, subject)
    rows = store.result_rows(service.engine, caller, sid) or []
    try:
        return reproduce.report_html(policies_of(service, sub), sub, content, subject, rows)
    except reproduce.NotReproducible as exc:
        raise fail(409, "not-reproducible", str(exc)) from None


def _inputs(service: Service, caller: Caller, sid: str, subject: str) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    sub = store.summary(service.engine, caller, sid)
    stored = store.content(service.engine, caller, sid)
    row = store.result_row(service.engine, caller, sid, subject)
    if sub is None or stored is None or row is None:
        raise fail(404, **NOT_FOUND)
    return sub, stored[1], row


def policies_of(service: Service, sub: dict[str, Any]) -> scoring.PolicySet:
    """The compiled policy set a stored submission was scored under."""
    files = store.policy_set_files(service.engine, sub["run"]["policy_set"])
    return reproduce.policy_set(service.policies, files,
                                lambda: store.policy_texts(service.engine, sorted(set(files.values()))))
