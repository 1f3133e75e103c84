"""Every value of an explanation carries its origin: data cell, substitution, rule line, agency override;
results and manifest say which agency file applied to each subject (issue #12)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import api
from engine.explain import explain, render

ROOT = Path(__file__).resolve().parent.parent
KEMENKEU = "policies/instansi/kemenkeu.kin"
NATIONAL = "policies/nasional/bsc-instansi.kin"


@pytest.fixture(scope="module")
def result(request):
    import os
    here = os.getcwd()
    os.chdir(ROOT)  # paths are shown relative to the working directory
    request.addfinalizer(lambda: os.chdir(here))
    policies = api.compile_policies(["policies"])
    return api.evaluate_files(policies, ["examples/instansi-2026.csv"], policy="bsc_instansi").result


def _node(result, sid, name):
    return next(x for x in explain(result, sid).walk() if x.name == name)


def _line(path: str, line: int) -> str:
    return (ROOT / path).read_text(encoding="utf-8").splitlines()[line - 1]


def _find(path: str, block: str, text: str) -> int:
    """The line number of the first line reading ``text`` after the line starting ``block`` (found by
    reading the file, so the test follows the policy as it is edited, not the engine)."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(block))
    return next(k + 1 for k in range(start, len(lines)) if lines[k].strip() == text)


def test_an_agency_target_names_its_line_and_the_national_value_it_replaced(result):
    node = _node(result, "kemenkeu", "capaian_iku")
    target = next(s for s in node.sources if s.what == "target")
    assert (target.value, target.at, target.replaced) == ("105", f"{KEMENKEU}:13", "100")
    at = _find(NATIONAL, "indicator capaian_iku", "target 100")
    assert target.replaced_at == f"{NATIONAL}:{at}"
    # The lines named hold what the explanation says (read from the files, not from the engine).
    assert "target 105" in _line(KEMENKEU, 13)
    text = render(explain(result, "kemenkeu"))
    assert f"`target 105` ({KEMENKEU}:13, replacing the national `100` at {NATIONAL}:{at})" in text
    assert text.startswith(f"kemenkeu (agency kemenkeu via {KEMENKEU}, policy bsc_instansi@2026.1)")


def test_an_agency_weight_names_its_line_and_a_national_value_is_not_an_override(result):
    hasil = _node(result, "kemenkeu", "hasil")
    weight = next(s for s in hasil.sources if s.what == "weight")
    assert (weight.value, weight.at, weight.replaced) == ("35%", f"{KEMENKEU}:18", "40%")
    assert "hasil weight 35%" in _line(KEMENKEU, 18) and "weight 40%" in _line(NATIONAL, int(weight.replaced_at
                                                                                              .split(":")[1]))
    national = next(s for s in _node(result, "kemenkeu", "waktu_layanan").sources if s.what == "target")
    assert national.at.startswith(NATIONAL) and national.replaced is None


def test_an_empty_cell_is_labelled_as_the_substitution_it_is(result):
    # examples/instansi-2026.csv line 4 (pemprov_jabar) leaves indeks_spbe empty; the national
    # policy says `missing baseline` with `baseline 2.6` in its declaration.
    node = _node(result, "pemprov_jabar", "indeks_spbe")
    at = _find(NATIONAL, "indicator indeks_spbe", "baseline 2.6")
    assert node.substituted == f"empty cell; `missing baseline` used 2.6 from {NATIONAL}:{at}"
    assert node.origin.row == "line 4" and node.origin.column == "indeks_spbe"
    text = render(explain(result, "pemprov_jabar"))
    assert "raw 2.6 from" not in text and "raw: empty cell; `missing baseline` used 2.6" in text
    # A submitted cell names file, line and column (once "row line 2", issue #14).
    assert "raw 87.57 from examples/instansi-2026.csv line 2, column capaian_iku" in render(
        explain(result, "kemenkeu"))


def test_json_carries_full_precision_beside_the_display(result):
    data = json.loads(render(explain(result, "kemenkeu"), "json"))
    top = data["nodes"][0]
    # 35% × 84.66577.. + 20% × 101.8 + 25% × 104.7446.. + 20% × 89.2471.. = 94.0286.. -> round 2
    assert top["value"] == 94.03 and top["shown"] == "94.03"
    ikm = next(c for c in top["children"][0]["children"][1]["children"] if c["name"] == "ikm")
    assert ikm["value"] == pytest.approx(96.64 / 90 * 100, abs=1e-12) and ikm["shown"] == "107.38"
    assert data["agency_file"] == KEMENKEU and data["precision"] == 2


def _eval(tmp_path: Path, *extra: str) -> tuple[list[dict[str, str]], dict]:
    out = tmp_path / "hasil.csv"
    res = CliRunner().invoke(cli.main, ["eval", "policies/", "examples/instansi-2026.csv", "--policy",
                                        "bsc_instansi", "-o", str(out), *extra])
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return rows, json.loads((tmp_path / "hasil.manifest.json").read_text(encoding="utf-8"))


def test_results_and_manifest_name_the_agency_file_that_applied(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    rows, manifest = _eval(tmp_path)
    by_id = {r["subject_id"]: r for r in rows}
    digest = hashlib.sha256((ROOT / KEMENKEU).read_bytes()).hexdigest()
    assert (by_id["kemenkeu"]["agency_file"], by_id["kemenkeu"]["agency_sha256"]) == (KEMENKEU, digest)
    assert by_id["kemenkeu"]["policy_version"] == "bsc_instansi@2026.1"
    assert by_id["instansi_01"]["agency_file"] == "" and by_id["instansi_01"]["agency_sha256"] == ""
    files = {f["path"]: f for f in manifest["agency_files"]}
    assert files[KEMENKEU] == {"path": KEMENKEU, "sha256": digest, "subjects": 1}
    # Every subject with a non-empty agency_file is counted under that file in the manifest.
    assert sum(f["subjects"] for f in files.values()) == sum(1 for r in rows if r["agency_file"])


def test_precision_option(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(cli.main, ["explain", "policies/", "examples/instansi-2026.csv", "--policy",
                                        "bsc_instansi", "--id", "kemenkeu", "--precision", "4"])
    assert res.exit_code == 0, res.output
    # 35% × 84.6658 + 20% × 101.8 + 25% × 104.7446 + 20% × 89.2471 = 29.63303 + 20.36 + 26.18615 + 17.84942
    #   = 94.0286, rounded to 2 decimals: 94.03 (shown to 4 decimals: 94.0300)
    assert "= 94.0286, rounded to 2 decimals: 94.0300" in res.output
    bad = CliRunner().invoke(cli.main, ["explain", "policies/", "examples/instansi-2026.csv", "--id", "x",
                                        "--precision", "-1"])
    assert bad.exit_code == 2


def _csv(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    """The example's header and kemenkeu's measurements, under the given (id, agency) pairs."""
    lines = (ROOT / "examples/instansi-2026.csv").read_text(encoding="utf-8").splitlines()
    values = lines[1].split(",", 2)[2]
    path = tmp_path / "data.csv"
    path.write_text("\n".join([lines[0], *(f"{i},{a},{values}" for i, a in rows)]) + "\n", encoding="utf-8")
    return path


def _run_eval(tmp_path: Path, data: Path, *extra: str):
    return CliRunner().invoke(cli.main, ["eval", "policies/", str(data), "--policy", "bsc_instansi", "-o",
                                         str(tmp_path / "out.csv"), *extra])


def test_a_misspelt_agency_warns_with_did_you_mean_and_strict_fails(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    data = _csv(tmp_path, [("kemenkeu", "kemenku"), ("bps", "bps")])
    ok = _run_eval(tmp_path, data)
    assert ok.exit_code == 0
    assert ("agency `kemenku` (1 subject(s)) has no agency file: scored under the national policy alone "
            "(did you mean `kemenkeu`?)") in ok.stderr
    manifest = json.loads((tmp_path / "out.manifest.json").read_text(encoding="utf-8"))
    assert [w["help"] for w in manifest["warnings"]] == ["did you mean `kemenkeu`?"]
    assert _run_eval(tmp_path, data, "--strict").exit_code == 1
    # Every agency has its file: nothing to warn about, --strict passes.
    clean = _csv(tmp_path, [("kemenkeu", "kemenkeu"), ("bps", "bps")])
    res = _run_eval(tmp_path, clean, "--strict")
    assert res.exit_code == 0 and "warning" not in res.stderr


def test_agencies_without_a_near_match_are_one_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    data = _csv(tmp_path, [(f"s{k}", f"dinas_{k:02d}") for k in range(12)])
    res = _run_eval(tmp_path, data)
    assert res.exit_code == 0
    assert ("12 agency(ies) (12 subject(s)) have no agency file and were scored under the national policy alone: "
            "`dinas_00`, `dinas_01`") in res.stderr and "and 2 more" in res.stderr


def test_an_indicator_in_two_scorecards_has_each_scorecards_id():
    from evaluate_kit import batch, plan

    from engine.evaluate import evaluate_plan

    policy = """
indicator a { target 100 }
indicator b { target 100 }
scorecard satu { a weight 50% b weight 50% }
scorecard dua { perspective p weight 100% { a weight 100% } }
"""
    result = evaluate_plan(plan(policy), batch([{"id": "s", "a": 80, "b": 60}]))
    data = json.loads(render(explain(result, "s"), "json"))
    ids = [c["id"] for root in data["nodes"] for d in [root, *root["children"]] for c in [d, *d["children"]]]
    assert "satu.a" in ids and "dua.p.a" in ids
