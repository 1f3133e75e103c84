"""Streamed CSV: number columns parsed by the reader, with the text path as the judge of odd cells."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import engine.data.stream as stream
from engine import api
from engine.data import write_rejects

SUBMISSIONS = Path(__file__).parent / "data" / "submissions"
HEADER = "id,agency,realisasi_anggaran,waktu,inovasi,hasil,pagu,unit,catatan"


@pytest.fixture()
def policies(tmp_path: Path) -> api.Policies:
    shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
    return api.compile_policies([tmp_path / "policy.kin"], root=tmp_path)


@pytest.fixture()
def readers(monkeypatch: pytest.MonkeyPatch) -> list[stream.Chunks]:
    """Every chunk reader a run opens."""
    opened: list[stream.Chunks] = []
    real = stream.Chunks.__init__

    def spy(self: stream.Chunks, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        opened.append(self)
    monkeypatch.setattr(stream.Chunks, "__init__", spy)
    return opened


# (cell, whether the typed reader takes it): a cell the typed read cannot take sends the whole
# run through the text path, whose rejects the in-memory loader gives too.
SPELLINGS = [(" 5", True), ("+5", True), (".5", True), ("5.", True), ("1E+1", True), ("-0", True),
             ('"7"', True), ('""', True), ("007", True), ("1.5e-3", True),
             ("abc", False), ("5e", False), ("1_0", False), ("0x1", False), ("  ", False),
             ("NaN", False), ("-inf", False), ("1e400", False)]


@pytest.mark.parametrize("cell, typed", SPELLINGS)
def test_streamed_csv_equals_in_memory_whatever_the_number_spelling(
        policies: api.Policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readers: list[stream.Chunks],
        cell: str, typed: bool) -> None:
    rows = [f"E{i},kemenkeu,{50 + i},{i % 7 * 20},true,Sesuai,{i * 10},U1,x" for i in range(1, 30)]
    rows[17] = f"E18,kemenkeu,{cell},10,true,Sesuai,1,U1,x"  # in the third chunk of 7 rows
    data = tmp_path / "data.csv"
    data.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(stream.Chunks, "block", 128)  # the reader parses about 3 lines at a time
    whole = api.score(policies, [data], tmp_path / "whole.csv", whole=True)
    parts = api.score(policies, [data], tmp_path / "parts.csv", chunk=7)
    assert parts.result is None and len(readers) == 1 and readers[0].typed  # streamed, one reader, typed first
    # An odd cell sends the reader on as text from its chunk (file rows 14-20), never back to the start.
    assert readers[0].text_from == (None if typed else 14)
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "parts.csv").read_bytes()
    write_rejects(whole.report, tmp_path / "whole.rejects.csv")
    write_rejects(parts.report, tmp_path / "parts.rejects.csv")
    assert (tmp_path / "whole.rejects.csv").read_bytes() == (tmp_path / "parts.rejects.csv").read_bytes()
    assert len(whole.report.rejects) == (0 if typed or cell.strip() == "" else 1)


def test_the_manifest_digest_read_during_streaming_is_the_file_digest(policies: api.Policies, tmp_path: Path) -> None:
    import hashlib
    import os

    from engine.output import file_sha256

    rows = [f"E{i},kemenkeu,{50 + i},{i % 7 * 20},true,Sesuai,{i * 10},U1,x" for i in range(1, 30)]
    data = tmp_path / "data.csv"
    data.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    api.score(policies, [data], tmp_path / "out.parquet", chunk=7)
    assert file_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()
    data.write_text(HEADER + "\n" + "\n".join(rows[:5]) + "\n", encoding="utf-8")  # changed afterwards
    os.utime(data, ns=(1, 1))
    assert file_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()


def test_a_bad_byte_late_in_a_streamed_csv_stops_the_run_naming_its_line(
        policies: api.Policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readers: list[stream.Chunks]
) -> None:
    from engine.data.numbers import SAMPLE
    from engine.diagnostics import KinerjaError

    rows = [f"E{i},kemenkeu,{50 + i % 50},{i % 7 * 20},true,Sesuai,{i * 10},U1,x" for i in range(1, SAMPLE + 6000)]
    bad = SAMPLE + 5000  # well past the rows sampled for the decimal mark: met while streaming
    rows[bad] = "E0,kemenkeu,70,10,true,Sesuai,1,U1,caf\xe9"  # Latin-1 on line bad + 2 (the header is line 1)
    data = tmp_path / "data.csv"
    data.write_bytes((HEADER + "\n" + "\n".join(rows) + "\n").encode("latin-1"))
    monkeypatch.setattr(stream.Chunks, "block", 1 << 16)  # the first chunks are read and written before it
    out = tmp_path / "out.csv"
    out.write_text("the previous results\n", encoding="utf-8")
    with pytest.raises(KinerjaError) as info:
        api.score(policies, [data], out, chunk=2000)
    [d] = info.value.diagnostics
    assert (d.code, d.span.line) == ("data.encoding", bad + 2) and len(readers) == 1  # found while streaming
    with pytest.raises(KinerjaError) as whole:  # the in-memory loader says the same
        api.score(policies, [data], tmp_path / "whole.csv", whole=True)
    assert whole.value.diagnostics == info.value.diagnostics
    assert out.read_text(encoding="utf-8") == "the previous results\n"  # never a partial set of rows
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["data.csv", "out.csv"]
