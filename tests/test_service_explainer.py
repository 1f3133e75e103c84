"""Explanations are stored for every subject after a submission, by the background explainer."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import cli
from tests.service_kit import ROOT, App, Server, make_tokens, open_app

EXAMPLE = ROOT / "examples" / "instansi-2026.csv"


def units_csv(agency: str, n: int) -> bytes:
    """``n`` subjects of ``agency`` (ids agency-u0…) with the example file's values."""
    header, *lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    rows = []
    for i in range(n):
        cells = lines[i].split(",")
        cells[0], cells[1] = f"{agency}-u{i}", agency
        rows.append(",".join(cells))
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def app(db_url: str) -> App:
    return open_app(db_url)


def test_every_subject_is_explained_after_submission_and_served_as_the_cli_explains(
        app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.service import explainer, store

    monkeypatch.chdir(ROOT)
    content = units_csv("kemenkeu", 6)
    sub = app.submit("submitter", content, "units.csv").json()
    run = sub["run"]
    assert (run["subjects"], run["explained"]) == (run["rows"]["scored"], 0)  # 201 came before any explanation
    assert sub["id"] in store.explanations_pending(app.service.engine)
    h = app.tokens.header("submitter")
    # a subject asked for before the explainer got there is explained on the spot and kept
    first = app.client.get(f"/api/v1/submissions/{sub['id']}/explain/kemenkeu-u0", headers=h).json()
    assert explainer.explain_submission(app.service, sub["id"], batch=2) == run["subjects"] - 1  # the rest only
    assert app.client.get(f"/api/v1/submissions/{sub['id']}", headers=h).json()["run"]["explained"] == run["subjects"]
    assert sub["id"] not in store.explanations_pending(app.service.engine)
    assert explainer.explain_submission(app.service, sub["id"]) == 0
    data = tmp_path / "units.csv"
    data.write_bytes(content)
    for subject in ("kemenkeu-u0", "kemenkeu-u4"):
        served = app.client.get(f"/api/v1/submissions/{sub['id']}/explain/{subject}", headers=h).json()
        out = CliRunner().invoke(cli.main, ["explain", "policies/", str(data), "--policy", "bsc_instansi",
                                            "--as-of", "2026-12-31", "--id", subject, "--format", "json"])
        assert out.exit_code == 0, out.output
        # value origins name the file as submitted; the CLI names it as given on its command line
        assert json.dumps(served) == json.dumps(json.loads(out.output)).replace(f"{tmp_path}/", "")
    assert first == app.client.get(f"/api/v1/submissions/{sub['id']}/explain/kemenkeu-u0", headers=h).json()


def test_stored_explanations_are_compressed(app: App) -> None:
    from sqlalchemy import select

    from engine.service import explainer
    from engine.service.models import explanations

    sub = app.submit("submitter", units_csv("kemenkeu", 3), "units.csv").json()
    explainer.explain_submission(app.service, sub["id"])
    with app.service.engine.connect() as conn:  # type: ignore[attr-defined]
        bodies = conn.execute(select(explanations.c.body)).scalars().all()
    assert len(bodies) == 3 and all(b[:1] == b"\x78" for b in bodies)  # a zlib stream's header byte


def _children(pid: int) -> dict[int, str]:
    """Child processes of ``pid`` with their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
    return found


def _gone(pid: int, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text():
            return True
        time.sleep(0.2)
    return False


def test_kinerja_serve_explains_in_the_background_and_its_explainer_dies_with_it(tmp_path: Path) -> None:
    from engine.service import db

    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = db.connect(url)
    db.migrate(engine)
    tokens = make_tokens(engine)
    engine.dispose()
    server = Server(url)
    try:
        helpers = [pid for pid, cmd in _children(server.proc.pid).items() if "engine.service.explainer" in cmd]
        assert len(helpers) == 1
        with httpx.Client(base_url=server.base, headers=tokens.header("submitter"), timeout=60) as http:
            r = http.post("/api/v1/submissions", files={"file": ("units.csv", units_csv("kemenkeu", 4))},
                          data={"period": "2026", "policy": "bsc_instansi"})
            assert r.status_code == 201, r.text
            end = time.monotonic() + 120
            while time.monotonic() < end:
                run = http.get(f"/api/v1/submissions/{r.json()['id']}").json()["run"]
                if run["explained"] == run["subjects"] == 4:
                    break
                time.sleep(0.5)
            assert run["explained"] == 4
        server.kill()  # SIGKILL: the explainer notices its parent is gone and stops by itself
        assert _gone(helpers[0], 30)
    finally:
        server.stop()


def test_data_stored_before_compression_and_units_is_carried_over_by_the_migrations(tmp_path: Path) -> None:
    import sqlite3
    import zlib

    from alembic import command
    from alembic.config import Config

    from engine.service import db

    path = tmp_path / "old.db"
    engine = db.connect(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with db.writing(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")  # the schema before compressed explanations
    engine.dispose()
    with sqlite3.connect(path) as raw:  # an explanation of a run of a submission, as 0002 stored them
        for sql in (
                "INSERT INTO tokens (id, token_hash, agency, role, created_at) VALUES ('t', 'h', 'a', 'submitter', 0)",
                "INSERT INTO policy_sets VALUES ('p', '{}', 0)",
                "INSERT INTO submissions (id, agency, policy, period, revision, uploader, filename, format, size, "
                "sha256, content, created_at) VALUES ('x', 'a', 'b', '2026', 1, 't', 'f.csv', 'csv', 1, 's', 'c', 0)",
                "INSERT INTO runs VALUES ('r1', 'x', '0', 'b', '1', 'p', '[]', 1, 1, 0, 1, '{}', 0)",
                "INSERT INTO explanations VALUES ('r1', 's1', '{\"subject_id\": \"s1\"}', 0)"):
            raw.execute(sql)
    engine = db.connect(f"sqlite:///{path}")
    db.migrate(engine)
    with engine.connect() as conn:
        body = conn.exec_driver_sql("SELECT body FROM explanations WHERE subject_id = 's1'").scalar()
        unit = conn.exec_driver_sql("SELECT unit FROM submissions WHERE id = 'x'").scalar()  # 0005: units
    engine.dispose()
    assert json.loads(zlib.decompress(body)) == {"subject_id": "s1"}
    assert unit == ""  # a submission from before units is its whole agency's


def test_the_explainer_leaves_a_submission_that_does_not_reproduce_and_explains_the_next(app: App) -> None:
    from sqlalchemy import text

    from engine.service import explainer, store

    first = app.submit("submitter", units_csv("kemenkeu", 2), "a.csv").json()
    with app.service.engine.begin() as conn:  # type: ignore[attr-defined]  # as if another engine scored it
        conn.execute(text("UPDATE results SET row = replace(row, :was, :now)"),
                     {"was": '"nilai_kinerja": ', "now": '"nilai_kinerja": 1'})
    second = app.submit("submitter", units_csv("kemenkeu", 3), "b.csv").json()
    rounds = iter(range(4))
    explainer.work(app.service, lambda: next(rounds, None) is None, idle=0.01)  # type: ignore[arg-type]
    pending = store.explanations_pending(app.service.engine)  # type: ignore[attr-defined]
    assert pending == [first["id"]]  # skipped (logged), not retried forever, and not in the way
    h = app.tokens.header("submitter")
    assert app.client.get(f"/api/v1/submissions/{second['id']}", headers=h).json()["run"]["explained"] == 3
