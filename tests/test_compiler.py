"""The compiler: stages in order, per-module gating, reports and plans."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from engine import compiler, resolve
from engine.diagnostics import KinerjaError

DATA = Path(__file__).parent / "data" / "resolve"
BSC = DATA / "tree" / "nasional" / "bsc.kin"


def shown(path: Path) -> str:
    return resolve.display(path.resolve())


def test_stages_are_in_pipeline_order():
    assert [name for name, _ in compiler.STAGES] == ["syntax", "resolve", "check", "graph"]


def test_a_clean_tree_gives_a_plan_per_version_and_agency():
    report = compiler.check_paths([DATA / "tree"])
    assert report.errors == 0
    assert sorted(report.plans) == ["bappenas", "bsc@2025.1", "bsc@2026.1", "kemenkeu"]
    kemenkeu = report.plans["kemenkeu"]
    assert kemenkeu.step("realisasi_anggaran").decl.target.value == 97
    assert kemenkeu.step("realisasi_anggaran").id == "nilai.keuangan.realisasi_anggaran"
    assert report.plans["bsc@2026.1"].step("realisasi_anggaran").decl.target.value == 95
    assert report.plans["bappenas"].step("waktu_layanan").decl.target.value == 2
    assert len(report.files) == 4 and set(report.files) <= set(report.sources)


def test_diagnostics_are_sorted_and_never_repeated():
    report = compiler.check_paths([DATA / "tree"])
    assert report.diagnostics == sorted(report.diagnostics, key=lambda d: d.sort_key())
    assert max(Counter(report.diagnostics).values(), default=1) == 1
    # bappenas changes nothing the checker looks at: its copy of each national finding is dropped
    national = shown(BSC)
    files = {d.span.file for d in report.diagnostics}
    assert not any("bappenas" in f for f in files)
    assert report.warnings == sum(1 for d in report.diagnostics if not d.is_error)
    assert national in files or report.warnings == 0


def test_a_broken_file_does_not_stop_the_others():
    report = compiler.check_paths([DATA / "broken"])
    assert report.errors == 1
    (err,) = [d for d in report.diagnostics if d.is_error]
    assert err.code == "syntax.unexpected" and err.span.file == shown(DATA / "broken" / "bad.kin")
    assert list(report.plans) == ["luar@1"]  # good.kin; not bad.kin nor the agency extending it


def test_check_errors_stop_only_that_module(tmp_path):
    shutil.copy(BSC, tmp_path / "good.kin")
    bad = BSC.read_text().replace('policy bsc "Balanced', 'policy lain "Lain').replace("weight 70% {", "weight 60% {")
    (tmp_path / "bad.kin").write_text(bad)
    (tmp_path / "a.kin").write_text('agency a "A" extends "bad.kin" { indicator ikm { target 85 } }\n')
    report = compiler.check_paths([tmp_path])
    assert report.errors >= 1
    errors = [d for d in report.diagnostics if d.is_error]
    assert {d.span.file for d in errors} == {shown(tmp_path / "bad.kin")}
    assert max(Counter(errors).values()) == 1  # the agency's copy of the national finding is deduplicated
    assert list(report.plans) == ["bsc@2026.1"]


@pytest.mark.parametrize("until, plans", [("syntax", 0), ("resolve", 0), ("check", 0), ("graph", 4)])
def test_until_stops_after_a_stage(until, plans):
    report = compiler.check_paths([DATA / "tree"], until=until)
    assert len(report.plans) == plans
    if until in ("syntax", "resolve"):
        assert not any(d.code.startswith("check.") for d in report.diagnostics)


def test_until_resolve_reports_resolve_findings_but_syntax_does_not():
    assert [d.code for d in compiler.check_paths([DATA / "cycle"], until="syntax").diagnostics] == []
    assert [d.code for d in compiler.check_paths([DATA / "cycle"], until="resolve").diagnostics] == \
        ["resolve.extends-cycle"] * 2


def test_unknown_stage_is_a_usage_error():
    with pytest.raises(ValueError):
        compiler.check_paths([DATA / "tree"], until="evaluate")


def test_compile_file_national_and_agency():
    assert compiler.compile_file(BSC).header.version == "2026.1"
    agency = compiler.compile_file(DATA / "tree" / "instansi" / "kemenkeu.kin", root=DATA / "tree")
    assert agency.step("keuangan").decl.weight.text == "35%"


def test_compile_file_raises_with_every_error():
    with pytest.raises(KinerjaError) as info:
        compiler.compile_file(DATA / "broken" / "agency.kin", root=DATA / "broken")
    assert [d.code for d in info.value.diagnostics] == ["syntax.unexpected"]
    with pytest.raises(KinerjaError) as info:
        compiler.compile_file(DATA / "tree" / "instansi" / "kemenkeu.kin", root=DATA / "tree" / "instansi")
    assert [d.code for d in info.value.diagnostics] == ["resolve.extends-outside-root"]
