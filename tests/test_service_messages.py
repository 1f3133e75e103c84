"""Every answer of the service read in both languages: the API's errors (401, 403, 404, 405, 409,
413, 422, wrong files, empty files, bad periods) and the pages' (error pages, the audit log), with
no English left in an Indonesian answer: the framework's own texts, role and action codes and
Python's date errors are said in the reader's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.service.lang import COOKIE
from tests.service_kit import POLICIES, App, agency_csv, open_app

ID = {"Accept-Language": "id"}
EN = {"Accept-Language": "en"}
CSV = {"period": "2026", "policy": "bsc_instansi"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    made = open_app(f"sqlite:///{tmp_path_factory.mktemp('messages') / 'k.db'}")
    made.sid = made.submit("submitter", agency_csv("kemenkeu")).json()["id"]  # type: ignore[attr-defined]
    return made


# (role, method, url, request arguments, status)
REQUESTS: list[tuple[str | None, str, str, dict[str, Any], int]] = [
    (None, "get", "/api/v1/nothing-here", {}, 404),
    ("submitter", "delete", "/api/v1/submissions", {}, 405),
    (None, "get", "/api/v1/submissions", {}, 401),
    (None, "get", "/api/v1/submissions", {"headers": {"Authorization": "Bearer kin_wrong"}}, 401),
    ("submitter", "get", "/api/v1/audit", {}, 403),
    ("admin", "get", "/api/v1/submissions", {}, 403),
    ("submitter", "get", "/api/v1/submissions/nothing", {}, 404),
    ("submitter", "get", "/api/v1/policies/nothing", {}, 404),
    ("admin", "delete", "/api/v1/admin/tokens/nothing", {}, 404),
    ("submitter", "post", "/api/v1/submissions", {"files": {"file": ("x.txt", b"a")}, "data": CSV}, 400),
    ("submitter", "post", "/api/v1/submissions", {"files": {"file": ("x.csv", b"")}, "data": CSV}, 400),
    ("submitter", "post", "/api/v1/submissions",
     {"files": {"file": ("x.csv", b"id\n")}, "data": {**CSV, "period": "kemarin"}}, 400),
    ("submitter", "post", "/api/v1/submissions",
     {"files": {"file": ("x.csv", b"id\n")}, "data": {**CSV, "period": "2026-13-45"}}, 400),
    ("submitter", "post", "/api/v1/submissions",
     {"files": {"file": ("x.csv", b"id\n")}, "data": {**CSV, "period": "1990"}}, 400),
    ("submitter", "post", "/api/v1/submissions", {"files": {"file": ("x.xlsx", b"not a zip")}, "data": CSV}, 400),
    ("submitter", "post", "/api/v1/submissions",
     {"files": {"file": ("x.csv", b"id\n")}, "data": CSV, "headers": {"Idempotency-Key": "k" * 201}}, 400),
    ("submitter", "post", "/api/v1/submissions", {"content": b"id,agency\n", "headers": {"Content-Type": "text/csv"}},
     422),
    ("submitter", "post", "/api/v1/calculate", {"content": b"{}", "headers": {"Content-Type": "text/plain"}}, 422),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": "2026", "subjects": [{"id": "a"}]}}, 400),
    ("admin", "post", "/api/v1/admin/tokens", {"json": {"agency": " ", "role": "reviewer"}}, 400),
    ("admin", "post", "/api/v1/admin/tokens", {"json": {"agency": "bps", "role": "reviewer", "unit": "u1"}}, 400),
]


def _error(app: App, role: str | None, method: str, url: str, kwargs: dict[str, Any], lang: dict[str, str],
           status: int) -> dict[str, Any]:
    kwargs = dict(kwargs)
    headers = {**(app.tokens.header(role) if role else {}), **kwargs.pop("headers", {}), **lang}
    r = getattr(app.client, method)(url, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    return r.json()["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("role", "method", "url", "kwargs", "status"), REQUESTS,
                         ids=[f"{r[4]}-{r[1]}-{r[2].rsplit('/', 1)[-1]}" for r in REQUESTS])
def test_each_api_error_is_told_in_each_language_with_the_same_code(app: App, role: str | None, method: str,
                                                                      url: str, kwargs: dict[str, Any],
                                                                      status: int) -> None:
    """The same request in Indonesian and in English: the same code, a different sentence (a text left
    in one language, such as Starlette's "Not Found", reads the same in both)."""
    indonesian = _error(app, role, method, url, kwargs, ID, status)
    english = _error(app, role, method, url, kwargs, EN, status)
    assert indonesian["code"] == english["code"]
    assert indonesian["message"] != english["message"], indonesian


@pytest.mark.parametrize(("lang", "said"), [
    (ID, {404: "tidak ada apa pun di `/api/v1/nothing-here`", 405: "`/api/v1/submissions` tidak menerima permintaan "
          "DELETE", 403: "peran administrator tidak boleh melakukan ini; diperlukan peran: pengirim, pereviu, auditor",
          400: "periode `2026-13-45` bukan tanggal yang ada di kalender"}),
    (EN, {404: "nothing is at `/api/v1/nothing-here`", 405: "`/api/v1/submissions` does not take DELETE requests",
          403: "the administrator role may not do this; it needs: submitter, reviewer, auditor",
          400: "period `2026-13-45` is not a day of the calendar"}),
])
def test_the_frameworks_own_errors_roles_and_dates_in_the_readers_words(app: App, lang: dict[str, str],
                                                                        said: dict[int, str]) -> None:
    assert _error(app, None, "get", "/api/v1/nothing-here", {}, lang, 404) == {"code": "not-found",
                                                                                "message": said[404]}
    assert _error(app, "submitter", "delete", "/api/v1/submissions", {}, lang, 405)["message"] == said[405]
    assert _error(app, "admin", "get", "/api/v1/submissions", {}, lang, 403)["message"] == said[403]
    bad_day = {"files": {"file": ("x.csv", b"id\n")}, "data": {**CSV, "period": "2026-13-45"}}
    assert _error(app, "submitter", "post", "/api/v1/submissions", bad_day, lang, 400)["message"] == said[400]


def test_an_unknown_page_says_so_in_the_readers_language(app: App) -> None:
    page = app.client.get("/nothing-here", headers=ID)  # type: ignore[attr-defined]
    assert page.status_code == 404 and "<h1>tidak ada apa pun di `/nothing-here`</h1>" in page.text


def test_a_page_upload_over_the_limit_gets_the_error_page(tmp_path: Path) -> None:
    from engine.service.app import create_app, open_service
    from engine.service.limits import Limits

    service = open_service(POLICIES, f"sqlite:///{tmp_path / 'k.db'}", Limits(max_upload=1000))
    client = TestClient(create_app(service))
    page = client.post("/upload", content=b"x" * 2000, headers=ID)
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in page.text and "<h1>isi permintaan melebihi 1.000 bita</h1>" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    api = client.post("/api/v1/submissions", content=b"x" * 2000, headers=EN)
    assert api.status_code == 413 and api.json()["error"]["message"] == "the request body is over 1,000 bytes"


def test_the_audit_log_names_actions_and_writes_times_in_the_readers_language(app: App) -> None:
    client = app.client
    client.cookies.set(COOKIE, "id")  # type: ignore[attr-defined]
    client.post("/login", data={"token": app.tokens.auditor})  # type: ignore[attr-defined]
    log = client.get("/audit").text  # type: ignore[attr-defined]
    # policies.load: "kebijakan dimuat", token.create: "token dibuat", submission.create: "kiriman disimpan"
    assert "kebijakan dimuat <code>policies.load</code>" in log and "kiriman disimpan <code>submission.create</code>" \
        in log and "token dibuat <code>token.create</code>" in log
    assert "kumpulan kebijakan <code>" in log  # the object of a policies.load entry
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember")
    assert any(f" {m} 20" in log for m in months)  # 1 Desember 2026 14.05, the exact time in its title
    assert 'title="20' in log and "+00:00</td>" not in log
    trail = client.get(f"/submissions/{app.sid}").text  # type: ignore[attr-defined]
    assert "kiriman disimpan <code>submission.create</code>" in trail
    client.cookies.set(COOKIE, "en")  # type: ignore[attr-defined]
    assert "submission stored <code>submission.create</code>" in client.get("/audit").text  # type: ignore[attr-defined]
