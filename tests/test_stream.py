"""Streamed `kinerja eval` (chunk by chunk) gives byte-identical files to the in-memory path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from engine import api
from engine.data import write_rejects

SUBMISSIONS = Path(__file__).parent / "data" / "submissions"
HEADER = "id,agency,realisasi_anggaran,waktu,inovasi,hasil,pagu,unit,catatan"
AGENCY = """agency kemenkeu "Kemenkeu" extends "policy.kin" {
    indicator waktu { target 90 }
}
"""


def _rows() -> list[str]:
    """Valid rows plus every kind of reject, spread over several chunks of 7 rows."""
    rows = []
    for i in range(1, 41):
        agency = ("kemenkeu", "bappenas")[i % 2]
        flag = "true" if i % 3 else "false"
        rows.append(f"E{i},{agency},{50 + i % 50},{i % 7 * 20},{flag},Sesuai,{i * 10},U{i % 4},x")
    rows[3] = "E4,kemenkeu,abc,1,true,Sesuai,1,U1,x"  # a bad number (still the first row of E4)
    rows[5] = ",,,,,,,,"  # blank: not a row at all
    rows[9] = "E2,kemenkeu,70,10,true,Sesuai,1,U1,x"  # a duplicate of a row in an earlier chunk
    rows[10] = "E11,kemenkeu,70,,,,,,x"  # missing values: re-weighted
    rows[12] = "E4,bappenas,70,10,true,Sesuai,1,U1,x"  # duplicate of a rejected first row
    rows[13] = "E14,kemenkeu,70,10,maybe,Sesuia,-1,U1,x"  # several problems in one row
    rows[20] = " E20 ,kemenkeu,0,0,false,Di Atas,0,U2,x"  # trimmed id
    rows[21] = "E20,kemenkeu,71,0,false,Di Atas,0,U2,x"  # same trimmed id: duplicate
    rows[30] = "E31,,60,10,true,Sesuai,1,U3,x"  # no agency
    rows.append("E40,kemenkeu,99,99,true,Sesuai,1,U1,x")  # duplicate in the same chunk as its first
    return rows


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[api.Policies, Path, Path]:
    shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
    (tmp_path / "kemenkeu.kin").write_text(AGENCY, encoding="utf-8")
    policies = api.compile_policies([tmp_path], root=tmp_path)
    csv_path = tmp_path / "data.csv"
    csv_path.write_text(HEADER + "\n" + "\n".join(_rows()) + "\n", encoding="utf-8")
    table = pcsv.read_csv(csv_path, convert_options=pcsv.ConvertOptions(
        column_types={c: pa.string() for c in HEADER.split(",")}))
    pq_path = tmp_path / "data.parquet"
    pq.write_table(table, pq_path, row_group_size=11)  # row groups that do not line up with chunks
    return policies, csv_path, pq_path


@pytest.mark.parametrize("source", ["csv", "parquet"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("known", [None, ["kemenkeu", "bappenas"]])
def test_streamed_files_equal_in_memory(setup: tuple[api.Policies, Path, Path], tmp_path: Path, source: str,
                                        suffix: str, known: list[str] | None) -> None:
    policies, csv_path, pq_path = setup
    data = csv_path if source == "csv" else pq_path
    whole = api.score(policies, [data], tmp_path / f"whole{suffix}", known_agencies=known, whole=True)
    parts = api.score(policies, [data], tmp_path / f"parts{suffix}", known_agencies=known, chunk=7)
    assert whole.result is not None and parts.result is None  # one in memory, the other streamed
    assert (tmp_path / f"whole{suffix}").read_bytes() == (tmp_path / f"parts{suffix}").read_bytes()
    write_rejects(whole.report, tmp_path / "whole.rejects.csv")
    write_rejects(parts.report, tmp_path / "parts.rejects.csv")
    assert (tmp_path / "whole.rejects.csv").read_bytes() == (tmp_path / "parts.rejects.csv").read_bytes()
    assert parts.report.warnings == whole.report.warnings and len(whole.report.warnings) == 1  # `catatan`
    assert (parts.subjects, parts.runtime_errors) == (whole.subjects, whole.runtime_errors)
    assert (parts.report.rows_read, parts.report.rows_accepted, parts.report.rows_rejected) == \
        (whole.report.rows_read, whole.report.rows_accepted, whole.report.rows_rejected)
    assert parts.report.rows_read == 40  # 41 data lines, one of them blank


def test_duplicate_rejects_name_the_first_row_across_chunks(setup: tuple[api.Policies, Path, Path],
                                                           tmp_path: Path) -> None:
    policies, csv_path, _ = setup
    parts = api.score(policies, [csv_path], tmp_path / "r.parquet", chunk=7)
    dups = [(r.row, r.reason) for r in parts.report.rejects if "duplicate" in r.reason]
    # Line = data row + 2 (header, 1-based): E2 first at line 3, E4 at line 5 (itself rejected),
    # E20 at line 21 (then " E20 " and "E20" again).
    assert dups == [("line 11", "duplicate subject id `E2` (first at line 3)"),
                    ("line 14", "duplicate subject id `E4` (first at line 5)"),
                    ("line 22", "duplicate subject id `E20` (first at line 21)"),
                    ("line 23", "duplicate subject id `E20` (first at line 21)"),
                    ("line 42", "duplicate subject id `E40` (first at line 41)")]
    ids = pq.read_table(tmp_path / "r.parquet").column("subject_id").to_pylist()
    assert ids.count("E2") == 1 and "E4" not in ids and ids.count("E20") == 1 and len(ids) == len(set(ids))


def test_quotas_or_explain_all_use_the_in_memory_path(setup: tuple[api.Policies, Path, Path],
                                                      tmp_path: Path) -> None:
    policies, csv_path, _ = setup
    kept = api.score(policies, [csv_path], tmp_path / "r.json", chunk=7)  # JSON is written whole
    assert kept.result is not None
    small = api.score(policies, [csv_path], tmp_path / "r.csv")  # 40 rows: not worth streaming
    assert small.result is not None


def test_row_groups_do_not_depend_on_chunks(setup: tuple[api.Policies, Path, Path], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.output

    monkeypatch.setattr(engine.output, "ROW_GROUP", 5)  # row groups cut across chunks of 7
    policies, csv_path, _ = setup
    api.score(policies, [csv_path], tmp_path / "whole.parquet", whole=True)
    api.score(policies, [csv_path], tmp_path / "parts.parquet", chunk=7)
    assert pq.ParquetFile(tmp_path / "parts.parquet").metadata.num_row_groups == 7  # 33 rows scored: 6 x 5 + 3
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "parts.parquet").read_bytes()


@pytest.mark.parametrize("numbers", ["typed", "comma text", "point text"])
def test_a_parquet_file_s_decimal_mark_is_the_one_load_reads(tmp_path: Path, numbers: str) -> None:
    # Typed number columns have no spelling: the mark is the default without reading a row;
    # number columns stored as text are sampled as `load` samples them.
    from engine.data import schema_from_plan
    from engine.data.load import number_format
    from engine.data.readers import read_parquet
    from engine.data.stream import Chunks

    shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
    plan = api.compile_policies([tmp_path / "policy.kin"], root=tmp_path).select(None, None)
    schema = schema_from_plan(plan)
    values = {"typed": pa.array([87.5, 90.0]), "comma text": pa.array(["87,5", "90,25"]),
              "point text": pa.array(["87.5", "90.25"])}[numbers]
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "agency": ["kemenkeu", "kemenkeu"], "realisasi_anggaran": values}), path)
    streamed = Chunks(path, schema).numbers
    assert streamed == number_format(read_parquet(path), schema)
    assert streamed.decimal == ("," if numbers == "comma text" else ".")
    assert streamed.source == ("default" if numbers == "typed" else "detected")
    assert Chunks(path, schema, decimal=",").numbers == number_format(read_parquet(path), schema, ",")


def test_collections_after_each_chunk_walk_only_what_the_chunks_made(setup: tuple[api.Policies, Path, Path],
                                                                      tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The long-lived objects are frozen for a streamed run's per-chunk collections, and thawed after."""
    import gc

    policies, csv_path, _ = setup
    frozen_at: list[int] = []
    real = gc.collect

    def collect(*args: int) -> int:
        frozen_at.append(gc.get_freeze_count())
        return real(*args)

    monkeypatch.setattr(api.gc, "collect", collect)
    api.score(policies, [csv_path], tmp_path / "r.csv", chunk=7)
    assert len(frozen_at) >= 3  # the one before freezing, then one per chunk (several chunks of 7 rows)
    assert frozen_at[0] == 0 and all(n > 1000 for n in frozen_at[1:])  # modules, policies: frozen
    assert gc.get_freeze_count() == 0  # thawed when the run ends


def test_chunks_are_validated_and_encoded_beside_the_scoring(setup: tuple[api.Policies, Path, Path],
                                                             tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A streamed run is a pipeline on both cores: the next chunk is validated on the reader's thread and
    the last one converted and encoded on the writer's, while the caller's thread scores; the file is
    the same bytes as a run in one piece (``test_streamed_files_equal_in_memory``)."""
    import threading

    import engine.data.stream
    import engine.output

    policies, csv_path, _ = setup
    threads: dict[str, set[str]] = {"validate": set(), "encode": set(), "score": set()}

    def spy(stage: str, real: object) -> object:
        def run(*args: object, **kwargs: object) -> object:
            threads[stage].add(threading.current_thread().name)
            return real(*args, **kwargs)  # type: ignore[operator]
        return run

    monkeypatch.setattr(engine.data.stream, "check_wide", spy("validate", engine.data.stream.check_wide))
    monkeypatch.setattr(engine.output, "presentable", spy("encode", engine.output.presentable))
    monkeypatch.setattr(api, "evaluate", spy("score", api.evaluate))
    api.score(policies, [csv_path], tmp_path / "r.parquet", chunk=7)
    main = threading.current_thread().name
    assert threads["score"] == {main}
    assert threads["validate"] and main not in threads["validate"]
    assert threads["encode"] and all(t.startswith("kinerja-write") for t in threads["encode"])


def test_a_parquet_file_s_id_pass_runs_beside_the_first_chunks(setup: tuple[api.Policies, Path, Path],
                                                               tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole-file id pass of a Parquet file (its row count is in the footer) runs on its own thread;
    its duplicates are rejected as the in-memory path rejects them."""
    import threading

    from engine.data.stream import Chunks

    policies, _, pq_path = setup
    ran_on: list[str] = []
    real = Chunks._duplicates

    def duplicates(self: Chunks) -> object:
        ran_on.append(threading.current_thread().name)
        return real(self)

    monkeypatch.setattr(Chunks, "_duplicates", duplicates)
    parts = api.score(policies, [pq_path], tmp_path / "parts.parquet", chunk=7)
    whole = api.score(policies, [pq_path], tmp_path / "whole.parquet", whole=True)
    assert ran_on == ["kinerja-ids"]
    dups = [(r.row, r.reason) for r in parts.report.rejects if "duplicate" in r.reason]
    assert dups == [(r.row, r.reason) for r in whole.report.rejects if "duplicate" in r.reason] and len(dups) == 5
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "parts.parquet").read_bytes()


@pytest.mark.parametrize("source", ["csv", "parquet"])
def test_ids_and_agencies_reach_the_writer_as_the_reader_s_arrow_text(setup: tuple[api.Policies, Path, Path],
                                                                      tmp_path: Path, source: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """No subject id or agency is turned from a Python string back into Arrow text by the writer, and
    the agencies without an agency file are counted from the reader's dictionary codes."""
    from collections import Counter

    import engine.output

    policies, csv_path, pq_path = setup
    converted: set[object] = set()
    real = engine.output._fast_text

    def fast_text(arr: object) -> object:
        converted.update(list(arr))  # type: ignore[call-overload]
        return real(arr)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.output, "_fast_text", fast_text)
    run = api.score(policies, [csv_path if source == "csv" else pq_path], tmp_path / "r.parquet", chunk=7)
    written = pq.read_table(tmp_path / "r.parquet")
    assert not converted & set(written.column("subject_id").to_pylist() + ["kemenkeu", "bappenas"])
    assert converted  # the other text columns (policy version, labels) still are
    # Every scored subject of an agency without an agency file, counted from the results file itself.
    expected = Counter(a for a in written.column("agency").to_pylist() if a not in (None, "kemenkeu"))
    assert run.unfiled == dict(expected) and run.unfiled["bappenas"] > 0


def test_repeated_ids_are_found_in_any_order_and_sorted_ids_skip_the_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.data import stream

    # By hand: rows 2 and 4 repeat the ids of rows 0 and 1; a blank id (null) repeats nothing.
    rows, first = stream.repeated_keys(pa.array(["b", "a", "b", None, "a", None, "c"]))
    assert rows.tolist() == [2, 4] and first.tolist() == [0, 1]
    rows, first = stream.repeated_keys(pa.array(["a", "b", "b", "c"]))  # sorted, not strictly: sorted out
    assert rows.tolist() == [2] and first.tolist() == [1]
    monkeypatch.setattr(stream.pc, "sort_indices", None)  # strictly increasing ids need no sort
    rows, first = stream.repeated_keys(pa.array([f"S{i:07d}" for i in range(1000)]))
    assert rows.size == 0 and first.size == 0


def test_a_national_run_s_constant_text_columns_are_made_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under one plan and no agency file, the policy version and the (empty) agency-file columns are
    Arrow text made once, not converted row by row; the file is the same as the in-memory path's."""
    import engine.output

    shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
    policies = api.compile_policies([tmp_path / "policy.kin"], root=tmp_path)
    data = tmp_path / "data.csv"
    data.write_text(HEADER + "\n" + "\n".join(_rows()) + "\n", encoding="utf-8")
    converted: list[list[object]] = []
    real = engine.output._fast_text
    monkeypatch.setattr(engine.output, "_fast_text", lambda arr: converted.append(list(arr)) or real(arr))
    api.score(policies, [data], tmp_path / "parts.parquet", chunk=7)
    written = pq.read_table(tmp_path / "parts.parquet")
    version = written.column("policy_version").to_pylist()
    assert len(set(version)) == 1 and version[0] and all(version[0] not in c for c in converted)
    assert written.column("agency_file").null_count == written.num_rows
    monkeypatch.setattr(engine.output, "_fast_text", real)
    api.score(policies, [data], tmp_path / "whole.parquet", whole=True)
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "parts.parquet").read_bytes()


def _sakip(tmp_path: Path) -> tuple[api.Policies, Path]:
    """SAKIP 88/2021 (a predikat rating) over 60 subjects, one with no answers (no band)."""
    import numpy as np

    policy = Path(__file__).parent.parent / "policies" / "nasional" / "sakip" / "sakip-88-2021.kin"
    parts = [f"{c}_{p}" for c in ("perencanaan", "pengukuran", "pelaporan", "evaluasi")
             for p in ("keberadaan", "kualitas", "pemanfaatan")]
    rng = np.random.default_rng(5)
    table = {"id": [f"S{i:03d}" for i in range(60)], "agency": [f"A{i % 7}" for i in range(60)],
             **{p: [float(v) for v in rng.choice([100, 90, 80, 70, 60, 50, 30, 0], 60)] for p in parts}}
    for p in parts:
        table[p][17] = None
    pq.write_table(pa.table(table), tmp_path / "sakip.parquet")
    return api.compile_policies([policy], root=policy.parent), tmp_path / "sakip.parquet"


@pytest.mark.parametrize("policy", ["national", "agency file", "rating"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_arrow_columns_write_the_bytes_the_python_values_write(setup: tuple[api.Policies, Path, Path],
                                                                   tmp_path: Path, policy: str,
                                                                   suffix: str) -> None:
    """The reader's Arrow ids and agencies, the policy version made once and the ratings' labels from their
    band index give the file that writing the result's Python values gives (same columns, same order)."""
    from engine.output import presentable, write_results

    policies, data, _ = setup
    if policy == "national":
        shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
        policies = api.compile_policies([tmp_path / "policy.kin"], root=tmp_path)
    elif policy == "rating":
        policies, data = _sakip(tmp_path)
    run = api.score(policies, [data], tmp_path / f"arrow{suffix}", whole=True)
    assert run.result is not None and run.result.keys()  # the batch carried the reader's Arrow text
    write_results(presentable(run.result.table()), tmp_path / f"python{suffix}")
    assert (tmp_path / f"arrow{suffix}").read_bytes() == (tmp_path / f"python{suffix}").read_bytes()
    if policy == "rating":  # by hand: the row without answers has no predikat, the others one of the bands
        labels = pq.read_table(tmp_path / f"arrow{suffix}").column("predikat_akip").to_pylist() \
            if suffix == ".parquet" else None
        assert labels is None or (labels[17] is None and set(labels) - {None} <= {"AA", "A", "BB", "B", "CC", "C", "D"})
