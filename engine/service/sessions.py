"""Web sessions: an HTTP-only, SameSite=Strict cookie naming the signed-in token (by id, never the
secret) with an expiry, signed with the server's key; forms carry a CSRF token derived from it."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import Connection, select

from engine.service.auth import Caller
from engine.service.models import tokens

COOKIE = "kinerja_session"
LIFETIME = 8 * 3600  # one working day


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def issue(key: bytes, caller: Caller, now: float | None = None) -> str:
    body = f"{caller.token_id}.{int((now or time.time()) + LIFETIME)}"
    return f"{body}.{_sign(key, body)}"


def caller_of(conn: Connection, key: bytes, cookie: str | None) -> Caller | None:
    """The session's caller while the cookie is genuine, unexpired and its token not revoked."""
    if not cookie or cookie.count(".") != 2:
        return None
    token_id, expiry, sig = cookie.split(".")
    if not hmac.compare_digest(sig, _sign(key, f"{token_id}.{expiry}")) or not expiry.isdigit() \
            or int(expiry) < time.time():
        return None
    row = conn.execute(select(tokens.c.id, tokens.c.agency, tokens.c.role, tokens.c.unit)
                       .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))).first()
    return None if row is None else Caller(row.id, row.agency, row.role, row.unit)


def csrf_token(key: bytes, cookie: str) -> str:
    return _sign(key, "csrf." + cookie)[:40]


def csrf_ok(key: bytes, cookie: str | None, sent: str | None) -> bool:
    return bool(cookie and sent) and hmac.compare_digest(csrf_token(key, cookie or ""), sent or "")
