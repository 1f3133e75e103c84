"""The FastAPI application: state (database, policies, limits), middleware and the two routers."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.i18n import _
from engine.service import audit, db, scoring, store
from engine.service.auth import Caller
from engine.service.lang import Language
from engine.service.limits import BodyLimit, Limits, Timeout

log = logging.getLogger("kinerja.service")


@dataclass
class Service:
    """What every request needs: the database, the policies in force and the limits."""

    engine: Engine
    policies: scoring.PolicySet
    limits: Limits = field(default_factory=Limits)
    session_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    secure_cookies: bool = False
    _reload: threading.Lock = field(default_factory=threading.Lock)

    def reload(self, actor: Caller | None) -> scoring.PolicySet:
        """Compile the policies again; on any error the running version stays (``KinerjaError``)."""
        with self._reload:
            fresh = scoring.load_policies(self.policies.root)
            with db.writing(self.engine) as conn:
                store.keep_policy_set(conn, fresh.files, fresh.texts, fresh.digest)
                audit.append(conn, actor, "policies.reload", "policies", fresh.digest, None,
                             {"files": fresh.files, "previous": self.policies.digest})
            self.policies = fresh
            return fresh

    def current(self) -> scoring.PolicySet:
        """The policy set in force: the one last loaded or reloaded by any worker process sharing
        the database (compiled from its stored texts when another worker reloaded)."""
        from engine.service import reproduce

        digest = store.policies_in_force(self.engine)
        if digest is None or digest == self.policies.digest:
            return self.policies
        with self._reload:
            if digest != self.policies.digest:
                files = store.policy_set_files(self.engine, digest)
                self.policies = reproduce.policy_set(
                    self.policies, files, lambda: store.policy_texts(self.engine, sorted(set(files.values()))))
        return self.policies

    def ready(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return db.schema_revision(self.engine) is not None
        except Exception:  # noqa: BLE001 - not ready, whatever the reason
            return False


def open_service(policies: str | Path, url: str, limits: Limits | None = None) -> Service:
    """Connect, migrate and load the policies (errors raise before the server listens)."""
    engine = db.connect(url)
    db.migrate(engine)
    ps = scoring.load_policies(policies)
    scoring.warm_up()
    service = Service(engine, ps, limits or Limits())
    with db.writing(engine) as conn:
        store.keep_policy_set(conn, ps.files, ps.texts, ps.digest)
        audit.append(conn, None, "policies.load", "policies", ps.digest, None, {"files": ps.files})
    return service


def app_from_env() -> FastAPI:
    """The application of one worker process of ``kinerja serve --workers N`` (settings from the
    environment the parent set: KINERJA_POLICIES, KINERJA_DB, KINERJA_SECRET_KEY, limits)."""
    import os

    limits = Limits(max_upload=int(os.environ["KINERJA_MAX_UPLOAD"]),
                    request_timeout=float(os.environ["KINERJA_TIMEOUT"]))
    service = open_service(os.environ["KINERJA_POLICIES"], os.environ["KINERJA_DB"], limits)
    service.session_key = bytes.fromhex(os.environ["KINERJA_SECRET_KEY"])  # one key: any worker reads a cookie
    service.secure_cookies = os.environ.get("KINERJA_SECURE_COOKIES") == "1"
    return create_app(service)


def create_app(service: Service) -> FastAPI:
    """The application serving ``service``."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        service.engine.dispose()  # graceful shutdown: uvicorn has drained the requests by now

    app = _build(service.limits, lifespan)
    app.state.service = service
    return app


def _build(limits: Limits, lifespan: Any = None) -> FastAPI:
    from engine.service import invalid, pages, routes

    # No /docs or /redoc: they load scripts from a CDN, and the pages here use no external assets.
    app = FastAPI(title="Kinerja submission service", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Agencies submit realisations, officers review, auditors trace. See docs/service.md.")
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid.handler)  # type: ignore[arg-type]
    app.add_middleware(Timeout, seconds=limits.request_timeout)
    app.add_middleware(BodyLimit, limit=limits.max_upload)
    app.add_middleware(Language)  # outermost: even a refused body or a timeout answers in the request's language
    return app


def openapi_document() -> dict[str, Any]:
    """The published OpenAPI document (docs/openapi.json; a test keeps the two equal)."""
    return _build(Limits()).openapi()


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """JSON for the API; for the pages a redirect (to sign in) or a small HTML error page."""
    detail = exc.detail if isinstance(exc.detail, dict) else {"code": _code(exc.status_code),
                                                              "message": _said(request, exc.status_code)}
    headers = getattr(exc, "headers", None)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=headers)
    if exc.status_code in (302, 303):
        return Response(status_code=exc.status_code, headers=headers)
    from engine.service.pages import page

    return page(request, "error.html", None, exc.status_code, failure=detail)


def _said(request: Request, status: int) -> str:
    """What an error the framework raises by itself (an unknown address, a method the address does not
    take) says, in the request's language (Starlette's own text is English)."""
    if status == 404:
        return _("nothing is at `{path}`", path=request.url.path)
    if status == 405:
        return _("`{path}` does not take {method} requests", path=request.url.path, method=request.method)
    return _("the request failed (HTTP {status})", status=status)


def _code(status: int) -> str:
    return {401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
            413: "too-large"}.get(status, "error")


if __name__ == "__main__":  # python -m engine.service.app > docs/openapi.json
    import json

    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))
