"""The progress line of a long run on a terminal, drawn from the engine's progress callback."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from engine.i18n import N_, _
from engine.i18n.formats import format_number

# The engine's words for the steps of a run (engine.api.score, engine.analysis.passes), translated where they are drawn.
PHASES = (N_("scoring"), N_("reading and scoring"), N_("checking subject ids"), N_("writing"))


class Progress:
    """A one-line progress display on a terminal: ``scoring  1,310,720 / 4,300,000 rows  30%  4.1 s``
    (``menilai 1.310.720 / 4.300.000 baris  30%  4,1 s`` in Bahasa Indonesia).

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
        self._text: Callable[[], str] = str

    def phase(self, what: str) -> None:
        """A step without a row count (reading, evaluating, writing): the engine's words, translated."""
        self._draw(lambda: _(what))

    def rows(self, done: int, total: int | None, what: str = "scoring") -> None:
        if total:
            self._draw(lambda: _("{what} {done} / {total} rows {percent}%", what=_(what), done=format_number(done),
                                 total=format_number(total), percent=f"{min(100, 100 * done // total):3d}"))
        else:
            self._draw(lambda: _("{what} {done} rows", what=_(what), done=format_number(done)))

    def __call__(self, what: str, done: int | None = None, total: int | None = None) -> None:
        """The engine's progress callback (``engine.api.Progress``)."""
        if done is None:
            self.phase(what)
        else:
            self.rows(done, total, what)

    @property
    def text(self) -> str:
        """The line as it would be drawn now (without the time)."""
        return self._text()

    def _draw(self, text: Callable[[], str]) -> None:
        """``text`` is built only when the line is drawn: a short run never formats a number."""
        self._text = text
        now = self.clock()
        if not self.enabled or now - self.start < self.delay or now - self._last < self.every:
            return
        self._last = now
        self._shown = True
        self.stream.write(f"\r\x1b[K{text()}  {format_number(now - self.start, 1)} s")
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
