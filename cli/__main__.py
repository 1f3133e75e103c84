"""`kinerja` as a process: the console script (``cli.__main__:run``) and `python -m cli`.

Two things only a whole process may do, so they live here and never in ``cli.main`` (which tests
and other programs call in-process) nor in the library:

- **The collector's threshold.**  Start-up allocates some 70,000 objects that live as long as the
  process (modules, classes, functions, the policy's AST).  With Python's default threshold (a
  young collection every 700 new objects) the collector ran about a hundred times during a small
  eval's start-up, tracing every survivor two or three times to free nearly nothing: about a tenth
  of its CPU.  A young collection every ``YOUNG`` objects (as mypy, freqtrade and others configure)
  leaves a small run with no collection at all and a large one with collections as thorough but
  rarer (what a collection must trace does not change; unreachable cycles wait at most ``YOUNG``
  allocations longer).
- **No interpreter teardown.**  When the command has finished, every output has been written,
  closed and renamed into place by the command itself.  What the interpreter would still do is what
  ``leave`` does: wait for the threads (``threading``'s own shutdown, which also stops idle thread
  pools), run the ``atexit`` handlers (caches saved, temporary folders removed, child processes
  joined) and flush stdout and stderr; then the process ends with ``os._exit``.  Skipped: freeing
  every module and object one by one, and a last full collection (about 7% of a small eval's
  instructions, for memory the kernel takes back at once).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from typing import NoReturn

YOUNG = 100_000  # new objects between young collections (Python's default: 700)


def run() -> NoReturn:
    """Run ``kinerja`` with this process's arguments and end the process with its exit code."""
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
    from cli import main

    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    leave(code)


def leave(code: object) -> NoReturn:
    """End the process as the interpreter's own exit would (``SystemExit``'s code: ``None`` is 0, a
    text is printed and gives 1; a failed flush of the output gives 120), without its teardown."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    threading._shutdown()  # type: ignore[attr-defined]  # what Py_Finalize runs first
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except (OSError, ValueError):
            status = 120
    os._exit(status)


if __name__ == "__main__":
    run()
