"""Where a policy version lives: a file, a folder, or ``git:REV:path`` extracted into a temp folder.

Git versions are read with ``git cat-file``/``git archive`` from the local
repository only (no network).  Every ``.kin`` file of that revision is extracted
with the named path, so an agency file can still follow its ``extends``; the
temp folder is the policy root of that version.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.diagnostics import fail
from engine.i18n import N_, _

GIT_HELP = N_("name a file or folder, or git:REV:path (e.g. git:HEAD~1:policies/) inside a git repository")


@dataclass(frozen=True)
class Version:
    """A policy version on disk: ``path`` (file or folder), its policy ``root`` (None: the CLI rule)
    and how the user named it."""

    path: Path
    root: Path | None
    label: str


@contextmanager
def materialize(spec: str) -> Iterator[Version]:
    """The version named by ``spec``; a git version lives in a temp folder for the ``with`` block."""
    if not spec.startswith("git:"):
        p = Path(spec)
        if not p.exists():
            raise fail("source.not-found", _("`{path}` does not exist", path=spec), _(GIT_HELP))
        yield Version(p, None, spec)
        return
    rev, sep, rel = spec[4:].partition(":")
    if not sep or not rev or not rel:
        raise fail("source.bad-spec", _("cannot read the version `{spec}`", spec=spec), _(GIT_HELP))
    top = Path(_git(["rev-parse", "--show-toplevel"], Path.cwd()).decode().strip())
    prefix = _git(["rev-parse", "--show-prefix"], Path.cwd()).decode().strip()
    inside = os.path.normpath(os.path.join(prefix, rel)).replace(os.sep, "/")
    if inside.startswith(".."):
        raise fail("source.outside-repository", _("`{path}` is outside the git repository", path=rel), _(GIT_HELP))
    inside = "" if inside == "." else inside
    missing = _("`{path}` does not exist at {rev}", path=rel, rev=rev)
    kind = _git(["cat-file", "-t", f"{rev}:{inside}"], top, missing, "source.not-found").decode().strip()
    with tempfile.TemporaryDirectory(prefix="kinerja-diff-") as tmp:
        specs = [inside] if inside else []
        archive = _git(["archive", "--format=tar", rev, "--", *specs, ":(glob)**/*.kin"], top,
                       _("cannot read `{path}` at {rev}", path=rel, rev=rev))
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # Python < 3.11.4: git archive output holds no links outside the tree
                tar.extractall(tmp)  # noqa: S202
        path = Path(tmp) / inside if inside else Path(tmp)
        if kind not in ("blob", "tree") or not path.exists():
            raise fail("source.not-found", _("`{path}` at {rev} is not a file or folder", path=rel, rev=rev),
                       _(GIT_HELP))
        yield Version(path, Path(tmp), spec)


def _git(args: list[str], cwd: Path, problem: str | None = None, code: str = "source.git") -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise fail("source.git", _("git is not installed"), _("install git, or compare two files or folders")) from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise fail(code, problem or _("git {args} failed: {why}", args=" ".join(args),
                                      why=detail[-1] if detail else "error"), _(GIT_HELP))
    return done.stdout
