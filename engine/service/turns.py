"""A lock that threads get in the order they asked for it.

``threading.Lock`` wakes an arbitrary waiter, and a thread that has just released it may take it
again at once: under ten concurrent submissions some waited several times as long as others.  The
service's queues (one submission scored at a time per worker process, one writer at a time per
database) hand the turn to the longest waiter instead, so a request's wait is bounded by the work
queued before it.
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
