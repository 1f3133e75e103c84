"""How concurrent writers take turns: on SQLite through the writer lock file (``db._WriterQueue``)
instead of SQLite's polling busy handler, and the threads of one process in arrival order."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from engine.service import auth, db
from engine.service.turns import Turns


def _try_lock(path: str) -> bool:
    """Whether another open file description gets the writer lock now (as another process would)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_an_sqlite_write_transaction_holds_the_writer_lock_file(tmp_path: Path) -> None:
    engine = db.connect(f"sqlite:///{tmp_path / 'k.db'}")
    db.migrate(engine)
    lock = f"{tmp_path / 'k.db'}-writer.lock"
    with db.writing(engine) as conn:
        auth.create_token(conn, "kemenkeu", "auditor")
        assert not _try_lock(lock)  # another process would wait here, in the kernel, not in SQLite's sleeps
    assert _try_lock(lock)  # released with the commit
    with db.reading(engine) as conn:  # readers never take it
        assert conn.exec_driver_sql("SELECT count(*) FROM tokens").scalar() == 1
        assert _try_lock(lock)
    engine.dispose()


def test_a_writer_waits_for_the_turn_another_process_holds_and_goes_when_it_is_released(tmp_path: Path) -> None:
    engine = db.connect(f"sqlite:///{tmp_path / 'k.db'}")
    db.migrate(engine)
    fd = os.open(f"{tmp_path / 'k.db'}-writer.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a writer in another worker process
    done = threading.Event()

    def write() -> None:
        with db.writing(engine) as conn:
            auth.create_token(conn, "kemenkeu", "auditor")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.5)  # still waiting for its turn
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    assert done.wait(30)
    writer.join()
    engine.dispose()


def test_turns_are_given_in_arrival_order_and_a_releasing_thread_cannot_jump_the_queue() -> None:
    turns, order = Turns(), []
    first = turns.turn()
    first.__enter__()

    def wait_for_turn(name: str) -> None:
        with turns.turn():
            order.append(name)

    threads = []
    for name in "abcd":  # each one queued before the next starts
        threads.append(threading.Thread(target=wait_for_turn, args=(name,)))
        threads[-1].start()
        deadline = time.monotonic() + 30
        while len(turns._waiting) < len(threads) and time.monotonic() < deadline:
            time.sleep(0.001)
    first.__exit__(None, None, None)
    with turns.turn():  # asked for again right after releasing it: after the four already waiting
        order.append("first again")
    for t in threads:
        t.join()
    assert order == ["a", "b", "c", "d", "first again"]
