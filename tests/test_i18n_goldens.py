"""Goldens of what a person reads, in both languages, on the bundled examples: `check` of a policy
with errors, the `eval` summary with its rejects, and `test` with failures (`explain` and the
report are issue 14b's goldens).  UPDATE_GOLDEN=1 rewrites them; read the diff before committing:
the Indonesian must read naturally, with no English left in a sentence."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "i18n"

NATIONAL = "policies/nasional/bsc-instansi.kin"
COMMANDS = {
    "check": ["check", "tests/data/cli/broken.kin"],
    "eval": ["eval", "policies/", "examples/instansi-2026.csv", "--policy", "bsc_instansi", "-o", "OUT/hasil.csv"],
    "test": ["test", "tests/data/testing/gagal_test.yaml"],
    "check-github": ["check", "--format", "github", "tests/data/cli/broken.kin"],
    "benchmark": ["benchmark", "policies/", "examples/instansi-2026.csv", "--policy", "bsc_instansi", "--top", "3"],
    "compare": ["compare", "policies/", "examples/instansi-2025.csv", "examples/instansi-2026.csv",
                "--policy", "bsc_instansi"],
    "sensitivity": ["sensitivity", "policies/", "examples/instansi-2026.csv", "--policy", "bsc_instansi",
                    "--runs", "20", "--seed", "1"],
    "diff": ["diff", "OUT/lama.kin", NATIONAL, "--data", "examples/instansi-2026.csv"],
    "doc": ["doc", "policies/instansi/kemenkeu.kin"],
    "graph": ["graph", NATIONAL],
}
# The older version `diff` compares with: the national policy with two perspective weights moved
# (hasil 40% -> 35%, keuangan 15% -> 20%) and one more indicator.
OLD_VERSION = [("perspective hasil \"Hasil dan Pemangku Kepentingan\" weight 40%",
                "perspective hasil \"Hasil dan Pemangku Kepentingan\" weight 35%"),
               ("perspective keuangan \"Keuangan\" weight 15%", "perspective keuangan \"Keuangan\" weight 20%")]
EXTRA_INDICATOR = '\nindicator baru "Indikator baru" { kind output unit "%" source "X" range 0 .. 100 target 5 }\n'


def _old_version(tmp_path: Path) -> None:
    text = (ROOT / NATIONAL).read_text(encoding="utf-8")
    for before, after in OLD_VERSION:
        assert before in text
        text = text.replace(before, after)
    (tmp_path / "lama.kin").write_text(text + EXTRA_INDICATOR, encoding="utf-8")


def _run(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    _old_version(tmp_path)
    args = [a.replace("OUT", str(tmp_path)) for a in COMMANDS[name]]
    result = CliRunner().invoke(cli.main, ["--lang", lang, *args])
    assert result.exit_code in (0, 1), result.output
    text = result.stdout + result.stderr
    return re.sub(r"\d+\.\d{3}s", "0.000s", text.replace(str(tmp_path), "out"))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_golden(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _run(name, lang, tmp_path, monkeypatch)
    expected = GOLDEN / f"{name}.{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


# English words that must not appear in an Indonesian golden outside code, quotes, paths and
# the policies' own names (a mixed-language line is a bug).
ENGLISH = re.compile(r"\b(error|warning|help|rejected|scored|read|row|rows|line|expected|actual|passed|failed|"
                     r"skipped|weight|weights|not|the|and|of|is|has|no)\b")


def _prose(line: str) -> str:
    """A line without `code`, "quoted" text, paths, diagnostic codes, annotation properties and excerpt lines."""
    if re.match(r"\s*\d* *\|", line) or re.match(r"\s*aturan:", line):  # a source excerpt; rules as written
        return ""
    line = re.sub(r"^::(error|warning) [^:]*::", " ", line)  # a GitHub annotation's machine properties
    line = re.sub(r"`[^`]*`|\"[^\"]*\"|\S+/\S+|\[[a-z]+\.[a-z-]+\]|\S+\.(kin|yaml|csv)\S*", " ", line)
    return re.sub(r"\b(expect|expect_missing|expect_violations|given|mean|ratio|min|max|round|target|baseline|"
                  r"better|higher|lower|score|cap|missing|zero|weight \d+%)\b[\w.]*", " ", line)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_indonesian_goldens_have_no_english_sentences(name: str) -> None:
    text = (GOLDEN / f"{name}.id.txt").read_text(encoding="utf-8")
    english = [line for line in text.splitlines() if ENGLISH.search(_prose(line))]
    assert english == []


def test_the_guide_shows_real_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The excerpts of docs/id/panduan.md are what the commands print."""
    guide = (ROOT / "docs" / "id" / "panduan.md").read_text(encoding="utf-8")
    shown = [line for block in re.findall(r"```text\n(.*?)```", guide, re.S) for line in block.splitlines()]
    outputs = _run("check", "id", tmp_path, monkeypatch) + _run("eval", "id", tmp_path, monkeypatch)
    monkeypatch.chdir(ROOT)
    outputs += CliRunner().invoke(cli.main, ["explain", "--lang", "id", "policies/", "examples/instansi-2026.csv",
                                             "--policy", "bsc_instansi", "--id", "kemenkeu"]).output
    missing = [line for line in shown if line.strip() and line.strip() not in outputs]
    assert missing == []
