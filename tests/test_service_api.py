"""The submission API on SQLite and PostgreSQL: submit, read, resubmit, review, calculate, reload."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from tests.service_kit import ROOT, App, agency_csv, open_app

EXAMPLE = ROOT / "examples" / "instansi-2026.csv"


@pytest.fixture
def app(db_url: str) -> App:
    return open_app(db_url)


def eval_rows(tmp_path: Path, data: Path, agency: str) -> tuple[list[dict[str, object]], list[str]]:
    """What `kinerja eval` gives for the same file with only ``agency`` allowed: rows and reject reasons."""
    known = tmp_path / "agencies.txt"
    known.write_text(agency + "\n")
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(cli.main, ["eval", "policies/", str(data), "--policy", "bsc_instansi",
                                           "--as-of", "2026-12-31", "--agencies", str(known), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out.with_name("eval.rejects.csv"), encoding="utf-8") as fh:
        import csv

        reasons = [r["reason"] for r in csv.DictReader(fh)]
    return json.loads(out.read_text()), reasons


def test_a_submission_is_scored_stored_and_identical_to_kinerja_eval(app: App, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    r = app.submit("submitter", EXAMPLE.read_bytes(), "instansi-2026.csv")
    assert r.status_code == 201, r.text
    sub = r.json()
    # 61 data lines: kemenkeu's own row is scored; the 60 rows of other agencies are rejected
    assert sub["run"]["rows"] == {"read": 61, "scored": 1, "rejected": 60}
    assert (sub["agency"], sub["revision"], sub["status"], sub["format"]) == ("kemenkeu", 1, "submitted", "csv")
    assert sub["run"]["policy_version"] == "2026.1"
    assert {f["path"] for f in sub["run"]["policy_files"]} >= {"nasional/bsc-instansi.kin", "instansi/kemenkeu.kin"}
    h = app.tokens.header("submitter")
    rows = app.client.get(f"/api/v1/submissions/{sub['id']}/results", headers=h).json()
    rejects = app.client.get(f"/api/v1/submissions/{sub['id']}/rejects", headers=h).json()
    expected_rows, expected_reasons = eval_rows(tmp_path, EXAMPLE, "kemenkeu")
    assert rows == expected_rows
    # the audit entry's results hash is the hash of the very file `kinerja eval -o eval.json` wrote
    trail = app.client.get(f"/api/v1/submissions/{sub['id']}/audit", headers=app.tokens.header("auditor")).json()
    written = hashlib.sha256((tmp_path / "eval.json").read_bytes()).hexdigest()
    assert trail[0]["details"]["results_sha256"] == written
    assert [r["reason"] for r in rejects] == expected_reasons
    assert rejects[0]["row"] == "line 3" and rejects[0]["reason"] == "unknown agency `kemenpanrb`"
    explanation = app.client.get(f"/api/v1/submissions/{sub['id']}/explain/kemenkeu", headers=h).json()
    cli_json = CliRunner().invoke(cli.main, ["explain", "policies/", str(EXAMPLE), "--policy", "bsc_instansi",
                                             "--as-of", "2026-12-31", "--id", "kemenkeu", "--format", "json"])
    # the same tree; value origins name the file as submitted (the CLI names it as given on its command line)
    assert json.dumps(explanation) == json.dumps(json.loads(cli_json.output)).replace(f"{EXAMPLE.parent}/", "")
    stored = app.client.get(f"/api/v1/submissions/{sub['id']}/file", headers=h)
    assert stored.content == EXAMPLE.read_bytes()


def test_resubmissions_are_revisions_and_repeats_are_recognised(app: App) -> None:
    first = app.submit("submitter", agency_csv("kemenkeu")).json()
    same = app.submit("submitter", agency_csv("kemenkeu"))
    assert same.status_code == 200 and same.json()["id"] == first["id"]  # same bytes: nothing new
    changed = agency_csv("kemenkeu").replace(b"87.57", b"90.00")
    second = app.submit("submitter", changed, headers={"Idempotency-Key": "upload-2"})
    assert second.status_code == 201 and second.json()["revision"] == 2
    again = app.submit("submitter", changed.replace(b"90.00", b"91.00"), headers={"Idempotency-Key": "upload-2"})
    assert again.status_code == 200 and again.json()["id"] == second.json()["id"]  # the key wins
    listed = app.client.get("/api/v1/submissions", headers=app.tokens.header("submitter")).json()
    assert [s["revision"] for s in listed] == [2, 1]  # nothing overwritten
    current = app.client.get("/api/v1/submissions?current=true", headers=app.tokens.header("reviewer")).json()
    assert [s["id"] for s in current] == [second.json()["id"]]


def test_unreadable_and_wrong_submissions_are_refused_with_a_reason(app: App) -> None:
    r = app.submit("submitter", b"id,agency\n", "data.txt")
    assert r.status_code == 400 and "unsupported file type" in r.json()["error"]["message"]
    r = app.submit("submitter", b"not a zip", "data.xlsx")
    assert r.status_code == 400 and "not a valid Excel workbook" in r.json()["error"]["message"]
    r = app.submit("submitter", agency_csv("kemenkeu"), period="2019")
    assert r.status_code == 400 and r.json()["error"]["code"] == "api.no-version-in-force"
    r = app.submit("submitter", agency_csv("kemenkeu"), period="last year")
    assert r.status_code == 400 and "not a year" in r.json()["error"]["message"]
    assert app.client.get("/api/v1/submissions", headers=app.tokens.header("reviewer")).json() == []


def test_reviewers_accept_or_return_with_a_reason(app: App) -> None:
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    url = f"/api/v1/submissions/{sid}/review"
    assert app.client.post(url, json={"decision": "accept", "reason": "ok"},
                           headers=app.tokens.header("submitter")).status_code == 403
    assert app.client.post(url, json={"decision": "maybe", "reason": "?"},
                           headers=app.tokens.header("reviewer")).status_code == 422
    r = app.client.post(url, json={"decision": "return", "reason": "IKM survey missing"},
                        headers=app.tokens.header("reviewer"))
    assert r.status_code == 201
    sub = app.client.get(f"/api/v1/submissions/{sid}", headers=app.tokens.header("submitter")).json()
    assert sub["status"] == "returned" and sub["review"]["reason"] == "IKM survey missing"
    queue = app.client.get("/api/v1/submissions?status=returned", headers=app.tokens.header("reviewer")).json()
    assert [s["id"] for s in queue] == [sid]
    trail = app.client.get(f"/api/v1/submissions/{sid}/audit", headers=app.tokens.header("auditor")).json()
    assert [e["action"] for e in trail] == ["submission.create", "review.create"]
    assert trail[1]["details"]["decision"] == "return"


def test_calculate_scores_without_storing(app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    header, *lines = EXAMPLE.read_text().splitlines()
    records = [dict(zip(header.split(","), line.split(","))) for line in lines[:3]]
    records = [{k: v for k, v in rec.items() if v != ""} for rec in records]
    before = app.client.get("/api/v1/audit", headers=app.tokens.header("auditor")).json()
    r = app.client.post("/api/v1/calculate", json={"policy": "bsc_instansi", "period": "2026", "subjects": records},
                        headers=app.tokens.header("submitter"))
    assert r.status_code == 200, r.text
    body = r.json()
    sample = tmp_path / "three.csv"
    sample.write_text("\n".join([header, *lines[:3]]) + "\n")
    known = tmp_path / "all.txt"
    known.write_text("\n".join(r["agency"] for r in records))
    expected, _ = eval_rows_all(tmp_path, sample)
    assert body["results"] == expected
    assert body["explanations"]["kemenkeu"]["subject_id"] == "kemenkeu"
    after = app.client.get("/api/v1/audit", headers=app.tokens.header("auditor")).json()
    assert after == before  # nothing stored
    assert app.client.get("/api/v1/submissions", headers=app.tokens.header("reviewer")).json() == []


def eval_rows_all(tmp_path: Path, data: Path) -> tuple[list[dict[str, object]], int]:
    out = tmp_path / "all.json"
    result = CliRunner().invoke(cli.main, ["eval", "policies/", str(data), "--policy", "bsc_instansi",
                                           "--as-of", "2026-12-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), result.exit_code


def test_policies_are_listed_with_versions_and_fields(app: App) -> None:
    r = app.client.get("/api/v1/policies/bsc_instansi", headers=app.tokens.header("submitter")).json()
    version = r["versions"][0]
    assert version["version"] == "2026.1" and version["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert "kemenkeu" in version["agencies"]
    iku = next(f for f in version["fields"] if f["name"] == "capaian_iku")
    assert (iku["unit"], iku["range"], iku["required"]) == ("%", "0 .. 200", True)
    assert app.client.get("/api/v1/policies/none", headers=app.tokens.header("submitter")).status_code == 404


def test_a_policy_reload_with_errors_is_refused_and_the_running_version_stays(db_url: str, tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    app = open_app(db_url, policies)
    before = app.client.get("/api/v1/policies", headers=app.tokens.header("admin")).json()["digest"]
    kin = policies / "nasional" / "bsc-instansi.kin"
    kin.write_text(kin.read_text() + "\nindicator broken {\n")  # a syntax error
    assert app.client.post("/api/v1/admin/reload", headers=app.tokens.header("submitter")).status_code == 403
    r = app.client.post("/api/v1/admin/reload", headers=app.tokens.header("admin"))
    assert r.status_code == 400 and r.json()["error"]["diagnostics"]
    assert app.client.get("/api/v1/policies", headers=app.tokens.header("admin")).json()["digest"] == before
    assert app.submit("submitter", agency_csv("kemenkeu")).status_code == 201  # still scoring
    shutil.copy(ROOT / "policies" / "nasional" / "bsc-instansi.kin", kin)
    r = app.client.post("/api/v1/admin/reload", headers=app.tokens.header("admin"))
    assert r.status_code == 200 and r.json()["digest"] == before


def test_health_and_readiness(app: App) -> None:
    assert app.client.get("/api/v1/health").json() == {"status": "ok"}
    assert app.client.get("/api/v1/ready").json()["status"] == "ready"


@pytest.mark.parametrize("fmt", ["json", "parquet", "xlsx"])
def test_every_submission_format_is_read_like_kinerja_eval(tmp_path: Path, fmt: str) -> None:
    """The same kemenkeu row as JSON, Parquet and XLSX scores to the CSV's result (94.03, Sangat Baik)."""
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    rows = [r for r in csv.DictReader(agency_csv("kemenkeu").decode().splitlines())]
    path = tmp_path / f"kemenkeu.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(rows))
    elif fmt == "parquet":
        pq.write_table(pa.table({k: [r[k] for r in rows] for k in rows[0]}), path)
    else:
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(list(rows[0]))
        wb.active.append([float(v) if v.replace(".", "").isdigit() else v for v in rows[0].values()])
        wb.save(path)
    sub = app.submit("submitter", path.read_bytes(), path.name).json()
    assert sub["format"] == fmt and sub["run"]["rows"] == {"read": 1, "scored": 1, "rejected": 0}
    result = app.client.get(f"/api/v1/submissions/{sub['id']}/results", headers=app.tokens.header("submitter"))
    # nilai_kinerja 94.03 and "Sangat Baik": the row of test_a_submission_is_scored_..., checked against `kinerja eval`
    assert (result.json()[0]["nilai_kinerja"], result.json()[0]["predikat_kinerja"]) == (94.03, "Sangat Baik")


def test_distribution_quotas_are_checked_over_the_units_whole_current_population(tmp_path: Path) -> None:
    """SE 3/2023: in a unit rated "Baik" at least one employee must be "Butuh Perbaikan" or worse.
    Unit kemenkeu-u01 (19 employees) all "Di Atas Ekspektasi" on both axes -> all "Sangat Baik": violated.
    The next revision (the unit's whole population again) rates one employee lower: satisfied."""
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    lines = (ROOT / "examples" / "pegawai-2026.csv").read_text().splitlines()
    unit = [line.split(",") for line in lines[1:] if line.split(",")[2] == "kemenkeu-u01"]
    for cells in unit:
        cells[3:6] = ["Baik", "Di Atas Ekspektasi", "Di Atas Ekspektasi"]

    def submit(rows: list[list[str]]) -> dict[str, object]:
        body = "\n".join([lines[0], *(",".join(c) for c in rows)]) + "\n"
        return app.submit("submitter", body.encode(), "skp.csv", policy="kinerja_pegawai").json()

    first = submit(unit)
    assert first["run"]["rows"]["scored"] == 19
    assert [v["group"] for v in first["run"]["quota_violations"]] == ["kemenkeu-u01"]
    ex = app.client.get(f"/api/v1/submissions/{first['id']}/explain/{unit[0][0]}",
                        headers=app.tokens.header("submitter"))
    assert ex.json()["violations"][0]["group"] == "kemenkeu-u01"
    unit[0][4:6] = ["Di Bawah Ekspektasi", "Sesuai Ekspektasi"]  # "Butuh Perbaikan" (the policy's matrix, line 88)
    second = submit(unit)
    assert second["revision"] == 2 and second["run"]["quota_violations"] == []


def test_a_reload_by_one_worker_is_in_force_in_every_worker(tmp_path: Path) -> None:
    """Two services on one database stand for two worker processes: after one reloads a changed
    folder, the other scores new submissions under the reloaded set (compiled from the stored texts)."""
    from engine.service.app import open_service

    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    url = f"sqlite:///{tmp_path / 'k.db'}"
    first = open_app(url, policies)
    other = open_service(policies, url)
    for kin in (policies / "nasional" / "bsc-instansi.kin", policies / "instansi" / "kemenpanrb.kin"):
        kin.write_text(kin.read_text().replace('"Sangat Baik"', '"Amat Baik"'))
    assert first.client.post("/api/v1/admin/reload", headers=first.tokens.header("admin")).status_code == 200
    assert other.current().digest == first.service.current().digest
    from fastapi.testclient import TestClient

    from engine.service.app import create_app

    second = App(TestClient(create_app(other)), first.tokens, other)
    sub = second.submit("submitter", agency_csv("kemenkeu")).json()
    row = second.client.get(f"/api/v1/submissions/{sub['id']}/results", headers=first.tokens.header("submitter"))
    assert row.json()[0]["predikat_kinerja"] == "Amat Baik"
    assert other.policies.root == policies.resolve()  # a later reload still reads the folder


def test_an_open_ended_period_is_listed_with_no_end() -> None:
    from engine.service import scoring

    # policies/nasional/ikm/: ikm-2004.kin `period 2004-02-24 .. 2016-12-31`, ikm-2017.kin
    # `period 2017-01-01 ..` (in force until replaced; it used to be listed as the text "None")
    listed = scoring.describe(scoring.load_policies(ROOT / "policies" / "nasional" / "ikm"))
    assert [v["period"] for p in listed for v in p["versions"]] == [{"start": "2004-02-24", "end": "2016-12-31"},
                                                                    {"start": "2017-01-01", "end": None}]
