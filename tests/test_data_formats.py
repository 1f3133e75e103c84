"""Data loading per format (CSV, XLSX, JSON, YAML, Parquet) and layout (wide, long)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from engine import nodes as n
from engine import syntax
from engine.data import DataError, Schema, detect_layout, load, schema_from_plan
from engine.data.readers import read
from engine.plan import Plan, Step

HERE = Path(__file__).parent / "data" / "submissions"


def make_schema() -> Schema:
    """The schema of tests/data/submissions/policy.kin, built from a hand-made plan."""
    module = syntax.parse((HERE / "policy.kin").read_text(), "policy.kin")
    steps = tuple(Step(d.name, d.name, "input" if isinstance(d, n.Input) else "indicator", d, ())
                  for d in module.decls() if isinstance(d, (n.Input, n.Indicator)))
    return schema_from_plan(Plan(module, steps))


def reasons(result) -> list[tuple[str, str | None, str]]:
    return [(r.row, r.column, r.reason) for r in result.report.rejects]


@pytest.fixture(scope="module")
def schema() -> Schema:
    return make_schema()


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Data", first: str | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    if first is not None:  # an unrelated first sheet, to test `sheet=`
        ws.title = first
        ws.append(["nothing here"])
        ws = wb.create_sheet(title)
    else:
        ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_xlsx_wide_with_cell_references(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "sub.xlsx"
    write_xlsx(p, [
        ["id", "agency", "realisasi_anggaran", "inovasi", "period"],
        ["E1", "kemenkeu", 92.5, True, dt.datetime(2026, 12, 31)],
        ["E2", "kemenkeu", "abc", False, None],
        [None, None, None, None, None],  # an empty row is spacing, not data
        [1003, "kemenkeu", 130, None, None],
    ])
    res = load(p, schema)
    assert reasons(res) == [
        ("Data!C3", "realisasi_anggaran", "`abc` is not a number"),
        ("Data!C5", "realisasi_anggaran", "value 130 is outside the range 0 .. 100 of `realisasi_anggaran`"),
    ]
    assert list(res.batch.subject_ids) == ["E1"]
    assert res.batch.row_origin[0].row == "Data!A2"
    assert res.batch.origins["realisasi_anggaran"][0].row == "Data!C2"
    assert list(res.batch.period) == ["2026-12-31"]
    np.testing.assert_array_equal(res.batch.columns["inovasi"], [1.0])
    assert (res.report.rows_read, res.report.rows_rejected) == (3, 2)
    assert res.report.rejects[1].subject_id == "1003"


def test_xlsx_table_placed_away_from_the_corner_keeps_true_cell_references(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "offset.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["C3"], ws["D3"], ws["E3"] = "id", "agency", "realisasi_anggaran"  # header at C3, two empty rows above
    ws["C4"], ws["D4"], ws["E4"] = 12, "kemenkeu", 92.5  # a numeric id: the integer 12, not "12.0"
    ws["C6"], ws["D6"], ws["E6"] = "E2", "kemenkeu", 130
    wb.save(p)
    res = load(p, schema)
    assert list(res.batch.subject_ids) == ["12"]
    assert res.batch.row_origin[0].row == "Data!C4"
    assert reasons(res) == [
        ("Data!E6", "realisasi_anggaran", "value 130 is outside the range 0 .. 100 of `realisasi_anggaran`")]


def test_xlsx_sheet_choice(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "two.xlsx"
    write_xlsx(p, [["id", "realisasi_anggaran"], ["E1", 50]], title="Kinerja", first="Cover")
    assert list(load(p, schema, sheet="Kinerja").batch.subject_ids) == ["E1"]
    with pytest.raises(DataError, match="no sheet `Nope`"):
        load(p, schema, sheet="Nope")


def test_json_wide_with_index_references(schema: Schema) -> None:
    res = load(HERE / "wide.json", schema)
    assert sorted(reasons(res)) == [
        ("[1]", "realisasi_anggaran", "`abc` is not a number"),
        ("[2]", None, "expected an object, found list"),
        ("[3]", None, "field `pagu` holds a dict, not a single value"),
    ]
    assert list(res.batch.subject_ids) == ["J1", "J5"]
    np.testing.assert_array_equal(res.batch.columns["realisasi_anggaran"], [92.5, np.nan])  # null = missing
    assert res.batch.columns["unit"][1] == '=HYPERLINK("x")'  # stored as is; neutralised only on output
    assert (res.report.rows_read, res.report.rows_accepted, res.report.rows_rejected) == (5, 2, 3)


def test_yaml_long_rows_document(schema: Schema) -> None:
    res = load(HERE / "rows.yaml", schema)
    assert reasons(res) == [("[2]", "value", "`nan` is not a finite number")]
    b = res.batch
    assert list(b.subject_ids) == ["Y1", "Y2"] and list(b.agencies) == ["kemenkeu", "bappenas"]
    np.testing.assert_array_equal(b.columns["realisasi_anggaran"], [90.0, np.nan])
    np.testing.assert_array_equal(b.columns["inovasi"], [1.0, np.nan])
    assert b.origins["inovasi"][0].row == "[1]" and b.origins["inovasi"][1] is None
    assert res.report.files[0].layout == "long" and res.report.subjects == 2


def test_long_csv_measurement_rejections(schema: Schema) -> None:
    res = load(HERE / "long.csv", schema)
    assert reasons(res) == [
        ("line 7", "indicator", "unknown indicator `realisasi_anggran`"),
        ("line 8", "indicator", "duplicate measurement of `realisasi_anggaran` for subject `E2` (first at line 5)"),
        ("line 9", "value", "`abc` is not a number"),
    ]
    assert res.report.rejects[0].help == "did you mean `realisasi_anggaran`?"
    b = res.batch
    assert list(b.subject_ids) == ["E1", "E2"]  # E3's only measurement was rejected
    np.testing.assert_array_equal(b.columns["realisasi_anggaran"], [92.5, 80.0])
    np.testing.assert_array_equal(b.columns["waktu"], [100.0, np.nan])
    assert list(b.columns["hasil"]) == ["Sesuai", None]
    assert list(b.period) == ["2026-12-31", "2026-12-31"]
    assert [o.row for o in b.row_origin] == ["line 2", "line 5"]
    assert b.origins["waktu"][0].row == "line 3"
    rep = res.report
    assert (rep.rows_read, rep.rows_accepted, rep.rows_rejected) == (8, 5, 3) and rep.reconciles


def test_long_conflicting_agency_is_rejected(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "conflict.csv"
    p.write_text("id,agency,indicator,value\nA,kemenkeu,waktu,1\nA,bappenas,realisasi_anggaran,2\n")
    res = load(p, schema)
    assert reasons(res) == [("line 3", "agency", "agency `bappenas` differs from `kemenkeu` given for subject `A` "
                                                 "at line 2")]


def test_parquet_typed_columns(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "sub.parquet"
    pq.write_table(pa.table({
        "id": ["P1", "P2", "P3", "P4"],
        "agency": ["kemenkeu"] * 4,
        "realisasi_anggaran": [92.5, float("nan"), float("inf"), 101.0],
        "inovasi": [True, None, False, True],
        "waktu": pa.array([1, 2, None, 4], type=pa.int64()),
    }), p)
    res = load(p, schema)
    assert reasons(res) == [
        ("row 2", "realisasi_anggaran", "`inf` is not a finite number"),
        ("row 3", "realisasi_anggaran", "value 101 is outside the range 0 .. 100 of `realisasi_anggaran`"),
    ]
    b = res.batch
    np.testing.assert_array_equal(b.columns["realisasi_anggaran"], [92.5, np.nan])  # NaN in Parquet = missing
    np.testing.assert_array_equal(b.columns["inovasi"], [1.0, np.nan])
    np.testing.assert_array_equal(b.columns["waktu"], [1.0, 2.0])


def test_layout_detection_and_override(schema: Schema) -> None:
    assert detect_layout(read(HERE / "long.csv")) == "long"
    assert detect_layout(read(HERE / "wide.csv")) == "wide"
    res = load(HERE / "long.csv", schema, layout="wide")  # forced: indicator/value become unknown columns
    assert {w.column for w in res.report.warnings} == {"indicator", "value", "source"}


def test_mixed_layouts_in_one_load_are_refused(schema: Schema) -> None:
    with pytest.raises(DataError, match="share a layout"):
        load([HERE / "wide.csv", HERE / "long.csv"], schema)


def test_unreadable_files_raise_data_error(tmp_path: Path, schema: Schema) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(DataError, match="cannot read xlsx file"):
        load(bad, schema)
    with pytest.raises(DataError, match="unknown file type"):
        load(tmp_path / "x.doc", schema)
    dup = tmp_path / "dup.csv"
    dup.write_text("id,id\n1,2\n")
    with pytest.raises(DataError, match="appears twice"):
        load(dup, schema)


def test_xlsx_whitespace_only_rows_are_spacing_and_text_is_trimmed(tmp_path: Path, schema: Schema) -> None:
    p = tmp_path / "ws.xlsx"
    write_xlsx(p, [["id", "agency", "realisasi_anggaran"], ["  E1 ", "kemenkeu", 92.5], ["   ", "  ", None],
                   ["E2", "kemenkeu", 80]])
    res = load(p, schema)
    assert list(res.batch.subject_ids) == ["E1", "E2"]
    assert res.report.rows_read == 2 and res.batch.row_origin[1].row == "Data!A4"


@pytest.mark.parametrize("cells", [
    ["kemenkeu", "", None, "klhk", "kemenkeu", " kemenkeu", "bakamla"],
    [],
    [None, None, ""],
    ["satu"],
])
def test_text_of_few_distinct_values_through_its_dictionary_is_the_same_objects(cells: list[str | None]) -> None:
    """Agency and category columns become Python objects through their dictionary: the same values,
    None for empty or missing, one shared string per distinct value."""
    from engine.data.validate import to_objects

    text = pa.array(cells, type=pa.string())
    plain, shared = to_objects(text), to_objects(text, repeats=True)
    expected = [c if c else None for c in cells]  # empty text is missing; " kemenkeu" is kept as typed
    assert plain.dtype == shared.dtype == object
    assert plain.tolist() == shared.tolist() == expected
    if len(cells) > 4:
        assert shared[0] is shared[4]  # one object for both `kemenkeu` rows
        chunked = to_objects(pa.chunked_array([cells[:3], cells[3:]], type=pa.string()), repeats=True)
        assert chunked.tolist() == expected


def test_text_is_trimmed_exactly_as_arrow_trims_and_clean_text_is_kept_as_it_is() -> None:
    """``as_text`` skips the Unicode-aware trim only when no cell can start or end with whitespace."""
    from engine.data import compute as pc
    from engine.data import validate as v

    cells = ["a", " a", "a ", "\ta\n", "\u00a0a", "a\u3000", "\u2003", "é", "aé", "éa", "a b", "", None,
             "\x1fa", "a\x7f"]
    for cell in cells:
        for column in (pa.array(["x", cell, "y"]), pa.array(["pad", "x", cell, "y"]).slice(1)):
            assert v.as_text(column).to_pylist() == pc.utf8_trim_whitespace(column).to_pylist(), repr(cell)
    clean = pa.array(["S0001", "a b", "", None, "x-y"])
    assert v.as_text(clean) is clean  # no cell starts or ends with a space or a non-ASCII character
    assert v.as_text(pa.array([" S0001"])).to_pylist() == ["S0001"]
