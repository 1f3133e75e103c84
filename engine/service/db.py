"""Connecting to the database, migrating it, and the one way to write: a serialised transaction.

SQLite (the embedded default) runs in WAL mode with full fsync, foreign keys on and a busy
timeout; writers queue for their turn on a lock file (``_WriterQueue``: the kernel wakes the next
one at once, where SQLite's busy handler would poll in sleeps of up to 100 ms) and then start with
``BEGIN IMMEDIATE``.  On PostgreSQL a write transaction takes one advisory lock, so audit entries are
chained in commit order.  Readers never wait for writers on either database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows has none: the threads of a process still take turns, processes wait in SQLite
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event, text

from engine.diagnostics import fail
from engine.i18n import N_, _
from engine.service.turns import Turns

MIGRATIONS = Path(__file__).with_name("migrations")
URL_HELP = N_("give --db sqlite:///FILE or postgresql://USER@HOST/DB")
_WRITE_LOCK = 0x4B494E  # "KIN": the advisory lock every PostgreSQL write transaction holds


def default_url(data_dir: str | Path) -> str:
    """The embedded database: ``kinerja.db`` in ``data_dir`` (created when missing)."""
    path = Path(data_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'kinerja.db'}"


def connect(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///file`` or ``postgresql://…``, psycopg 3); a URL that names
    no database is ``service.database-url`` (a usage error)."""
    from sqlalchemy.exc import ArgumentError

    try:
        return _connect(url)
    except ArgumentError:
        raise fail("service.database-url", _("cannot use the database URL `{url}`", url=url), _(URL_HELP)) from None


def _connect(url: str) -> Engine:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi: Any, _record: Any) -> None:
    dbapi.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=60000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that may write: serialised with every other writer, committed on exit."""
    with engine.connect() as conn, _write(conn):
        yield conn


@contextmanager
def _write(conn: Connection) -> Iterator[None]:
    """A write transaction on ``conn`` (BEGIN IMMEDIATE on SQLite, the advisory lock on PostgreSQL)."""
    with _writer_turn(conn), conn.execution_options(write=True).begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK})
        yield


class _WriterQueue:
    """The writers of one SQLite file, queued by the operating system instead of by SQLite.

    SQLite lets a writer that finds the write lock taken retry from its busy handler, sleeping
    1, 2, 5 … up to 100 ms between tries, while a writer arriving later may take the lock at once:
    under ten concurrent submissions some waited seconds for a lock held 50 ms at a time.  Here a
    writer first waits for its turn among its process's threads (in arrival order), then an exclusive
    ``flock`` on ``FILE-writer.lock`` next to the database (one worker process at a time; the
    kernel wakes a waiter the moment the lock is released, and releases it if its holder dies),
    and only then ``BEGIN IMMEDIATE``, which then finds the write lock free.  A writer that does
    not take this turn (an older ``kinerja``, the ``sqlite3`` shell) is still waited for by the busy
    timeout.  The lock file is never opened by SQLite (closing a file SQLite has open would drop
    its locks), and holds nothing."""

    def __init__(self, database: str | None):
        self.lock_path = f"{database}-writer.lock" if database and database != ":memory:" else None
        self.threads = Turns()
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.threads.turn():
            fd = self._file()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _file(self) -> int | None:
        if self.lock_path is None or fcntl is None:
            return None
        if self._pid != os.getpid():  # opened per process: a forked child takes its own turns
            self._fd, self._pid = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self._fd


_QUEUES: dict[str, _WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


@contextmanager
def _writer_turn(conn: Connection) -> Iterator[None]:
    """Wait for this writer's turn on SQLite (``_WriterQueue``); PostgreSQL queues its own writers."""
    if conn.dialect.name != "sqlite":
        yield
        return
    database = conn.engine.url.database or ""
    with _QUEUES_LOCK:
        queue = _QUEUES.setdefault(database, _WriterQueue(database))
    with queue.turn():
        yield


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction (one consistent snapshot)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on first start)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import OperationalError

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        engine.connect().close()
    except OperationalError:  # the first connection: a server that is down, a wrong user or database
        raise fail("service.database-unreachable", _("cannot connect to the database `{url}`", url=repr(engine.url)),
                   _("check that the server runs and accepts connections, and the user, password and database "
                     "name; {how}", how=_(URL_HELP))) from None
    with engine.connect() as conn, _foreign_keys_deferred(conn), _write(conn):  # two starting at once: in turn
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if conn.dialect.name == "sqlite" and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("a migration left a row whose foreign key has no target")  # rolled back


@contextmanager
def _foreign_keys_deferred(conn: Connection) -> Iterator[None]:
    """SQLite rebuilds a table to change a constraint (Alembic's batch mode); with foreign keys
    enforced it could not drop a table other rows refer to.  So they are off on the migrating
    connection (set outside any transaction, as SQLite requires), and checked at the end instead."""
    raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
    if raw is None:
        yield
        return
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001 - no table yet
            return None
