"""Reading source texts for diagnostics that point into files, and their SHA-256 for provenance."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def read_sources(files: Iterable[str]) -> dict[str, str]:
    """The text of each file that can be read (for caret excerpts), keyed as given."""
    out: dict[str, str] = {}
    for f in files:
        try:
            out[f] = Path(f).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_or_none(path: str | Path) -> str | None:
    """``sha256(path)``, or None when the file cannot be read."""
    try:
        return sha256(path)
    except OSError:
        return None
