"""The officers' pages in a real browser: Playwright driving Debian's Chromium against `kinerja serve`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service_kit import ROOT, Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def workbook(path: Path) -> Path:
    """kemenkeu's example row and a second kemenkeu subject whose IKU achievement is not a number."""
    from openpyxl import Workbook

    header, *lines = (ROOT / "examples" / "instansi-2026.csv").read_text().splitlines()
    row = next(line for line in lines if line.startswith("kemenkeu,")).split(",")
    wb = Workbook()
    ws = wb.active
    ws.append(header.split(","))
    ws.append([_cell(v) for v in row])
    ws.append([_cell(v) for v in ["kemenkeu_djp", "kemenkeu", "WTP", "banyak", *row[4:]]])
    wb.save(path)
    return path


def _cell(v: str) -> object:
    try:
        return float(v)
    except ValueError:
        return v or None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    from engine.service import auth, db

    url = f"sqlite:///{tmp_path / 'kinerja.db'}"
    engine = db.connect(url)
    db.migrate(engine)
    with db.writing(engine) as conn:
        tokens = {role: auth.create_token(conn, agency, role)[1]
                  for agency, role in (("kemenkeu", "submitter"), ("kemenpanrb", "reviewer"), ("bpk", "auditor"))}
    engine.dispose()
    srv = Server(url)
    try:
        yield srv, tokens
    finally:
        srv.stop()


# What each language's officer reads on the way through (the pages' texts, a reject reason, numbers).
TEXTS = {
    "id": {"upload": "Unggah", "not a number": "bukan angka", "explain": "penjelasan", "score": "= 94,03",
           "origin": "dari realisasi-kemenkeu.xlsx Sheet!D2", "sign out": "Keluar", "queue": "Antrean reviu",
           "record": "Simpan", "returned": "dikembalikan", "audit log": "Log audit", "chain": "Rantai utuh",
           "sign in": "Masuk", "submissions": "Kiriman data"},
    "en": {"upload": "Upload", "not a number": "not a number", "explain": "explain", "score": "= 94.03",
           "origin": "from realisasi-kemenkeu.xlsx Sheet!D2", "sign out": "Sign out", "queue": "Review queue",
           "record": "Record", "returned": "returned", "audit log": "Audit log", "chain": "Chain intact",
           "sign in": "Sign in", "submissions": "Submissions"},
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_upload_see_a_reject_open_an_explanation_review_audit_and_sign_out(server: tuple[Server, dict[str, str]],
                                                                          tmp_path: Path, lang: str) -> None:
    """In Indonesian as an Indonesian browser asks (Accept-Language: id-ID); in English chosen with the
    page's language switcher from that same browser (the choice outranks Accept-Language)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: .ci/run installs it")
    from playwright.sync_api import sync_playwright

    srv, tokens = server
    t = TEXTS[lang]
    xlsx = workbook(tmp_path / "realisasi-kemenkeu.xlsx")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(locale="id-ID").new_page()
        page.goto(srv.base + "/")
        assert page.url.endswith("/login")  # not signed in
        assert page.get_attribute("html", "lang") == "id" and page.text_content("h1") == "Masuk"
        if lang == "en":
            page.click("#language >> text=English")
            page.wait_for_selector("h1:has-text('Sign in')")
        assert page.get_attribute("html", "lang") == lang
        sign_in(page, tokens["submitter"], t)
        page.set_input_files("input[name=file]", str(xlsx))
        page.select_option("select[name=policy]", "bsc_instansi")  # policies/ holds several national policies
        page.click(f"button:has-text('{t['upload']}')")
        page.wait_for_url("**/submissions/*")
        assert (page.text_content("#read"), page.text_content("#scored"), page.text_content("#rejected")) == \
            ("2", "1", "1")
        reject = page.text_content("#rejects tbody tr")
        assert "Sheet!D3" in reject and "banyak" in reject and t["not a number"] in reject
        page.click(f"#results >> text={t['explain']}")
        page.wait_for_selector("#explanation")
        tree = page.text_content("#explanation")
        assert f"Nilai Kinerja Instansi {t['score']}" in tree and t["origin"] in tree
        page.go_back()
        sub_url = page.url
        page.click(f"text={t['sign out']}")
        page.wait_for_url("**/login")
        page.goto(sub_url)
        assert page.url.endswith("/login")  # the session is gone

        sign_in(page, tokens["reviewer"], t)
        page.click(f"text={t['queue']}")
        page.click("text=realisasi-kemenkeu.xlsx")
        page.check("input[value=return]")
        page.fill("input[name=reason]", "baris kemenkeu_djp ditolak: perbaiki capaian IKU")
        page.click(f"button:has-text('{t['record']}')")
        page.wait_for_selector("#status")
        assert page.text_content("#status") == t["returned"]
        page.click(f"text={t['sign out']}")

        sign_in(page, tokens["auditor"], t)
        page.goto(sub_url)
        trail = page.text_content("#trail")
        assert "submission.create" in trail and "review.create" in trail
        page.click(f"header >> text={t['audit log']}")
        assert t["chain"] in page.text_content("#chain")
        browser.close()


def sign_in(page: object, token: str, t: dict[str, str]) -> None:
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=token]", token)  # type: ignore[attr-defined]
    page.click(f"button:has-text('{t['sign in']}')")  # type: ignore[attr-defined]
    page.wait_for_selector(f"text={t['submissions']}")  # type: ignore[attr-defined]
