"""What a walk through every command in Bahasa Indonesia found mixed into Indonesian lines: an English
method name in a diagnostic, English digits in a range, a submitted value in the wrong digits.
Each test reads one line as an officer would."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "tests" / "golden" / "graph" / "sample.kin")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli.main, list(args))
    return result.stdout + result.stderr


def test_a_check_names_the_method_in_words_and_writes_ranges_with_indonesian_digits() -> None:
    text = run("check", "--lang", "id", SAMPLE)
    # kecepatan = pengaduan: range 0 .. 100, target 90, `ratio` without a cap, round 2: 100 / 90 × 100 = 111.11
    assert ("`kecepatan` dapat bernilai nol (rentangnya [0; 111,11]), dan rata-rata geometrik berbobot "
            "(`geometric`) darinya tidak terdefinisi") in text
    assert "`pelanggan` memakai rata-rata geometrik berbobot (`geometric`)" in text
    # "Baik" when >= 90 and "Butuh Perbaikan" when >= 70 on a score capped at 120 (2 decimals)
    assert "sama-sama cocok dengan nilai mulai 90 sampai 120,00" in text
    english = run("check", "--lang", "en", SAMPLE)
    assert "(its range is [0, 111.11]), and the weighted geometric mean (`geometric`) of it is undefined" in english


def test_a_reject_reason_writes_the_submitted_number_in_indonesian_digits(tmp_path: Path) -> None:
    out = tmp_path / "hasil.csv"
    text = run("eval", "--lang", "id", str(ROOT / "policies"), str(ROOT / "examples" / "instansi-2026.csv"),
               "--policy", "bsc_instansi", "-o", str(out))
    # line 12 of the example: ikm 101.5 against `range 25 .. 100`
    assert "baris 12: nilai 101,5 di luar rentang 25 .. 100 untuk `ikm`" in text
    rejects = (tmp_path / "hasil.rejects.csv").read_text(encoding="utf-8")
    assert ",ikm,101.5," in rejects  # the value column keeps the machine's digits


def test_fmt_diff_labels_the_formatted_side_in_the_language(tmp_path: Path) -> None:
    policy = tmp_path / "p.kin"
    policy.write_text('policy p version "1"\ninput a   "A"\n', encoding="utf-8")  # two spaces: fmt changes it
    text = run("fmt", "--lang", "id", "--diff", str(policy))
    assert f"+++ {policy} (dirapikan)" in text and "(formatted)" not in text
    assert f"+++ {policy} (formatted)" in run("fmt", "--lang", "en", "--diff", str(policy))


def test_a_policy_diff_names_the_changed_attribute_in_words() -> None:
    # the golden's older version moves two perspective weights (tests/test_i18n_goldens.py OLD_VERSION)
    text = (ROOT / "tests" / "golden" / "i18n" / "diff.id.txt").read_text(encoding="utf-8")
    assert "berubah  perspektif nilai_kinerja.hasil: bobot (`weight`) `35%` -> `40%`" in text
    english = (ROOT / "tests" / "golden" / "i18n" / "diff.en.txt").read_text(encoding="utf-8")
    assert "perspective nilai_kinerja.hasil: `weight` `35%` -> `40%`" in english  # the English word is the keyword
