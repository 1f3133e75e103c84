"""Sign-in throttling against token guessing, for the API's bearer tokens and the page sign-in.

Each wrong token (present but unknown or revoked) is counted against the client's address and
against the token's first 12 characters (kept only as a SHA-256: a wrong token may be a real
one mistyped).  When either count within the window reaches its limit (``Limits``), further
attempts from that address, or with that prefix, are answered ``429`` with ``Retry-After``
before any token is looked up, until enough failures age out; right tokens too, so a lockout
tells a guesser nothing.  The moment a lockout starts is an audit entry (``sign-in.lockout``:
the address or the prefix's hash, and the count).  The counts live in the database, so every
worker process and a restart see them.

The client address is the TCP peer's, or the ``X-Forwarded-For`` a proxy on 127.0.0.1 sets
(uvicorn's ``forwarded_allow_ips``): behind a reverse proxy each officer counts separately.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlalchemy import Engine, delete, func, or_, select

from engine.i18n import _
from engine.service import audit
from engine.service.db import reading, writing
from engine.service.limits import Limits
from engine.service.models import sign_in_failures as failures

PREFIX = 12


class Locked(Exception):
    """Too many failed sign-ins: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(_("too many failed sign-ins; try again in {seconds} s", seconds=retry_after))
        self.retry_after = retry_after


def prefix_of(secret: str) -> str:
    return hashlib.sha256(secret[:PREFIX].encode("utf-8", "replace")).hexdigest()


def _keys(address: str, secret: str, limits: Limits) -> list[tuple[str, object, str, int]]:
    return [("address", failures.c.address, address[:64], limits.sign_in_failures_per_address),
            ("token-prefix", failures.c.prefix, prefix_of(secret), limits.sign_in_failures_per_prefix)]


def check(engine: Engine, limits: Limits, address: str, secret: str) -> None:
    """Raise ``Locked`` while ``address`` or the token's prefix has too many recent failures
    (one query; the table holds only the window's failures, usually none)."""
    now = dt.datetime.now(dt.timezone.utc)
    since = now - dt.timedelta(seconds=limits.sign_in_window)
    keys = _keys(address, secret, limits)
    with reading(engine) as conn:
        recent = conn.execute(select(failures.c.address, failures.c.prefix, failures.c.at).where(
            or_(failures.c.address == keys[0][2], failures.c.prefix == keys[1][2]), failures.c.at > since)).all()
    for (_kind, _column, key, limit), index in zip(keys, (0, 1)):
        times = sorted(_aware(r.at) for r in recent if r[index] == key)
        if len(times) >= limit:  # locked until the failure that keeps the count at the limit ages out
            freed = times[len(times) - limit]
            raise Locked(max(1, math.ceil(limits.sign_in_window - (now - freed).total_seconds())))


def failed(engine: Engine, limits: Limits, address: str, secret: str) -> None:
    """Count a wrong token; the failure that reaches a limit writes the lockout's audit entry."""
    now = dt.datetime.now(dt.timezone.utc)
    since = now - dt.timedelta(seconds=limits.sign_in_window)
    keys = _keys(address, secret, limits)
    with writing(engine) as conn:
        conn.execute(delete(failures).where(failures.c.at <= since))  # expired counters
        conn.execute(failures.insert().values(at=now, address=keys[0][2], prefix=keys[1][2]))
        for kind, column, key, limit in keys:
            count = conn.execute(select(func.count()).where(column == key, failures.c.at > since)).scalar_one()  # type: ignore[operator]
            if count == limit:
                audit.append(conn, None, "sign-in.lockout", kind, key, None,
                             {"failures": count, "window_s": limits.sign_in_window})


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)  # SQLite gives back naive UTC
