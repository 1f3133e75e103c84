"""Finding policy files on disk and reading their text for diagnostics."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

POLICY_SUFFIX = ".kin"


def policy_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.kin`` files named or contained (recursively) in ``paths``, sorted, once each."""
    found: dict[Path, None] = {}
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob(f"*{POLICY_SUFFIX}")):
                found.setdefault(f, None)
        else:
            found.setdefault(p, None)
    return list(found)


def read_sources(files: Iterable[str]) -> dict[str, str]:
    """The text of each file that can be read (for caret excerpts), keyed as given."""
    out: dict[str, str] = {}
    for f in files:
        try:
            out[f] = Path(f).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out
