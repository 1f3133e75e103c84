"""Analyses in both languages (issue #14): text tables in the reader's words and number format,
machine outputs (JSON, CSV) byte for byte the same in both."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.analysis_kit import FIVE, run


def _cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str, str]:
    run(tmp_path)
    before = tmp_path / "before.csv"
    before.write_text(FIVE.replace("p2,p2,A,90,60", "p2,p2,A,70,60"), encoding="utf-8")
    return str(tmp_path / "uji.kin"), str(before), str(tmp_path / "data.csv")


# s = 60% a + 40% b: p1 100, p2 54 + 24 = 78, p3 48 + 36 = 84, p4 78, p5 0 + 20 = 20.
# Group A (p1..p3): mean (100 + 78 + 84) / 3 = 87.333..; group B (p4, p5): mean (78 + 20) / 2 = 49.
# Before, p2 had a = 70: s = 42 + 24 = 66, so the mean change over five subjects is 12 / 5 = 2.4.
@pytest.mark.parametrize("lang, benchmark, compare", [
    ("id", ["pembandingan s (Nilai) per subjek di dalam grup: 5 entitas", "kelompok A: n=3 rata-rata=87,33",
            "kelompok B: n=2 rata-rata=49,00",
            "rujukan Nasional: 75 (Laporan nasional)", "entitas", "peringkat"],
     ["5 subjek ada di keduanya", "rata-rata perubahan +2,40, median +0,00; naik 1, turun 0, tetap 4",
      "perpindahan predikat (baris: ", "predikat berubah untuk 0 subjek"]),
    ("en", ["benchmark s (Nilai) by subject within grup: 5 entities", "group A: n=3 mean=87.33",
            "group B: n=2 mean=49.00",
            "reference Nasional: 75 (Laporan nasional)", "entity", "rank"],
     ["5 subjects in both", "mean change +2.40, median +0.00; up 1, down 0, same 4",
      "rating transitions (rows: ", "rating changed for 0 subjects"]),
])
def test_analysis_text_follows_the_language(files, lang, benchmark, compare) -> None:
    pol, before, now = files
    text = _cli("benchmark", "--lang", lang, pol, now)
    assert all(x in text for x in benchmark), text
    text = _cli("compare", "--lang", lang, pol, before, now)
    assert all(x in text for x in compare), text
    text = _cli("sensitivity", "--lang", lang, pol, now, "--runs", "10")
    assert ("sensitivitas s (r): 10 simulasi, benih 0, bobot ±20%" if lang == "id" else
            "sensitivity of s (r): 10 runs, seed 0, weights ±20%") in text


def test_machine_outputs_are_the_same_in_both_languages(files, tmp_path: Path) -> None:
    pol, before, now = files
    for command in (["benchmark", pol, now], ["compare", pol, before, now], ["sensitivity", pol, now, "--runs", "10"]):
        seen = []
        for lang in ("id", "en"):
            out = tmp_path / f"{command[0]}-{lang}.csv"
            seen.append((_cli(command[0], "--lang", lang, *command[1:], "--format", "json", "-o", str(out)),
                         out.read_bytes()))
        assert seen[0] == seen[1] and b"," in seen[0][1], command


# tests/test_diff.py's data: 9 subjects, 8 change score (8 / 9 = 88.9%), 2 change rating (2 / 9 = 22.2%).
@pytest.mark.parametrize("lang, lines", [
    ("id", ["dampak pada 9 subjek", "  nilai berubah:  8 (88,9%)", "  predikat berubah: 2 (22,2%)",
            "perpindahan predikat (baris: lama, kolom: baru):", "per instansi:"]),
    ("en", ["impact on 9 subjects", "  score changed:  8 (88.9%)", "  rating changed: 2 (22.2%)",
            "rating transitions (rows: old, columns: new):", "per agency:"]),
])
def test_diff_text_follows_the_language(lang, lines) -> None:
    from tests.test_diff import DATA, NEW, OLD

    text = _cli("diff", "--lang", lang, str(OLD), str(NEW), "--data", str(DATA))
    assert all(x in text for x in lines), text
    # a gate: 2 of 9 ratings changed = 22.22% > 5%, so it trips (exit 1)
    res = CliRunner().invoke(main, ["diff", "--lang", lang, str(OLD), str(NEW), "--data", str(DATA),
                                    "--fail-if", "changed-rating>5%"])
    assert res.exit_code == 1 and ("TERPICU changed-rating>5%: changed-rating bernilai 22,22%" if lang == "id" else
                                   "TRIPPED changed-rating>5%: changed-rating is 22.22%") in res.stdout
    json_text = [_cli("diff", "--lang", x, str(OLD), str(NEW), "--data", str(DATA), "--format", "json")
                 for x in ("id", "en")]
    assert json_text[0] == json_text[1]
