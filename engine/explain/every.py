"""Every subject's explanation as JSON lines (``kinerja eval --explain-all``), in data order.

Subjects are explained in blocks of ``BLOCK``.  A large run hands the blocks to worker processes
forked from this one: they inherit the evaluated result (nothing is pickled but the bytes they
return), and the blocks are written in order, so the file is the same bytes whatever the number
of workers.  A path ending in ``.gz`` is gzip-compressed, one gzip member per block (one gzip
stream to ``zcat`` or ``gzip.open``): at about 48 KB of JSON per subject, the 1M-row benchmark
file's explanations are 48 GB plain and a tenth of that compressed.  Memory stays bounded:
at most two blocks per worker are in flight.
"""

from __future__ import annotations

import gzip
import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from engine.evaluate.result import Result
from engine.explain.block import lines
from engine.i18n import language

BLOCK = 500  # subjects per block: about 24 MB of JSON, a few copies of which a worker holds at a time
PARALLEL_FROM = 4 * BLOCK  # fewer subjects: one process (forking costs more than it saves)
GZIP_LEVEL = 3  # 10x smaller at a quarter of a millisecond per subject; level 6 is 13x at twice that

_JOB: tuple[Result, int, str, bool] | None = None  # what forked workers explain (set before the fork)


def write_all(result: Result, path: Path, places: int = 2, lang: str | None = None,
              workers: int | None = None) -> tuple[int, str]:
    """Write every subject's explanation to ``path`` (atomically); return how many lines were
    written and the file's SHA-256."""
    from engine.safe_output import atomic

    global _JOB
    blocks = [(lo, min(lo + BLOCK, result.n)) for lo in range(0, result.n, BLOCK)]
    _JOB = (result, places, lang or language(), path.name.lower().endswith(".gz"))
    digest = hashlib.sha256()
    try:
        with atomic(path) as tmp, tmp.open("wb") as fh:
            for chunk in _blocks(blocks, _workers(workers, result.n)):
                digest.update(chunk)
                fh.write(chunk)
    finally:
        _JOB = None
    return result.n, digest.hexdigest()


def _workers(asked: int | None, n: int) -> int:
    if asked is not None:
        return max(asked, 1)
    if n < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(min(cpus, 8), 1)


def _blocks(blocks: list[tuple[int, int]], workers: int) -> Iterator[bytes]:
    """The bytes of each block, in order: here, or from ``workers`` forked processes."""
    if workers == 1 or len(blocks) < 2:
        yield from (_block(b) for b in blocks)
        return
    assert _JOB is not None
    lines(_JOB[0], _JOB[0].subject_ids[:1].tolist(), _JOB[1], _JOB[2])  # indexes, the plan's program: made once
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        todo = iter(blocks)
        for block in todo:
            pending.append(pool.apply_async(_block, (block,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _block(block: tuple[int, int]) -> bytes:
    """Subjects ``lo``..``hi`` of the result as JSON lines (gzip-compressed for a ``.gz`` path)."""
    assert _JOB is not None
    result, places, lang, gz = _JOB
    data = lines(result, result.subject_ids[block[0]:block[1]].tolist(), places, lang).encode("utf-8")
    return gzip.compress(data, GZIP_LEVEL, mtime=0) if gz else data
