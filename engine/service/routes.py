"""The JSON API under /api/v1.  Each route checks the caller's role first, then asks ``store``
for what that caller may see; "not yours" and "not there" are the same 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from engine.diagnostics import KinerjaError
from engine.i18n import N_, _
from engine.i18n.formats import format_number
from engine.service import audit, auth, schemas, scoring, store, workflow
from engine.service.app import Service
from engine.service.db import reading, writing
from engine.service.workflow import NOT_FOUND, client_address, explain, fail, policy_failure, require, sign_in, submit

router = APIRouter(prefix="/api/v1")
ERRORS: dict[int | str, dict[str, Any]] = {c: {"model": schemas.Error} for c in (400, 401, 403, 404, 413, 422)}


def service_of(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def caller_of(request: Request, authorization: Annotated[str | None, Header()] = None) -> auth.Caller:
    """The bearer token's caller; 401 for a missing, unknown or revoked token alike."""
    secret = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
    caller = sign_in(service_of(request), client_address(request), secret)
    if caller is None:
        raise HTTPException(401, {"code": "unauthenticated", "message": _(
            "send a valid API token: Authorization: Bearer kin_…")}, headers={"WWW-Authenticate": "Bearer"})
    return caller


def reader_of(caller: Annotated[auth.Caller, Depends(caller_of)]) -> auth.Caller:
    """A caller that may read submissions: submitters (their own), reviewers and auditors."""
    require(caller, *DATA_READERS)
    return caller


DATA_READERS = ("submitter", "reviewer", "auditor")
Caller = Annotated[auth.Caller, Depends(caller_of)]
Reader = Annotated[auth.Caller, Depends(reader_of)]
Svc = Annotated[Service, Depends(service_of)]


@router.get("/health", tags=["operations"])
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", tags=["operations"], responses={503: {"model": schemas.Error}})
def ready(svc: Svc) -> Response:
    """The database answers and is migrated, and policies are loaded."""
    if svc.ready():
        return JSONResponse({"status": "ready", "policies": svc.current().digest})
    return JSONResponse({"error": {"code": "not-ready", "message": _("the database is not reachable")}}, 503)


@router.post("/submissions", status_code=201, response_model=schemas.SubmissionOut, tags=["submissions"],
             responses={**ERRORS, 200: {"model": schemas.SubmissionOut,
                                        "description": "A repeat of a stored submission (same Idempotency-Key "
                                                       "or same bytes as the current revision): nothing new stored"}})
def create_submission(svc: Svc, caller: Caller, response: Response, file: Annotated[UploadFile, File()],
                      period: Annotated[str, Form(description="Year (2026) or date (2026-12-31)")],
                      policy: Annotated[str | None, Form()] = None,
                      idempotency_key: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Submit a file (CSV, XLSX, JSON or Parquet) of the caller's agency: it is validated and scored as
    `kinerja eval` would, and stored with its results before 201 is returned."""
    require(caller, "submitter")
    content = file.file.read()
    found, created = submit(svc, caller, file.filename or "upload", content, policy, period, idempotency_key)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/submissions/{found['id']}"
    return found


@router.get("/submissions", response_model=list[schemas.SubmissionOut], tags=["submissions"], responses=ERRORS)
def list_submissions(svc: Svc, caller: Reader, agency: str | None = None, status: str | None = None,
                     current: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """Submissions the caller may see, newest first (``current``: only each agency's latest revision)."""
    return store.listing(svc.engine, caller, agency, status, limit, current)


@router.get("/submissions/{sid}", response_model=schemas.SubmissionOut, tags=["submissions"], responses=ERRORS)
def get_submission(svc: Svc, caller: Reader, sid: str) -> dict[str, Any]:
    return _found(store.summary(svc.engine, caller, sid))


@router.get("/submissions/{sid}/results", tags=["submissions"], responses=ERRORS,
            response_model=list[dict[str, Any]])
def get_results(svc: Svc, caller: Reader, sid: str) -> Response:
    """One row per scored subject: exactly the rows of `kinerja eval … -o results.json`."""
    lines = _found(store.result_lines(svc.engine, caller, sid))  # stored as that file's lines: served as they are
    return Response("[" + ",".join(lines) + "]", media_type="application/json")


@router.get("/submissions/{sid}/levels/{level}", tags=["submissions"], responses=ERRORS,
            response_model=list[dict[str, Any]])
def get_level(svc: Svc, caller: Reader, sid: str, level: str) -> Response:
    """One row per group of a subject level of the policy (a unit, an agency: `run.levels` lists them):
    exactly the rows of the level file `kinerja eval … -o results.json` writes (`results.LEVEL.json`)."""
    lines = _found(store.level_lines(svc.engine, caller, sid, level))
    return Response("[" + ",".join(lines) + "]", media_type="application/json")


@router.get("/submissions/{sid}/rejects", response_model=list[schemas.RejectOut], tags=["submissions"],
            responses=ERRORS)
def get_rejects(svc: Svc, caller: Reader, sid: str) -> list[dict[str, Any]]:
    return _found(workflow.rejects(svc, caller, sid))


@router.get("/submissions/{sid}/explain/{subject}", tags=["submissions"], responses=ERRORS)
def get_explanation(svc: Svc, caller: Reader, sid: str, subject: str) -> dict[str, Any]:
    """A subject's explanation, as `kinerja explain --format json` prints it (reproduced from the stored file
    and policy texts when first asked for, checked against the stored result, then stored)."""
    return explain(svc, caller, sid, subject)


@router.get("/submissions/{sid}/file", tags=["submissions"], responses=ERRORS)
def get_file(svc: Svc, caller: Reader, sid: str) -> Response:
    """The submitted bytes, as received."""
    filename, content = _found(store.content(svc.engine, caller, sid))
    return Response(content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{_safe(filename)}"'})


@router.post("/submissions/{sid}/review", response_model=schemas.ReviewOut, status_code=201, tags=["review"],
             responses=ERRORS)
def review_submission(svc: Svc, caller: Caller, sid: str, body: schemas.Review) -> dict[str, Any]:
    """Accept or return a submission, with a reason (reviewers only)."""
    require(caller, "reviewer")
    return _found(store.review(svc.engine, caller, sid, body.decision, body.reason))


@router.get("/submissions/{sid}/audit", response_model=list[schemas.AuditEntry], tags=["audit"], responses=ERRORS)
def submission_audit(svc: Svc, caller: Caller, sid: str) -> list[dict[str, Any]]:
    """The audit trail of one submission (auditors)."""
    require(caller, "auditor")
    _found(store.summary(svc.engine, caller, sid))
    return store.trail(svc.engine, sid)


@router.get("/audit", response_model=list[schemas.AuditEntry], tags=["audit"], responses=ERRORS)
def audit_log(svc: Svc, caller: Caller, after: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    """The audit log in chain order, from entry ``after`` + 1 (auditors)."""
    require(caller, "auditor")
    with reading(svc.engine) as conn:
        return audit.entries(conn, after=after, limit=min(limit, 10_000))


@router.get("/audit/verify", response_model=schemas.Verification, tags=["audit"], responses=ERRORS)
def audit_verify(svc: Svc, caller: Caller) -> dict[str, Any]:
    require(caller, "auditor")
    with reading(svc.engine) as conn:
        v = audit.verify(conn)
    return {"ok": v.ok, "entries": v.entries, "head": v.head, "problems": v.problems}


@router.post("/calculate", response_model=schemas.CalculateOut, tags=["rules"], responses=ERRORS)
def calculate(svc: Svc, caller: Caller, body: schemas.CalculateIn) -> dict[str, Any]:
    """Score values for one or many subjects without storing anything (what-if, embedding the rules)."""
    if len(body.subjects) > svc.limits.max_calculate_subjects:
        raise fail(413, "too-many-subjects", _("at most {n} subjects per request",
                                                      n=format_number(svc.limits.max_calculate_subjects)))
    ps = svc.current()
    try:
        policy = body.policy or _single(ps)
        s = scoring.calculate(ps, policy, body.period, body.subjects, body.agency)
    except scoring.SubmissionError as exc:
        raise fail(400, "invalid-request", str(exc)) from None
    except KinerjaError as exc:
        raise policy_failure(exc) from None
    return {"policy_id": s.policy_id, "policy_version": s.policy_version, "policy_files": s.policy_files,
            "rows": {"read": s.rows_read, "scored": s.rows_scored, "rejected": s.rows_rejected},
            "results": s.rows, "rejects": s.rejects, "explanations": s.explanations if body.explain else {},
            "quota_violations": s.summary["quota_violations"]}


def _single(ps: scoring.PolicySet) -> str:
    if len(ps.policies.national) != 1:
        raise scoring.SubmissionError(_("say which policy applies: {policies}",
                                                policies=", ".join(sorted(ps.policies.national))))
    return next(iter(ps.policies.national))


@router.get("/policies", tags=["rules"], responses=ERRORS)
def list_policies(svc: Svc, caller: Caller) -> dict[str, Any]:
    """Every national policy, its versions, periods, agencies with their own policy, and submitted fields."""
    ps = svc.current()
    return {"loaded_at": ps.loaded_at, "digest": ps.digest, "files": ps.files, "policies": scoring.describe(ps)}


@router.get("/policies/{policy_id}", tags=["rules"], responses=ERRORS)
def get_policy(svc: Svc, caller: Caller, policy_id: str) -> dict[str, Any]:
    found = [p for p in scoring.describe(svc.current()) if p["id"] == policy_id]
    if not found:
        raise fail(404, "not-found", _("no policy `{policy}`", policy=policy_id))
    return found[0]


@router.post("/admin/reload", tags=["admin"], responses=ERRORS)
def reload_policies(svc: Svc, caller: Caller) -> dict[str, Any]:
    """Check and load the policy files again; a policy with errors is refused and the running version stays."""
    require(caller, "admin")
    try:
        ps = svc.reload(caller)
    except KinerjaError as exc:
        raise policy_failure(exc) from None
    return {"digest": ps.digest, "files": ps.files}


@router.post("/admin/tokens", response_model=schemas.TokenOut, status_code=201, tags=["admin"], responses=ERRORS)
def create_token(svc: Svc, caller: Caller, body: schemas.TokenIn) -> dict[str, Any]:
    require(caller, "admin")
    try:
        with writing(svc.engine) as conn:
            tid, secret = auth.create_token(conn, body.agency, body.role, body.label, caller, body.unit)
    except ValueError as exc:
        raise fail(400, "invalid-token", str(exc)) from None
    return {"id": tid, "agency": body.agency, "unit": body.unit.strip(), "role": body.role, "token": secret}


@router.get("/admin/tokens", tags=["admin"], responses=ERRORS)
def list_tokens(svc: Svc, caller: Caller) -> list[dict[str, Any]]:
    require(caller, "admin")
    with reading(svc.engine) as conn:
        return auth.list_tokens(conn)


@router.delete("/admin/tokens/{token_id}", status_code=204, tags=["admin"], responses=ERRORS)
def revoke_token(svc: Svc, caller: Caller, token_id: str) -> Response:
    require(caller, "admin")
    with writing(svc.engine) as conn:
        if not auth.revoke_token(conn, token_id, caller):
            raise fail(404, "not-found", N_("no such active token"))
    return Response(status_code=204)


def _found(value: Any) -> Any:
    if value is None:
        raise fail(404, **NOT_FOUND)
    return value


def _safe(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._-") or "submission"
