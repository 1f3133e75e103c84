"""The officers' web pages: sign in with a token, upload, see counts, rejects, scores, explanations
and the HTML report; the reviewers' queue; the auditors' trail.  Server-rendered with Jinja2
(autoescaped), no external assets; every form carries a CSRF token."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from engine.doc.render import code_html
from engine.i18n import N_, _, language, ngettext
from engine.i18n.formats import format_moment, format_number
from engine.service import audit, auth, lang, sessions, store, workflow
from engine.service.app import Service
from engine.service.db import reading
from engine.service.workflow import NOT_FOUND, fail, require, submit

router = APIRouter(include_in_schema=False)


def _environment() -> Environment:
    """The pages' Jinja environment: every text through the catalogue (``_``, ``ngettext``: the
    request's language, see ``engine.service.lang``), numbers and dates as that language writes them."""
    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True)
    env.globals.update(_=_, ngettext=ngettext, language=language, languages=LANGUAGE_NAMES,
                       role=auth.role_name, status_name=_named(STATUSES), decision_name=_named(DECISIONS),
                       action_name=audit.action_name, object_name=audit.object_name)
    env.filters.update(number=shown_number, when=shown_moment, code=lambda text: Markup(code_html(text)))
    return env


LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # each in its own language: not translated
# The stored codes as a reader names them (the codes stay in the data, the API and the URLs; roles: auth).
STATUSES = {"submitted": N_("submitted"), "accepted": N_("accepted"), "returned": N_("returned")}
DECISIONS = {"accept": N_("accept"), "return": N_("return")}


def _named(names: dict[str, str]) -> Any:
    return lambda code: _(names[code]) if code in names else code


def shown_number(value: Any) -> Any:
    """A number as the request's language writes it (94,03; 9.900.000); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return format_number(value)


def shown_moment(value: dt.datetime | str) -> str:
    """A moment as the request's language writes it (``1 Desember 2026 14.05``); an audit entry's
    time is stored as ISO text."""
    return format_moment(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


templates = Jinja2Templates(env=_environment())


def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def signed_in(request: Request) -> auth.Caller:
    svc = _service(request)
    with reading(svc.engine) as conn:
        caller = sessions.caller_of(conn, svc.session_key, request.cookies.get(sessions.COOKIE))
    if caller is None:
        raise HTTPException(303, headers={"Location": "/login"})
    return caller


def checked(request: Request, caller: Annotated[auth.Caller, Depends(signed_in)],
            csrf: Annotated[str | None, Form()] = None) -> auth.Caller:
    """A signed-in caller whose form carries this session's CSRF token."""
    if not sessions.csrf_ok(_service(request).session_key, request.cookies.get(sessions.COOKIE), csrf):
        raise fail(403, "csrf", N_("the form has expired or did not come from this site; reload the page"))
    return caller


Caller = Annotated[auth.Caller, Depends(signed_in)]
Posting = Annotated[auth.Caller, Depends(checked)]


def page(request: Request, name: str, caller: auth.Caller | None, code: int = 200, **context: Any) -> Response:
    cookie = request.cookies.get(sessions.COOKIE)
    csrf = sessions.csrf_token(_service(request).session_key, cookie) if cookie and caller else ""
    response = templates.TemplateResponse(request, name, {"caller": caller, "csrf": csrf, **context},
                                          status_code=code)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
                                                  "form-action 'self'; frame-ancestors 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return page(request, "login.html", None)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    svc = _service(request)
    try:
        caller = workflow.sign_in(svc, workflow.client_address(request), token.strip())
    except HTTPException as exc:
        retry = (exc.headers or {}).get("Retry-After", "60")
        refused = page(request, "login.html", None, 429, error=_(
            "Too many failed sign-ins from here: try again in {minutes} minutes.", minutes=int(retry) // 60 + 1))
        refused.headers["Retry-After"] = retry
        return refused
    if caller is None:
        return page(request, "login.html", None, 401, error=_("That token is not valid (unknown or revoked)."))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(sessions.COOKIE, sessions.issue(svc.session_key, caller), max_age=sessions.LIFETIME,
                        httponly=True, samesite="strict", secure=svc.secure_cookies)
    return response


@router.get("/language/{code}")
def choose_language(code: str, back: str = "/") -> Response:
    """The page's language switcher: remember ``code`` in a cookie and go back to the page it was on."""
    if code not in LANGUAGE_NAMES:
        raise fail(404, "not-found", N_("no such language"))
    response = RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/", 303)
    response.set_cookie(lang.COOKIE, code, max_age=lang.ONE_YEAR, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout(caller: Posting) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response


@router.get("/")
def home(request: Request, caller: Caller, status: str | None = None) -> Response:
    svc = _service(request)
    listed = store.listing(svc.engine, caller, status=status, current_only=caller.role == "reviewer" and
                           status == "submitted") if caller.role in ("submitter", "reviewer", "auditor") else []
    return page(request, "home.html", caller, submissions=listed, status=status,
                policies=sorted(svc.current().policies.national))


@router.post("/upload")
def upload(request: Request, caller: Posting, file: Annotated[UploadFile, File()],
           period: Annotated[str, Form()], policy: Annotated[str | None, Form()] = None) -> Response:
    svc = _service(request)
    try:
        found, _created = submit(svc, caller, file.filename or "upload", file.file.read(), policy or None, period)
    except HTTPException as exc:
        return page(request, "home.html", caller, exc.status_code, error=exc.detail["message"],
                    submissions=store.listing(svc.engine, caller), policies=sorted(svc.current().policies.national))
    return RedirectResponse(f"/submissions/{found['id']}", status_code=303)


@router.get("/submissions/{sid}")
def submission(request: Request, caller: Caller, sid: str) -> Response:
    require(caller, "submitter", "reviewer", "auditor")
    svc = _service(request)
    found = _found(store.summary(svc.engine, caller, sid))
    rows = store.result_rows(svc.engine, caller, sid) or []
    trail = store.trail(svc.engine, sid) if caller.role == "auditor" else []
    return page(request, "submission.html", caller, sub=found, rows=rows, columns=list(rows[0]) if rows else [],
                rejects=workflow.rejects(svc, caller, sid), trail=trail)


@router.post("/submissions/{sid}/review")
def review(request: Request, caller: Posting, sid: str, decision: Annotated[str, Form()],
           reason: Annotated[str, Form()]) -> Response:
    require(caller, "reviewer")
    if decision not in ("accept", "return") or not reason.strip():
        raise fail(400, "invalid-review", N_("choose accept or return and give a reason"))
    _found(store.review(_service(request).engine, caller, sid, decision, reason.strip()))
    return RedirectResponse(f"/submissions/{sid}", status_code=303)


@router.get("/submissions/{sid}/explain/{subject}")
def explanation(request: Request, caller: Caller, sid: str, subject: str) -> Response:
    require(caller, "submitter", "reviewer", "auditor")
    svc = _service(request)
    found = _found(store.summary(svc.engine, caller, sid))
    tree = workflow.explain(svc, caller, sid, subject)
    return page(request, "explain.html", caller, sub=found, ex=tree)


@router.get("/submissions/{sid}/report/{subject}")
def report(request: Request, caller: Caller, sid: str, subject: str) -> Response:
    """The `kinerja report` page for one subject, rebuilt from the stored file and policy texts."""
    require(caller, "submitter", "reviewer", "auditor")
    html = workflow.report(_service(request), caller, sid, subject)
    return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/audit")
def audit_page(request: Request, caller: Caller, after: int = 0) -> Response:
    require(caller, "auditor")
    with reading(_service(request).engine) as conn:
        entries = audit.entries(conn, after=after, limit=200)
        check = audit.verify(conn)
    return page(request, "audit.html", caller, entries=entries, check=check)


def _found(value: Any) -> Any:
    if value is None:
        raise fail(404, **NOT_FOUND)
    return value
