"""Output safety: paths checked before any scoring, atomic writes, and manifest verification.

``check_outputs`` refuses, before anything is scored, an output with a suffix the
writer does not know, in a folder that cannot be written (or below a regular
file), or equal to an input, a policy file or another output.  ``atomic`` writes
to a temporary file in the same folder and renames it into place only when the
write completed, so a killed run never leaves a complete-looking partial file.
``verify_manifest`` checks that the files a manifest names are the ones it hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.diagnostics import KinerjaError, fail, file_span
from engine.i18n import N_, _

RESULT_SUFFIXES = (".csv", ".xlsx", ".json", ".parquet")
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def unsafe(out: Path | str, message: str, help: str, code: str = "output.unsafe-path") -> KinerjaError:
    """An output path that must not (``output.unsafe-path``) or cannot (``io.file``) be written: exit 2."""
    return fail(code, message, help, file_span(out))


@dataclass(frozen=True)
class Output:
    """One file a command will write: its role (``-o``, ``--rejects``...), path and allowed suffixes."""

    role: str
    path: Path
    suffixes: tuple[str, ...]


def check_outputs(outputs: Iterable[Output], inputs: Iterable[str | Path], policies: Iterable[str | Path] = ()
                  ) -> None:
    """Raise ``output.unsafe-path`` for the first output that is unsafe to write (see the module doc)."""
    protected = [(Path(p), N_("{role} {path} is the data file {input}; it would be overwritten")) for p in inputs] + \
        [(Path(p), N_("{role} {path} is a policy file {input}; it would be overwritten")) for p in policies]
    seen: list[Output] = []
    for out in outputs:
        _check_suffix(out)
        _check_folder(out)
        for path, what in protected:
            if _same(out.path, path) or (path.is_dir() and _inside(out.path, path) and out.path.suffix == ".kin"):
                raise unsafe(out.path, _(what, role=out.role, path=out.path, input=path),
                             _("choose another output path"))
        for other in seen:
            if _same(out.path, other.path):
                raise unsafe(out.path, _("{role} and {other} are the same file {path}", role=out.role,
                                         other=other.role, path=out.path),
                             _("give each output its own path"))
        seen.append(out)


def _check_suffix(out: Output) -> None:
    name = out.path.name.lower()
    if not any(name.endswith(s) and len(name) > len(s) for s in out.suffixes):  # ``.jsonl.gz`` too
        raise unsafe(out.path, _("{role} {path}: cannot write a `{suffix}` file", role=out.role, path=out.path,
                                 suffix=out.path.suffix or _("(no suffix)")),
                     _("use {suffixes}", suffixes=", ".join(out.suffixes)), "output.unknown-format")


def _check_folder(out: Output) -> None:
    if out.path.is_dir():
        raise unsafe(out.path, _("{role} {path} is a folder", role=out.role, path=out.path), _("give a file name"))
    folder = out.path.parent
    while not folder.exists():  # the first existing ancestor decides whether the folders can be made
        if folder.is_symlink() or folder == folder.parent:
            break
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise unsafe(out.path, _("{role} {path}: {folder} is a file, not a folder", role=out.role, path=out.path,
                                 folder=folder), _("choose another folder"), "io.file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise unsafe(out.path, _("{role} {path}: the folder {folder} cannot be written", role=out.role,
                                 path=out.path, folder=folder),
                     _("choose a folder you can write to"), "io.file")


def _same(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)  # hard links and symlinks too
    return a.resolve() == b.resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@contextmanager
def atomic(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block ends without error,
    removed otherwise.  The folder is created if needed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:  # the permissions a plain open() would give, not mkstemp's 0600: an existing file keeps its own
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_UMASK
    os.fchmod(fd, mode)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_text(path: str | Path, text: str) -> None:
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ hashes and verify

# Digests computed while a file was read anyway (engine.data.background); a changed file is hashed again.
_DIGESTS: dict[tuple[str, int, int, int], str] = {}


def _identity(path: str | Path, st: Any) -> tuple[str, int, int, int]:
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def remember_sha256(path: str | Path, st: Any, digest: str) -> None:
    """Record ``path``'s SHA-256, computed from the file as it was at ``st`` (its ``os.stat``)."""
    if Path(path).stat().st_mtime_ns == st.st_mtime_ns:  # unchanged while it was read
        _DIGESTS[_identity(path, st)] = digest


class HashingFile:
    """A file opened for writing that computes its SHA-256 as it is written (no re-read for the manifest):
    ``remember`` it once the file is in place under its final name."""

    def __init__(self, path: str | Path):
        self._fh = open(path, "wb")  # noqa: SIM115 - closed by ``close`` (the writer that holds it calls it)
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._digest.update(view)  # releases the GIL for large buffers
        self._size += view.nbytes
        return self._fh.write(view)

    def tell(self) -> int:
        return self._size

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def remember(self, path: str | Path) -> None:
        """Record the digest for ``path``, the written file under its final name (when it is unchanged)."""
        st = Path(path).stat()
        if st.st_size == self._size:
            remember_sha256(path, st, self._digest.hexdigest())


def file_sha256(path: str | Path) -> str:
    known = _DIGESTS.get(_identity(path, Path(path).stat()))
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()



@dataclass(frozen=True)
class Finding:
    """One file named by a manifest that is missing or differs from what it recorded."""

    role: str
    path: str
    problem: str


def manifest_files(manifest: Mapping[str, Any]) -> list[tuple[str, Mapping[str, str]]]:
    """Every (role, {path, sha256}) entry a manifest records."""
    entries: list[tuple[str, Mapping[str, str]]] = []
    entries += [("policy file", e) for e in manifest.get("policy", {}).get("files", [])]
    entries += [("data file", e) for e in manifest.get("data_files", [])]
    entries += [(role, manifest[role]) for role in ("results", "rejects", "explanations") if role in manifest]
    entries += [(f"level {lv['level']} results", lv["results"]) for lv in manifest.get("levels", [])]
    return entries


ROLES = {"policy file": N_("policy file"), "data file": N_("data file"), "results": N_("results"),
         "rejects": N_("rejects"), "explanations": N_("explanations"), "rows": N_("rows")}


def role_text(role: str) -> str:
    """A manifest entry's role as a reader sees it (the JSON keeps the role itself)."""
    if role in ROLES:
        return _(ROLES[role])
    level = role.removeprefix("level ").removesuffix(" results")
    return _("level {level} results", level=level) if role.startswith("level ") else role


def verify_manifest(path: str | Path) -> tuple[dict[str, Any], list[Finding]]:
    """The manifest and what no longer matches it (empty when every named file is as recorded).

    Paths are read as the manifest records them (relative ones from the current folder).
    Raises ``output.bad-manifest`` (exit 2) when the manifest itself cannot be read."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:  # Python's own reason is English: say where, in the reader's words
        raise fail("output.bad-manifest", _("{path} is not a kinerja manifest: not valid JSON at line {line}, "
                                            "column {column}", path=path, line=exc.lineno, column=exc.colno),
                   _("give the .manifest.json written by kinerja eval"), file_span(path, exc.lineno, exc.colno)) \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail("output.bad-manifest", _("cannot read manifest {path}: {why}", path=path, why=exc), None,
                   file_span(path)) from None
    if not isinstance(manifest, dict) or "rows" not in manifest:
        raise fail("output.bad-manifest", _("{path} is not a kinerja manifest", path=path),
                   _("give the .manifest.json written by kinerja eval"), file_span(path))
    findings = []
    for role, entry in manifest_files(manifest):
        file = Path(entry["path"])
        if not file.is_file():
            findings.append(Finding(role, entry["path"], _("missing")))
        elif file_sha256(file) != entry["sha256"]:
            findings.append(Finding(role, entry["path"], _("changed since the run (SHA-256 differs)")))
    if not manifest.get("reconciles", False):
        findings.append(Finding("rows", str(path), _("rows read do not equal rows scored plus rows rejected")))
    return manifest, findings
