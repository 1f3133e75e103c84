"""Background reading for streamed files: batches read ahead, and one pass for line count and SHA-256."""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from engine.i18n import carried

T = TypeVar("T")


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items`` read on a background thread, up to ``depth`` batches ahead: the reader (which
    releases the GIL while it parses) works while the previous chunk is validated and evaluated.
    An error of the reader is raised here, in order; stopping early stops the reader."""
    box: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            box.put(("error", exc))

    worker = threading.Thread(target=carried(produce), name="kinerja-read", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise item  # type: ignore[misc]
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked producer see the stop
            try:
                box.get_nowait()
            except queue.Empty:
                worker.join(0.05)


class Later(Generic[T]):
    """``func()`` computed on a background thread from now; ``result()`` waits for it (and raises its error)."""

    def __init__(self, func: Callable[[], T], name: str):
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=carried(self._run), args=(func,), name=name, daemon=True)
        self._thread.start()

    def _run(self, func: Callable[[], T]) -> None:
        try:
            self._value = func()
        except BaseException as exc:  # noqa: BLE001 - raised where the result is asked for
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class Scan:
    """One background pass over a file: its SHA-256 (left for ``engine.safe_output.file_sha256``) and,
    for CSV, its number of lines (a last line without a newline counts)."""

    def __init__(self, path: Path, count_lines: bool):
        self.path, self.count_lines = path, count_lines
        self._lines = Later(self._run, "kinerja-scan")

    def _run(self) -> int:
        from engine.safe_output import remember_sha256

        digest = hashlib.sha256()
        before = self.path.stat()
        lines, last = 0, b""
        with open(self.path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
                if self.count_lines:
                    lines += block.count(b"\n")
                last = block[-1:]
        remember_sha256(self.path, before, digest.hexdigest())
        return lines + (0 if last == b"\n" else 1)

    def lines(self) -> int:
        return self._lines.result()
