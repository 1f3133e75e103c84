"""A policy's subject levels (engine/levels: units and agencies from their employees) are stored with
the submission and served per level, equal to the level files `kinerja eval -o results.json` writes
(both databases); other agencies cannot read them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from tests.service_kit import ROOT, App, agency_csv, open_app

# SE 3/2023 distribution per unit (policies/nasional/skp/distribusi-unit-2023.kin); the bps row is rejected
DATA = ("id,agency,unit_kerja,predikat\n"
        "p1,kemenkeu,U1,Sangat Baik\n"
        "p2,kemenkeu,U1,Baik\n"
        "p3,kemenkeu,U1,Baik\n"
        "p4,kemenkeu,U1,Butuh Perbaikan\n"
        "p5,kemenkeu,U2,Baik\n"
        "p6,kemenkeu,U2,\n"
        "p7,bps,U9,Baik\n")


@pytest.fixture
def app(db_url: str) -> App:
    return open_app(db_url)


def test_levels_are_stored_with_the_submission_and_equal_kinerja_eval(app: App, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    r = app.submit("submitter", DATA.encode(), "skp.csv", policy="distribusi_unit")
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["run"]["rows"] == {"read": 7, "scored": 6, "rejected": 1}
    assert [(lv["level"], lv["of"], lv["keys"], lv["subjects"], lv["members"]) for lv in sub["run"]["levels"]] == [
        ("unit", "employee", ["agency", "unit_kerja"], 2, 6), ("instansi", "unit", ["agency"], 1, 2)]
    h = app.tokens.header("submitter")
    units = app.client.get(f"/api/v1/submissions/{sub['id']}/levels/unit", headers=h).json()
    agency = app.client.get(f"/api/v1/submissions/{sub['id']}/levels/instansi", headers=h).json()
    u1, u2 = units
    # U1: 4 employees, all rated: Sangat Baik 1/4, Baik 2/4 = 0.5 <= 70%, one Butuh Perbaikan (>= 1): meets "Baik"
    assert (u1["subject_id"], u1["pegawai"], u1["berpredikat"], u1["porsi_sangat_baik"], u1["porsi_baik"],
            u1["butuh_perbaikan_atau_kurang"], u1["memenuhi_baik"]) == ("kemenkeu / U1", 4, 4, 0.25, 0.5, 1, 1)
    # U2: 2 employees, 1 rated (Baik): 1/1 = 100% Baik > 70% and no Butuh Perbaikan/Kurang: does not meet it
    assert (u2["subject_id"], u2["pegawai"], u2["berpredikat"], u2["porsi_baik"], u2["memenuhi_baik"]) == (
        "kemenkeu / U2", 2, 1, 1.0, 0)
    # the agency: 2 units with 4 + 2 = 6 employees, 1 of 2 units meeting the "Baik" limits
    assert [(a["subject_id"], a["unit"], a["pegawai_instansi"], a["unit_memenuhi_baik"]) for a in agency] == [
        ("kemenkeu", 2, 6, 0.5)]

    data, known, out = tmp_path / "skp.csv", tmp_path / "agencies.txt", tmp_path / "eval.json"
    data.write_text(DATA)
    known.write_text("kemenkeu\n")
    result = CliRunner().invoke(cli.main, ["eval", "policies/", str(data), "--policy", "distribusi_unit",
                                           "--as-of", "2026-12-31", "--agencies", str(known), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert units == json.loads((tmp_path / "eval.unit.json").read_text())
    assert agency == json.loads((tmp_path / "eval.instansi.json").read_text())
    # the audit entry holds the SHA-256 of each level file `kinerja eval` wrote
    trail = app.client.get(f"/api/v1/submissions/{sub['id']}/audit", headers=app.tokens.header("auditor")).json()
    written = {name: (tmp_path / f"eval.{name}.json").read_bytes() for name in ("unit", "instansi")}
    assert trail[0]["details"]["levels_sha256"] == {name: hashlib.sha256(b).hexdigest() for name, b in written.items()}


def test_levels_are_read_like_results_and_a_missing_level_is_not_found(app: App) -> None:
    sid = app.submit("submitter", DATA.encode(), "skp.csv", policy="distribusi_unit").json()["id"]
    path = f"/api/v1/submissions/{sid}/levels/unit"
    for role, status in (("submitter", 200), ("reviewer", 200), ("auditor", 200), ("admin", 403)):
        assert app.client.get(path, headers=app.tokens.header(role)).status_code == status, role
    bps = app.tokens.header("other_submitter")
    other = app.client.get(path, headers=bps)
    missing = app.client.get(f"/api/v1/submissions/{'0' * 32}/levels/unit", headers=bps)
    assert (other.status_code, other.json()) == (404, missing.json())
    no_level = app.client.get(f"/api/v1/submissions/{sid}/levels/bidang", headers=app.tokens.header("submitter"))
    assert (no_level.status_code, no_level.json()) == (404, missing.json())
    plain = app.submit("submitter", agency_csv("kemenkeu"))  # bsc_instansi has no levels
    assert plain.status_code == 201 and plain.json()["run"]["levels"] == []
    gone = app.client.get(f"/api/v1/submissions/{plain.json()['id']}/levels/unit",
                          headers=app.tokens.header("submitter"))
    assert (gone.status_code, gone.json()) == (404, missing.json())
