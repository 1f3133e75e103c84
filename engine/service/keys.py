"""The key that signs session cookies (and their CSRF tokens), kept across restarts.

A restart must not sign every officer out, and all worker processes must share one key.  The key
is 32 random bytes written as 64 hex characters in a file only its owner may read (mode 0600):

* ``--session-key-file FILE`` (or ``KINERJA_SESSION_KEY_FILE``): a secret the deployment provides
  (a systemd credential, a mounted secret); it must exist.
* otherwise ``session.key`` in the data directory, created on the first start.

A key file that the group or others may read is refused, as is one that holds no such key.
``kinerja admin session-key rotate`` writes a new key (atomically): after the next start every
session signed with the old one is invalid, and everyone signs in again.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from engine.diagnostics import fail
from engine.i18n import _

FILENAME = "session.key"
BYTES = 32


def default_path(data_dir: str | Path) -> Path:
    return Path(data_dir).resolve() / FILENAME


def session_key(path: str | Path, create: bool) -> bytes:
    """The key in ``path``; written there first when missing and ``create`` (the data directory's key)."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise fail("service.session-key-missing", _("no session key file at {path}", path=path),
                       _("create one with `kinerja admin session-key rotate --session-key-file FILE`, "
                         "or leave --session-key-file out to keep the key in the data directory"))
        rotate(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise fail("service.session-key-exposed",
                   _("the session key file {path} may be read by others (mode {mode})", path=path,
                     mode=oct(stat.S_IMODE(mode))[2:]),
                   _("restrict it to its owner: chmod 600 {path}", path=path))
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < BYTES:
        raise fail("service.session-key-invalid",
                   _("{path} does not hold a session key ({n} or more hex characters)", path=path, n=BYTES * 2),
                   _("write a new one with `kinerja admin session-key rotate`"))
    return key


def rotate(path: str | Path) -> None:
    """Write a new random key to ``path`` (owner-only, replacing any old one in one step)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(BYTES) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
