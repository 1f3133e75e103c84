"""Excel submissions as agencies send them: title rows, percent cells, hidden sheets, formulas, merged cells."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import cli
from engine.data import DataError, Schema, load
from engine.data.schema import Field

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "instansi-2026.csv"
PERCENT_FIELDS = ("capaian_iku", "realisasi_anggaran", "tindak_lanjut_bpk")  # unit "%" in bsc-instansi.kin
SCHEMA = Schema({"capaian": Field("capaian", unit="%"), "nilai": Field("nilai", unit="nilai (0-100)")})


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


def cell(text: str) -> object:
    try:
        return float(text)
    except ValueError:
        return text or None


def agency_workbook(path: Path) -> None:
    """examples/instansi-2026.csv as an agency's workbook: a hidden helper sheet first, a title and
    a blank row above the header, the % indicators typed as percent cells (87.57 -> 0.8757 shown
    as 87.57%) and a notes column the policy does not know."""
    rows = list(csv.reader(EXAMPLE.open(encoding="utf-8")))
    wb = Workbook()
    hidden = wb.active
    hidden.title, hidden.sheet_state = "lookup", "hidden"
    hidden.append(["id", "capaian_iku"])
    hidden.append(["kemenkeu", 1])
    ws = wb.create_sheet("Kinerja 2026")
    ws.append(["Laporan Capaian Kinerja Instansi Tahun 2026"])
    ws.append([])
    ws.append(rows[0] + ["catatan"])
    percent = [rows[0].index(name) for name in PERCENT_FIELDS]
    for k, row in enumerate(rows[1:]):
        values = [cell(c) for c in row]
        for j in percent:
            if isinstance(values[j], float):
                values[j] = float(Decimal(row[j]) / 100)
        ws.append(values + [f"catatan {k}"])
        for j in percent:
            ws.cell(row=ws.max_row, column=j + 1).number_format = "0.00%"
    wb.save(path)


def result_rows(path: Path) -> dict[str, list[str]]:
    return {r[0]: r for r in csv.reader(path.open(encoding="utf-8"))}


def test_agency_workbook_scores_like_the_clean_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    agency_workbook(tmp_path / "kinerja.xlsx")
    assert run("eval", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "-o", str(tmp_path / "a.csv"))[0] == 0
    code, _, err = run("eval", "policies/", str(tmp_path / "kinerja.xlsx"), "--policy", "bsc_instansi",
                       "-o", str(tmp_path / "b.csv"))
    assert code == 0 and "read 61 row(s): 56 scored, 5 rejected" in err, err
    assert "unknown column `catatan` is ignored" in err
    assert result_rows(tmp_path / "a.csv") == result_rows(tmp_path / "b.csv")
    rejects = (tmp_path / "b.rejects.csv").read_text()
    assert "Kinerja 2026!E14" in rejects  # ikm 101.5 on CSV line 12 is sheet row 14: the title and blank row above


def workbook(path: Path, rows: list[list[object]], percent: tuple[str, ...] = ()) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in rows:
        ws.append(row)
    for ref in percent:
        ws[ref].number_format = "0%"
    wb.save(path)


def test_percent_cells_follow_the_field_unit(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    workbook(path, [["id", "capaian", "nilai"], ["a", 0.93, 80], ["b", 0.5, 0.93], ["c", 1.2345, 7]],
                    percent=("B2", "C3", "B4"))
    res = load(path, SCHEMA)
    # B2 shows 93% of a % field: 93; B4 shows 123.45%: 123.45 exactly (not 123.44999999999999)
    assert list(res.batch.columns["capaian"]) == [93.0, 123.45]
    assert [(r.row, r.value, r.reason) for r in res.report.rejects] == [("Data!C3", "93%", "`93%` is not a number")]
    assert "unit is % or Rp" in (res.report.rejects[0].help or "")


def test_hidden_sheets_are_not_read_unless_named(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Rumus"
    wb.active.sheet_state = "hidden"
    wb.active.append(["id", "nilai"])
    wb.active.append(["rahasia", 1])
    data = wb.create_sheet("Data")
    data.append(["id", "nilai"])
    data.append(["a", 2])
    wb.save(tmp_path / "h.xlsx")
    assert list(load(tmp_path / "h.xlsx", SCHEMA).batch.subject_ids) == ["a"]
    assert list(load(tmp_path / "h.xlsx", SCHEMA, sheet="Rumus").batch.subject_ids) == ["rahasia"]


def test_formulas_without_a_saved_value_and_merged_cells_are_rejects(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in (["id", "capaian", "nilai"], ["a", 1, "=B2*2"], ["b", 2, 5], ["c", 3, None], ["d", 4, 6]):
        ws.append(row)
    ws.merge_cells("C3:C4")  # openpyxl writes no cached value for C2's formula
    wb.save(path)
    res = load(path, SCHEMA)
    got = [(r.row, r.column, r.reason) for r in res.report.rejects]
    assert got == [("Data!C2", "nilai", "cell C2 holds a formula (`=B2*2`) with no saved value"),
                   ("Data!C3", "nilai", "cells C3:C4 are merged; only the first holds a value"),
                   ("Data!C4", "nilai", "cells C3:C4 are merged; only the first holds a value")]
    assert list(res.batch.subject_ids) == ["d"]
    assert (res.report.rows_read, res.report.rows_accepted, res.report.rows_rejected) == (4, 1, 3)


def test_title_rows_are_skipped_or_the_header_row_is_given(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    workbook(path, [["Laporan Kinerja"], ["Periode 2026", None, "Versi 2"], [], ["id", "capaian", "nilai"],
                    ["a", 50, 60]])
    res = load(path, SCHEMA)
    assert list(res.batch.subject_ids) == ["a"] and res.batch.row_origin[0].row == "Data!A5"
    forced = load(path, SCHEMA, header_row=4)
    assert list(forced.batch.subject_ids) == ["a"]
    with pytest.raises(DataError, match="row 3 of sheet `Data` is empty"):
        load(path, SCHEMA, header_row=3)
