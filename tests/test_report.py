"""The HTML report: self-contained, escaped, with its key elements; rendered in headless Chromium."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine import report
from engine.i18n import using
from tests.analysis_kit import FIVE, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}

    def count(self, tag: str, cls: str | None = None) -> int:
        return sum(1 for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split()))


def _page(tmp_path: Path, subject: str | None = "p2", lang: str = "en") -> str:
    with using(lang):
        now = run(tmp_path, FIVE.replace("p1,p1,", "<b>&x,p1,"))
        before = run(tmp_path, FIVE.replace("p2,p2,A,90,60", "p2,p2,A,70,60"), name="before.csv")
        data = report.build(now.result, subject, before.result, ["data.csv"], runs=30, date=dt.date(2026, 12, 1))
        return report.render(data)


def test_report_has_its_sections_and_charts(tmp_path) -> None:
    html = _page(tmp_path)
    found = _Elements()
    found.feed(html)
    assert {"summary", "tree", "scorecard-tree", "perspectives", "benchmark", "benchmark-table", "trend",
            "trend-table", "improvement", "losses-table", "next-band", "robustness", "rank-intervals"} <= found.ids()
    assert found.count("svg", "chart") >= 4
    assert found.count("svg", "intervals") == 1 and found.count("svg", "strip") == 2
    assert found.count("tr", "me") >= 1  # the subject's row is highlighted


# p2: s = 60% × 90 + 40% × 60 = 54 + 24 = 78; its effective weight of a is 60% (one decimal: 60.0%);
# the previous period had a = 70, so s was 42 + 24 = 66 and the change is +12.
@pytest.mark.parametrize("lang, words, numbers, absent", [
    ("id", ["<html lang=\"id\">", "Ringkasan", "Kartu kinerja (nilai subjek)", "Area perbaikan", "Predikat",
            "tanggal laporan: 1 Desember 2026", "Rentang peringkat (analisis sensitivitas)", "bobot ±20%"],
     ["78,00", "60,0%", "+12,00", "66,00"], ["Summary", "78.00", "60.0%", "December"]),
    ("en", ["<html lang=\"en\">", "Summary", "Scorecard (the subject&#x27;s values)", "Improvement areas", "Rating",
            "report date: 1 December 2026", "Rank intervals (sensitivity analysis)", "weights ±20%"],
     ["78.00", "60.0%", "+12.00", "66.00"], ["Ringkasan", "78,00", "Desember", "Subjek"]),
])
def test_report_follows_the_language(tmp_path, lang, words, numbers, absent) -> None:
    html = _page(tmp_path, lang=lang)
    for text in words + [f">{x}<" for x in numbers]:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_report_is_self_contained_and_escaped(tmp_path) -> None:
    html = _page(tmp_path, None)
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<link" not in html
    assert "<b>&amp;x" not in html and "&lt;b&gt;&amp;x" in html  # a hostile subject id is text


def _png_pixels(path: Path) -> tuple[int, int, set[bytes]]:
    """Width, height and a sample of distinct pixels of an 8-bit RGB(A) PNG (no image library needed)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, ctype = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    bpp = 4 if ctype == 6 else 3
    stride = width * bpp + 1
    seen = set()
    for y in range(0, height, max(1, height // 50)):  # filter bytes vary; sample unfiltered-looking rows
        row = raw[y * stride + 1:(y + 1) * stride]
        seen |= {row[i:i + bpp] for i in range(0, len(row), bpp * 37)}
    return width, height, seen


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_renders_in_headless_chromium(tmp_path, lang) -> None:
    page = tmp_path / "report.html"
    page.write_text(_page(tmp_path, lang=lang), encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
                    page.as_uri()], check=False, capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 20_000
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (1280, 2000)
    assert len(pixels) > 10  # not one colour


def test_report_command_writes_one_file(tmp_path) -> None:
    r = run(tmp_path)
    out = tmp_path / "out" / "report.html"
    res = CliRunner().invoke(main, ["report", str(tmp_path / "uji.kin"), str(tmp_path / "data.csv"), "-o", str(out),
                                    "--id", "p2", "--runs", "10", "--previous", str(tmp_path / "data.csv")])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    for lang, title in (("id", "Ringkasan"), ("en", "Summary")):  # the report follows --lang
        res = CliRunner().invoke(main, ["report", "--lang", lang, str(tmp_path / "uji.kin"),
                                        str(tmp_path / "data.csv"), "-o", str(out), "--runs", "5",
                                        "--as-of", "2026-12-01"])
        html = out.read_text(encoding="utf-8")
        assert res.exit_code == 0 and f'<html lang="{lang}">' in html and f"<h2>{title}</h2>" in html
        assert ("1 Desember 2026" if lang == "id" else "1 December 2026") in html  # the --as-of date
    res = CliRunner().invoke(main, ["report", str(tmp_path / "uji.kin"), str(tmp_path / "data.csv"), "-o", str(out),
                                    "--id", "nobody"])
    assert res.exit_code == 1
    assert r.result.n == 5


def test_analysis_commands_text_and_json(tmp_path) -> None:
    run(tmp_path)
    before = tmp_path / "before.csv"
    before.write_text(FIVE.replace("p2,p2,A,90,60", "p2,p2,A,70,60"), encoding="utf-8")
    pol, data = str(tmp_path / "uji.kin"), str(tmp_path / "data.csv")
    import json

    res = CliRunner().invoke(main, ["benchmark", pol, data, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["positions"][0]["entity"] == "p1"
    res = CliRunner().invoke(main, ["compare", pol, str(before), data, "--id", "p2"])
    assert res.exit_code == 0 and "Cukup -> Cukup" in res.output
    res = CliRunner().invoke(main, ["compare", pol, str(before), data, "--id", "p2", "--format", "json"])
    # p2: s 0.6*70 + 24 = 66 -> 78
    assert [s["nodes"] for s in json.loads(res.stdout)["subjects"] if s["subject"] == "p2"][0][-1]["change"] == 12
    res = CliRunner().invoke(main, ["compare", pol, str(before), data, "--format", "json", "-o",
                                    str(tmp_path / "all.csv")])
    # Whole files: five subjects in both; only p2 moved (66 -> 78) and it stays Cukup: no rating change.
    whole = json.loads(res.stdout)  # "wrote 5 rows" goes to stderr
    assert (whole["subjects_in_both"], whole["rating_changes"], whole["subjects"]) == (5, 0, [])
    assert "p2,p2,66,78,12," in (tmp_path / "all.csv").read_text(encoding="utf-8").replace('"', "")
    res = CliRunner().invoke(main, ["sensitivity", pol, data, "--runs", "20", "--aggregations", "mean,geometric"])
    assert res.exit_code == 0 and "1 unstable rating of 5" in res.output  # singular now (ngettext)
    res = CliRunner().invoke(main, ["sensitivity", pol, data, "--aggregations", "median"])
    assert res.exit_code == 2
