"""Limits on what a request may cost: body size, Excel decompression, time."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from engine.i18n import _
from engine.i18n.formats import format_number
from engine.service.scoring import SubmissionError


@dataclass(frozen=True)
class Limits:
    max_upload: int = 20 * 1024 * 1024  # bytes of one request body
    max_xlsx_unpacked: int = 200 * 1024 * 1024  # bytes an .xlsx may expand to
    max_xlsx_ratio: int = 200  # expansion factor beyond which an .xlsx is a zip bomb
    request_timeout: float = 60.0  # seconds before the client is answered 503
    max_calculate_subjects: int = 10_000
    sign_in_window: float = 15 * 60.0  # seconds over which failed sign-ins are counted
    sign_in_failures_per_address: int = 20  # then that client address is locked out (429) until they age out
    sign_in_failures_per_prefix: int = 10  # the same for wrong tokens sharing their first 12 characters


def check_xlsx(content: bytes, limits: Limits) -> None:
    """Refuse an .xlsx that is not a zip or would expand beyond the bounds (before any reader opens it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise SubmissionError(_("the .xlsx file is not a valid Excel workbook (not a zip archive)")) from None
    if unpacked > limits.max_xlsx_unpacked or unpacked > limits.max_xlsx_ratio * max(len(content), 1):
        raise SubmissionError(_("the .xlsx file expands to {size} bytes, beyond the limit of {limit}; split it "
                                "or send CSV", size=format_number(unpacked),
                                limit=format_number(min(limits.max_xlsx_unpacked,
                                                        limits.max_xlsx_ratio * len(content)))))


class BodyLimit:
    """ASGI middleware: a body over ``limit`` bytes is answered 413 without being read further."""

    def __init__(self, app: Any, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(scope, send, self.limit)
        seen = 0

        async def counted() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(scope, send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(scope: dict[str, Any], send: Any, limit: int) -> None:
    await refuse(scope, send, 413, {"code": "too-large", "message": _("the request body is over {limit} bytes",
                                                                      limit=format_number(limit))},
                 [(b"connection", b"close")])


async def refuse(scope: dict[str, Any], send: Any, status: int, error: dict[str, str],
                 headers: list[tuple[bytes, bytes]]) -> None:
    """Answer before the application does: the API's JSON error, or for a page (a form posted from a
    browser) the error page, in the request's language either way."""
    if _api(scope):
        body, kind = json.dumps({"error": error}).encode(), b"application/json"
    else:
        from starlette.requests import Request

        from engine.service.pages import page

        shown = page(Request(scope), "error.html", None, status, failure=error)
        body, kind = bytes(shown.body), b"text/html; charset=utf-8"
        headers = [*headers, *((k, v) for k, v in shown.raw_headers if k not in (b"content-length", b"content-type"))]
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind), *headers]})
    await send({"type": "http.response.body", "body": body})


class Timeout:
    """ASGI middleware: a request still running after ``seconds`` is answered 503.  Work already
    under way (a submission being stored) still completes; the client retries with the same
    Idempotency-Key and gets the stored submission."""

    def __init__(self, app: Any, seconds: float):
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message: dict[str, Any]) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, tracked), self.seconds)
        except asyncio.TimeoutError:
            if not started:
                said = _("the request took too long; retry with the same Idempotency-Key") if _api(scope) else \
                    _("the request took too long; look at your submissions before sending it again")
                await refuse(scope, send, 503, {"code": "timeout", "message": said}, [(b"retry-after", b"5")])


def _api(scope: dict[str, Any]) -> bool:
    return str(scope["path"]).startswith("/api/")
