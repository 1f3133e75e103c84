"""How concurrent writers take turns: on SQLite through the writer lock file (``db._WriterQueue``)
instead of SQLite's polling busy handler, and one submission scored at a time per worker process."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from engine.service import auth, db, scoring
from engine.service.turns import Turns
from tests.service_kit import agency_csv, open_app


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


def test_a_worker_scores_one_submission_at_a_time(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring holds the GIL: several at once in one process only slow each other (and the one holding the
    write turn), so the fourth of four concurrent uploads is scored after the other three, not beside them."""
    app = open_app(db_url)
    running, most = [0], [0]
    lock = threading.Lock()
    real = scoring.score

    def counted(*args: object, **kwargs: object) -> scoring.Scoring:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)  # long enough that unserialised uploads would overlap
        try:
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(scoring, "score", counted)
    body = agency_csv("kemenkeu")
    assert b",87.57," in body
    codes: list[int] = []

    def upload(n: int) -> None:  # four different files (capaian_iku 80.57, 81.57, ...)
        mine = body.replace(b",87.57,", f",8{n}.57,".encode())
        r = app.client.post("/api/v1/submissions", files={"file": ("k.csv", mine)},
                            data={"period": "2026", "policy": "bsc_instansi"},
                            headers={**app.tokens.header("submitter"), "Idempotency-Key": f"k{n}"})
        codes.append(r.status_code)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    assert codes == [201] * 4


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
