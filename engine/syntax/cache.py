"""Parsed policy files kept on disk, keyed by a hash of everything the parse depends on.

Building lark's contextual lexer (one regular expression per parser state) and parsing cost
about 0.2 s per process, most of a small `kinerja eval`.  A file that parsed without findings
is stored as its pickled ``Module`` under ``sha256(code fingerprint, display path, text)``:
the fingerprint hashes the grammar and the source of ``engine.nodes`` and ``engine.syntax``,
so any change to the text, the grammar or the code that builds the tree is a different key
and nothing can go stale.  Files with findings are never stored (they are parsed again, so
their diagnostics come from the parser).

The folder is ``$KINERJA_CACHE_DIR`` or ``$XDG_CACHE_HOME/kinerja`` (``~/.cache/kinerja``);
``KINERJA_CACHE_DIR=off`` turns the cache off.  Pickles are only read from a folder owned by
the current user and writable by no one else, and any unreadable entry is parsed again: the
cache can make a run faster, never different.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from engine import cachedir
from engine import nodes as n

_ENGINE = Path(__file__).resolve().parents[1]
_GRAMMAR = _ENGINE.parent / "grammar" / "kinerja.lark"
LIMIT = 4096  # entries kept; past it the least recently used half is removed


@lru_cache(maxsize=1)
def folder() -> Path | None:
    """The cache folder (``engine.cachedir``), created private on first use; ``None`` when off or unsafe."""
    return cachedir.folder("ast")


def sources() -> list[Path]:
    """The code a pickle depends on: the node classes it holds (engine/nodes*, engine/nodes/, a
    feature's own nodes such as engine/levels/nodes.py) and the syntax code that builds them."""
    return sorted({*_ENGINE.glob("nodes*.py"), *_ENGINE.glob("nodes/**/*.py"), *_ENGINE.glob("*/nodes.py"),
                   *_ENGINE.glob("syntax/**/*.py")})


@lru_cache(maxsize=1)
def fingerprint() -> bytes:
    """A hash of the grammar and of the code that turns text into nodes."""
    h = hashlib.sha256(pickle.format_version.encode())
    for path in [_GRAMMAR, *sources()]:
        try:
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            h.update(b"missing " + path.name.encode())
    return h.digest()


def _entry(text: str, path: str) -> Path | None:
    where = folder()
    if where is None:
        return None
    h = hashlib.sha256(fingerprint())
    h.update(path.encode("utf-8", "surrogatepass") + b"\0" + text.encode("utf-8", "surrogatepass"))
    return where / f"{h.hexdigest()}.pickle"


def load(text: str, path: str) -> n.Module | None:
    """The module stored for this text and path, or ``None``."""
    entry = _entry(text, path)
    if entry is None:
        return None
    try:
        with entry.open("rb") as f:
            module = pickle.load(f)
        os.utime(entry)  # recently used: kept by the pruning in ``store``
    except Exception:  # absent, truncated or from an incompatible build: parse again
        return None
    return module if isinstance(module, n.Module) and module.path == path else None


def store(text: str, path: str, module: n.Module) -> None:
    """Keep a module that parsed without findings (written atomically; failures are ignored)."""
    entry = _entry(text, path)
    if entry is None:
        return
    import tempfile  # only on a miss: a cached run does not import it

    tmp = None
    try:
        data = pickle.dumps(module, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, entry)
        _prune(entry.parent)
    except (OSError, RecursionError, pickle.PicklingError):
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _prune(where: Path, limit: int = LIMIT) -> None:
    """Past ``limit`` entries, remove the least recently used half."""
    entries = list(where.glob("*.pickle"))
    if len(entries) <= limit:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for path in entries[: len(entries) // 2]:
        path.unlink(missing_ok=True)
