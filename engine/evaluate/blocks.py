"""Every step of a plan over a batch, in row blocks on a thread pool.

A batch larger than ``BLOCK`` rows is evaluated block by block (rows are independent until
quotas): a block's temporaries stay in the CPU cache, the blocks run on ``WORKERS`` threads of
one persistent pool (numpy releases the GIL inside its loops), and each step's block columns are
copied into the full columns as soon as the step is done.  Ordinary (not huge) pages are asked
for while the columns are built.  ``core`` decides which plan evaluates which rows; this module
only runs one plan's steps (``HANDLERS``, by step kind) over rows.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from engine import nodes as n
from engine.batch import Batch
from engine.evaluate.aggregate import evaluate_tree, tree_columns
from engine.evaluate.context import EvalContext
from engine.evaluate.decide import evaluate_rating, evaluate_table
from engine.evaluate.events import Events
from engine.evaluate.given import Seed
from engine.evaluate.result import Key, StepResult, blank_like, put_rows
from engine.evaluate.scoring import evaluate_indicator, evaluate_input, evaluate_value
from engine.i18n import carried
from engine.plan import Plan, Step

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

BLOCK = 1 << 17  # rows per evaluation block: a block's columns (1 MB each) stay in the shared cache
WORKERS = max(1, min(4, os.cpu_count() or 1))
PROBE = 256  # rows evaluated first to learn the result columns and their types

HANDLERS: dict[str, Callable[[EvalContext, Step], StepResult]] = {
    "input": evaluate_input,
    "indicator": evaluate_indicator,
    "value": evaluate_value,
    "tree": evaluate_tree,
    "rating": evaluate_rating,
    "table": evaluate_table,
}


def evaluate_steps(plan: Plan, batch: Batch, seed: Seed) -> EvalContext:
    ctx = EvalContext(plan, batch, seed.events)
    for step in plan.steps:
        given = seed.steps.get(step.name)
        ctx.steps[step.name] = given if given is not None else HANDLERS[step.kind](ctx, step)
    return ctx


@contextlib.contextmanager
def _small_pages() -> Iterator[None]:
    """numpy asks the kernel for transparent huge pages on every array of 4 MB or more; with the
    common ``defrag=madvise`` setting a fresh result column can then stall in memory compaction
    (measured on the 2-vCPU benchmark machine, 1M rows: first evaluation 0.37-0.52 s with, a steady
    0.32-0.39 s without).  Ordinary pages are asked for while the columns are built, then numpy's
    setting is restored; ``NUMPY_MADVISE_HUGEPAGE`` set by the user is respected."""
    try:
        from numpy._core import multiarray  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1.26
        from numpy.core import multiarray  # type: ignore[no-redef]

    if "NUMPY_MADVISE_HUGEPAGE" in os.environ or not hasattr(multiarray, "_set_madvise_hugepage"):
        yield
        return
    before = multiarray._set_madvise_hugepage(False)
    try:
        yield
    finally:
        multiarray._set_madvise_hugepage(before)


def evaluate_blocks(plan: Plan, batch: Batch, seed: Seed) -> EvalContext:
    with _small_pages():
        return _evaluate_blocks_in(plan, batch, seed)


def _evaluate_blocks_in(plan: Plan, batch: Batch, seed: Seed) -> EvalContext:
    """Every step over row blocks of ``BLOCK`` rows, then the blocks put together.

    Rows are independent until quotas, so a block is evaluated exactly as the whole
    batch would be; on a block the temporaries stay in the CPU cache and the blocks
    run on ``WORKERS`` threads (numpy releases the GIL inside its loops).
    """
    size = batch.n
    if size <= BLOCK or plan.population:  # a population statistic needs every row at once
        return evaluate_steps(plan, batch, seed)
    bounds = [(s, min(s + BLOCK, size)) for s in range(0, size, BLOCK)]
    # A few rows give the columns and their types (a block that differs is handled below); every
    # block, the first included, then runs on the pool: no serial block while a core waits.
    first = evaluate_steps(plan, batch.take(slice(0, PROBE), origins=False), seed.rows(0, PROBE))
    computed = {name: sr for name, sr in first.steps.items() if name not in seed.steps}
    # A column that is the submitted column itself (an input, an indicator's raw value) is not copied.
    aliases = {(name, k) for name, sr in computed.items() for k, col in sr.stored().items()
               if name in batch.columns and np.shares_memory(col, batch.columns[name])}
    layout = {name: {k: batch.columns[name] if (name, k) in aliases else _empty_like(col, size)
                     for k, col in sr.stored().items()} for name, sr in computed.items()}
    events = Events(list(seed.events.chunks))

    pending: list[tuple[str, Key, np.ndarray, int, int]] = []  # columns that change dtype between blocks
    lock = threading.Lock()

    def put(name: str, sr: StepResult, lo: int, hi: int) -> None:
        """Copy a step's block columns into the full columns; later steps read the copies (views),
        so the block's own arrays are freed at once and its working set stays small and warm."""
        cols = layout.get(name, {})
        got = sr.stored()
        for k, col in got.items():
            target = cols.get(k)
            if (name, k) in aliases and np.shares_memory(col, target):
                continue
            if target is None or target.dtype != col.dtype or (name, k) in aliases:
                with lock:
                    pending.append((name, k, col, lo, hi))
                continue
            view = target[lo:hi]
            view[...] = col
            sr.put(k, view)  # the same numbers, now in the full column
        for k in cols.keys() - got.keys():
            with lock:
                pending.append((name, k, blank_like(cols[k], hi - lo), lo, hi))

    def run(bound: tuple[int, int]) -> Events:
        lo, hi = bound
        part = seed.rows(lo, hi)
        ctx = EvalContext(plan, batch.take(slice(lo, hi), origins=False), part.events)
        for step in plan.steps:
            given = part.steps.get(step.name)
            if given is not None:
                ctx.steps[step.name] = given
                continue
            sr = ctx.steps[step.name] = HANDLERS[step.kind](ctx, step)
            put(step.name, sr, lo, hi)
        events = ctx.recorded().shifted(lo)
        # Lazy tree columns refer back to their context (a reference cycle): drop the block's
        # columns now rather than at the next garbage collection.
        ctx.steps.clear()
        return events

    if WORKERS > 1 and len(bounds) > 1:
        parts = list(_pool().map(carried(run), bounds))
    else:
        parts = [run(b) for b in bounds]
    for part in parts:
        events.extend(part)
    for name, k, col, lo, hi in pending:  # rare: a label in one block, a number in another
        cols = layout.setdefault(name, {})
        if (name, k) in aliases:  # a treatment changed some block's values: copy before writing
            aliases.discard((name, k))
            cols[k] = cols[k].copy()
        cols[k] = put_rows(cols[k] if k in cols else blank_like(col, size), col, np.arange(lo, hi))
    ctx = EvalContext(plan, batch)
    ctx.events = events
    for name, sr in first.steps.items():
        ctx.steps[name] = seed.steps[name] if name in seed.steps else _assemble(sr, layout[name], plan, ctx)
    return ctx


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """One pool for the process: its threads (and their allocator arenas) are reused run after run.
    Made (and ``concurrent.futures``, with ``logging``, imported) when a batch first needs it."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(WORKERS, thread_name_prefix="kinerja-eval")
    return _POOL


def parallel_map(func: Callable[[T], R], items: list[T]) -> list[R]:
    """``[func(x) for x in items]`` on the evaluation pool (for numpy work that releases the GIL)."""
    if WORKERS < 2 or len(items) < 2:
        return [func(x) for x in items]
    return list(_pool().map(carried(func), items))


def _empty_like(col: np.ndarray, size: int) -> np.ndarray:
    return np.empty(size, dtype=col.dtype)  # an object column starts all None


def _assemble(like: StepResult, cols: dict[Key, np.ndarray], plan: Plan, ctx: EvalContext) -> StepResult:
    sr = StepResult.of(like.name, like.kind, cols)
    if "pattern" in sr.extra and not isinstance(like.weights, dict):  # weights derived on access
        decl = plan.step(like.name).decl
        assert isinstance(decl, n.Tree)
        sr.weights, sr.contributions = tree_columns(decl, sr.extra, ctx.value)  # children are assembled first
    return sr
