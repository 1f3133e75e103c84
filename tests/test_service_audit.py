"""The audit log: hash-chained, append-only in the database, verified by `kinerja audit verify`;
tokens are shown once and stored as hashes; no token or submitted value reaches the log."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

import cli
from engine.service import db
from tests.service_kit import App, agency_csv, open_app


@pytest.fixture
def app(db_url: str) -> App:
    app = open_app(db_url)
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    app.client.post(f"/api/v1/submissions/{sid}/review", json={"decision": "accept", "reason": "complete"},
                    headers=app.tokens.header("reviewer"))
    app.submit("other_submitter", agency_csv("bps"))
    return app


def verify(app: App) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["audit", "verify", "--db", str(app.service.engine.url)  # type: ignore[attr-defined]
                                           .replace("postgresql+psycopg", "postgresql").replace("***", "")])
    return result.exit_code, result.output


def tamper(app: App, *statements: str) -> None:
    """What someone with direct database access could do: switch the guard off, then edit."""
    with app.service.engine.begin() as conn:  # type: ignore[attr-defined]
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def test_an_intact_log_verifies(app: App) -> None:
    code, out = verify(app)
    # the policy load (1), 5 tokens (2-6), kemenkeu's submission (7), its review (8), bps's submission (9)
    assert code == 0 and out.startswith("audit log intact: 9 entries, head "), out


def test_the_database_refuses_to_change_or_remove_an_entry(app: App) -> None:
    for statement in ("UPDATE audit_log SET action = 'x' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(Exception, match="append-only"), db.writing(app.service.engine) as conn:  # type: ignore[attr-defined]
            conn.execute(text(statement))
    assert verify(app)[0] == 0


def test_a_modified_entry_is_detected(app: App) -> None:
    tamper(app, "UPDATE audit_log SET details = replace(details, 'accept', 'return') WHERE action = 'review.create'")
    code, out = verify(app)
    assert code == 1 and "entry 8: its content does not match its hash (modified)" in out


def test_a_deleted_entry_is_detected(app: App) -> None:
    tamper(app, "DELETE FROM audit_log WHERE seq = 7")
    code, out = verify(app)
    assert code == 1 and "entry 8: expected entry 7 here" in out and "entry 8: does not follow" in out


def test_an_inserted_entry_is_detected_even_with_a_correct_own_hash(app: App) -> None:
    from engine.service import audit

    with app.service.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_log ORDER BY seq"))]
    forged = {**rows[-1], "seq": len(rows) + 1, "action": "review.create", "object_id": "forged"}
    forged["prev_hash"] = rows[-2]["hash"]  # chained to the entry before the last: the forger's best guess
    forged["hash"] = audit.entry_hash(forged)
    tamper(app, "INSERT INTO audit_log VALUES (" + ", ".join(_sql(forged[c]) for c in rows[0]) + ")")
    code, out = verify(app)
    assert code == 1 and f"entry {len(rows) + 1}: does not follow" in out


def test_a_truncated_tail_is_detected_through_the_objects_it_leaves(app: App) -> None:
    tamper(app, "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    code, out = verify(app)
    assert code == 1 and "has no audit entry" in out


def _sql(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def test_no_token_or_submitted_value_reaches_the_log(app: App) -> None:
    with app.service.engine.connect() as conn:  # type: ignore[attr-defined]
        log = json.dumps([dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_log"))], default=str)
        stored = [r.token_hash for r in conn.execute(text("SELECT token_hash FROM tokens"))]
    for secret in vars(app.tokens).values():
        assert secret not in log and secret not in stored
    for value in ("87.57", "96.64", "WTP"):  # kemenkeu's submitted values
        assert value not in log
    assert "complete" not in log  # a review's reason is kept with the review; the log has its hash


def test_cli_tokens_are_shown_once_revocable_and_audited(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    made = runner.invoke(cli.main, ["admin", "token", "create", "--agency", "kemenkeu", "--role", "submitter",
                                    "--db", db_url])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("kin_") and len(secret) == 47
    app = open_app(db_url)
    assert app.client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = runner.invoke(cli.main, ["admin", "token", "list", "--db", db_url]).stdout
    token_id = next(line.split()[0] for line in listed.splitlines() if "kemenkeu" in line and "submitter" in line)
    assert secret not in listed
    assert runner.invoke(cli.main, ["admin", "token", "revoke", token_id, "--db", db_url]).exit_code == 0
    assert app.client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert runner.invoke(cli.main, ["admin", "token", "revoke", token_id, "--db", db_url]).exit_code == 2
    actions = [e["action"] for e in app.client.get("/api/v1/audit", headers=app.tokens.header("auditor")).json()]
    assert actions[0] == "token.create" and actions[-1] == "token.revoke"
    assert runner.invoke(cli.main, ["audit", "verify", "--db", db_url]).exit_code == 0
