"""`compare` of two whole files joins them on compact keys: the same rows as a join by Python string.

The join (``engine.analysis.periods._match``) sorts the base ids as UTF-8 bytes (as big-endian
integers when every id has at most 8 bytes) and looks each current id up; these tests check it
against a plain dict lookup, and the streamed ``compare_files`` against the per-node ``compare``
(which joins Python strings) on files whose ids differ.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from cli.common import write_table
from engine import analysis, api
from engine.analysis.passes import Reading
from engine.analysis.periods import _match

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _utf8(ids: list[str]) -> np.ndarray:
    return np.array([x.encode() for x in ids], dtype=bytes)


@pytest.mark.parametrize("base, current", [
    (["E1", "E10", "E2", "E100", "A"], ["E10", "E3", "E1", "A", "E1000"]),  # prefixes of one another, <= 8 bytes
    (["Ñ1", "Ñ", "ÑÑ", "b"], ["ÑÑ", "Ñ2", "b", "Ñ"]),  # non-ASCII, <= 8 bytes as UTF-8
    (["pegawai-0001", "E1", "ñandú-largo"], ["ñandú-largo", "E1", "pegawai-0002", "pegawai-000"]),  # longer ids
    ([], ["E1"]), (["E1"], []),
])
def test_the_join_finds_exactly_the_ids_a_dict_finds(base: list[str], current: list[str]) -> None:
    hit, at = _match(_utf8(base), _utf8(current))
    where = {x: k for k, x in enumerate(base)}
    assert hit.tolist() == [x in where for x in current]
    assert [int(a) for a, h in zip(at, hit) if h] == [where[x] for x in current if x in where]


def _renamed(src: Path, dst: Path, rename: dict[str, str], drop: set[str]) -> Path:
    rows = list(csv.reader(src.open(encoding="utf-8")))
    out = [rows[0]] + [[rename.get(r[0], r[0]), *r[1:]] for r in rows[1:] if r[0] not in drop]
    with dst.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(out)
    return dst


@pytest.fixture(scope="module")
def policies() -> api.Policies:
    return api.compile_policies([ROOT / "policies"])


@pytest.mark.parametrize("chunk", [None, 7])
def test_compare_files_equals_the_string_join_when_ids_differ(policies: api.Policies, tmp_path: Path,
                                                              chunk: int | None) -> None:
    base = _renamed(EXAMPLES / "instansi-2025.csv", tmp_path / "a.csv", {"kemenkeu": "É"}, {"kemenpanrb"})
    current = _renamed(EXAMPLES / "instansi-2026.csv", tmp_path / "b.csv", {"kemenkeu": "kemenkeu-ñ-baru"}, set())
    found = analysis.compare_files(policies, Reading([base], chunk=chunk), Reading([current], chunk=chunk),
                                   "a", "b", "bsc_instansi")
    runs = [api.evaluate_files(policies, [p], policy="bsc_instansi").result for p in (base, current)]
    want = analysis.compare(*runs, "a", "b")
    # Each example file scores 56 subjects (61 rows, 5 rejected), the same ids in both.  Base: kemenkeu
    # renamed É, kemenpanrb dropped; current: kemenkeu renamed kemenkeu-ñ-baru.  So É only in the base,
    # kemenkeu-ñ-baru and kemenpanrb only in the current file, 56 - 2 = 54 in both.
    assert (found.entering, found.leaving) == (want.entering, want.leaving)
    assert (found.entering, found.leaving) == (["kemenkeu-ñ-baru", "kemenpanrb"], ["É"])
    got = found.to_dict()["subjects"]
    assert [s["subject"] for s in got] == [s.subject for s in want.subjects] and len(got) == 54  # type: ignore[index]
    for g, w in zip(got, want.subjects):  # type: ignore[arg-type]
        top = w.node(want.top)
        assert (g["agency"], g["rating_base"], g["rating_current"], g["bands_moved"]) == \
            (w.agency, w.rating_base, w.rating_current, w.bands_moved)
        assert [g["base"], g["current"], g["change"]] == [top.base, top.current, top.change]


def test_the_table_written_in_pieces_equals_it_written_whole(policies: api.Policies, tmp_path: Path) -> None:
    found = analysis.compare_files(policies, Reading([EXAMPLES / "instansi-2025.csv"]),
                                   Reading([EXAMPLES / "instansi-2026.csv"]), "2025", "2026", "bsc_instansi")
    for suffix in (".csv", ".parquet", ".json"):
        whole, pieces = tmp_path / f"whole{suffix}", tmp_path / f"pieces{suffix}"
        write_table(found.rows(), whole)
        write_table(found.pieces(size=4), pieces)  # 56 subjects: 14 pieces
        assert pieces.read_bytes() == whole.read_bytes()
    assert len((tmp_path / "pieces.csv").read_text(encoding="utf-8").splitlines()) == 1 + 56
