"""Resolve stage: loading folders, `extends`, agency overrides and national constraints."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from engine import nodes as n
from engine import resolve
from engine.compiler import check_paths

DATA = Path(__file__).parent / "data" / "resolve"
BSC = DATA / "tree" / "nasional" / "bsc.kin"


def shown(path: Path) -> str:
    return resolve.display(path.resolve())


def codes(project: resolve.Project) -> list[str]:
    return sorted(d.code for d in project.diagnostics)


def decl(module: n.Module, name: str) -> n.Decl:
    return next(d for d in module.decls() if d.name == name)


def member(module: n.Module, name: str) -> n.Tree | n.Leaf:
    def walk(node):
        if node.name == name:
            return node
        for child in (node.children or ()) if isinstance(node, n.Tree) else ():
            if (found := walk(child)) is not None:
                return found
        return None
    return next(f for t in module.items if isinstance(t, n.Tree) and (f := walk(t)) is not None)


@pytest.fixture(scope="module")
def tree():
    return resolve.resolve([DATA / "tree"])


# ------------------------------------------------------------- happy path


def test_tree_loads_cleanly_and_skips_test_files(tree):
    assert codes(tree) == []
    names = sorted(Path(f).name for f in tree.files)
    assert names == ["bappenas.kin", "bsc.kin", "bsc_2025.kin", "kemenkeu.kin"]
    assert tree.root == Path.cwd().resolve()  # the working directory contains the paths
    assert set(tree.sources) == set(tree.files)


def test_versions_coexist_sorted_by_period_start(tree):
    # bsc.kin (2026) sorts before bsc_2025.kin by name; period start must win
    versions = tree.national["bsc"]
    assert [m.first(n.Header).version for m in versions] == ["2025.1", "2026.1"]


def test_agency_overrides_field_by_field(tree):
    agency = tree.agencies["kemenkeu"]
    kemenkeu = shown(DATA / "tree" / "instansi" / "kemenkeu.kin")
    assert agency.path == kemenkeu and agency.base == shown(BSC)
    m = agency.module
    assert m is not None and m.path == kemenkeu
    assert m.first(n.Header).name == "bsc" and m.first(n.Header).version == "2026.1"

    real = decl(m, "realisasi_anggaran")
    assert real.target.value == 97 and (real.target.span.file, real.target.span.line) == (kemenkeu, 4)
    assert real.baseline.value == 80 and real.label == "Realisasi anggaran"  # untouched attributes stay
    assert real.score.cap.value == 120 and real.range.hi.value == 100

    ikm = decl(m, "ikm")
    assert ikm.label == "IKM Kemenkeu" and ikm.score.cap.value == 115 and ikm.target.value == 80

    catatan = decl(m, "catatan")  # a value is replaced whole
    assert catatan.formula == n.Binary("*", n.Ref("ikm"), n.Num(Decimal(3)))

    root = decl(m, "nilai")
    assert root.round.value == 2 and root.aggregate is None and root.label == "Nilai Kinerja"
    keuangan = member(m, "keuangan")
    assert keuangan.weight == n.Num(Decimal("0.35"), True) and keuangan.label == "Keuangan"
    assert member(m, "pelanggan").weight == n.Num(Decimal("0.65"), True)
    layanan = member(m, "layanan")
    assert layanan.require.value == Decimal("0.5") and layanan.weight is None
    assert member(m, "ikm").weight.value == Decimal("0.5")
    assert member(m, "waktu_layanan").weight.value == Decimal("0.5")  # found nested, written at top
    assert member(m, "realisasi_anggaran").weight.value == 1

    rating = decl(m, "predikat")
    assert [b.label.value for b in rating.bands] == ["Sangat Baik", "Baik", "Cukup", "Kurang"]
    baik = rating.bands[1]
    assert [(b.op, b.value.value) for b in baik.bounds] == [(">=", 85), ("<", 110)]
    assert rating.bands[0].bounds[0].value.value == 110 and rating.of == "nilai"
    constraints = [i for i in m.items if isinstance(i, n.Constraint)]
    assert len(constraints) == 3  # the national bounds travel with the resolved module


def test_national_module_is_not_changed(tree):
    national = tree.modules[shown(BSC)]
    assert decl(national, "realisasi_anggaran").target.value == 95
    assert member(national, "keuangan").weight.value == Decimal("0.30")


# ------------------------------------------------------------- extends errors


def test_extends_outside_root():
    project = resolve.resolve([DATA / "outside" / "inner"], root=DATA / "outside" / "inner")
    (d,) = project.diagnostics
    assert d.code == "resolve.extends-outside-root"
    assert (d.span.file, d.span.line, d.span.column) == (shown(DATA / "outside" / "inner" / "agency.kin"), 1, 30)
    assert project.agencies["dalam"].module is None


def test_default_root_is_the_working_directory(monkeypatch):
    monkeypatch.chdir(DATA / "outside" / "inner")
    project = resolve.resolve(["agency.kin"])
    assert project.root == (DATA / "outside" / "inner").resolve()
    assert [d.code for d in project.diagnostics] == ["resolve.extends-outside-root"]


def test_default_root_is_the_common_folder_outside_the_working_directory(monkeypatch):
    monkeypatch.chdir(DATA / "tree")
    project = resolve.resolve([DATA / "outside" / "inner"])
    assert project.root == (DATA / "outside" / "inner").resolve()
    assert [d.code for d in project.diagnostics] == ["resolve.extends-outside-root"]


def test_root_option_widens_the_root():
    project = resolve.resolve([DATA / "outside" / "inner"], root=DATA / "outside")
    assert project.diagnostics == []
    assert decl(project.agencies["dalam"].module, "x").target.value == 2


def test_extends_missing_suggests_a_sibling():
    project = resolve.resolve([DATA / "missing"])
    (d,) = project.diagnostics
    assert d.code == "resolve.extends-missing" and d.help == "did you mean `nasional.kin`?"
    assert d.span.file == shown(DATA / "missing" / "agency.kin")


def test_extends_cycle_shows_the_chain():
    project = resolve.resolve([DATA / "cycle"])
    assert codes(project) == ["resolve.extends-cycle"] * 2
    a, b = sorted(project.diagnostics, key=lambda d: d.span.file)
    assert a.span.file.endswith("cycle/a.kin") and b.span.file.endswith("cycle/b.kin")
    assert a.message.endswith("cycle/a.kin -> " + shown(DATA / "cycle" / "b.kin") + " -> " + a.span.file)


def test_extending_a_broken_file_reports_its_own_syntax_errors_once():
    project = resolve.resolve([DATA / "broken" / "agency.kin"], root=DATA / "broken")
    (d,) = project.diagnostics
    assert d.code == "syntax.unexpected" and d.span.file == shown(DATA / "broken" / "bad.kin")
    assert project.agencies["pakai_rusak"].module is None
    assert shown(DATA / "broken" / "bad.kin") in project.sources  # for the caret excerpt


# ------------------------------------------------------------- overrides and constraints


def agency_project(tmp_path: Path, body: str, national: str | None = None) -> resolve.Project:
    (tmp_path / "nasional").mkdir()
    if national is None:
        shutil.copy(BSC, tmp_path / "nasional" / "bsc.kin")
    else:
        (tmp_path / "nasional" / "bsc.kin").write_text(national, encoding="utf-8")
    (tmp_path / "a.kin").write_text(f'agency a "A" extends "nasional/bsc.kin" {{\n{body}\n}}\n', encoding="utf-8")
    return resolve.resolve([tmp_path])


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize("keuangan, pelanggan", [("20%", "80%"), ("35%", "65%")])
def test_weight_constraint_holds_at_both_edges(tmp_path, keuangan, pelanggan):
    body = f"scorecard nilai {{ keuangan weight {keuangan} pelanggan weight {pelanggan} }}"
    project = agency_project(tmp_path, body)
    assert project.diagnostics == []
    assert project.agencies["a"].module is not None


@pytest.mark.parametrize("keuangan, pelanggan", [("19.99%", "80.01%"), ("36%", "64%")])
def test_weight_constraint_violated_just_outside(tmp_path, keuangan, pelanggan):
    body = f"scorecard nilai {{ keuangan weight {keuangan} pelanggan weight {pelanggan} }}"
    project = agency_project(tmp_path, body)
    (d,) = project.diagnostics
    assert d.code == "resolve.constraint-violated"
    assert d.message == f"weight of `keuangan` is {keuangan}, outside the national bound 20% .. 35%"
    assert d.span.file == shown(tmp_path / "a.kin") and d.span.line == 2
    (label,) = d.labels
    national = tmp_path / "nasional" / "bsc.kin"
    assert label.span.file == shown(national) and label.span.line == line_of(national, "constraint weight")
    assert project.agencies["a"].module is None


@pytest.mark.parametrize("target, ok", [("90", True), ("89.99", False), ("100", True)])
def test_target_minimum(tmp_path, target, ok):
    project = agency_project(tmp_path, f"indicator realisasi_anggaran {{ target {target} }}")
    assert codes(project) == ([] if ok else ["resolve.constraint-violated"])


def test_dropping_a_cap_breaks_a_maximum_cap(tmp_path):
    project = agency_project(tmp_path, "indicator ikm { score ratio }")
    (d,) = project.diagnostics
    assert d.code == "resolve.constraint-violated" and "no cap" in d.message


def test_relative_weights_are_bounded_by_their_share(tmp_path):
    national = BSC.read_text().replace("weight 30% {", "weight 3 {").replace("weight 70% {", "weight 7 {")
    ok = agency_project(tmp_path, "scorecard nilai { keuangan weight 1 pelanggan weight 3 }", national)
    assert codes(ok) == []  # 1 of 4 = 25%
    (tmp_path / "a.kin").write_text('agency a "A" extends "nasional/bsc.kin" {\n'
                                    "scorecard nilai { keuangan weight 1 pelanggan weight 1 }\n}\n")
    (d,) = resolve.resolve([tmp_path]).diagnostics
    assert d.code == "resolve.constraint-violated" and "(50%)" in d.message  # 1 of 2 = 50%


@pytest.mark.parametrize("body, code, hint", [
    ("indicator realisasi_angaran { target 97 }", "resolve.unknown-override", "did you mean `realisasi_anggaran`?"),
    ("scorecard nilai { keuangn weight 30% }", "resolve.unknown-override", "did you mean `keuangan`?"),
    ("scorecard nila { keuangan weight 30% }", "resolve.unknown-override", "did you mean `nilai`?"),
    ('rating predikat { "Sangat Bagus" when >= 100 }', "resolve.unknown-band", "did you mean `Sangat Baik`?"),
    ("value ikm = 3", "resolve.unknown-override", "`ikm` is an indicator in the national policy"),
    ("scorecard keuangan { realisasi_anggaran weight 1 }", "resolve.unknown-override",
     "`keuangan` is inside a scorecard: override it within `scorecard <name> { ... }`"),
    ("scorecard nilai { objective ikm aggregate min }", "resolve.override-not-allowed",
     "change aggregate on the indicator itself"),
])
def test_bad_overrides_name_the_problem(tmp_path, body, code, hint):
    project = agency_project(tmp_path, body)
    (d,) = project.diagnostics
    assert (d.code, d.help) == (code, hint)
    assert d.span.file == shown(tmp_path / "a.kin") and d.span.line == 2


def test_constraint_on_an_unknown_name_is_reported_once_by_the_checker(tmp_path):
    national = BSC.read_text().replace("constraint weight(keuangan)", "constraint weight(keuangn)")
    (tmp_path / "nasional").mkdir()
    (tmp_path / "nasional" / "bsc.kin").write_text(national)
    report = check_paths([tmp_path], root=tmp_path)
    (d,) = [d for d in report.diagnostics if d.is_error]
    assert d.code == "check.unknown-name" and d.help == "did you mean `keuangan`?"
    assert d.span.file == shown(tmp_path / "nasional" / "bsc.kin")


def test_duplicate_versions_and_agencies(tmp_path):
    shutil.copy(BSC, tmp_path / "one.kin")
    shutil.copy(BSC, tmp_path / "two.kin")
    for name in ("x.kin", "y.kin"):
        (tmp_path / name).write_text('agency a "A" extends "one.kin" { peer_group p }\n')
    assert codes(resolve.resolve([tmp_path])) == ["resolve.duplicate-agency", "resolve.duplicate-version"]


def test_missing_path_is_a_diagnostic(tmp_path):
    project = resolve.resolve([tmp_path / "nope"])
    assert codes(project) == ["resolve.no-such-path"]


def test_a_file_that_cannot_be_read_is_a_diagnostic(tmp_path, monkeypatch):
    shutil.copy(BSC, tmp_path / "bsc.kin")
    real = Path.read_bytes

    def failing(self: Path) -> bytes:
        if self.name == "bsc.kin":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", failing)
    project = resolve.resolve([tmp_path / "bsc.kin"])
    (d,) = project.diagnostics
    assert (d.code, d.message) == ("resolve.unreadable", "cannot read the file (Permission denied)")


@pytest.mark.parametrize("field_range, violated", [("range 90 .. 100", False), ("range 80 .. 100", True), ("", True)])
def test_a_per_subject_target_must_stay_inside_the_national_bound(tmp_path, field_range, violated):
    # constraint target(realisasi_anggaran) >= 90: a per-subject target field satisfies it only
    # when the field's declared range does (80 .. 100 would let a subject's target be 80).
    national = BSC.read_text() + f'\ninput target_ra "Target per instansi" {{ {field_range} }}\n'
    project = agency_project(tmp_path, "indicator realisasi_anggaran { target target_ra }", national)
    found = [d for d in project.diagnostics if d.code == "resolve.constraint-violated"]
    assert bool(found) is violated
    if violated:
        assert "per-subject field `target_ra`" in found[0].message and found[0].span.file.endswith("a.kin")
        return
    module = project.agencies["a"].module
    ind = next(d for d in module.decls() if d.name == "realisasi_anggaran")
    assert ind.target is None and ind.target_field.name == "target_ra"  # the override replaced the fixed number
