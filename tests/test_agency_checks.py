"""Agency-aware checking: a finding an agency's overrides cause is reported in the agency file, and
checking a national file also checks the agency files that extend it (issue #12)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
# The line of the national `scorecard nilai_kinerja` (where its findings are reported).
CARD = next(k for k, line in enumerate((ROOT / "policies/nasional/bsc-instansi.kin").read_text(encoding="utf-8")
                                       .splitlines(), 1) if line.startswith("scorecard nilai_kinerja "))


@pytest.fixture()
def policies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "policies", tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "p"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _check(*args: str):
    return CliRunner().invoke(cli.main, ["check", *args])


def test_agency_weights_that_do_not_add_up_are_reported_in_the_agency_file(policies: Path) -> None:
    # kemenkeu: 35 + 20 + 25 + 20 = 100%; with pembelajaran at 15% they sum to 95%.
    _edit(policies / "instansi/kemenkeu.kin", "perspective pembelajaran weight 20%",
          "perspective pembelajaran weight 15%")
    res = _check("p/")
    assert res.exit_code == 1
    assert ("p/instansi/kemenkeu.kin:17:15: error[check.weights-sum]: weights of `nilai_kinerja`'s children sum "
            "to 95%, not 100% (with the overrides of agency `kemenkeu`)") in res.stderr
    assert f"note: p/nasional/bsc-instansi.kin:{CARD}:11: the national declaration of `nilai_kinerja`" in res.stderr
    assert f"p/nasional/bsc-instansi.kin:{CARD}:11: error" not in res.stderr
    gh = _check("--format", "github", "p/")
    assert gh.stdout.startswith("::error file=p/instansi/kemenkeu.kin,line=17,")


def test_a_national_finding_stays_in_the_national_file(policies: Path) -> None:
    # The national scorecard's own weights broken: reported once, at the national file.
    _edit(policies / "nasional/bsc-instansi.kin", "perspective hasil \"Hasil dan Pemangku Kepentingan\" weight 40%",
          "perspective hasil \"Hasil dan Pemangku Kepentingan\" weight 45%")
    res = _check("p/")
    assert f"p/nasional/bsc-instansi.kin:{CARD}:11: error[check.weights-sum]" in res.stderr


def test_checking_a_national_file_checks_the_agencies_that_extend_it(policies: Path) -> None:
    # Tightening the national bound for `hasil` to 40% .. 50% breaks kemenkeu (35%, kemenkeu.kin:18).
    _edit(policies / "nasional/bsc-instansi.kin", "constraint weight(hasil) in 35% .. 50%",
          "constraint weight(hasil) in 40% .. 50%")
    res = _check("p/nasional/bsc-instansi.kin")
    assert res.exit_code == 1
    assert "p/instansi/kemenkeu.kin:18:34: error[resolve.constraint-violated]" in res.stderr
    assert "agency file(s) extending a national file given" in res.stderr
    alone = _check("--no-dependents", "p/nasional/bsc-instansi.kin")
    assert alone.exit_code == 0 and "checked 1 file(s): 0 error(s)" in alone.stderr


def test_fixtures_outside_the_policy_folder_are_not_taken_for_dependents(monkeypatch: pytest.MonkeyPatch) -> None:
    # tests/data/must_fail holds agency files that break the national constraints on purpose.
    monkeypatch.chdir(ROOT)
    res = _check("policies/nasional/bsc-instansi.kin")
    assert res.exit_code == 0 and "must_fail" not in res.stderr
    assert "checked 5 file(s), 4 of them agency file(s)" in res.stderr  # bps, kemenkeu, kemenpanrb, pemprov-jabar


def test_diff_of_a_national_file_scores_each_subject_under_its_agency(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.diff import evaluate_version

    monkeypatch.chdir(ROOT)
    run = evaluate_version(Path("policies/nasional/bsc-instansi.kin"), None, ["examples/instansi-2026.csv"])
    rows = {r["subject_id"]: r for r in run.result.to_rows()}
    # pemprov_jabar under its own file (hasil 40%, keuangan 15% ...): 89.12 Baik, as `eval policies/` gives
    # (tests/golden/explain/instansi-2026-pemprov_jabar.txt); under national rules alone it would be 91.75.
    assert rows["pemprov_jabar"]["nilai_kinerja"] == pytest.approx(89.12)
    assert rows["pemprov_jabar"]["predikat_kinerja"] == "Baik"
    assert rows["pemprov_jabar"]["agency_file"] == "policies/instansi/pemprov-jabar.kin"


def test_diff_lists_every_rating_change_even_without_a_score_change(policies: Path) -> None:
    import json

    old = policies.parent / "old"
    shutil.copytree(policies, old)
    # Raise the "Sangat Baik" edge from 90 to 95: no score moves, every subject scored 90 .. 95 becomes Baik.
    _edit(policies / "nasional/bsc-instansi.kin", '"Sangat Baik"   when >= 90', '"Sangat Baik"   when >= 95')
    _edit(policies / "nasional/bsc-instansi.kin", '"Baik"          when >= 80 and < 90',
          '"Baik"          when >= 80 and < 95')
    data = str(ROOT / "examples/instansi-2026.csv")
    res = CliRunner().invoke(cli.main, ["diff", "old/", "p/", "--data", data, "--policy", "bsc_instansi",
                                        "--format", "json"])
    assert res.exit_code == 0, res.output
    imp = json.loads(res.stdout)["impact"]
    assert imp["movers"] == []  # no score changed, so "largest movers" alone would show nobody
    scored = CliRunner().invoke(cli.main, ["eval", "old/", data, "--policy", "bsc_instansi", "-o", "r.json"])
    assert scored.exit_code == 0
    rows = json.loads(Path("r.json").read_text(encoding="utf-8"))
    rows = rows["rows"] if isinstance(rows, dict) else rows
    expected = sorted(r["subject_id"] for r in rows if 90 <= r["nilai_kinerja"] < 95)
    assert expected and sorted(m["subject"] for m in imp["changes"]) == expected  # listed in data order
    assert all((m["old_rating"], m["new_rating"]) == ("Sangat Baik", "Baik") for m in imp["changes"])
    text = CliRunner().invoke(cli.main, ["diff", "old/", "p/", "--data", data, "--policy", "bsc_instansi"]).stdout
    assert "rating changes:" in text and f"  {expected[0]}: " in text
