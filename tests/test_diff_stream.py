"""`kinerja diff --data` in one streamed pass: the same impact as evaluating both versions whole.

tests/golden/analyses/*.json were written by the analyses as they were before they were streamed
(the in-memory implementation, run on the example data); they pin that the streamed passes give the
same transitions, counts, movers, ranks, percentiles and intervals.  They are regression pins, not
hand computations: the hand-computed figures are in tests/test_diff.py and tests/test_analysis.py.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import api
from engine import diff as d
from engine.analysis.passes import Reading

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "analyses"
DATA = ROOT / "examples" / "instansi-2026.csv"
BARU = ROOT / "tests" / "data" / "testing" / "diff" / "bsc-instansi-baru.kin"  # weights 45/10, bands 95/80


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    new = tmp_path_factory.mktemp("new") / "policies"
    shutil.copytree(ROOT / "policies", new)
    shutil.copy(BARU, new / "nasional" / "bsc-instansi.kin")
    return ROOT / "policies", new


def _impact(versions: tuple[Path, Path], chunk: int | None, **kw: object) -> d.Impact:
    old, new = (api.compile_policies([p]) for p in versions)
    return d.impact_on(old, new, Reading([DATA], chunk=chunk), "bsc_instansi", **kw)  # type: ignore[arg-type]


def _json(imp: d.Impact) -> dict[str, object]:
    return json.loads(d.render_json(d.Diff("old", "new", [], impact=imp,
                                                 gates=[d.parse_gate("changed-rating>5%")])))


@pytest.mark.parametrize("chunk", [None, 7, 1000])
def test_streamed_impact_equals_the_pinned_one(versions: tuple[Path, Path], chunk: int | None) -> None:
    got = _json(_impact(versions, chunk, movers=1000))
    want = json.loads((GOLDEN / "diff.json").read_text(encoding="utf-8"))
    pinned_drops = want["impact"].pop("drops")  # was subject -> bands; now bands -> subjects
    drops = got["impact"].pop("drops")
    assert drops == {str(b): list(pinned_drops.values()).count(b) for b in set(pinned_drops.values())}
    changes = got["impact"].pop("changes")
    assert got == want
    # The rating changes are the first 25 in data order, each a real change.
    assert len(changes) == min(25, want["impact"]["changed_rating"])
    assert all(c["old_rating"] != c["new_rating"] for c in changes)


def test_every_rating_change_goes_to_the_output_file(versions: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "changes.csv"
    imp = _impact(versions, 5, changes=3, changes_to=out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == imp.changed_rating == 12 and len(imp.changes) == 3
    assert [r["subject_id"] for r in rows[:3]] == [m.subject for m in imp.changes]
    # Every row is a change: old and new ratings differ, and change = new - old.
    for r in rows:
        assert r["old_rating"] != r["new_rating"]
        assert float(r["change"]) == pytest.approx(float(r["new_score"]) - float(r["old_score"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changes.csv"]  # no partial file left


def test_versions_reading_different_fields_are_read_in_lockstep(tmp_path: Path) -> None:
    # The new version adds an input: its schema differs, so each version has its own reader over
    # the same chunks; a row the new version rejects (bad catatan value) is then in no match.
    old = ROOT / "policies" / "nasional" / "bsc-instansi.kin"
    text = BARU.read_text(encoding="utf-8")
    (tmp_path / "new.kin").write_text(text.replace("rating predikat_kinerja",
                                                   'input kelas "Kelas" { type one of ("A", "B") }\n\n'
                                                   "rating predikat_kinerja"), encoding="utf-8")
    rows = DATA.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "data.csv"
    data.write_text("\n".join([rows[0] + ",kelas"] + [r + (",Z" if k == 3 else ",A") for k, r in enumerate(rows[1:])])
                    + "\n", encoding="utf-8")
    a, b = api.compile_policies([old]), api.compile_policies([tmp_path / "new.kin"])
    run_a, run_b = api.evaluate_files(a, [data]), api.evaluate_files(b, [data])
    whole = d.impact(run_a, run_b, movers=100)
    streamed = d.impact_on(a, b, Reading([data], chunk=4), movers=100)
    assert run_b.result.n == run_a.result.n - 1 == whole.subjects  # one row rejected by the new version only
    assert d.render_json(d.Diff("a", "b", [], impact=streamed)) == \
        d.render_json(d.Diff("a", "b", [], impact=whole))


def test_cli_diff_output_and_gate(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    out = tmp_path / "sub" / "changes.parquet"
    res = CliRunner().invoke(cli.main, ["diff", str(old / "nasional" / "bsc-instansi.kin"),
                                        str(new / "nasional" / "bsc-instansi.kin"), "--data", str(DATA),
                                        "--fail-if", "changed-rating>5%", "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert "rating changes" in res.output and "gate tripped" in res.output
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows > 0
    res = CliRunner().invoke(cli.main, ["diff", str(old), str(new), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "-o needs --data" in res.output
    res = CliRunner().invoke(cli.main, ["diff", str(old), str(new), "--data", str(DATA), "--policy", "bsc_instansi",
                                        "-o", str(tmp_path / "x.txt")])
    assert res.exit_code == 2 and "output.unknown-format" in res.output
