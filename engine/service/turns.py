"""A lock that threads get in the order they asked for it.

``threading.Lock`` wakes an arbitrary waiter, and a thread that has just released it may take it
again at once, so one waiter can be overtaken again and again.  The service's writers (one at a time
per database, ``db._WriterQueue``) are handed the turn longest waiter first instead, so a request's
wait is bounded by the writes queued before it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """First come, first served: ``with turns.turn(): ...``."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._busy = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._guard:
            mine = None
            if self._busy:
                mine = threading.Lock()
                mine.acquire()
                self._waiting.append(mine)
            self._busy = True
        if mine is not None:
            mine.acquire()  # released by the holder before us: our turn
        try:
            yield
        finally:
            with self._guard:
                if self._waiting:
                    self._waiting.popleft().release()  # handed over: still busy
                else:
                    self._busy = False
