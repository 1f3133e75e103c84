"""The web pages without a browser: sign-in, CSRF, roles, the HTML report, escaping."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.service_kit import ROOT, App, agency_csv, open_app


@pytest.fixture
def app(tmp_path: Path) -> App:
    return open_app(f"sqlite:///{tmp_path / 'k.db'}")


def sign_in(app: App, role: str) -> str:
    r = app.client.post("/login", data={"token": getattr(app.tokens, role)}, follow_redirects=False)  # type: ignore[attr-defined]
    assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
    assert "samesite=strict" in r.headers["set-cookie"].lower()
    page = app.client.get("/").text  # type: ignore[attr-defined]
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]


def test_a_wrong_token_does_not_sign_in(app: App) -> None:
    r = app.client.post("/login", data={"token": "kin_wrong"})  # type: ignore[attr-defined]
    assert r.status_code == 401 and "not valid" in r.text and "set-cookie" not in r.headers
    assert app.client.get("/", follow_redirects=False).headers["location"] == "/login"  # type: ignore[attr-defined]


def test_a_form_without_this_sessions_csrf_token_is_refused(app: App) -> None:
    csrf = sign_in(app, "submitter")
    files = {"file": ("k.csv", agency_csv("kemenkeu"))}
    r = app.client.post("/upload", files=files, data={"period": "2026", "policy": "bsc_instansi",  # type: ignore[attr-defined]
                                                      "csrf": "0" * 40})
    assert r.status_code == 403 and "did not come from this site" in r.text
    r = app.client.post("/upload", files=files, data={"period": "2026", "policy": "bsc_instansi", "csrf": csrf},  # type: ignore[attr-defined]
                        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/submissions/")


def test_the_report_page_is_the_kinerja_report_of_the_stored_file(app: App, tmp_path: Path) -> None:
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    sign_in(app, "submitter")
    r = app.client.get(f"/submissions/{sid}/report/kemenkeu")  # type: ignore[attr-defined]
    assert r.status_code == 200 and "<svg" in r.text and "kemenkeu" in r.text
    assert app.client.get(f"/submissions/{sid}/report/nobody").status_code == 404  # type: ignore[attr-defined]


def test_old_submissions_are_explained_under_the_policies_they_were_scored_under(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}", policies)
    old = app.submit("submitter", agency_csv("kemenkeu")).json()
    for kin in (policies / "nasional" / "bsc-instansi.kin", policies / "instansi" / "kemenpanrb.kin"):
        kin.write_text(kin.read_text().replace('"Sangat Baik"', '"Amat Baik"'))  # the band is renamed
    assert app.client.post("/api/v1/admin/reload", headers=app.tokens.header("admin")).status_code == 200  # type: ignore[attr-defined]
    new = app.submit("submitter", agency_csv("kemenkeu").replace(b"87.57", b"87.58")).json()
    h = app.tokens.header("submitter")
    for sub, band in ((old, "Sangat Baik"), (new, "Amat Baik")):
        row = app.client.get(f"/api/v1/submissions/{sub['id']}/results", headers=h).json()[0]  # type: ignore[attr-defined]
        assert row["predikat_kinerja"] == band
        ex = app.client.get(f"/api/v1/submissions/{sub['id']}/explain/kemenkeu", headers=h).json()  # type: ignore[attr-defined]
        assert next(n for n in ex["nodes"] if n["name"] == "predikat_kinerja")["band"] == band
    assert old["run"]["policy_set"] != new["run"]["policy_set"]
    sign_in(app, "submitter")
    report = app.client.get(f"/submissions/{old['id']}/report/kemenkeu")  # type: ignore[attr-defined]
    assert report.status_code == 200 and "Sangat Baik" in report.text and "Amat Baik" not in report.text


def test_an_explanation_that_does_not_reproduce_the_stored_score_is_refused(app: App) -> None:
    from sqlalchemy import text

    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    with app.service.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("UPDATE results SET row = replace(row, '94.03', '95.03')"))  # as if another engine scored it
    r = app.client.get(f"/api/v1/submissions/{sid}/explain/kemenkeu", headers=app.tokens.header("submitter"))  # type: ignore[attr-defined]
    assert r.status_code == 409 and "gives a different result" in r.json()["error"]["message"]


def test_submitted_text_is_escaped(app: App) -> None:
    evil = agency_csv("kemenkeu").replace(b"\nkemenkeu,kemenkeu,WTP", b"\n<script>x</script>,kemenkeu,WTP")
    sid = app.submit("submitter", evil, "<b>evil</b>.csv").json()["id"]
    sign_in(app, "submitter")
    page = app.client.get(f"/submissions/{sid}").text  # type: ignore[attr-defined]
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_other_roles_see_their_views(app: App) -> None:
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    sign_in(app, "other_submitter")
    assert app.client.get(f"/submissions/{sid}").status_code == 404  # type: ignore[attr-defined]
    sign_in(app, "admin")
    assert app.client.get(f"/submissions/{sid}").status_code == 403  # type: ignore[attr-defined]
    sign_in(app, "reviewer")
    assert "Review queue" in app.client.get("/?status=submitted").text  # type: ignore[attr-defined]
    sign_in(app, "auditor")
    assert "Chain intact" in app.client.get("/audit").text  # type: ignore[attr-defined]
