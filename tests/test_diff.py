"""`kinerja diff`: structural changes by declaration id, and the impact on a hand-made data set."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import diff as d

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "policies" / "nasional" / "bsc-instansi.kin"
NEW = ROOT / "tests" / "data" / "testing" / "diff" / "bsc-instansi-baru.kin"  # weights 45/10, bands 95/80
DATA = ROOT / "tests" / "data" / "testing" / "diff" / "data.csv"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_structural_changes_by_id() -> None:
    changes = d.diff_paths(OLD, NEW)
    assert [(c.kind, c.id, c.attr, c.before, c.after) for c in changes] == [
        ("changed", 'predikat_kinerja."Sangat Baik"', "bounds", "when >= 90", "when >= 95"),
        ("changed", 'predikat_kinerja."Baik"', "bounds", "when >= 80 and < 90", "when >= 80 and < 95"),
        ("changed", "nilai_kinerja.hasil", "weight", "40%", "45%"),
        ("changed", "nilai_kinerja.keuangan", "weight", "15%", "10%"),
    ]


def test_formatting_and_comments_are_not_changes(tmp_path: Path) -> None:
    text = OLD.read_text(encoding="utf-8")
    reflowed = "# a new comment\n" + text.replace("\n    ", "\n        ").replace("weight 40%", "weight   40%")
    (tmp_path / "x.kin").write_text(reflowed, encoding="utf-8")
    assert d.diff_paths(OLD, tmp_path / "x.kin") == []


def test_moves_additions_and_removals(tmp_path: Path) -> None:
    text = OLD.read_text(encoding="utf-8")
    moved = text.replace("            capaian_iku weight 100%\n", "            capaian_iku weight 50%\n"
                         "            waktu_layanan weight 50%\n", 1)
    moved = moved.replace("            ikm weight 70%\n            waktu_layanan weight 30%\n",
                          "            ikm weight 100%\n")
    moved = moved.replace('rating predikat_kinerja', 'input catatan "Catatan" { type text }\n\nrating predikat_kinerja')
    (tmp_path / "x.kin").write_text(moved, encoding="utf-8")
    got = {(c.kind, c.id, c.attr) for c in d.diff_paths(OLD, tmp_path / "x.kin")}
    assert ("moved", "nilai_kinerja.hasil.sasaran_strategis.waktu_layanan", "parent") in got
    assert ("changed", "nilai_kinerja.hasil.sasaran_strategis.capaian_iku", "weight") in got
    assert ("added", "catatan", None) in got


def test_impact_transition_table_by_hand() -> None:
    # Each subject has every indicator of the Hasil perspective scoring H and every other one R
    # (data.csv; R in {100, 75, 50} with opini WTP/WDP/TW = 100/75/50), so every perspective is
    # H or R and: old = 40%H + 60%R, new = 45%H + 55%R; old bands >= 90 / >= 80, new >= 95 / >= 80.
    #   s1 a1 H100 R100: 100    -> 100     SB -> SB
    #   s2 a1 H80  R100: 92     -> 91      SB -> Baik   (drop 1)
    #   s3 a1 H100 R75:  85     -> 86.25   Baik -> Baik
    #   s4 a2 H110 R75:  89     -> 90.75   Baik -> Baik
    #   s5 a2 H60  R100: 84     -> 82      Baik -> Baik
    #   s6 a2 H40  R50:  46     -> 45.5    SK -> SK
    #   s7 a2 H110 R100: 104    -> 104.5   SB -> SB
    #   s8 a2 H100 R50:  70     -> 72.5    Cukup -> Cukup
    #   s9 a2 H50  R100: 80     -> 77.5    Baik -> Cukup (drop 1)
    # Transitions: SB->SB 2, SB->Baik 1, Baik->Baik 3, Baik->Cukup 1, Cukup->Cukup 1, SK->SK 1.
    old = d.evaluate_version(OLD, None, [DATA])
    new = d.evaluate_version(NEW, None, [DATA])
    imp = d.impact(old, new)
    assert imp.subjects == 9 and imp.changed_score == 8 and imp.changed_rating == 2 and imp.max_drop == 1
    assert imp.drops == {1: 2}  # s2 and s9 each dropped one band
    assert [(m.subject, m.old_rating, m.new_rating) for m in imp.changes] == [("s2", "Sangat Baik", "Baik"),
                                                                              ("s9", "Baik", "Cukup")]
    assert imp.transitions == {("Sangat Baik", "Sangat Baik"): 2, ("Sangat Baik", "Baik"): 1, ("Baik", "Baik"): 3,
                               ("Baik", "Cukup"): 1, ("Cukup", "Cukup"): 1, ("Sangat Kurang", "Sangat Kurang"): 1}
    # Largest movers: s8 +2.5 and s9 -2.5 (tie: by id), then s5 -2, s4 +1.75.
    assert [(m.subject, round(m.delta, 6)) for m in imp.movers[:4]] == [("s8", 2.5), ("s9", -2.5), ("s5", -2.0),
                                                                         ("s4", 1.75)]
    # What moved them: hasil's contribution 40%H -> 45%H (+5% H), keuangan's 15%R -> 10%R (-5% R).
    # s8 (H100, R50): hasil +5 beats keuangan -2.5; s9 (H50, R100): keuangan -5 beats hasil +2.5.
    assert (imp.movers[0].node, round(imp.movers[0].node_delta, 6)) == ("hasil", 5.0)
    assert (imp.movers[1].node, round(imp.movers[1].node_delta, 6)) == ("keuangan", -5.0)
    # Per agency: a1 = s1..s3, mean change (0 - 1 + 1.25)/3; a2 = s4..s9, (1.75 - 2 - 0.5 + 0.5 + 2.5 - 2.5)/6.
    a1, a2 = imp.agencies
    assert (a1.agency, a1.subjects, a1.changed_score, a1.changed_rating) == ("a1", 3, 2, 1)
    assert a1.mean_delta == pytest.approx(0.25 / 3)
    assert (a2.agency, a2.subjects, a2.changed_score, a2.changed_rating) == ("a2", 6, 6, 1)
    assert a2.mean_delta == pytest.approx(-0.25 / 6)


@pytest.mark.parametrize(("gate", "code"), [
    ("changed-rating>5%", 1),    # 2/9 = 22.2% > 5%
    ("changed-rating>25%", 0),
    ("drop-bands>=2", 0),        # the largest drop is 1 band
    ("drop-bands>=1", 1),
    ("changed-score>8", 0),      # 8 subjects changed score: not more than 8
    ("changed-score>=8", 1),
])
def test_fail_if_gates(gate: str, code: int) -> None:
    result = CliRunner().invoke(cli.main, ["diff", str(OLD), str(NEW), "--data", str(DATA), "--fail-if", gate])
    assert result.exit_code == code, result.output


def test_bad_gates_are_usage_errors() -> None:
    for gate in ("changed-ratings>5%", "drop-bands>=2%", "rating"):
        result = CliRunner().invoke(cli.main, ["diff", str(OLD), str(NEW), "--data", str(DATA), "--fail-if", gate])
        assert result.exit_code == 2
    assert CliRunner().invoke(cli.main, ["diff", str(OLD), str(NEW), "--fail-if", "drop-bands>=2"]).exit_code == 2


def test_markdown_and_json_formats() -> None:
    args = ["diff", str(OLD), str(NEW), "--data", str(DATA)]
    md = CliRunner().invoke(cli.main, [*args, "--format", "markdown"]).stdout
    assert "| Sangat Baik | 2 | 1 | 0 | 0 |" in md  # old SB row: SB 2, Baik 1, Cukup 0, SK 0
    doc = json.loads(CliRunner().invoke(cli.main, [*args, "--format", "json"]).stdout)
    assert doc["impact"]["changed_rating"] == 2
    assert {"old": "Baik", "new": "Cukup", "count": 1} in doc["impact"]["transitions"]


def _commit_all(repo: Path) -> None:
    """A git repository in ``repo`` with everything in it committed once."""
    for args in (("init", "-q"), ("add", "."), ("commit", "-q", "-m", "v1")):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                       capture_output=True)


def test_git_revision_as_old_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "p").mkdir(parents=True)
    shutil.copy(OLD, repo / "p" / "bsc.kin")
    _commit_all(repo)
    shutil.copy(NEW, repo / "p" / "bsc.kin")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli.main, ["diff", "git:HEAD:p/bsc.kin", "p/bsc.kin"])
    assert result.exit_code == 0
    assert "nilai_kinerja.hasil: `weight` `40%` -> `45%`" in result.stdout
    result = CliRunner().invoke(cli.main, ["diff", "git:HEAD:p", "p"])
    assert "bsc.kin:" in result.stdout and "`weight` `15%` -> `10%`" in result.stdout
    assert CliRunner().invoke(cli.main, ["diff", "git:HEAD:nope.kin", "p/bsc.kin"]).exit_code == 2


def test_an_agency_file_is_diffed_with_its_national_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kinerja diff git:HEAD:AGENCY AGENCY`: each side is the national file with the agency files
    extending it at that version, so kemenkeu is scored under its own merged policy on both sides."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "policies", repo / "policies", ignore=shutil.ignore_patterns("*.yaml"))
    shutil.copy(ROOT / "examples" / "instansi-2026.csv", repo / "data.csv")
    _commit_all(repo)
    agency = repo / "policies" / "instansi" / "kemenkeu.kin"
    agency.write_text(agency.read_text(encoding="utf-8").replace("target 105", "target 110"), encoding="utf-8")
    monkeypatch.chdir(repo)
    args = ["diff", "git:HEAD:policies/instansi/kemenkeu.kin", "policies/instansi/kemenkeu.kin", "--data", "data.csv"]
    result = CliRunner().invoke(cli.main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # kemenkeu (row 2 of the example): capaian_iku raw 87.57. Old: 87.57 / 105 = 83.4000 (sasaran_strategis),
    # hasil = 60% x 83.4 + 40% x 86.564 = 84.6656; new: 87.57 / 110 x 100 = 79.6091, hasil = 60% x 79.6091
    # + 40% x 86.564 = 82.3911; nilai_kinerja moves by 35% x (82.3911 - 84.6656) = -0.7961: 94.03 -> 93.23.
    movers = {m["subject"]: m for m in doc["impact"]["movers"]}
    assert (movers["kemenkeu"]["old"], movers["kemenkeu"]["new"]) == (94.03, 93.23)
    assert doc["impact"]["changed_score"] == 1  # every other subject scores as before
    assert "`target` `105` -> `110`" in CliRunner().invoke(cli.main, args[:3]).stdout


def test_a_changed_citation_is_a_structural_change(tmp_path: Path) -> None:
    head = 'policy p "P" version "1" ref "{}"\nsubject agency\ninput x\nvalue v = x\n'
    band = 'rating r of v {{ "Baik" when >= 90 ref "{}"\n "Kurang" otherwise }}\n'
    (tmp_path / "a.kin").write_text(head.format("Perpres 29/2014") + band.format("pasal 7"), encoding="utf-8")
    (tmp_path / "b.kin").write_text(head.format("Perpres 29/2014") + band.format("pasal 8"), encoding="utf-8")
    changes = d.diff_paths(tmp_path / "a.kin", tmp_path / "b.kin")
    assert [(c.id, c.before, c.after) for c in changes] == [
        ('r."Baik"', 'when >= 90 ref "pasal 7"', 'when >= 90 ref "pasal 8"')]


def test_changed_values_read_as_the_formatter_writes_them(tmp_path: Path) -> None:
    # each before/after below is the policy text as written in the two files
    old = ('policy p "P" version "1"\nsubject agency\ninput x\n'
           'indicator i { target 100 missing zero score ratio cap 120 }\n')
    new = ('policy p "P" version "2"\nsubject agency\ninput x\n'
           'indicator i { target 100 missing value 40 score piecewise { when value >= 90 -> 100\n otherwise 50 } }\n')
    (tmp_path / "a.kin").write_text(old, encoding="utf-8")
    (tmp_path / "b.kin").write_text(new, encoding="utf-8")
    changes = d.diff_paths(tmp_path / "a.kin", tmp_path / "b.kin")
    assert sorted((c.id, c.attr, c.before, c.after) for c in changes) == [
        ("i", "missing", "zero", "value 40"),
        ("i", "score", "ratio cap 120", "piecewise { when value >= 90 -> 100; otherwise 50 }"),
        ("policy", "header", 'p "P" version "1"', 'p "P" version "2"'),
    ]
