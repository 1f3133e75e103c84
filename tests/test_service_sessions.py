"""Web sessions survive a restart (the signing key is kept, owner-only) and die with a rotated key."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
from click.testing import CliRunner

import cli
from engine.service import auth, db
from tests.service_kit import POLICIES, Server


def _database(tmp_path: Path) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = db.connect(url)
    db.migrate(engine)
    with db.writing(engine) as conn:
        token = auth.create_token(conn, "kemenkeu", "submitter")[1]
    engine.dispose()
    return url, token


def _home(server: Server, cookie: str) -> int:
    return httpx.get(server.base + "/", cookies={"kinerja_session": cookie}, follow_redirects=False).status_code


def test_a_session_outlives_a_restart_and_a_rotated_key_ends_it(tmp_path: Path) -> None:
    url, token = _database(tmp_path)
    data = tmp_path / "data"
    server = Server(url, data_dir=data)
    try:
        signed = httpx.post(server.base + "/login", data={"token": token}, follow_redirects=False)
        assert signed.status_code == 303
        cookie = signed.cookies["kinerja_session"]
        assert _home(server, cookie) == 200
    finally:
        server.stop()
    key = data / "session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
    server = Server(url, data_dir=data)  # restarted: the same key, so the same session
    try:
        assert _home(server, cookie) == 200
    finally:
        server.stop()
    rotated = CliRunner().invoke(cli.main, ["admin", "session-key", "rotate", "--data-dir", str(data), "--db", url])
    assert rotated.exit_code == 0, rotated.output
    server = Server(url, data_dir=data)
    try:
        assert _home(server, cookie) == 303  # back to the sign-in page
        with httpx.Client(base_url=server.base) as http:
            assert http.post("/login", data={"token": token}, follow_redirects=False).status_code == 303
            assert http.get("/", follow_redirects=False).status_code == 200
    finally:
        server.stop()
    engine = db.connect(url)
    with db.reading(engine) as conn:
        from engine.service import audit

        assert [e["action"] for e in audit.entries(conn)].count("session-key.rotate") == 1
    engine.dispose()


def test_a_key_file_others_may_read_or_that_is_missing_is_refused(tmp_path: Path) -> None:
    url, _ = _database(tmp_path)
    exposed = tmp_path / "exposed.key"
    exposed.write_text("ab" * 32 + "\n")
    exposed.chmod(0o644)
    base = ["serve", "--policies", str(POLICIES), "--db", url, "--port", "0"]
    r = CliRunner().invoke(cli.main, [*base, "--session-key-file", str(exposed)])
    assert r.exit_code != 0 and "service.session-key-exposed" in r.output and "chmod 600" in r.output
    r = CliRunner().invoke(cli.main, [*base, "--session-key-file", str(tmp_path / "none.key")])
    assert r.exit_code != 0 and "service.session-key-missing" in r.output
    short = tmp_path / "short.key"
    short.write_text("abcd\n")
    short.chmod(0o600)
    r = CliRunner().invoke(cli.main, [*base, "--session-key-file", str(short)])
    assert r.exit_code != 0 and "service.session-key-invalid" in r.output
