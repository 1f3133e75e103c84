"""Data loading: every rejection reason with its message and row reference, and the reconciliation of counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import nodes as n
from engine import syntax
from engine.data import DataError, Schema, load, schema_from_plan, write_rejects
from engine.plan import Plan, Step

HERE = Path(__file__).parent / "data" / "submissions"
AGENCIES = ("kemenkeu", "bappenas")


def make_schema(**names: str) -> Schema:
    """The schema of tests/data/submissions/policy.kin, built from a hand-made plan."""
    module = syntax.parse((HERE / "policy.kin").read_text(), "policy.kin")
    steps = tuple(Step(d.name, d.name, "input" if isinstance(d, n.Input) else "indicator", d, ())
                  for d in module.decls() if isinstance(d, (n.Input, n.Indicator)))
    return schema_from_plan(Plan(module, steps), **names)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return make_schema()


def reasons(result) -> list[tuple[str, str | None, str]]:
    return [(r.row, r.column, r.reason) for r in result.report.rejects]


def test_schema_fields_types_ranges_and_required(schema: Schema) -> None:
    f = schema.fields
    assert list(f) == ["pagu", "inovasi", "hasil", "unit", "realisasi_anggaran", "waktu"]  # no nilai_g: a formula
    assert (f["pagu"].type, f["pagu"].lo, f["pagu"].hi) == ("number", 0.0, 1e15)
    assert f["inovasi"].type == "boolean"
    assert (f["hasil"].type, f["hasil"].options) == ("category", ("Di Atas", "Sesuai"))
    assert f["unit"].type == "text"
    assert schema.required == ("realisasi_anggaran",)
    assert schema.key_columns == ("id", "agency", "period")


def test_good_wide_csv_gives_typed_columns(schema: Schema) -> None:
    res = load(HERE / "wide.csv", schema)
    b = res.batch
    assert list(b.subject_ids) == ["E1", "E2", "E3"]
    assert list(b.agencies) == ["kemenkeu", "kemenkeu", "bappenas"]
    np.testing.assert_array_equal(b.columns["realisasi_anggaran"], [92.5, 80.0, 100.0])
    np.testing.assert_array_equal(b.columns["waktu"], [100.0, np.nan, -4.5])  # empty cell = missing
    np.testing.assert_array_equal(b.columns["inovasi"], [1.0, np.nan, 0.0])
    assert list(b.columns["hasil"]) == ["Sesuai", None, "Di Atas"]
    assert b.columns["hasil"].dtype == object and b.columns["pagu"].dtype == np.float64
    assert b.period is None
    assert [o.row for o in b.row_origin] == ["line 2", "line 3", "line 4"]
    assert res.report.rejects == [] and res.report.warnings == []


def test_every_rejection_reason_with_line(schema: Schema) -> None:
    # Forced to a decimal point: detected, the lone `92,5` would make this a decimal-comma file
    # (tests/test_submissions.py covers detection).
    res = load(HERE / "bad.csv", schema, known_agencies=AGENCIES, decimal=".")
    assert reasons(res) == [
        ("line 2", "realisasi_anggaran", "value 130 is outside the range 0 .. 100 of `realisasi_anggaran`"),
        ("line 3", "realisasi_anggaran", "`abc` is not a number"),
        ("line 4", "realisasi_anggaran", "`NaN` is not a finite number"),
        ("line 5", "realisasi_anggaran", "`inf` is not a finite number"),
        ("line 6", "realisasi_anggaran", "`92,5` is not a number"),
        ("line 7", "inovasi", "`maybe` is not a boolean"),
        ("line 8", "hasil", '`Sesuia` is not an option of `hasil` ("Di Atas", "Sesuai")'),
        ("line 9", "pagu", "value -1 is outside the range 0 .. 1e15 of `pagu`"),
        ("line 10", "id", "missing subject id"),
        ("line 11", "id", "duplicate subject id `B1` (first at line 2)"),
        ("line 12", "agency", "unknown agency `kemenkue`"),
    ]
    helps = {r.row: r.help for r in res.report.rejects}
    assert helps["line 6"] == "use a decimal point, not a comma: `92.5` (no thousands separators)"
    assert helps["line 8"] == "did you mean `Sesuai`?"
    assert helps["line 12"] == "did you mean `kemenkeu`?"
    assert [r.subject_id for r in res.report.rejects][:2] == ["B1", "B2"]
    assert list(res.batch.subject_ids) == ["B12"]
    rep = res.report
    assert (rep.rows_read, rep.rows_accepted, rep.rows_rejected) == (12, 1, 11)
    assert rep.reconciles


def test_agencies_not_checked_without_a_known_set(schema: Schema) -> None:
    res = load(HERE / "bad.csv", schema)
    assert "B11" in list(res.batch.subject_ids)


def test_row_with_several_problems_counts_once(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "two.csv"
    p.write_text("id,agency,realisasi_anggaran,waktu\nA,k,abc,xyz\nB,k,1,2\n")
    res = load(p, schema)
    assert [r.column for r in res.report.rejects] == ["realisasi_anggaran", "waktu"]
    assert (res.report.rows_read, res.report.rows_rejected, res.report.rows_accepted) == (2, 1, 1)


def test_unknown_column_warns_once_per_file(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "extra.csv"
    p.write_text("id,agency,realisasi_anggaran,wakt\nA,k,1,2\nB,k,3,4\n")
    res = load(p, schema)
    assert [(w.column, w.message, w.help) for w in res.report.warnings] == [
        ("wakt", "unknown column `wakt` is ignored", "did you mean `waktu`?")]
    assert res.batch.n == 2


def test_missing_required_column_rejects_every_row(schema: Schema) -> None:
    res = load(HERE / "no_required.csv", schema)
    assert reasons(res) == [("line 2", None, "missing required column `realisasi_anggaran`"),
                            ("line 3", None, "missing required column `realisasi_anggaran`")]
    assert (res.report.rows_read, res.report.rows_rejected, res.batch.n) == (2, 2, 0)


def test_missing_id_column_rejects_every_row(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "noid.csv"
    p.write_text("nip,realisasi_anggaran\n1,2\n")
    res = load(p, schema)
    assert ("line 2", None, "missing required column `id`") in reasons(res)
    assert res.report.rows_rejected == 1


def test_configurable_key_columns(tmp_path: Path) -> None:
    p = tmp_path / "nip.csv"
    p.write_text("nip,instansi,realisasi_anggaran\n1987,kemenkeu,90\n")
    res = load(p, make_schema(id_column="nip", agency_column="instansi"))
    assert list(res.batch.subject_ids) == ["1987"] and list(res.batch.agencies) == ["kemenkeu"]


def test_duplicate_id_across_two_files(schema: Schema) -> None:
    res = load([HERE / "wide.csv", HERE / "second.csv"], schema)
    assert reasons(res) == [("line 3", "id", f"duplicate subject id `E1` (first at {HERE / 'wide.csv'} line 2)")]
    assert res.report.rejects[0].file == str(HERE / "second.csv")
    assert list(res.batch.subject_ids) == ["E1", "E2", "E3", "E9"]
    assert res.batch.row_origin[3].file == str(HERE / "second.csv")
    assert [(f.rows_read, f.rows_accepted, f.rows_rejected) for f in res.report.files] == [(3, 3, 0), (2, 1, 1)]
    assert res.report.rows_read == 5 and res.report.reconciles


def test_period_column_and_bad_date(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "period.csv"
    p.write_text("id,period,realisasi_anggaran\nA,2026-12-31,1\nB,2026-02-30,1\nC,31/12/2026,1\nD,,1\n")
    res = load(p, schema)
    assert reasons(res) == [("line 3", "period", "`2026-02-30` is not a date"),
                            ("line 4", "period", "`31/12/2026` is not a date")]
    assert list(res.batch.period) == ["2026-12-31", None]


def test_blank_lines_and_quoted_newlines_keep_line_numbers(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "gaps.csv"
    p.write_text('id,unit,realisasi_anggaran\nA,"two\nlines",1\n\nB,x,abc\n,,\nC,y,2\n')
    res = load(p, schema)
    assert reasons(res) == [("line 5", "realisasi_anggaran", "`abc` is not a number")]
    assert [o.row for o in res.batch.row_origin] == ["line 2", "line 7"]  # the `,,` line is spacing
    assert res.batch.columns["unit"][0] == "two\nlines"


def test_semicolon_delimiter_and_bom(schema: Schema) -> None:
    with pytest.raises(DataError, match="decimal comma in 1 cell"):  # `92.5` and `92,5`: which one is the typo?
        load(HERE / "semicolon.csv", schema)
    res = load(HERE / "semicolon.csv", schema, decimal=".")
    assert list(res.batch.subject_ids) == ["E1"]  # the BOM is not part of the `id` header
    assert reasons(res) == [("line 3", "realisasi_anggaran", "`92,5` is not a number")]


def test_numbers_accept_signs_exponents_and_spaces(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "num.csv"
    p.write_text("id,realisasi_anggaran,waktu\nA,1, 1e2 \nB,1,+3\nC,1,.5\nD,1,-0.25\nE,1,1.000.000\nF,1,0x10\n")
    res = load(p, make_schema(), decimal=".")  # forced: `1.000.000` alone would read as a decimal-comma file
    np.testing.assert_array_equal(res.batch.columns["waktu"], [100.0, 3.0, 0.5, -0.25])
    assert [r.reason for r in res.report.rejects][-2:] == ["`1.000.000` is not a number", "`0x10` is not a number"]
    assert res.report.rejects[-2].help == "write numbers without thousands separators"


def test_write_rejects_csv_neutralises_and_reconciles(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "inj.csv"
    p.write_text("id,agency,realisasi_anggaran\n=1+1,k,=SUM(A1)\n")
    res = load(p, schema)
    out = tmp_path / "rejects.csv"
    write_rejects(res.report, out)
    lines = out.read_text().splitlines()
    assert lines[0] == "file,row,subject_id,column,value,reason,help"
    assert lines[1] == f"{p},line 2,'=1+1,realisasi_anggaran,'=SUM(A1),`=SUM(A1)` is not a number,"
    assert len(lines) == 1 + res.report.rows_rejected


def test_blank_and_whitespace_cells_are_missing_and_overflow_is_rejected(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "ws.csv"
    p.write_text("id,realisasi_anggaran,waktu,inovasi\n A ,  ,1e999,TIDAK\nB,7, 8 ,Yes\n")
    res = load(p, schema)
    assert reasons(res) == [("line 2", "waktu", "`1e999` is not a finite number")]
    assert list(res.batch.subject_ids) == ["B"]
    np.testing.assert_array_equal(res.batch.columns["waktu"], [8.0])
    np.testing.assert_array_equal(res.batch.columns["inovasi"], [1.0])


def test_long_duplicate_measurement_across_files(tmp_path: Path, schema: Schema) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,indicator,value\nS,waktu,1\n")
    b.write_text("id,indicator,value\nS,realisasi_anggaran,2\nS,waktu,3\n")
    res = load([a, b], schema)
    assert reasons(res) == [("line 3", "indicator", f"duplicate measurement of `waktu` for subject `S` (first at "
                                                    f"{a} line 2)")]
    np.testing.assert_array_equal(res.batch.columns["waktu"], [1.0])
    np.testing.assert_array_equal(res.batch.columns["realisasi_anggaran"], [2.0])
    assert res.batch.origins["realisasi_anggaran"][0].file == str(b)
    assert (res.report.rows_read, res.report.rows_accepted, res.report.rows_rejected) == (3, 2, 1)
