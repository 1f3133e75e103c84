"""`kinerja doc POLICY`: the policy as the document an officer signs off (issue #12, item 6).

Goldens pin the Markdown of one national policy and of one agency file (the merged view);
regenerate with ``UPDATE_GOLDEN=1`` and read the diff.  The facts the goldens rest on are
asserted below against the policy files themselves.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "doc"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the document names files as the command line gave them


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("policy, golden", [
    ("policies/nasional/skp/kinerja-pegawai-2022.kin", "kinerja-pegawai-2022.md"),
    ("policies/nasional/bsc-instansi.kin", "bsc-instansi.md"),
    ("policies/instansi/kemenkeu.kin", "kemenkeu.md"),
])
def test_markdown_golden(policy: str, golden: str) -> None:
    code, out, _ = run("doc", policy)
    assert code == 0
    path = GOLDEN / golden
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def _line_of(path: str, pattern: str) -> int:
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    return next(k for k, line in enumerate(lines, 1) if re.search(pattern, line))


def test_an_agency_document_marks_each_override_with_the_national_value_it_replaced() -> None:
    _, out, _ = run("doc", "policies/instansi/kemenkeu.kin")
    agency = _line_of("policies/instansi/kemenkeu.kin", r"indicator capaian_iku \{ target 105 \}")
    national = _line_of("policies/nasional/bsc-instansi.kin", r"^    target 100$")  # capaian_iku's, the first
    assert (f"| target of `capaian_iku` | 105 (policies/instansi/kemenkeu.kin:{agency}) | "
            f"100 (policies/nasional/bsc-instansi.kin:{national}) |") in out
    # the weight of `hasil`: kemenkeu 35% replacing the national 40%
    assert re.search(r"\| weight of `hasil` \| 35% \(policies/instansi/kemenkeu\.kin:\d+\) \| 40% ", out)
    # the merged view scores with the agency's target: 105, not 100
    assert "| Score formula | `min(max(value / 105 × 100, 0), 120)` |" in out


def test_every_rule_of_a_national_document_carries_its_citation() -> None:
    _, out, _ = run("doc", "policies/nasional/skp/kinerja-pegawai-2022.kin")
    assert "(no citation)" not in out
    ref = _line_of("policies/nasional/skp/kinerja-pegawai-2022.kin", r'^quota kurva .* ref "')
    assert f"Citation of the quota (covers every rule): SE MenPANRB 3/2023 (kurva distribusi predikat, seperti " \
           f"dirangkum) (policies/nasional/skp/kinerja-pegawai-2022.kin:{ref})" in out
    # the decision table: a row per quadrant cell, the result and the inputs as written
    assert "| `\"Di Atas Ekspektasi\"` | `\"Di Atas Ekspektasi\"` | `\"Sangat Baik\"` |\n" in out


def test_formulas_are_in_words_and_symbols() -> None:
    _, out, _ = run("doc", "policies/nasional/skp/pp46-2011.kin")
    # kuantitas: `score ratio`, a per-subject target: words, then the arithmetic the explanation shows
    assert "| Scoring | the realisation as a percentage of the target, at least 0 |" in out
    assert "| Score formula | `max(value / target_kuantitas × 100, 0)` |" in out
    # waktu: piecewise; each piece printed by the formatter, with its citation (none: the indicator's covers it)
    assert "| Piece 2 | `when efisiensi_waktu <= 24 -> (1.76 * target - value) / target * 100` |" in out
    assert "| Piece 3 | `otherwise 76 - ((1.76 * target - value) / target * 100 - 100)` |" in out


def _policy(tmp_path: Path, label: str, ref: str) -> Path:
    path = tmp_path / "p.kin"
    path.write_text(f'policy p "{label}" version "1" ref "{ref}"\nperiod 2026-01-01 .. 2026-12-31\n'
                    "subject agency\n"
                    'indicator a "A <b>" { kind outcome unit "%" source "S" range 0 .. 100 target 90 ref "x" }\n'
                    'scorecard s ref "y" { a weight 100% }\n', encoding="utf-8")
    return path


def test_html_is_one_self_contained_escaped_page(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "<script>alert(1)</script>", "pasal 1 & <i>2</i>")
    code, out, _ = run("doc", str(policy), "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "pasal 1 &amp; &lt;i&gt;2&lt;/i&gt;" in out and "A &lt;b&gt;" in out
    assert not re.search(r"(src|href)=|https?://|@import|url\(", out)  # nothing fetched from anywhere


def test_markdown_keeps_policy_text_literal(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "a | b *c*", "pasal <1>")
    _, out, _ = run("doc", str(policy))
    assert "# a \\| b \\*c\\*" in out and "pasal \\<1>" in out


def test_output_file_is_written_and_checked_before(tmp_path: Path) -> None:
    out = tmp_path / "doc" / "bsc.html"
    code, stdout, err = run("doc", "policies/nasional/bsc-instansi.kin", "--format", "html", "-o", str(out))
    assert code == 0 and stdout == "" and f"wrote {out}" in err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, _, err = run("doc", "policies/nasional/bsc-instansi.kin", "-o", str(tmp_path / "bsc.html"))
    assert code == 2 and "output.unknown-format" in err  # Markdown is not written to an .html file
    assert not (tmp_path / "bsc.html").exists()


def test_a_broken_policy_gets_its_diagnostics_not_a_document(tmp_path: Path) -> None:
    bad = tmp_path / "bad.kin"
    bad.write_text('policy p "P"\nsubject agency\nscorecard s { missing_name weight 100% }\n', encoding="utf-8")
    code, out, err = run("doc", str(bad))
    assert code == 1 and out == ""
    assert f"{bad}:3:" in err and "help:" in err


def test_the_document_speaks_the_officers_language() -> None:
    code, out, _ = run("--lang", "id", "doc", "policies/instansi/kemenkeu.kin")
    assert code == 0
    assert "## Yang diubah instansi" in out and "- **Dasar hukum:** Interpretasi template" in out
    assert "| Rumus nilai | `min(max(value / 105 × 100, 0), 120)` |" in out
