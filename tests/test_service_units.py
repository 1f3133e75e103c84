"""Units submit separately (SKP: agencies "and their units"): unit-scoped submitter tokens, rows of
other units rejected with their reason, revisions per unit, quotas over the unit's population, and
isolation between the units of one agency and between agencies (both databases)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cli
from engine.service import auth, db
from tests.service_kit import ROOT, App, open_app

LINES = (ROOT / "examples" / "pegawai-2026.csv").read_text(encoding="utf-8").splitlines()
MISSING = "0" * 32
ENDPOINTS = ["/api/v1/submissions/{sid}", "/api/v1/submissions/{sid}/results", "/api/v1/submissions/{sid}/rejects",
             "/api/v1/submissions/{sid}/file"]


def rows_of(unit: str) -> list[list[str]]:
    return [line.split(",") for line in LINES[1:] if line.split(",")[2] == unit]


def csv(rows: list[list[str]]) -> bytes:
    return ("\n".join([LINES[0], *(",".join(r) for r in rows)]) + "\n").encode()


@pytest.fixture
def units(db_url: str) -> tuple[App, dict[str, dict[str, str]]]:
    app = open_app(db_url)
    with db.writing(app.service.engine) as conn:  # type: ignore[attr-defined]
        made = {name: auth.create_token(conn, agency, "submitter", unit=unit)[1] for name, agency, unit in (
            ("u01", "kemenkeu", "kemenkeu-u01"), ("u02", "kemenkeu", "kemenkeu-u02"), ("bps_u01", "bps", "bps-u01"))}
    headers = {name: {"Authorization": f"Bearer {secret}"} for name, secret in made.items()}
    headers["agency"] = app.tokens.header("submitter")  # kemenkeu's own, for all its units
    return app, headers


def submit(app: App, header: dict[str, str], body: bytes) -> object:
    return app.client.post("/api/v1/submissions", files={"file": ("skp.csv", body)},  # type: ignore[attr-defined]
                           data={"period": "2026", "policy": "kinerja_pegawai"}, headers=header)


def test_a_unit_submits_its_own_rows_and_the_quota_is_over_its_population(units: tuple[App, dict]) -> None:
    app, h = units
    mine = rows_of("kemenkeu-u01")
    for cells in mine:  # predikat_unit "Baik" and every employee "Sangat Baik": SE 3/2023's rule is broken
        cells[3:6] = ["Baik", "Di Atas Ekspektasi", "Di Atas Ekspektasi"]
    other_unit, other_agency = rows_of("kemenkeu-u02")[0], rows_of("klhk-u01")[0]
    r = submit(app, h["u01"], csv([*mine, other_unit, other_agency]))
    assert r.status_code == 201, r.text
    sub = r.json()
    # 19 rows of kemenkeu-u01 scored; the kemenkeu-u02 row and the bps row rejected with their reasons
    assert (sub["unit"], sub["revision"], sub["run"]["rows"]) == ("kemenkeu-u01", 1,
                                                                  {"read": 21, "scored": 19, "rejected": 2})
    assert [v["group"] for v in sub["run"]["quota_violations"]] == ["kemenkeu-u01"]
    rejects = app.client.get(f"/api/v1/submissions/{sub['id']}/rejects", headers=h["u01"]).json()
    reasons = {r["subject_id"]: r["reason"] for r in rejects}
    assert reasons[other_unit[0]] == "unit `kemenkeu-u02` is not `kemenkeu-u01`, the unit this token submits for"
    assert reasons[other_agency[0]] == "unknown agency `klhk`"
    mine[0][4:6] = ["Di Bawah Ekspektasi", "Sesuai Ekspektasi"]  # one "Butuh Perbaikan": the rule holds
    again = submit(app, h["u01"], csv(mine)).json()
    assert (again["revision"], again["run"]["quota_violations"]) == (2, [])
    theirs = submit(app, h["u02"], csv(rows_of("kemenkeu-u02"))).json()
    assert (theirs["unit"], theirs["revision"]) == ("kemenkeu-u02", 1)  # each unit has its own revisions
    current = app.client.get("/api/v1/submissions?current=true", headers=h["agency"]).json()
    assert sorted((s["unit"], s["revision"]) for s in current) == [("kemenkeu-u01", 2), ("kemenkeu-u02", 1)]


def test_units_of_one_agency_and_of_other_agencies_cannot_see_each_other(units: tuple[App, dict]) -> None:
    app, h = units
    sid = submit(app, h["u01"], csv(rows_of("kemenkeu-u01"))).json()["id"]
    for path in ENDPOINTS:
        for who in ("u01", "agency"):  # the unit itself, and its agency's own submitter
            assert app.client.get(path.format(sid=sid), headers=h[who]).status_code == 200, (who, path)
        for who in ("u02", "bps_u01"):  # another unit of the agency, a unit of another agency: not there
            seen = app.client.get(path.format(sid=sid), headers=h[who])
            missing = app.client.get(path.format(sid=MISSING), headers=h[who])
            assert (seen.status_code, seen.json()) == (404, missing.json()), (who, path)
    listed = {who: [s["id"] for s in app.client.get("/api/v1/submissions", headers=h[who]).json()]
              for who in ("u01", "u02", "bps_u01", "agency")}
    assert listed == {"u01": [sid], "u02": [], "bps_u01": [], "agency": [sid]}


def test_a_unit_cannot_submit_a_policy_not_grouped_by_unit(units: tuple[App, dict]) -> None:
    app, h = units
    r = app.client.post("/api/v1/submissions", files={"file": ("i.csv", (ROOT / "examples" / "instansi-2026.csv")
                                                               .read_bytes())},
                        data={"period": "2026", "policy": "bsc_instansi"}, headers=h["u01"])
    assert r.status_code == 400 and "cannot be submitted by one unit" in r.json()["error"]["message"]


def test_unit_tokens_from_the_command_line_and_the_api(db_url: str) -> None:
    made = CliRunner().invoke(cli.main, ["admin", "token", "create", "--agency", "kemenkeu", "--unit",
                                         "kemenkeu-u01", "--role", "submitter", "--db", db_url])
    assert made.exit_code == 0 and "kemenkeu, unit kemenkeu-u01" in made.stderr
    listed = CliRunner().invoke(cli.main, ["admin", "token", "list", "--db", db_url])
    assert "kemenkeu/kemenkeu-u01" in listed.output
    wrong = CliRunner().invoke(cli.main, ["admin", "token", "create", "--agency", "kemenkeu", "--unit", "x",
                                          "--role", "reviewer", "--db", db_url])
    assert wrong.exit_code == 2 and "--unit is for a submitter token" in wrong.output
    app = open_app(db_url)
    r = app.client.post("/api/v1/admin/tokens", json={"agency": "kemenkeu", "role": "submitter",  # type: ignore[attr-defined]
                                                      "unit": "kemenkeu-u02"}, headers=app.tokens.header("admin"))
    assert r.status_code == 201 and r.json()["unit"] == "kemenkeu-u02"
    r = app.client.post("/api/v1/admin/tokens", json={"agency": "kemenkeu", "role": "auditor",  # type: ignore[attr-defined]
                                                      "unit": "kemenkeu-u02"}, headers=app.tokens.header("admin"))
    assert r.status_code == 400


def test_the_pages_name_the_unit(units: tuple[App, dict]) -> None:
    app, h = units
    sid = submit(app, h["u01"], csv(rows_of("kemenkeu-u01"))).json()["id"]
    client = app.client
    signed = client.post("/login", data={"token": h["u01"]["Authorization"][7:]},  # type: ignore[attr-defined]
                         follow_redirects=False)
    assert signed.status_code == 303
    home = client.get("/").text  # type: ignore[attr-defined]  # the client keeps the session cookie
    assert "Submit realisations for kemenkeu, unit kemenkeu-u01" in home and "kemenkeu / kemenkeu-u01" in home
    page = client.get(f"/submissions/{sid}").text  # type: ignore[attr-defined]
    assert "kemenkeu / kemenkeu-u01 · kinerja_pegawai" in page


def test_a_unit_reject_speaks_the_requests_language(units: tuple[App, dict]) -> None:
    app, h = units
    indonesian = {**h["u01"], "Accept-Language": "id"}
    sub = submit(app, indonesian, csv([*rows_of("kemenkeu-u01")[:2], rows_of("kemenkeu-u02")[0]])).json()
    rejects = app.client.get(f"/api/v1/submissions/{sub['id']}/rejects", headers=indonesian).json()
    assert [r["reason"] for r in rejects] == ["unit `kemenkeu-u02` bukan `kemenkeu-u01`, unit yang diwakili token ini"]
