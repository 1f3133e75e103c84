"""The service in both languages: each request's language (switcher cookie, Accept-Language, the
server's choice), the pages' texts, numbers and dates, the API's error messages, and concurrent
requests in different languages each served in their own."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine import i18n
from engine.service.lang import COOKIE, Language, from_accept_language
from tests.service_kit import App, agency_csv, open_app

ID = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def app(tmp_path: Path) -> App:
    return open_app(f"sqlite:///{tmp_path / 'k.db'}")


@pytest.mark.parametrize(("header", "lang"), [
    ("id-ID,id;q=0.9,en;q=0.8", "id"),
    ("en-US,en;q=0.9,id;q=0.8", "en"),
    ("fr-FR, en;q=0.5, id;q=0.7", "id"),  # the higher weight wins, not the order
    ("en;q=0.5, id;q=0.5", "en"),  # equal weights: the first listed
    ("id;q=0, en", "en"),  # q=0 means "not this one"
    ("fr, de", None), ("", None), ("id;q=abc", None),
])
def test_accept_language_picks_the_most_wanted_supported_language(header: str, lang: str | None) -> None:
    assert from_accept_language(header) == lang


def test_the_pages_follow_accept_language(app: App) -> None:
    page = app.client.get("/login", headers=ID)  # type: ignore[attr-defined]
    assert '<html lang="id">' in page.text and "<h1>Masuk</h1>" in page.text and "Token API" in page.text
    assert page.headers["content-language"] == "id" and "Accept-Language" in page.headers["vary"]
    page = app.client.get("/login", headers=EN)  # type: ignore[attr-defined]
    assert '<html lang="en">' in page.text and "<h1>Sign in</h1>" in page.text


def test_without_a_choice_the_server_language_applies(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    assert '<html lang="en">' in app.client.get("/login").text  # type: ignore[attr-defined] # conftest: KINERJA_LANG=en
    monkeypatch.setenv("KINERJA_LANG", "id")  # `kinerja serve` with KINERJA_LANG=id (or --lang id)
    assert '<html lang="id">' in app.client.get("/login").text  # type: ignore[attr-defined]
    i18n.set_language("en")  # `kinerja --lang en serve`: the process's choice outranks KINERJA_LANG
    assert '<html lang="en">' in app.client.get("/login").text  # type: ignore[attr-defined]


def test_the_switcher_remembers_the_choice_over_accept_language(app: App) -> None:
    page = app.client.get("/login", headers=ID).text  # type: ignore[attr-defined]
    assert 'href="/language/en?back=/login"' in page and '<b lang="id">Bahasa Indonesia</b>' in page
    r = app.client.get("/language/en?back=/login", follow_redirects=False)  # type: ignore[attr-defined]
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert f"{COOKIE}=en" in r.headers["set-cookie"]
    assert "<h1>Sign in</h1>" in app.client.get("/login", headers=ID).text  # type: ignore[attr-defined]
    app.client.get("/language/id?back=/login")  # type: ignore[attr-defined]
    assert "<h1>Masuk</h1>" in app.client.get("/login", headers=EN).text  # type: ignore[attr-defined]


@pytest.mark.parametrize("back", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)"])
def test_the_switcher_only_goes_back_to_this_site(app: App, back: str) -> None:
    r = app.client.get("/language/id", params={"back": back}, follow_redirects=False)  # type: ignore[attr-defined]
    assert r.headers["location"] == "/"
    assert app.client.get("/language/fr", follow_redirects=False).status_code == 404  # type: ignore[attr-defined]


def _signed_in(app: App, role: str, lang: str) -> None:
    app.client.cookies.set(COOKIE, lang)  # type: ignore[attr-defined]
    r = app.client.post("/login", data={"token": getattr(app.tokens, role)}, follow_redirects=False)  # type: ignore[attr-defined]
    assert r.status_code == 303


def test_the_submission_page_in_indonesian_writes_numbers_and_dates_as_indonesians_do(app: App) -> None:
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    _signed_in(app, "submitter", "id")
    page = app.client.get(f"/submissions/{sid}").text  # type: ignore[attr-defined]
    assert "<h2>Data ditolak</h2>" in page and "<h2>Nilai</h2>" in page and ">penjelasan</a>" in page
    assert '<span class="status-submitted" id="status">dikirim</span>' in page
    # kemenkeu's total score is 94.03 (tests/test_service_pages.py): Indonesian writes the decimal comma
    assert ">94,03</td>" in page and ">94.03</td>" not in page
    home = app.client.get("/").text  # type: ignore[attr-defined]
    months = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    assert re.search(rf"<td>\d{{1,2}} ({months}) \d{{4}} \d\d\.\d\d</td>", home)  # 1 Desember 2026 14.05
    assert "pengirim</span>" in home and "Kirim realisasi untuk kemenkeu" in home


def test_the_submission_page_in_english(app: App) -> None:
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]
    _signed_in(app, "submitter", "en")
    page = app.client.get(f"/submissions/{sid}").text  # type: ignore[attr-defined]
    assert "<h2>Rejected rows</h2>" in page and ">94.03</td>" in page and ">submitted</span>" in page


def test_api_error_messages_follow_accept_language_and_codes_stay(app: App) -> None:
    r = app.client.get("/api/v1/submissions", headers=ID)  # type: ignore[attr-defined]
    assert r.status_code == 401 and r.json()["error"] == {
        "code": "unauthenticated", "message": "kirim token API yang sah: Authorization: Bearer kin_…"}
    bad = app.submit("submitter", agency_csv("kemenkeu"), period="kemarin", headers=ID).json()["error"]  # type: ignore[attr-defined]
    assert bad == {"code": "unreadable-submission",
                   "message": "periode `kemarin` bukan tahun (2026) atau tanggal (2026-12-31)"}
    bad = app.submit("submitter", agency_csv("kemenkeu"), period="kemarin", headers=EN).json()["error"]  # type: ignore[attr-defined]
    assert bad["message"] == "period `kemarin` is not a year (2026) or a date (2026-12-31)"
    r = app.client.get("/api/v1/submissions/nothing", headers={**app.tokens.header("submitter"), **ID})  # type: ignore[attr-defined]
    assert r.json()["error"] == {"code": "not-found", "message": "kiriman tersebut tidak ditemukan"}


def test_the_request_size_refusal_is_in_the_requests_language(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from engine.service.app import create_app, open_service
    from engine.service.limits import Limits

    service = open_service(Path(__file__).resolve().parents[1] / "policies", f"sqlite:///{tmp_path / 'k.db'}",
                           Limits(max_upload=1000))
    r = TestClient(create_app(service)).post("/api/v1/submissions", content=b"x" * 2000, headers=ID)
    assert r.status_code == 413 and r.json()["error"]["message"] == "isi permintaan melebihi 1.000 bita"


def test_concurrent_requests_in_different_languages_each_get_their_own() -> None:
    """Two requests interleaved on one event loop: the first waits until the second has chosen its
    language, then reads its own (a process-wide language would give it the second's)."""
    second_chose = asyncio.Event()

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] == "/first":
            await second_chose.wait()
        else:
            second_chose.set()
        body = f"{i18n.language()} {i18n._('Sign in')}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def both() -> list[str]:
        transport = httpx.ASGITransport(app=Language(inner))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = client.get("/first", headers=ID)
            second = client.get("/second", headers=EN)
            return [r.text for r in await asyncio.gather(first, second)]

    assert asyncio.run(both()) == ["id Masuk", "en Sign in"]


def test_many_concurrent_page_requests_each_in_their_own_language(app: App) -> None:
    """The real application, its sync endpoints on the thread pool: 20 requests at once, alternating."""
    from engine.service.app import create_app

    async def all_of_them() -> list[tuple[str, str]]:
        transport = httpx.ASGITransport(app=create_app(app.service))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            langs = ["id", "en"] * 10
            pages = await asyncio.gather(*(client.get("/login", headers={"Accept-Language": lang}) for lang in langs))
            return [(lang, p.text) for lang, p in zip(langs, pages, strict=True)]

    for lang, text in asyncio.run(all_of_them()):
        assert f'<html lang="{lang}">' in text and ("<h1>Masuk</h1>" if lang == "id" else "<h1>Sign in</h1>") in text


def test_reject_reasons_are_served_in_the_requests_language(app: App) -> None:
    """Stored in the uploader's language; a reader in the other language gets the stored file read
    again in theirs: the same rows, codes and values, the reason reworded."""
    bad = agency_csv("kemenkeu").replace(b"87.57", b"banyak")  # kemenkeu's achievement: not a number
    sid = app.submit("submitter", bad, headers=EN).json()["id"]  # type: ignore[attr-defined]
    h = app.tokens.header("submitter")
    english = app.client.get(f"/api/v1/submissions/{sid}/rejects", headers={**h, **EN}).json()  # type: ignore[attr-defined]
    indonesian = app.client.get(f"/api/v1/submissions/{sid}/rejects", headers={**h, **ID}).json()  # type: ignore[attr-defined]
    assert len(english) == len(indonesian) == 1
    assert "`banyak` is not a number" in english[0]["reason"]
    assert "`banyak` bukan angka" in indonesian[0]["reason"]
    assert {k: v for k, v in english[0].items() if k not in ("reason", "help", "row")} == \
        {k: v for k, v in indonesian[0].items() if k not in ("reason", "help", "row")}
    _signed_in(app, "reviewer", "id")
    assert "`banyak` bukan angka" in app.client.get(f"/submissions/{sid}").text  # type: ignore[attr-defined]


def test_an_explanation_is_served_in_the_requests_language(app: App) -> None:
    sid = app.submit("submitter", agency_csv("kemenkeu")).json()["id"]  # type: ignore[attr-defined]
    url, h = f"/api/v1/submissions/{sid}/explain/kemenkeu", app.tokens.header("submitter")
    english = app.client.get(url, headers={**h, **EN}).json()  # type: ignore[attr-defined] # produced and stored
    indonesian = app.client.get(url, headers={**h, **ID}).json()  # type: ignore[attr-defined]
    assert (english["lang"], indonesian["lang"]) == ("en", "id")
    assert app.client.get(url, headers={**h, **EN}).json() == english  # type: ignore[attr-defined] # the stored one

    def scores(node: dict[str, Any]) -> list[Any]:
        return [node.get("value"), node.get("band"), *(s for c in node.get("children", []) for s in scores(c))]

    assert [scores(n) for n in english["nodes"]] == [scores(n) for n in indonesian["nodes"]]
    _signed_in(app, "submitter", "id")
    page = app.client.get(f"/submissions/{sid}/explain/kemenkeu").text  # type: ignore[attr-defined]
    assert "<h1>Penjelasan: kemenkeu</h1>" in page and "= 94,03" in page and "dari " in page
    # the method in words, its keyword as code (not a literal `mean` with backticks)
    assert "rata-rata berbobot (<code>mean</code>), kontribusi dijumlahkan: 35% × 84,666" in page and "`" not in page
