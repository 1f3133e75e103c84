"""What the service tests share: a throwaway PostgreSQL server, databases on both engines,
an app with tokens for every role, and a real uvicorn server in a subprocess.

PostgreSQL is started from the machine's binaries (initdb, pg_ctl) in a temporary
directory, listening only on a unix socket there; as root it runs as ``nobody``, since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
POLICIES = ROOT / "policies"


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    hits = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return hits[-1] if hits else None


def _as_postgres_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "nobody", "--", *cmd]


@dataclass
class PgServer:
    dir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.dir}&port={self.port}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(host=str(self.dir), port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def start_postgres(durable: bool = False) -> Iterator[PgServer]:
    """Start a server (``durable``: with fsync, as in production; tests run without it)."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing: .ci/run installs them")
    base = Path(tempfile.mkdtemp(prefix="kinerja-pg-"))
    os.chmod(base, 0o755)
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "nobody", "nogroup")
    port = free_port()
    subprocess.run(_as_postgres_user([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                      "--no-sync"]), check=True, capture_output=True)
    opts = f"-c listen_addresses='' -c unix_socket_directories={base} -p {port} -c max_connections=200"
    opts += "" if durable else " -c fsync=off"
    subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield PgServer(base, port)
    finally:
        subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_url(kind: str, pg: PgServer | None, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'kinerja.db'}"
    assert pg is not None
    return pg.create_database()


@dataclass
class Tokens:
    """One token per role for agency ``kemenkeu`` and a submitter for ``bps``."""

    submitter: str
    other_submitter: str
    reviewer: str
    auditor: str
    admin: str

    def header(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def make_tokens(engine: object) -> Tokens:
    from engine.service import auth, db

    with db.writing(engine) as conn:  # type: ignore[arg-type]
        made = {name: auth.create_token(conn, agency, role)[1] for name, agency, role in (
            ("submitter", "kemenkeu", "submitter"), ("other_submitter", "bps", "submitter"),
            ("reviewer", "kemenpanrb", "reviewer"), ("auditor", "bpk", "auditor"), ("admin", "kemenpanrb", "admin"))}
    return Tokens(**made)


def agency_csv(agency: str, source: Path = ROOT / "examples" / "instansi-2026.csv") -> bytes:
    """The example submission's header and the rows of ``agency`` (plus one other agency's row)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    mine = [line for line in lines[1:] if line.split(",")[1] == agency]
    return ("\n".join([lines[0], *mine]) + "\n").encode()


class Server:
    """``kinerja serve`` in a subprocess on a free loopback port."""

    def __init__(self, url: str, policies: Path = POLICIES, extra: list[str] | None = None, ready_within: float = 60,
                 data_dir: Path | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.log = tempfile.NamedTemporaryFile(prefix="kinerja-serve-", suffix=".log")  # noqa: SIM115
        self._data = None if data_dir else tempfile.TemporaryDirectory(prefix="kinerja-data-")  # its session key
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--policies", str(policies), "--db", url, "--port",
             str(self.port), "--data-dir", str(data_dir or self._data.name), *(extra or [])],  # type: ignore[union-attr]
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready(ready_within)

    def log_text(self) -> str:
        """What the server printed (its access log included)."""
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float) -> None:
        import httpx

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.log_text())
            try:
                if httpx.get(self.base + "/api/v1/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class App:
    client: object  # fastapi.testclient.TestClient
    tokens: Tokens
    service: object  # engine.service.app.Service

    def submit(self, role: str, content: bytes, filename: str = "kinerja.csv", period: str = "2026",
               policy: str | None = "bsc_instansi", headers: dict[str, str] | None = None) -> object:
        data = {"period": period, **({"policy": policy} if policy else {})}
        return self.client.post("/api/v1/submissions", files={"file": (filename, content)}, data=data,  # type: ignore[attr-defined]
                                headers={**self.tokens.header(role), **(headers or {})})


def open_app(url: str, policies: Path = POLICIES) -> App:
    from fastapi.testclient import TestClient

    from engine.service.app import create_app, open_service

    service = open_service(policies, url)
    return App(TestClient(create_app(service)), make_tokens(service.engine), service)
