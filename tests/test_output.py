"""Result writers: byte-identical reruns, formula-injection neutralisation, and the manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

import engine
from engine.diagnostics import KinerjaError
from engine.json_results import json_lines
from engine.output import neutralise_text, write_manifest, write_results

TABLE = {
    "id": np.array(["E1", "=cmd|' /C calc'!A0", "+62", "@SUM(1)", "-x", "\tTab", None], dtype=object),
    "nilai": np.array([92.5, -3.0, np.nan, -0.0, 0.1 + 0.2, 1e20, 2.675]),
    "jumlah": np.array([1, 2, 3, 4, 5, 6, 7]),
    "predikat": np.array(["Baik", "Cukup", None, "Baik", "Baik", "Baik", "Kurang"], dtype=object),
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json", ".parquet"])
def test_same_input_gives_identical_bytes(tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_results(TABLE, first)
    if suffix == ".xlsx":
        time.sleep(1.1)  # zip entries carry a 2-second-resolution clock; cross a tick boundary
    write_results(TABLE, second)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()


def test_csv_layout_numbers_and_neutralised_text(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    write_results(TABLE, out)
    assert out.read_text().splitlines() == [
        '"id","nilai","jumlah","predikat"',
        '"E1",92.5,1,"Baik"',
        "\"'=cmd|' /C calc'!A0\",-3,2,\"Cukup\"",  # negative number stays a number
        "\"'+62\",,3,",
        "\"'@SUM(1)\",0,4,\"Baik\"",  # -0.0 is written 0
        "\"'-x\",0.30000000000000004,5,\"Baik\"",  # shortest round-trip form
        "\"'\tTab\",1e+20,6,\"Baik\"",
        ',2.675,7,"Kurang"',
    ]


def test_xlsx_cells_and_fixed_properties(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    write_results(TABLE, out)
    ws = load_workbook(out).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["id", "nilai", "jumlah", "predikat"]
    assert rows[2] == ["'=cmd|' /C calc'!A0", -3, 2, "Cukup"]
    assert isinstance(rows[2][1], (int, float)) and rows[2][1] < 0
    assert rows[3] == ["'+62", None, 3, None]
    assert ws.title == "results"
    with zipfile.ZipFile(out) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and str(dt.date.today().year) not in core


def test_json_keeps_text_and_missing_is_null(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    write_results(TABLE, out)
    rows = json.loads(out.read_text())
    assert rows[1] == {"id": "=cmd|' /C calc'!A0", "nilai": -3.0, "jumlah": 2, "predikat": "Cukup"}
    assert rows[2]["nilai"] is None and rows[6]["id"] is None
    assert rows[6]["nilai"] == 2.675


def test_json_lines_are_the_file_lines_with_no_negative_zero_or_infinity(tmp_path: Path) -> None:
    table = {"x": np.array([-0.0, np.inf, -np.inf, np.nan, 1.5], dtype=np.float32), "n": np.arange(5)}
    out = tmp_path / "r.json"
    write_results(table, out)
    lines = json_lines(table)
    # by hand: -0.0 is written 0.0; infinities and NaN are not JSON numbers, so null; 1.5 is exact in float32
    assert lines == ['{"x": 0.0, "n": 0}', '{"x": null, "n": 1}', '{"x": null, "n": 2}', '{"x": null, "n": 3}',
                     '{"x": 1.5, "n": 4}']
    assert out.read_text() == "[\n" + ",\n".join(lines) + "\n]\n"


def test_parquet_types_and_nulls(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    write_results(list(TABLE.items()), out)
    t = pq.read_table(out)
    assert t.column_names == ["id", "nilai", "jumlah", "predikat"]
    assert t.column("nilai").to_pylist()[:3] == [92.5, -3.0, None]
    assert str(t.schema.field("jumlah").type) == "int64"


def test_neutralise_text() -> None:
    assert [neutralise_text(s) for s in ("=1", "+1", "-1", "@a", "\tx", "\rx", "ok", "a=b", "")] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "ok", "a=b", ""]


def test_unknown_suffix_and_ragged_columns(tmp_path: Path) -> None:
    with pytest.raises(KinerjaError) as info:
        write_results(TABLE, tmp_path / "r.txt")
    assert [d.code for d in info.value.diagnostics] == ["output.unknown-format"]
    assert not (tmp_path / "r.txt").exists()
    with pytest.raises(ValueError, match="differ in length"):
        write_results({"a": [1, 2], "b": [1]}, tmp_path / "r.csv")


def test_manifest_records_hashes_counts_and_time(tmp_path: Path) -> None:
    policy = tmp_path / "p.kin"
    policy.write_text("policy p")
    data = tmp_path / "d.csv"
    data.write_bytes(b"id\n1\n")
    out = tmp_path / "manifest.json"
    when = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone.utc)
    write_manifest(out, policy_files=[policy], data_files=[data], rows_read=10, rows_scored=8, rows_rejected=2,
                   policy_id="p", policy_version="1", run_time=when)
    m = json.loads(out.read_text())
    assert m["engine"] == {"name": "kinerja", "version": engine.__version__}
    assert m["policy"] == {"id": "p", "version": "1", "files": [
        {"path": str(policy), "sha256": hashlib.sha256(b"policy p").hexdigest()}]}
    assert m["data_files"] == [{"path": str(data), "sha256": hashlib.sha256(b"id\n1\n").hexdigest()}]
    assert m["rows"] == {"read": 10, "scored": 8, "rejected": 2} and m["reconciles"] is True
    assert m["run_time"] == "2026-03-01T08:30:00+00:00"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_streamed_results_are_hashed_as_they_are_written(tmp_path: Path, suffix: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # The manifest's SHA-256 of a results file comes from the bytes as they were written, not from
    # reading the file again; it is the digest of the file's bytes.
    from engine import safe_output
    from engine.output import ResultStream

    path = tmp_path / f"r{suffix}"
    with ResultStream(path) as out:
        out.write({"subject_id": np.array(["a", "b"], dtype=object), "score": np.array([1.5, np.nan])})
        out.write({"subject_id": np.array(["c"], dtype=object), "score": np.array([0.1 + 0.2])})
    monkeypatch.setattr("builtins.open", None)  # file_sha256 may not read the file
    assert safe_output.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
