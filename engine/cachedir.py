"""Kinerja's cache folder, and the compiled dataclass methods kept in it.

The folder is ``$KINERJA_CACHE_DIR`` or ``$XDG_CACHE_HOME/kinerja`` (``~/.cache/kinerja``);
``KINERJA_CACHE_DIR=off`` turns every cache off.  A subfolder is used only when it is owned by the
current user and writable by no one else (entries are code and pickles: nobody else may plant
them), and anything unreadable in it is ignored: a cache can make a run faster, never different.

**Dataclass methods.**  Python 3.11 builds each dataclass's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` and frozen ``__setattr__``/``__delattr__`` by compiling generated source text with
``exec``.  A small ``kinerja eval`` defines about 90 dataclasses (the AST nodes among them): some
480 compiles, about a fifth of its CPU time.  A compiled code object depends on nothing but its
source text and the interpreter that compiled it, so ``install`` gives the ``dataclasses`` module an
``exec`` that compiles a text once and keeps the code object, in memory and, at exit, in one file
per interpreter build (bytecode magic number and optimisation level in its name) keyed by the exact
text.  The methods are the same functions either way: the text is compiled exactly as ``exec``
compiles it (``"<string>"``, no inherited compiler flags), then executed in the same namespace.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType
from typing import Any

LIMIT = 8192  # dataclass methods kept; past it only the ones the last run used are kept

_codes: dict[str, CodeType] = {}
_used: set[str] = set()
_state = {"loaded": False, "new": False}


def folder(name: str) -> Path | None:
    """The cache subfolder ``name`` (created private); ``None`` when caching is off or the folder unsafe."""
    given = os.environ.get("KINERJA_CACHE_DIR")
    if given is not None and given.strip().lower() in ("", "off", "0", "no"):
        return None
    base = Path(given) if given else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kinerja"
    where = base / name
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = where.stat()
    except OSError:
        return None
    private = info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return where if private else None


def install() -> None:
    """Compile each dataclass method's text once per interpreter build (see the module's docstring)."""
    if getattr(dataclasses, "exec", None) is not _exec:
        dataclasses.exec = _exec  # type: ignore[attr-defined]  # found before the builtin
        atexit.register(save)


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
    if isinstance(source, str):
        source = compiled(source)
    builtins.exec(source, globals, locals)


def compiled(text: str) -> CodeType:
    """``text`` compiled as ``exec(text)`` compiles it from a module without ``__future__`` imports."""
    if not _state["loaded"]:
        _state["loaded"] = True
        _codes.update(_read())
    code = _codes.get(text)
    if code is None:
        code = _codes[text] = compile(text, "<string>", "exec", dont_inherit=True)
        _state["new"] = True
    _used.add(text)
    return code


def _file() -> Path | None:
    where = folder("code")
    if where is None:
        return None
    from importlib.util import MAGIC_NUMBER

    return where / f"dataclasses-{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}-O{sys.flags.optimize}.marshal"


def _read(path: Path | None = None) -> dict[str, CodeType]:
    path = path or _file()
    if path is None:
        return {}
    try:
        table = marshal.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - absent, truncated or foreign: compile again
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, CodeType)}


def save() -> None:
    """Add this process's new methods to the file (atomically; failures are ignored)."""
    path = _file() if _state["new"] else None
    if path is None:
        return
    table = {**_read(path), **_codes}
    if len(table) > LIMIT:
        table = {k: v for k, v in table.items() if k in _used}
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        tmp.write_bytes(marshal.dumps(table))
        os.replace(tmp, path)
        _state["new"] = False
    except (OSError, ValueError):
        tmp.unlink(missing_ok=True)
