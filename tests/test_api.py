"""The Python API (engine.api) and the examples of docs/evaluation.md."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from engine import api
from engine.diagnostics import KinerjaError

ROOT = Path(__file__).parent.parent


def test_python_example_of_the_evaluation_docs_runs(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/evaluation.md", "exec"), {})  # noqa: S102 - documentation code, not policy text
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "61 5"  # rows read, rows rejected of the example submission


def _two_versions(tmp_path: Path) -> Path:
    src = (ROOT / "tests" / "data" / "cli" / "clean.kin").read_text()
    (tmp_path / "v1.kin").write_text(src.replace('version "1"', 'version "2025"')
                                     .replace("2026-01-01 .. 2026-12-31", "2025-01-01 .. 2025-12-31"))
    (tmp_path / "v2.kin").write_text(src.replace('version "1"', 'version "2026"').replace("target 90", "target 80"))
    return tmp_path


def test_version_in_force_is_selected_by_date(tmp_path: Path) -> None:
    policies = api.compile_policies([_two_versions(tmp_path)], root=tmp_path)
    assert [p.header.version for p in policies.national["contoh"]] == ["2025", "2026"]
    assert policies.select(as_of=dt.date(2025, 6, 30)).header.version == "2025"
    assert policies.select(as_of=dt.date(2026, 1, 1)).header.version == "2026"
    assert policies.select().header.version == "2026"  # the newest without a date
    with pytest.raises(KinerjaError) as info:
        policies.select(as_of=dt.date(2024, 12, 31))
    assert info.value.diagnostics[0].code == "api.no-version-in-force"


def test_same_data_gives_different_results_under_two_versions(tmp_path: Path) -> None:
    policies = api.compile_policies([_two_versions(tmp_path)], root=tmp_path)
    data = tmp_path / "d.csv"
    data.write_text("id,agency,a,b\nx,x,72,3\n")
    old = api.evaluate_files(policies, [data], as_of=dt.date(2025, 3, 1)).result.to_rows()[0]
    new = api.evaluate_files(policies, [data], as_of=dt.date(2026, 3, 1)).result.to_rows()[0]
    # a: 72 / 90 x 100 = 80 under 2025, 72 / 80 x 100 = 90 under 2026; b: (2 - 3/3) x 100 = 100
    assert (old["a"], new["a"]) == (pytest.approx(80), pytest.approx(90))
    assert (old["policy_version"], new["policy_version"]) == ("contoh@2025", "contoh@2026")
    # nilai = 60% a + 40% b: 88 and 94
    assert (old["nilai"], new["nilai"]) == (pytest.approx(88), pytest.approx(94))


def test_several_national_policies_need_a_choice(tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests" / "data" / "cli" / "clean.kin", tmp_path / "a.kin")
    (tmp_path / "b.kin").write_text((tmp_path / "a.kin").read_text().replace("policy contoh", "policy lain"))
    policies = api.compile_policies([tmp_path], root=tmp_path)
    with pytest.raises(KinerjaError) as info:
        policies.select()
    assert info.value.diagnostics[0].code == "api.policy-ambiguous"
    assert policies.select("lain").header.name == "lain"
    with pytest.raises(KinerjaError) as info:
        policies.select("tidak_ada")
    assert info.value.diagnostics[0].code == "api.unknown-policy"


def test_compile_policies_raises_with_every_error() -> None:
    with pytest.raises(KinerjaError) as info:
        api.compile_policies([ROOT / "tests" / "data" / "cli" / "broken.kin"])
    assert {d.code for d in info.value.diagnostics} >= {"check.unknown-name", "check.weights-sum"}


def test_period_column_picks_the_version_row_by_row(tmp_path: Path) -> None:
    policies = api.compile_policies([_two_versions(tmp_path)], root=tmp_path)
    data = tmp_path / "d.csv"
    data.write_text("id,agency,period,a,b\nx,x,2025-06-30,72,3\ny,y,2026-03-01,72,3\n"
                    "z,z,2024-12-31,72,3\nw,w,,72,3\n")
    run = api.evaluate_files(policies, [data])
    rows = {r["subject_id"]: r for r in run.result.to_rows()}
    # the same data: a = 72/90*100 = 80 under 2025, 72/80*100 = 90 under 2026
    assert (rows["x"]["policy_version"], rows["x"]["a"]) == ("contoh@2025", pytest.approx(80))
    assert (rows["y"]["policy_version"], rows["y"]["a"]) == ("contoh@2026", pytest.approx(90))
    report = run.report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 2, 2)
    reasons = sorted((r.row, r.reason) for r in report.rejects)
    assert reasons == [("line 4", "period 2024-12-31 is in no version of `contoh`"),
                       ("line 5", "no period: `contoh` has several versions, so the row must say which applies")]
    assert [p.header.version for p in run.plans] == ["2025", "2026"]
    # explanations read the plan each row was scored under
    assert run.explain("x").policy_version == "contoh@2025" and run.explain("y").policy_version == "contoh@2026"


def test_several_versions_without_period_or_date_is_refused(tmp_path: Path) -> None:
    policies = api.compile_policies([_two_versions(tmp_path)], root=tmp_path)
    data = tmp_path / "d.csv"
    data.write_text("id,agency,a,b\nx,x,72,3\n")
    with pytest.raises(KinerjaError) as info:
        api.evaluate_files(policies, [data])
    assert info.value.diagnostics[0].code == "api.version-ambiguous"


def test_agency_files_alone_have_no_national_policy_to_select() -> None:
    policies = api.compile_policies([ROOT / "policies" / "instansi" / "kemenkeu.kin"], root=ROOT)
    with pytest.raises(KinerjaError) as info:
        policies.select()
    assert info.value.diagnostics[0].code == "api.no-national-policy"
