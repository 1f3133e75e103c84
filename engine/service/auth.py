"""API tokens: one per agency and role, shown once, stored only as a SHA-256 hash, revocable.

A token is ``kin_`` and 43 URL-safe characters (256 random bits), so a plain SHA-256 is a
sufficient at-rest hash: it cannot be inverted or guessed, and the lookup is by hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select

from engine.i18n import N_, _
from engine.service import audit
from engine.service.models import tokens

ROLES = ("submitter", "reviewer", "auditor", "admin")
PREFIX = "kin_"
# Each role as a reader names it (the codes stay in the data, the API's fields and the URLs);
# ``operator`` is the command line in the audit log.
ROLE_NAMES = {"submitter": N_("submitter"), "reviewer": N_("reviewer"), "auditor": N_("auditor"),
              "admin": N_("administrator"), "operator": N_("operator")}


def role_name(code: str) -> str:
    """A role in the reader's words (``pereviu`` for ``reviewer``); an unknown code as it is."""
    return _(ROLE_NAMES[code]) if code in ROLE_NAMES else code


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's id (never the secret), agency and role."""

    token_id: str
    agency: str
    role: str
    unit: str = ""  # a submitter scoped to one unit of its agency ('' = the whole agency)

    @property
    def reads_all(self) -> bool:
        """Reviewers and auditors see every agency; a submitter only its own (admins read no data)."""
        return self.role in ("reviewer", "auditor")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(conn: Connection, agency: str, role: str, label: str | None = None,
                 actor: Caller | None = None, unit: str = "") -> tuple[str, str]:
    """Create a token (``unit``: a submitter for that unit of the agency only); returns
    ``(token id, secret)``.  The secret is not stored anywhere."""
    if role not in ROLES:
        raise ValueError(_("unknown role `{role}`; use one of: {roles}", role=role, roles=", ".join(ROLES)))
    if not agency.strip():
        raise ValueError(_("an agency id is required"))
    if unit and role != "submitter":
        raise ValueError(_("only a submitter token belongs to a unit; reviewers and auditors read every agency"))
    token_id, secret = secrets.token_hex(8), PREFIX + secrets.token_urlsafe(32)
    conn.execute(tokens.insert().values(id=token_id, token_hash=digest(secret), agency=agency, role=role,
                                        unit=unit.strip(), label=label, created_at=dt.datetime.now(dt.timezone.utc)))
    audit.append(conn, actor, "token.create", "token", token_id, agency,
                 {"role": role, "label": label, **({"unit": unit.strip()} if unit.strip() else {})})
    return token_id, secret


def revoke_token(conn: Connection, token_id: str, actor: Caller | None = None) -> bool:
    """Revoke a token (False when there is no such active token)."""
    row = conn.execute(select(tokens.c.agency).where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))).first()
    if row is None:
        return False
    conn.execute(tokens.update().where(tokens.c.id == token_id).values(revoked_at=dt.datetime.now(dt.timezone.utc)))
    audit.append(conn, actor, "token.revoke", "token", token_id, row.agency, {})
    return True


def caller_for(conn: Connection, secret: str | None) -> Caller | None:
    """The active token's caller, or None (unknown, revoked or malformed: the same answer)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = conn.execute(select(tokens.c.id, tokens.c.agency, tokens.c.role, tokens.c.unit)
                       .where(tokens.c.token_hash == digest(secret), tokens.c.revoked_at.is_(None))).first()
    return None if row is None else Caller(row.id, row.agency, row.role, row.unit)


def list_tokens(conn: Connection) -> list[dict[str, object]]:
    rows = conn.execute(select(tokens.c.id, tokens.c.agency, tokens.c.unit, tokens.c.role, tokens.c.label,
                               tokens.c.created_at,
                               tokens.c.revoked_at).order_by(tokens.c.created_at)).all()
    return [dict(r._mapping) for r in rows]
