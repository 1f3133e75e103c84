"""`kinerja explain` in both languages (issue #14): the language choice reaches the explanation,
numbers follow it digit for digit, JSON keys and full-precision numbers do not change."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from click.testing import CliRunner

from cli import main
from tests.explain_recompute import ROOT

ARGS = ["explain", "policies/", "examples/instansi-2026.csv", "--policy", "bsc_instansi", "--id", "kemenkeu"]


def _explain(*extra: str) -> str:
    res = CliRunner().invoke(main, [*ARGS, *extra])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_explain_speaks_indonesian_with_indonesian_digits(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = _explain("--lang", "id")
    # kemenkeu: capaian_iku 87.57 against its agency target 105: 87.57 / 105 × 100 = 83.4 (line 2 of the CSV)
    assert "realisasi 87,57 dari examples/instansi-2026.csv baris 2, kolom capaian_iku" in text
    assert "rasio (`ratio`): min(max(87,57 / 105 × 100, 0), 120) = 83,40" in text
    # 35% × 84.666 + 20% × 101.8 + 25% × 104.745 + 20% × 89.247 = 29.6331 + 20.36 + 26.18625 + 17.8494 = 94.02875
    assert ("rata-rata berbobot (`mean`), kontribusi dijumlahkan: 35% × 84,666 + 20% × 101,8 + 25% × 104,745 "
            "+ 20% × 89,247 = 94,029, dibulatkan ke 2 desimal: 94,03") in text
    assert "bobot 35% (efektif 35%)" in text and "menggantikan nilai nasional `40%` di " in text
    english = _explain("--lang", "en")
    assert "raw 87.57 from examples/instansi-2026.csv line 2, column capaian_iku" in english
    assert "realisasi 87" not in english and not re.search(r"^\s*raw ", text, re.M)  # `score raw` is code


def test_json_keys_and_numbers_are_the_same_in_both_languages(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    docs = {lang: json.loads(_explain("--lang", lang, "--format", "json")) for lang in ("id", "en")}
    assert docs["id"]["lang"] == "id" and docs["en"]["lang"] == "en"
    top = {lang: doc["nodes"][0] for lang, doc in docs.items()}
    assert top["id"].keys() == top["en"].keys() and top["id"]["value"] == top["en"]["value"]
    assert (top["id"]["shown"], top["en"]["shown"]) == ("94,03", "94.03")


def test_an_indonesian_locale_gives_an_indonesian_explanation() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KINERJA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env |= {"LANG": "id_ID.UTF-8", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "cli", *ARGS], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("kemenkeu (instansi kemenkeu melalui policies/instansi/kemenkeu.kin, kebijakan ")
