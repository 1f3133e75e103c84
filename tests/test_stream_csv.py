"""Streamed CSV: number columns parsed by the reader, with the text path as the judge of odd cells."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import engine.data.stream as stream
from engine import api
from engine.data import write_rejects
from engine.streaming import score_to_file

SUBMISSIONS = Path(__file__).parent / "data" / "submissions"
HEADER = "id,agency,realisasi_anggaran,waktu,inovasi,hasil,pagu,unit,catatan"


@pytest.fixture()
def policies(tmp_path: Path) -> api.Policies:
    shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
    return api.compile_policies([tmp_path / "policy.kin"], root=tmp_path)


# (cell, whether the typed reader takes it): a cell the typed read cannot take sends the whole
# run through the text path, whose rejects the in-memory loader gives too.
SPELLINGS = [(" 5", True), ("+5", True), (".5", True), ("5.", True), ("1E+1", True), ("-0", True),
             ('"7"', True), ('""', True), ("007", True), ("1.5e-3", True),
             ("abc", False), ("5e", False), ("1_0", False), ("0x1", False), ("  ", False),
             ("NaN", False), ("-inf", False), ("1e400", False)]


@pytest.mark.parametrize("cell, typed", SPELLINGS)
def test_streamed_csv_equals_in_memory_whatever_the_number_spelling(
        policies: api.Policies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, typed: bool) -> None:
    rows = [f"E{i},kemenkeu,{50 + i},{i % 7 * 20},true,Sesuai,{i * 10},U1,x" for i in range(1, 30)]
    rows[3] = f"E4,kemenkeu,{cell},10,true,Sesuai,1,U1,x"
    data = tmp_path / "data.csv"
    data.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    fallbacks = []
    real = stream.Chunks.__init__

    def spy(self: stream.Chunks, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        fallbacks.append(not self.typed)
    monkeypatch.setattr(stream.Chunks, "__init__", spy)
    whole = score_to_file(policies, [data], tmp_path / "whole.csv", stream=False)
    parts = score_to_file(policies, [data], tmp_path / "parts.csv", chunk=7)
    assert parts.run is None and fallbacks[0] is False  # streamed, typed first
    assert any(fallbacks) is (not typed)  # started again with the text path only for odd cells
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
    score_to_file(policies, [data], tmp_path / "out.parquet", chunk=7)
    assert file_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()
    data.write_text(HEADER + "\n" + "\n".join(rows[:5]) + "\n", encoding="utf-8")  # changed afterwards
    os.utime(data, ns=(1, 1))
    assert file_sha256(data) == hashlib.sha256(data.read_bytes()).hexdigest()
