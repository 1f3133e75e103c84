"""Real submissions: Indonesian number spellings, detected or forced, read exactly or rejected with a reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import cli
from engine.data import DataError, Schema, load
from engine.data.schema import Field
from engine.data.stream import Chunks

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "instansi-2026.csv"
SCHEMA = Schema({"pagu": Field("pagu", unit="Rp"), "capaian": Field("capaian", lo=0, hi=200, range_text="0 .. 200",
                                                                        unit="%"),
                 "nilai": Field("nilai", unit="nilai (0-100)")})


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def values(result, name: str) -> list[float | None]:
    return [None if np.isnan(x) else float(x) for x in result.batch.columns[name]]


def rejects(result) -> list[tuple[str, str | None, str, str | None]]:
    return [(r.row, r.value, r.reason, r.help) for r in result.report.rejects]


def test_decimal_comma_thousands_rupiah_and_percent_are_read(tmp_path: Path) -> None:
    data = write(tmp_path / "d.csv", "id;pagu;capaian;nilai\n"
                 "a;Rp 1.234.567,5;93,5 %;87,57\n"
                 "b;Rp1.000;93%;1.234\n"
                 "c;2.500.000;100;7\n")
    res = load(data, SCHEMA)
    # 1.234.567,5 -> 1234567.5; `Rp1.000` -> 1000; `93,5 %` -> 93.5; `1.234` with a decimal comma is 1234
    assert values(res, "pagu") == [1234567.5, 1000.0, 2500000.0]
    assert values(res, "capaian") == [93.5, 93.0, 100.0]
    assert values(res, "nilai") == [87.57, 1234.0, 7.0]
    assert res.report.rejects == [] and res.report.files[0].decimal == ","
    assert res.report.files[0].decimal_source == "detected"


def test_units_decide_where_rp_and_percent_are_read(tmp_path: Path) -> None:
    data = write(tmp_path / "d.csv", "id,pagu,capaian,nilai\na,Rp 5,93%,93%\nb,5%,Rp 5,1.5\n")
    res = load(data, SCHEMA)
    hint = "`%` and `Rp` are read only for a field whose unit is % or Rp; write the number alone"
    assert rejects(res) == [("line 2", "93%", "`93%` is not a number", hint),
                            ("line 3", "5%", "`5%` is not a number", hint),
                            ("line 3", "Rp 5", "`Rp 5` is not a number", hint)]
    assert res.report.rows_rejected == 2 and res.batch.n == 0  # a row with a bad cell is rejected whole


def test_a_decimal_point_in_a_decimal_comma_file_is_rejected_not_misread(tmp_path: Path) -> None:
    rows = "".join(f"s{k};{k},25;1;1\n" for k in range(40))
    data = write(tmp_path / "d.csv", "id;pagu;capaian;nilai\n" + rows + "x;87.57;1;1\n")
    res = load(data, SCHEMA)
    assert res.report.files[0].decimal == ","
    assert rejects(res) == [("line 42", "87.57", "`87.57` has a decimal point, but this file writes decimals "
                             "with a comma", "write `87,57`, or give --decimal . if the file uses points")]


def test_a_stray_decimal_comma_in_a_point_file_is_one_reject(tmp_path: Path) -> None:
    rows = "".join(f"s{k},{k}.25,1,1\n" for k in range(40))
    data = write(tmp_path / "d.csv", "id,pagu,capaian,nilai\n" + rows + 'x,"92,5",1,1\n')
    res = load(data, SCHEMA)
    assert res.report.files[0].decimal == "." and len(res.report.rejects) == 1
    assert "use a decimal point, not a comma" in (res.report.rejects[0].help or "")


def test_a_file_using_both_marks_is_refused_unless_forced(tmp_path: Path) -> None:
    data = write(tmp_path / "d.csv", "id;pagu;capaian;nilai\na;1,5;2.5;1\nb;3,25;4.75;1\n")
    with pytest.raises(DataError, match=r"decimal comma in 2 cell\(s\) \(e.g. `1,5`\) and with a decimal point "
                                        r"in 2 \(e.g. `2.5`\)") as info:
        load(data, SCHEMA)
    assert info.value.diagnostics[0].code == "data.ambiguous-decimal"
    assert info.value.diagnostics[0].help == "give --decimal , or --decimal . to say which mark the file uses"
    forced = load(data, SCHEMA, decimal=",")
    assert [r[1] for r in rejects(forced)] == ["2.5", "4.75"]  # points rejected, the commas read
    assert forced.report.files[0].decimal == "," and forced.report.rows_rejected == 2
    assert forced.report.files[0].decimal_source == "forced"


def test_streamed_chunks_read_the_same_numbers_as_load(tmp_path: Path) -> None:
    rows = "".join(f"s{k};{k},5;{k % 100},25 %;{k}.{k:03d}\n" for k in range(300))
    data = write(tmp_path / "d.csv", "id;pagu;capaian;nilai\n" + rows + "z;87.57;1;1\n")
    whole = load(data, SCHEMA)
    for typed in (True, False):
        try:
            parts = list(Chunks(data, SCHEMA, chunk=64, typed=typed))
        except Exception as exc:  # the typed read fails on an odd cell (the run reads on as text)
            assert type(exc).__name__ == "TypedFailed" and typed
            continue
        for name in SCHEMA.fields:
            got = np.concatenate([p.batch.columns[name] for p in parts])
            assert np.array_equal(got, whole.batch.columns[name], equal_nan=True)
        assert [r for p in parts for r in p.report.rejects] == whole.report.rejects


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


def decimal_comma_export(path: Path) -> None:
    """examples/instansi-2026.csv as an Indonesian-locale spreadsheet saves it: `;` and `87,57`."""
    rows = list(csv.reader(EXAMPLE.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(rows[0])
        for row in rows[1:]:
            out.writerow([c.replace(".", ",") for c in row])


def result_rows(path: Path) -> dict[str, list[str]]:
    return {r[0]: r for r in csv.reader(path.open(encoding="utf-8"))}


def test_decimal_comma_export_of_the_example_scores_like_the_clean_csv(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    decimal_comma_export(tmp_path / "koma.csv")
    assert run("eval", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "-o", str(tmp_path / "a.csv"))[0] == 0
    code, _, err = run("eval", "policies/", str(tmp_path / "koma.csv"), "--policy", "bsc_instansi",
                       "-o", str(tmp_path / "b.csv"))
    assert code == 0 and "read 61 row(s): 57 scored, 4 rejected" in err
    clean, comma = result_rows(tmp_path / "a.csv"), result_rows(tmp_path / "b.csv")
    # The clean file's `92,5` (instansi_28, line 32) is a typo there and a number here: the one extra subject.
    assert set(comma) - set(clean) == {"instansi_28"}
    assert all(comma[sid] == row for sid, row in clean.items())
    manifest = json.loads((tmp_path / "b.manifest.json").read_text())
    assert manifest["files_read"][0]["decimal"] == "," and manifest["files_read"][0]["decimal_source"] == "detected"


def test_a_plain_decimal_comma_file_streams_on_the_typed_path(tmp_path: Path) -> None:
    rows = "".join(f"s{k};{k},5;{k % 100},25;1,5e2\n" for k in range(300))
    data = write(tmp_path / "d.csv", "id;pagu;capaian;nilai\n" + rows)
    whole = load(data, SCHEMA)
    parts = list(Chunks(data, SCHEMA, chunk=64))  # no TypedFailed: the reader parses `12,5` itself
    assert parts[0].report.files[0].decimal == ","
    for name in SCHEMA.fields:
        got = np.concatenate([p.batch.columns[name] for p in parts])
        assert np.array_equal(got, whole.batch.columns[name], equal_nan=True)
    assert values(whole, "nilai")[0] == 150.0 and values(whole, "pagu")[:2] == [0.5, 1.5]  # 1,5e2 = 150


SKP = ("Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")  # kinerja-pegawai-2022.kin, predikat


def test_categories_match_without_case_and_keep_the_policy_spelling(tmp_path: Path) -> None:
    schema = Schema({"predikat": Field("predikat", type="category", options=SKP)})
    data = write(tmp_path / "d.csv", "id,predikat\na,  baik \nb,SANGAT KURANG\nc,Sangat Baik\nd,Sangat Kuarng\n"
                                     "e,Istimewaa\n")
    res = load(data, schema)
    assert list(res.batch.columns["predikat"]) == ["Baik", "Sangat Kurang"]
    # `Sangat Baik` shares the meaning word `Baik`, not the degree word with `Sangat Kurang`;
    # a misspelling still finds the closest spelling.
    assert [(r.value, r.help) for r in res.report.rejects] == [
        ("Sangat Baik", "did you mean `Baik`?"), ("Sangat Kuarng", "did you mean `Sangat Kurang`?"),
        ("Istimewaa", "did you mean `Istimewa`?")]


def test_empty_and_all_null_records_are_counted_and_rejected(tmp_path: Path) -> None:
    data = write(tmp_path / "d.json", json.dumps([{"id": "a", "nilai": 1}, {}, {"id": None, "nilai": None}]))
    res = load(data, SCHEMA)
    assert [(r.row, r.reason) for r in res.report.rejects] == [
        ("[1]", "the record has no values (empty or all null)"),
        ("[2]", "the record has no values (empty or all null)")]
    assert (res.report.rows_read, res.report.rows_accepted, res.report.rows_rejected) == (3, 1, 2)


def test_streamed_chunks_reject_oversize_cells_like_load(tmp_path: Path) -> None:
    from engine.data.csvfile import MAX_CELL

    rows = [f"s{k};{k},5;1;1" for k in range(200)]
    rows[70] = "s70;" + "9" * (MAX_CELL + 1) + ";1;1"
    rows[150] = "s3;1;1;1"  # a repeated id after the oversize row
    data = write(tmp_path / "d.csv", "id;pagu;capaian;nilai\n" + "\n".join(rows) + "\n")
    whole = load(data, SCHEMA)
    parts = list(Chunks(data, SCHEMA, chunk=64, typed=False))
    assert [r for p in parts for r in p.report.rejects] == whole.report.rejects
    assert [r.row for r in whole.report.rejects] == ["line 72", "line 152"]
    assert np.array_equal(np.concatenate([p.batch.columns["pagu"] for p in parts]), whole.batch.columns["pagu"],
                          equal_nan=True)


def test_a_json_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_bytes('[{"id": "a"},\n {"id": "kantor_café"}]'.encode("latin-1"))
    with pytest.raises(DataError, match=r"line 2 is not UTF-8 text \(byte 0xE9\)") as info:
        load(data, SCHEMA)
    assert info.value.diagnostics[0].code == "data.encoding"
