"""A stored submission's texts in the reader's language (both databases): the reject reasons (row
references, hints), warnings and quota messages are written in the uploader's language, stored
with how they were made (message id and values), and read in the reader's own; rows stored before
that was kept (migration 0007) keep their texts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine.service import auth, db
from tests.service_kit import ROOT, App, agency_csv, open_app

LINES = (ROOT / "examples" / "pegawai-2026.csv").read_text(encoding="utf-8").splitlines()
ID = {"Accept-Language": "id"}
EN = {"Accept-Language": "en"}

# The texts as each catalogue writes them (engine/i18n/locale/{en,id}/LC_MESSAGES/kinerja.po: the
# entries of "unit `{value}` is not `{unit}`, ...", its hint, "line {n}", "unknown column `{name}` is
# ignored", "{by} {group}: quota {quota} rule {rule} ... is violated: {detail}" and its two parts).
RULE = ('policies/nasional/skp/kinerja-pegawai-2022.kin:127 `where predikat_unit == "Baik" require '
        'count(predikat in ("Butuh Perbaikan", "Kurang/Misconduct")) >= 1`')
CONDITION = '`predikat in ("Butuh Perbaikan", "Kurang/Misconduct")`'
TEXTS = {
    "en": {"row": "line 21", "reason": "unit `kemenkeu-u02` is not `kemenkeu-u01`, the unit this token submits for",
           "help": "each unit submits its own rows; the agency's token submits every unit",
           "warning": "unknown column `catatan` is ignored",
           "quota": f"unit_kerja kemenkeu-u01: quota kurva rule 3 ({RULE}) is violated: 0 of 19 subjects match "
                    f"{CONDITION} (count 0, limit >= 1)"},
    "id": {"row": "baris 21", "reason": "unit `kemenkeu-u02` bukan `kemenkeu-u01`, unit yang diwakili token ini",
           "help": "setiap unit mengirim barisnya sendiri; token instansi mengirim untuk semua unit",
           "warning": "kolom `catatan` tidak dikenal dan diabaikan",
           "quota": f"unit_kerja kemenkeu-u01: kuota kurva aturan 3 ({RULE}) dilanggar: 0 dari 19 subjek memenuhi "
                    f"{CONDITION} (jumlah 0, batas >= 1)"},
}


def _unit_file() -> bytes:
    """kemenkeu-u01's 19 employees all rated above expectations in a unit rated "Baik" (SE 3/2023's
    curve wants at least one below: a quota violation), one row of kemenkeu-u02 (rejected: line 21,
    after the header and 19 rows), and a column the policy does not know (a warning)."""
    rows = [line.split(",") for line in LINES[1:] if line.split(",")[2] == "kemenkeu-u01"]
    for cells in rows:
        cells[3:6] = ["Baik", "Di Atas Ekspektasi", "Di Atas Ekspektasi"]
    other = next(line.split(",") for line in LINES[1:] if line.split(",")[2] == "kemenkeu-u02")
    return ("\n".join([LINES[0] + ",catatan", *(",".join(r) + ",x" for r in [*rows, other])]) + "\n").encode()


@pytest.fixture
def unit_app(db_url: str) -> tuple[App, dict[str, str]]:
    app = open_app(db_url)
    with db.writing(app.service.engine) as conn:  # type: ignore[attr-defined]
        secret = auth.create_token(conn, "kemenkeu", "submitter", unit="kemenkeu-u01")[1]
    return app, {"Authorization": f"Bearer {secret}"}


def _upload(app: App, token: dict[str, str], language: dict[str, str]) -> str:
    r = app.client.post("/api/v1/submissions", files={"file": ("skp.csv", _unit_file())},  # type: ignore[attr-defined]
                        data={"period": "2026", "policy": "kinerja_pegawai"}, headers={**token, **language})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _read(app: App, token: dict[str, str], sid: str, language: dict[str, str]) -> dict[str, str]:
    """What a reader in ``language`` reads of the submission: through the API."""
    h = {**token, **language}
    sub = app.client.get(f"/api/v1/submissions/{sid}", headers=h).json()  # type: ignore[attr-defined]
    [reject] = app.client.get(f"/api/v1/submissions/{sid}/rejects", headers=h).json()  # type: ignore[attr-defined]
    [violation] = sub["run"]["quota_violations"]
    return {"row": reject["row"], "reason": reject["reason"], "help": reject["help"],
            "warning": sub["run"]["warnings"][0], "quota": violation["message"]}


@pytest.mark.parametrize(("uploaded", "read"), [("id", "en"), ("en", "id")])
def test_what_was_stored_in_one_language_is_read_in_the_other(unit_app: tuple[App, dict[str, str]], uploaded: str,
                                                              read: str) -> None:
    app, token = unit_app
    sid = _upload(app, token, {"Accept-Language": uploaded})
    assert _read(app, token, sid, {"Accept-Language": read}) == TEXTS[read]
    assert _read(app, token, sid, {"Accept-Language": uploaded}) == TEXTS[uploaded]
    with app.service.engine.connect() as conn:  # type: ignore[attr-defined]  # stored: the uploader's words
        reason, made = conn.execute(text("SELECT reason, messages FROM rejects")).one()
    assert reason == TEXTS[uploaded]["reason"]
    assert json.loads(made)["reason"] == {"id": "unit `{value}` is not `{unit}`, the unit this token submits for",
                                          "values": {"value": "kemenkeu-u02", "unit": "kemenkeu-u01"}}


def test_the_submission_page_shows_them_in_the_readers_language(unit_app: tuple[App, dict[str, str]]) -> None:
    app, token = unit_app
    sid = _upload(app, token, ID)
    client = app.client
    client.cookies.set("kinerja_lang", "en")  # type: ignore[attr-defined]
    assert client.post("/login", data={"token": token["Authorization"][7:]}).status_code == 200  # type: ignore[attr-defined]
    page = client.get(f"/submissions/{sid}").text  # type: ignore[attr-defined]
    expected = {k: v.replace('"', "&#34;").replace("'", "&#39;").replace(">", "&gt;") for k, v in TEXTS["en"].items()}
    assert f'<p class="error">quota: {expected["quota"]}</p>' in page
    assert f'<p class="warning">warning: {expected["warning"]}</p>' in page
    assert f"<tr><td>{expected['row']}</td>" in page and f"<td>{expected['reason']}</td><td>{expected['help']}</td>" \
        in page
    assert "kolom" not in page and "dilanggar" not in page and "baris" not in page


def test_the_api_gives_how_each_text_was_made(unit_app: tuple[App, dict[str, str]]) -> None:
    app, token = unit_app
    sid = _upload(app, token, ID)
    sub = app.client.get(f"/api/v1/submissions/{sid}", headers={**token, **EN}).json()  # type: ignore[attr-defined]
    assert sub["run"]["warning_messages"] == [{"id": "unknown column `{name}` is ignored",
                                               "values": {"name": "catatan"}}]
    made = sub["run"]["quota_violations"][0]["messages"]["message"]
    assert made["id"] == "{by} {group}: quota {quota} rule {rule} ({where} `{text}`) is violated: {detail}"
    assert made["values"]["detail"]["values"]["shown"] == {"id": "count {count}, limit {op} {limit}",
                                                           "values": {"count": 0, "op": ">=", "limit": "1"}}
    [reject] = app.client.get(f"/api/v1/submissions/{sid}/rejects", headers={**token, **EN}).json()  # type: ignore[attr-defined]
    assert reject["messages"]["row"] == {"id": "line {n}", "values": {"n": 21}}


def test_rows_stored_before_0007_keep_their_texts_and_the_migration_carries_them(db_url: str) -> None:
    """A database at 0006 with a rejected row: migrated, the row has no record of its making and is
    read as stored (here: its words were never the catalogue's, so nothing can reword them)."""
    from alembic import command
    from alembic.config import Config

    engine = db.connect(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with db.writing(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    now = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    with db.writing(engine) as conn:
        for sql, values in _old_rows(now):
            conn.execute(text(sql), values)
    engine.dispose()
    app = open_app(db_url)  # migrates to the newest revision
    with app.service.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(text("SELECT messages FROM rejects WHERE run_id = 'r1'")).scalar() is None
    from engine.service import store, workflow
    from engine.service.auth import Caller

    caller = Caller("t", "kemenkeu", "submitter")
    assert store.summary(app.service.engine, caller, "s1")["run"]["warnings"] == ["kolom lama"]  # type: ignore[attr-defined,index]
    [reject] = workflow.rejects(app.service, caller, "s1") or []  # type: ignore[arg-type]
    assert (reject["row"], reject["reason"], reject["help"], reject["messages"]) == ("baris 2", "alasan lama", None,
                                                                                      None)


def _old_rows(now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
    summary = json.dumps({"language": "en", "runtime_errors": 0, "quota_violations": [], "warnings": ["kolom lama"]})
    return [
        ("INSERT INTO tokens (id, token_hash, agency, role, unit, created_at) "
         "VALUES ('t', 'h', 'kemenkeu', 'submitter', '', :now)", {"now": now}),
        ("INSERT INTO policy_sets VALUES ('p', '{}', :now)", {"now": now}),
        ("INSERT INTO submissions (id, agency, unit, policy, period, revision, uploader, filename, format, size, "
         "sha256, content, created_at) VALUES ('s1', 'kemenkeu', '', 'b', '2026', 1, 't', 'f.csv', 'csv', 1, 's', "
         ":content, :now)", {"content": b"c", "now": now}),
        ("INSERT INTO runs VALUES ('r1', 's1', '0', 'b', '1', 'p', '[]', 1, 0, 1, 0, :summary, :now)",
         {"summary": summary, "now": now}),
        ("INSERT INTO rejects VALUES ('r1', 0, 'baris 2', 'x', 'c', 'v', 'alasan lama', NULL)", {}),
    ]


def _kemenkeu_with(*changes: tuple[int, str]) -> bytes:
    """kemenkeu's example row once per change, that cell changed (the header: tests/service_kit.agency_csv)."""
    header, row = agency_csv("kemenkeu").decode().splitlines()[:2]
    lines = [header]
    for column, value in changes:
        cells = row.split(",")
        cells[column] = value
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def test_a_reason_with_numbers_in_the_uploaders_digits_is_read_in_the_readers(tmp_path: Path) -> None:
    """ikm's range is 25 .. 100 (policies/nasional/bsc-instansi.kin); 101.5 is outside.  kinerja.po:
    "value {value} is outside the range {range} of `{name}`" -> "nilai {value} di luar rentang {range}
    untuk `{name}`", its numbers then in Indonesian digits (101,5)."""
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    sid = app.submit("submitter", _kemenkeu_with((4, "101.5")), headers=ID).json()["id"]  # type: ignore[attr-defined]
    h = app.tokens.header("submitter")
    read = {lang: app.client.get(f"/api/v1/submissions/{sid}/rejects",  # type: ignore[attr-defined]
                                 headers={**h, "Accept-Language": lang}).json()[0]["reason"] for lang in ("id", "en")}
    assert read == {"id": "nilai 101,5 di luar rentang 25 .. 100 untuk `ikm`",
                    "en": "value 101.5 is outside the range 25 .. 100 of `ikm`"}


def test_every_kind_of_reject_keeps_how_its_reason_was_made(tmp_path: Path) -> None:
    """A file with one problem of each kind a CSV row can have: every reason (and row reference) is
    recorded, so none stays in the uploader's language for a reader of the other."""
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    bad = _kemenkeu_with((3, "banyak"), (2, "XYZ"), (1, "bpss"), (0, ""), (3, "1e999"), (4, "500"), (0, "kemenkeu"))
    bad = bad.replace(b"\n", b"\nkemenkeu,kemenkeu,WTP\n", 1) + b'"a quote never closed,\n'
    assert app.submit("submitter", bad, headers=ID).status_code == 201  # type: ignore[attr-defined]
    with app.service.engine.connect() as conn:  # type: ignore[attr-defined]
        stored = conn.execute(text("SELECT reason, messages FROM rejects")).all()
    assert len(stored) >= 8
    for reason, made in stored:
        assert {"row", "reason"} <= set(json.loads(made)), reason
