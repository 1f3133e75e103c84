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


def test_upload_see_a_reject_open_an_explanation_review_audit_and_sign_out(server: tuple[Server, dict[str, str]],
                                                                          tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: .ci/run installs it")
    from playwright.sync_api import sync_playwright

    srv, tokens = server
    xlsx = workbook(tmp_path / "realisasi-kemenkeu.xlsx")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(srv.base + "/")
        assert page.url.endswith("/login")  # not signed in
        sign_in(page, tokens["submitter"])
        page.set_input_files("input[name=file]", str(xlsx))
        page.select_option("select[name=policy]", "bsc_instansi")  # policies/ holds several national policies
        page.click("button:has-text('Upload')")
        page.wait_for_url("**/submissions/*")
        assert (page.text_content("#read"), page.text_content("#scored"), page.text_content("#rejected")) == \
            ("2", "1", "1")
        reject = page.text_content("#rejects tbody tr")
        assert "Sheet!D3" in reject and "banyak" in reject and "not a number" in reject
        page.click("#results >> text=explain")
        page.wait_for_selector("#explanation")
        tree = page.text_content("#explanation")
        assert "Nilai Kinerja Instansi = 94.03" in tree and "from realisasi-kemenkeu.xlsx Sheet!D2" in tree
        page.go_back()
        sub_url = page.url
        page.click("text=Sign out")
        page.wait_for_url("**/login")
        page.goto(sub_url)
        assert page.url.endswith("/login")  # the session is gone

        sign_in(page, tokens["reviewer"])
        page.click("text=Review queue")
        page.click("text=realisasi-kemenkeu.xlsx")
        page.check("input[value=return]")
        page.fill("input[name=reason]", "baris kemenkeu_djp ditolak: perbaiki capaian IKU")
        page.click("button:has-text('Record')")
        page.wait_for_selector("#status")
        assert page.text_content("#status") == "returned"
        page.click("text=Sign out")

        sign_in(page, tokens["auditor"])
        page.goto(sub_url)
        trail = page.text_content("#trail")
        assert "submission.create" in trail and "review.create" in trail
        page.click("text=Audit log")
        assert "Chain intact" in page.text_content("#chain")
        browser.close()


def sign_in(page: object, token: str) -> None:
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=token]", token)  # type: ignore[attr-defined]
    page.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Submissions")  # type: ignore[attr-defined]
