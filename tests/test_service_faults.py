"""Faults and limits: SIGKILL during uploads loses nothing acknowledged and leaves nothing
half-stored (both databases); oversized bodies, Excel zip bombs and slow requests are bounded."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
from click.testing import CliRunner
from sqlalchemy import text

import cli
from engine.service import auth, db
from engine.service.limits import Limits
from tests.service_kit import ROOT, Server, agency_csv, open_app

ROW = agency_csv("kemenkeu").decode()


def upload(base: str, token: str, n: int, key: str) -> httpx.Response:
    body = ROW.replace("87.57", f"{80 + n / 100:.2f}")  # a distinct file each time
    return httpx.post(base + "/api/v1/submissions", files={"file": ("kemenkeu.csv", body.encode())},
                      data={"period": "2026", "policy": "bsc_instansi"},
                      headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}, timeout=30)


def test_sigkill_during_uploads_loses_nothing_acknowledged(db_url: str) -> None:
    engine = db.connect(db_url)
    db.migrate(engine)
    with db.writing(engine) as conn:
        token = auth.create_token(conn, "kemenkeu", "submitter")[1]
    server = Server(db_url)
    acked: dict[str, str] = {}  # Idempotency-Key -> submission id, for every 201/200 received
    stop = threading.Event()

    def client(k: int) -> None:
        n = 0
        while not stop.is_set():
            key = f"c{k}-{n}"
            try:
                r = upload(server.base, token, k * 1000 + n, key)
            except httpx.HTTPError:
                return  # the server died under us: this upload was never acknowledged
            if r.status_code in (200, 201):
                acked[key] = r.json()["id"]
            n += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.log_text()
    server.kill()  # SIGKILL, mid-upload
    stop.set()
    assert "POST /api/v1/submissions HTTP/1.1\" 201" in log  # the access log is there, and holds
    assert token not in log and "87.57" not in log and ROW.splitlines()[1] not in log  # no token, no value
    for t in threads:
        t.join()
    assert len(acked) >= 8

    with engine.connect() as conn:  # nothing half-stored: every submission has its run, results and audit entry
        subs = conn.execute(text("SELECT count(*) FROM submissions")).scalar()
        complete = conn.execute(text(
            "SELECT count(*) FROM submissions s JOIN runs r ON r.submission_id = s.id "
            "WHERE (SELECT count(*) FROM results x WHERE x.run_id = r.id) = r.subjects AND r.subjects = 1")).scalar()
        keys = {k: i for k, i in conn.execute(text("SELECT idempotency_key, id FROM submissions"))}
    assert subs == complete and subs >= len(acked)
    assert all(keys.get(k) == i for k, i in acked.items())  # every acknowledged one is there, as acknowledged
    engine.dispose()

    server = Server(db_url)  # restart on the same database
    try:
        for key, sid in list(acked.items())[:3]:  # a retry of an acknowledged upload is recognised
            n = int(key[1:].split("-")[0]) * 1000 + int(key.split("-")[1])
            r = upload(server.base, token, n, key)
            assert (r.status_code, r.json()["id"]) == (200, sid)
        assert upload(server.base, token, 99_999, "after-restart").status_code == 201
    finally:
        server.stop()
    result = CliRunner().invoke(cli.main, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0, result.output


def test_an_oversized_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    app.service.limits = Limits(max_upload=10_000)  # type: ignore[attr-defined]
    from fastapi.testclient import TestClient

    from engine.service.app import create_app

    client = TestClient(create_app(app.service))  # type: ignore[arg-type]
    r = client.post("/api/v1/submissions", files={"file": ("big.csv", b"x" * 20_000)}, data={"period": "2026"},
                    headers=app.tokens.header("submitter"))
    assert r.status_code == 413 and r.json()["error"]["code"] == "too-large"


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)  # 50 MB of zeros: about 50 kB packed
    r = app.submit("submitter", buf.getvalue(), "bomb.xlsx")
    assert r.status_code == 400 and "expands to 50,000,000 bytes" in r.json()["error"]["message"]


def test_a_request_over_the_time_limit_is_answered_503(tmp_path: Path) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from engine.service.limits import Timeout

    slow = FastAPI()

    @slow.get("/api/v1/slow")
    @slow.get("/slow")
    async def _slow() -> dict[str, str]:
        import asyncio

        await asyncio.sleep(2)
        return {"done": "late"}

    slow.add_middleware(Timeout, seconds=0.2)
    r = TestClient(slow).get("/api/v1/slow")
    assert r.status_code == 503 and r.json()["error"]["code"] == "timeout"
    page = TestClient(slow).get("/slow")  # a page: the error page, telling an officer what to do
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "<h1>the request took too long; look at your submissions before sending it again</h1>" in page.text


def test_graceful_shutdown_finishes_the_request_in_flight(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = db.connect(url)
    db.migrate(engine)
    with db.writing(engine) as conn:
        token = auth.create_token(conn, "kemenkeu", "submitter")[1]
    server = Server(url)
    big = (ROOT / "examples" / "pegawai-2026.csv").read_bytes()
    boundary = "kinerja-test-boundary"
    fields = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                     for k, v in (("period", "2026"), ("policy", "kinerja_pegawai")))
    head = (fields + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="pegawai.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    body = head + big + f"\r\n--{boundary}--\r\n".encode()
    started = threading.Event()
    result: dict[str, int] = {}

    def slow_body() -> Iterator[bytes]:  # the request is provably in flight: its first part is on the wire
        yield body[:len(head)]
        started.set()
        time.sleep(1.5)
        yield body[len(head):]

    def send() -> None:
        r = httpx.post(server.base + "/api/v1/submissions", content=slow_body(),
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=60)
        result["status"] = r.status_code

    t = threading.Thread(target=send)
    t.start()
    assert started.wait(30)
    time.sleep(0.5)  # let the server read the request head before the signal
    server.proc.terminate()  # SIGTERM: stop accepting, finish what is running
    t.join()
    assert result["status"] == 201  # the upload in flight was completed and acknowledged
    # uvicorn re-raises the SIGTERM it caught once it has drained: ends by the signal, not a crash
    assert server.proc.wait(30) in (0, -15)
