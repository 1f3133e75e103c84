"""The progress line of a long run on a terminal, drawn from the engine's progress callback."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """A one-line progress display on a terminal: ``scoring  1,310,720 / 4,300,000 rows  30%  4.1 s``.

    Silent unless ``stream`` is a terminal (never in pipes, files or CI logs) and silent for the
    first ``delay`` seconds, so short runs print nothing; redrawn at most every ``every`` seconds."""

    def __init__(self, stream: TextIO | None = None, delay: float = 2.0, every: float = 0.2,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.delay, self.every, self.clock = delay, every, clock
        self.start = clock()
        self._last = -1.0
        self._shown = False
        self.text = ""

    def phase(self, what: str) -> None:
        """A step without a row count (reading, evaluating, writing)."""
        self._draw(what)

    def rows(self, done: int, total: int | None, what: str = "scoring") -> None:
        if total:
            self._draw(f"{what} {done:,} / {total:,} rows {min(100, 100 * done // total):3d}%")
        else:
            self._draw(f"{what} {done:,} rows")

    def __call__(self, what: str, done: int | None = None, total: int | None = None) -> None:
        """The engine's progress callback (``engine.api.Progress``)."""
        if done is None:
            self.phase(what)
        else:
            self.rows(done, total, what)

    def _draw(self, text: str) -> None:
        self.text = text
        now = self.clock()
        if not self.enabled or now - self.start < self.delay or now - self._last < self.every:
            return
        self._last = now
        self._shown = True
        self.stream.write(f"\r\x1b[K{text}  {now - self.start:.1f} s")
        self.stream.flush()

    def close(self) -> None:
        """Clear the line (the command's summary follows)."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def _is_terminal(stream: TextIO) -> bool:
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
