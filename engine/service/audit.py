"""The audit log: append-only, one entry per state change, each entry hash-chained to the one before.

An entry's hash is the SHA-256 of its canonical JSON (every column but ``hash``, including
``prev_hash``), so changing, removing or inserting an entry breaks the chain from there on.
Entries carry ids, content hashes and counts: never a token or a submitted value.  Appending
happens inside the caller's write transaction (``db.writing``), which serialises writers, so
the chain follows commit order.  ``verify`` also checks that every stored submission, review
and token has its entry, which catches a truncated tail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from engine.i18n import N_, _
from engine.service.models import audit_log, reviews, submissions, tokens

if TYPE_CHECKING:
    from engine.service.auth import Caller

GENESIS = "0" * 64
# Each action as a reader names it on the pages (the code stays in the entry, its hash and the API).
ACTION_NAMES = {"policies.load": N_("policies loaded"), "policies.reload": N_("policies reloaded"),
                "token.create": N_("token created"), "token.revoke": N_("token revoked"),
                "submission.create": N_("submission stored"), "review.create": N_("review recorded"),
                "session-key.rotate": N_("session key rotated"), "sign-in.lockout": N_("sign-in lockout started")}


OBJECTS = {"submission": N_("submission"), "review": N_("review"), "token": N_("token"),
           "policies": N_("policy set")}


def action_name(code: str) -> str:
    """An action in the reader's words; an unknown code as it is."""
    return _(ACTION_NAMES[code]) if code in ACTION_NAMES else code


def object_name(code: str) -> str:
    """What an entry is about (its ``object_type``) in the reader's words; an unknown code as it is."""
    return _(OBJECTS[code]) if code in OBJECTS else code
FIELDS = ("seq", "at", "actor", "actor_agency", "actor_role", "action", "object_type", "object_id", "agency",
          "details", "prev_hash")


def entry_hash(entry: dict[str, Any]) -> str:
    canonical = json.dumps({k: entry[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(conn: Connection, actor: Caller | None, action: str, object_type: str, object_id: str,
           agency: str | None, details: dict[str, Any]) -> dict[str, Any]:
    """Add one entry (inside the caller's write transaction) and return it."""
    last = conn.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)).first()
    entry: dict[str, Any] = {
        "seq": 1 if last is None else last.seq + 1,
        "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
        "actor": actor.token_id if actor else None,
        "actor_agency": actor.agency if actor else None,
        "actor_role": actor.role if actor else "operator",  # None: the server's own command line
        "action": action, "object_type": object_type, "object_id": object_id, "agency": agency,
        "details": json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
        "prev_hash": GENESIS if last is None else last.hash,
    }
    entry["hash"] = entry_hash(entry)
    conn.execute(audit_log.insert().values(**entry))
    return entry


def entries(conn: Connection, object_type: str | None = None, object_ids: list[str] | None = None,
            agency: str | None = None, limit: int = 1000, after: int = 0) -> list[dict[str, Any]]:
    """Entries in chain order, optionally about some objects or one agency."""
    q = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(limit)
    if object_type is not None:
        q = q.where(audit_log.c.object_type == object_type)
    if object_ids is not None:
        q = q.where(audit_log.c.object_id.in_(object_ids))
    if agency is not None:
        q = q.where(audit_log.c.agency == agency)
    return [{**r._mapping, "details": json.loads(r.details)} for r in conn.execute(q)]


@dataclass
class Verification:
    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems




def verify(conn: Connection) -> Verification:
    """Walk the chain from the first entry; report every break, then any object without its entry."""
    out = Verification()
    expected_seq, prev = 1, GENESIS
    created: dict[str, set[str]] = {"submission": set(), "review": set(), "token": set()}
    for row in conn.execute(select(audit_log).order_by(audit_log.c.seq)).yield_per(1000):
        entry = dict(row._mapping)
        seq = entry["seq"]
        if seq != expected_seq:
            out.problems.append(_("entry {seq}: expected entry {expected} here (an entry was removed or inserted)",
                                  seq=seq, expected=expected_seq))
        if entry["prev_hash"] != prev:
            out.problems.append(_("entry {seq}: does not follow the entry before it (removed, inserted or "
                                  "reordered)", seq=seq))
        if entry_hash(entry) != entry["hash"]:
            out.problems.append(_("entry {seq}: its content does not match its hash (modified)", seq=seq))
        if entry["action"].endswith(".create"):
            created.setdefault(entry["object_type"], set()).add(entry["object_id"])
        expected_seq, prev = entry["seq"] + 1, entry["hash"]
        out.entries += 1
    out.head = prev
    for name, table in (("submission", submissions), ("review", reviews), ("token", tokens)):
        for (oid,) in conn.execute(select(table.c.id)):
            if oid not in created[name]:
                out.problems.append(_("{kind} {id} has no audit entry (the log was cut short or rewritten)",
                                      kind=object_name(name), id=oid))
    return out
