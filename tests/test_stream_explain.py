"""`explain --id` on a Parquet file loads only the subject's rows (and its quota group): same explanation."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from engine import api

ROOT = Path(__file__).parent.parent
POLICY = ROOT / "policies" / "nasional" / "skp" / "kinerja-pegawai-2022.kin"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example submission (with quotas by unit) plus repeated ids, as Parquet in small row groups."""
    lines = (ROOT / "examples" / "pegawai-2026.csv").read_text(encoding="utf-8").splitlines()[:241]
    header, rows = lines[0], lines[1:]
    first = rows[0].split(",")
    rows.insert(5, ",".join([first[0], *first[1:]]))  # the first subject again: rejected, naming row 0
    other = rows[30].split(",")
    rows.insert(2, ",".join([rows[60].split(",")[0], *other[1:]]))  # an early row claiming a later id
    folder = tmp_path_factory.mktemp("explain")
    csv_path = folder / "data.csv"
    csv_path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    names = header.split(",")
    table = pcsv.read_csv(csv_path, convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names}))
    out = folder / "data.parquet"
    pq.write_table(table, out, row_group_size=17)
    return out


def test_subject_explanations_equal_full_evaluation(data: Path) -> None:
    policies = api.compile_policies([POLICY])
    full = api.evaluate_files(policies, [data])
    assert full.result.violations  # the group checks matter for some subjects
    ids = [str(i) for i in full.result.subject_ids]
    for sid in ids[::7] + [ids[0]]:
        part = api.score(policies, [data], subject=sid)
        assert part.result.n < full.result.n
        assert asdict(part.explain(sid)) == asdict(full.explain(sid))
        mine = [r for r in part.report.rejects if r.subject_id == sid]
        assert mine == [r for r in full.report.rejects if r.subject_id == sid]


def test_repeated_id_is_rejected_naming_the_first_row(data: Path) -> None:
    policies = api.compile_policies([POLICY])
    first = str(api.evaluate_files(policies, [data]).result.subject_ids[0])
    part = api.score(policies, [data], subject=first)
    mine = [(r.row, r.reason) for r in part.report.rejects if r.subject_id == first]
    assert mine == [("row 6", f"duplicate subject id `{first}` (first at row 0)")]  # inserted at 5, after 1 more


def test_unknown_subject_is_not_found(data: Path) -> None:
    part = api.score(api.compile_policies([POLICY]), [data], subject="nobody")
    assert part.result.n == 0
    with pytest.raises(KeyError):
        part.explain("nobody")
