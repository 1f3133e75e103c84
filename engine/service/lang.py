"""Each request's language: the page's switcher (the ``kinerja_lang`` cookie), then the browser's
``Accept-Language``, then the server's own choice (``kinerja --lang``, ``KINERJA_LANG``, the
locale), then Bahasa Indonesia.  The choice holds for that request only (``engine.i18n.using``: a
context variable), so two requests served at once in different languages each get their own."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from engine.i18n import LANGUAGES, language, using

COOKIE = "kinerja_lang"
ONE_YEAR = 365 * 24 * 3600


def from_accept_language(header: str) -> str | None:
    """The supported language the header prefers most (``id-ID,id;q=0.9,en;q=0.8`` -> ``id``), None
    when it names neither; among equal weights the one listed first."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        if code not in LANGUAGES:
            continue
        weight = _weight(params)
        if weight > 0 and (best is None or (weight, -position) > (best[0], -best[1])):
            best = (weight, position, code)
    return best[2] if best else None


def _weight(params: str) -> float:
    for param in params.split(";"):
        name, _sep, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def of_request(conn: HTTPConnection) -> str:
    """The language of one request (cookie, Accept-Language, the server's, Indonesian)."""
    chosen = conn.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(conn.headers.get("accept-language", "")) or language()


class Language:
    """ASGI middleware: the request is served in its language; the answer says which
    (``Content-Language``) and that it varies with the cookie and ``Accept-Language``."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        lang = of_request(HTTPConnection(scope))

        async def labelled(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-language", lang.encode()),
                                       (b"vary", b"Accept-Language, Cookie")]
            await send(message)

        with using(lang):
            await self.app(scope, receive, labelled)
