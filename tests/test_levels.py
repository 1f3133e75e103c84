"""Subject levels: units and agencies built from their members' results (mean, sum, count, share in a
band, min/max, by role), with the tree nodes' missing-data treatments, streamed = in memory,
one results file per level in the manifest, and explanations listing the members used."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine import api, checks, syntax
from engine.fmt import format_text
from engine.levels.run import evaluate_levels
from engine.output import write_run_manifest

POLICY = """policy skp "SKP dan unit" version "1"
period 2026-01-01 .. 2026-12-31
subject employee

input unit_kerja "Unit kerja" { type text }
input peran "Peran" { type one of ("pimpinan", "staf") }
input nilai "Nilai" { range 0 .. 120 }

rating predikat "Predikat" of nilai {
    "Sangat Baik" when >= 110
    "Baik"        when >= 90 and < 110
    "Kurang"      when >= 0 and < 90
}

level unit "Unit kerja" by unit_kerja role peran {
    aggregate rata "Rata-rata nilai" = mean(nilai) round 2
    aggregate porsi "Porsi Baik ke atas" = share(predikat in ("Sangat Baik", "Baik"))
    aggregate pegawai "Jumlah pegawai" = count()
    aggregate dinilai "Pegawai dinilai" = count(nilai)
    aggregate kurang "Pegawai Kurang" = count(predikat == "Kurang")
    aggregate total "Jumlah nilai" = sum(nilai)
    aggregate terendah "Nilai terendah" = min(nilai)
    aggregate pimpinan "Nilai pimpinan" = max(nilai) role "pimpinan"
    aggregate rata_nol "Rata-rata, kosong = 0" = mean(nilai) missing zero
    aggregate rata_lengkap "Rata-rata bila semua dinilai" = mean(nilai) missing fail
    aggregate rata_separuh "Rata-rata bila 75% dinilai" = mean(nilai) require 75%

    rating predikat_unit "Predikat unit" of rata {
        "Baik"   when >= 90
        "Kurang" when < 90
    }
}

level instansi "Instansi" of unit by agency {
    aggregate rata_unit "Rata-rata unit" = mean(rata)
    aggregate unit_baik "Porsi unit Baik" = share(predikat_unit == "Baik")
}
"""
DATA = ("id,agency,unit_kerja,peran,nilai\n"
        "e1,k1,U1,pimpinan,100\n"
        "e2,k1,U1,staf,80\n"
        "e3,k1,U1,staf,\n"
        "e4,k1,U2,pimpinan,95\n"
        "e5,k2,U1,staf,112\n"
        "e6,k2,,staf,50\n")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "p.kin").write_text(POLICY, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return tmp_path / "p.kin", tmp_path / "d.csv"


def _levels(project: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    run = api.evaluate_files(api.compile_policies([project[0]]), [project[1]])
    return run, evaluate_levels(run.plan, run.result)


def _row(level, sid: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    t = level.table()
    i = list(t["subject_id"]).index(sid)
    return {k: v[i] for k, v in t.items()}


def test_a_unit_aggregates_its_members_by_hand(project: tuple[Path, Path]) -> None:
    _, levels = _levels(project)
    u1 = _row(levels["unit"], "k1 / U1")
    # k1/U1: e1 100 (pimpinan, Baik), e2 80 (staf, Kurang), e3 not rated.
    assert u1["members"] == 3 and u1["pegawai"] == 3 and u1["dinilai"] == 2
    assert u1["kurang"] == 1                     # e2 (80 < 90); e3 has no predikat: not counted
    assert u1["rata"] == 90                      # (100 + 80) / 2, e3 excluded (the default)
    assert u1["porsi"] == 0.5                    # 1 Baik of the 2 rated
    assert u1["total"] == 180 and u1["terendah"] == 80
    assert u1["pimpinan"] == 100                 # only e1 has role pimpinan
    assert u1["rata_nol"] == 60                  # (100 + 80 + 0) / 3
    assert math.isnan(u1["rata_lengkap"])        # missing fail: e3 has no value
    assert math.isnan(u1["rata_separuh"])        # 2 of 3 rated = 66.7% < 75%
    assert u1["predikat_unit"] == "Baik"         # 90 >= 90
    assert u1["errors"] == 1                     # the refusal of `missing fail`
    u2 = _row(levels["unit"], "k1 / U2")
    assert (u2["rata"], u2["rata_lengkap"], u2["rata_separuh"]) == (95, 95, 95)  # one member, rated
    k2 = _row(levels["unit"], "k2 / U1")         # same unit code in another agency: another unit
    assert k2["rata"] == 112 and math.isnan(k2["pimpinan"])  # no member with role pimpinan


def test_an_agency_aggregates_its_units(project: tuple[Path, Path]) -> None:
    _, levels = _levels(project)
    k1 = _row(levels["instansi"], "k1")
    assert k1["members"] == 2 and k1["rata_unit"] == 92.5   # units 90 and 95: (90 + 95) / 2
    assert k1["unit_baik"] == 1.0                           # both units Baik
    assert _row(levels["instansi"], "k2")["rata_unit"] == 112
    assert levels["unit"].unassigned == 1                   # e6 has no unit: in no unit


def test_missing_data_decisions_are_recorded_per_group(project: tuple[Path, Path]) -> None:
    _, levels = _levels(project)
    r = levels["unit"].result
    row = list(r.subject_ids).index("k1 / U1")
    got = {(e.step, e.code) for e in r.events_at(row)}
    assert ("rata_lengkap", "eval.member-missing") in got and ("rata_separuh", "eval.below-required-share") in got
    row = list(r.subject_ids).index("k2 / U1")
    (event,) = r.events_at(row, "pimpinan")
    assert event.code == "eval.no-members" and 'no member with role "pimpinan"' in event.message


def test_streamed_levels_equal_in_memory_and_are_in_the_manifest(project: tuple[Path, Path], tmp_path: Path) -> None:
    policies = api.compile_policies([project[0]])
    whole = api.score(policies, [project[1]], tmp_path / "o" / "whole.csv", whole=True)
    chunked = api.score(policies, [project[1]], tmp_path / "o" / "chunked.csv", chunk=2)
    assert whole.result is not None and chunked.result is None      # the second run really streamed
    for level in ("unit", "instansi"):
        a = (tmp_path / "o" / f"whole.{level}.csv").read_bytes()
        assert a == (tmp_path / "o" / f"chunked.{level}.csv").read_bytes()
    (tmp_path / "o" / "r.csv").write_text("", encoding="utf-8")  # the rejects file, written by the CLI
    manifest = write_run_manifest(whole, tmp_path / "o" / "m.json", [project[1]], tmp_path / "o" / "whole.csv",
                                  tmp_path / "o" / "r.csv")
    unit = json.loads((tmp_path / "o" / "m.json").read_text())["levels"][0]
    assert manifest["levels"][0] == unit
    assert (unit["level"], unit["of"], unit["keys"], unit["subjects"], unit["members"], unit["unassigned"]) == \
        ("unit", "employee", ["agency", "unit_kerja"], 3, 5, 1)
    assert unit["results"]["path"].endswith("whole.unit.csv") and len(unit["results"]["sha256"]) == 64


def test_a_level_results_file_never_overwrites_the_data(project: tuple[Path, Path]) -> None:
    from engine.diagnostics import KinerjaError

    data = project[1].with_name("h.unit.csv")
    data.write_text(DATA, encoding="utf-8")
    with pytest.raises(KinerjaError) as info:
        api.score(api.compile_policies([project[0]]), [data], project[1].with_name("h.csv"))
    assert info.value.diagnostics[0].code == "output.unsafe-path"
    assert data.read_text(encoding="utf-8") == DATA


def test_checks_formatter_and_plan() -> None:
    assert [d for d in checks.run(syntax.parse(POLICY, "p.kin"))] == []
    assert format_text(POLICY, "p.kin") == POLICY
    squeezed = POLICY.replace("    aggregate pegawai", "aggregate   pegawai")
    assert format_text(squeezed, "p.kin") == POLICY


def test_no_member_values_leave_counts_at_zero_and_means_missing(tmp_path: Path) -> None:
    (tmp_path / "p.kin").write_text(POLICY, encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,agency,unit_kerja,peran,nilai\ne1,k1,U1,staf,\n", encoding="utf-8")
    _, levels = _levels((tmp_path / "p.kin", tmp_path / "d.csv"))
    u = _row(levels["unit"], "k1 / U1")
    assert (u["pegawai"], u["dinilai"]) == (1, 0) and math.isnan(u["rata"]) and math.isnan(u["total"])
    assert u["rata_nol"] == 0                     # missing zero: the one member counts as 0
    assert np.isnan(u["porsi"])


def _cli(*args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    import cli

    return CliRunner().invoke(cli.main, list(args))


def test_explain_a_unit_lists_the_members_it_used(project: tuple[Path, Path]) -> None:
    policy, data = map(str, project)
    res = _cli("explain", policy, data, "--level", "unit", "--id", "k1 / U1")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[1] == "members (3 employee): e1, e2, e3"
    assert "    `mean(nilai)` over 2 of 3 members: (100 + 80) / 2 = 90.00" in lines      # redone by hand
    assert "    members (1): `e1` 100" in lines                                           # pimpinan: role filter
    assert "    `max(nilai)` over 1 of 3 members (1 with role \"pimpinan\"): max(100) = 100.00" in lines
    assert any("eval.member-missing" in line for line in lines)
    agency = _cli("explain", policy, data, "--level", "instansi", "--id", "k1", "--format", "json")
    found = json.loads(agency.stdout)
    assert found["members"] == ["k1 / U1", "k1 / U2"] and found["members_of"] == "unit"
    assert found["nodes"][0]["formula"] == "`mean(rata)` over 2 of 2 members: (90 + 95) / 2 = 92.50"


def test_explain_caps_the_member_list_in_text_but_not_in_json(tmp_path: Path) -> None:
    (tmp_path / "p.kin").write_text(POLICY, encoding="utf-8")
    rows = "".join(f"e{i},k1,U1,staf,{80 + i % 20}\n" for i in range(25))
    (tmp_path / "d.csv").write_text("id,agency,unit_kerja,peran,nilai\n" + rows, encoding="utf-8")
    args = [str(tmp_path / "p.kin"), str(tmp_path / "d.csv"), "--level", "unit", "--id", "k1 / U1"]
    text = _cli("explain", *args).stdout.splitlines()[1]
    assert text.startswith("members (25 employee): e0, e1,") and text.endswith("and 5 more (--format json lists all)")
    assert len(json.loads(_cli("explain", *args, "--format", "json").stdout)["members"]) == 25


def test_explain_an_unknown_level_is_a_usage_error(project: tuple[Path, Path]) -> None:
    res = _cli("explain", *map(str, project), "--level", "unt", "--id", "k1 / U1")
    assert res.exit_code == 2 and "did you mean `unit`?" in res.output


def test_eval_prints_levels_and_verify_checks_their_files(project: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "o" / "h.csv"
    res = _cli("eval", *map(str, project), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert f"level unit: 3 subject(s) from 5 employee -> {out.with_name('h.unit.csv')} (1 without a unit)" in res.output
    assert _cli("verify", str(out.with_name("h.manifest.json"))).exit_code == 0
    with out.with_name("h.instansi.csv").open("a") as fh:
        fh.write("x\n")
    changed = _cli("verify", str(out.with_name("h.manifest.json")))
    assert changed.exit_code == 1 and "level instansi results" in changed.output


BAD = """policy p "P" version "1"
period 2026-01-01 .. 2026-12-31
subject employee
input unit_kerja "Unit" { type text }
input nilai "Nilai" { range 0 .. 120 }
input predikat "P" { type one of ("Baik", "Kurang") }
level unit by unit_kerja {
    aggregate a = share(predikat >= 90)
    aggregate b = share(nilai in ("Baik"))
    aggregate c = share(predikat == "Baik")
    aggregate d = share(nilai)
    aggregate unit_kerja = count()
    value v = nilai + 1
}
"""


def test_checks_refuse_what_a_level_cannot_compute() -> None:
    found = [(d.code, d.span.line) for d in checks.run(syntax.parse(BAD, "p.kin")) if d.is_error]
    assert found == [("check.aggregate-type", 8),    # a label compared with a number
                     ("check.aggregate-type", 9),    # a number compared with a text
                     ("check.aggregate-type", 11),   # share of a number that is not yes/no
                     ("check.level-key", 12),        # an aggregate named like the key column
                     ("check.unknown-name", 13)]     # a row name read in the level without aggregating it
    unknown = [d for d in checks.run(syntax.parse(BAD, "p.kin")) if d.code == "check.unknown-name"][0]
    assert unknown.help == ("`nilai` is a name of the members, not of level `unit`: aggregate it first "
                            "(`aggregate nilai_unit = mean(nilai)`)")


def test_a_circular_level_is_reported_not_evaluated() -> None:
    text = POLICY.replace('level unit "Unit kerja" by', 'level unit "Unit kerja" of instansi by')
    assert "check.level-of" in [d.code for d in checks.run(syntax.parse(text, "p.kin"))]


def test_graph_shows_each_level_with_its_keys_and_plan(tmp_path: Path) -> None:
    (tmp_path / "p.kin").write_text(POLICY, encoding="utf-8")
    text = _cli("graph", str(tmp_path / "p.kin")).stdout
    assert "level unit: groups of employee by agency, unit_kerja" in text
    assert "  aggregates: rata, porsi, pegawai, dinilai, kurang, total, terendah, pimpinan, rata_nol," in text
    assert "    rating predikat_unit <- rata" in text
    assert "level instansi: groups of unit by agency" in text
    indonesian = _cli("graph", "--lang", "id", str(tmp_path / "p.kin")).stdout
    assert "tingkat unit: kelompok pegawai menurut agency, unit_kerja" in indonesian  # not "employee"
    assert "  agregat: rata, porsi, pegawai," in indonesian  # the level's heading, not "masukan"
    assert "    predikat predikat_unit <- rata" in indonesian


def test_data_without_rows_writes_empty_level_files(tmp_path: Path) -> None:
    (tmp_path / "p.kin").write_text(POLICY, encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,agency,unit_kerja,peran,nilai\n", encoding="utf-8")
    res = _cli("eval", str(tmp_path / "p.kin"), str(tmp_path / "d.csv"), "-o", str(tmp_path / "h.csv"))
    assert res.exit_code == 0, res.output
    header = (tmp_path / "h.unit.csv").read_text(encoding="utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith('"subject_id","level","agency","unit_kerja","members"')


def test_a_unit_is_explained_in_bahasa_indonesia(project: tuple[Path, Path]) -> None:
    res = _cli("--lang", "id", "explain", *map(str, project), "--level", "unit", "--id", "k1 / U1")
    lines = res.stdout.splitlines()
    assert 'rata "Rata-rata nilai" [agregat] = 90,00' in lines
    assert "    `mean(nilai)` atas 2 dari 3 anggota: (100 + 80) / 2 = 90,00" in lines   # numbers in Indonesian form
    assert lines[1] == "anggota (3 pegawai): e1, e2, e3"  # `subject employee` in words, not the keyword
    assert "    anggota (1): `e1` 100" in lines


def test_eval_names_the_levels_members_in_indonesian(project: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    res = _cli("--lang", "id", "eval", *map(str, project), "-o", str(out))
    assert "tingkat unit: 3 subjek dari 5 pegawai -> " in res.output  # not "5 employee"
    assert "tingkat instansi: 2 subjek dari 3 unit -> " in res.output
