"""Reading source texts for diagnostics that point into files."""

from __future__ import annotations

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
