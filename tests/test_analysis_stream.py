"""The analyses in one streamed pass give the figures pinned on the example data before they were streamed.

tests/golden/analyses/*.json were written by the in-memory analyses (before this change) on
examples/instansi-2025.csv and instansi-2026.csv: regression pins, not hand computations (those
are in tests/test_analysis.py and tests/test_analysis_sensitivity.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import analysis, api
from engine.analysis.passes import Reading

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "analyses"
DATA = ROOT / "examples" / "instansi-2026.csv"


def _pinned(name: str) -> object:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def _plain(obj: object) -> object:
    return json.loads(json.dumps(obj, sort_keys=True))


@pytest.fixture(scope="module")
def policies() -> api.Policies:
    return api.compile_policies([ROOT / "policies"])


@pytest.mark.parametrize("chunk", [None, 5, 1000])
def test_benchmark_streamed_equals_the_pinned_one(policies: api.Policies, chunk: int | None) -> None:
    found = analysis.benchmark_data(policies, Reading([DATA], chunk=chunk), "bsc_instansi")
    got = [b.to_dict() for b in found]
    for b in got:
        assert b.pop("entities") == len(b["positions"])  # type: ignore[arg-type]
    want = _pinned("benchmark.json")
    # z-scores: since #13 the mean and sd are the policy language's mean_of/sd_of over snapped values,
    # which moves the last bits of z (1e-15 relative); everything else is bit for bit the pinned figure.
    zs = [[p.pop("z") for p in b["positions"]] for b in (*got, *want)]  # type: ignore[index, union-attr]
    assert [z for g in zs[:len(got)] for z in g] == pytest.approx([z for g in zs[len(got):] for z in g], rel=1e-12)
    assert _plain(got) == want


@pytest.mark.parametrize("chunk", [None, 6])
def test_sensitivity_streamed_equals_the_pinned_one(policies: api.Policies, chunk: int | None) -> None:
    reading = Reading([DATA], chunk=chunk)
    found = analysis.sensitivity_data(policies, reading, "bsc_instansi", runs=40, seed=1)
    assert _plain(found.to_dict()) == _pinned("sensitivity.json")
    found = analysis.sensitivity_data(policies, reading, "bsc_instansi", runs=30, seed=7, weight_range=0.3,
                                      aggregations=["mean", "geometric"], treatments=["exclude", "zero"])
    assert _plain(found.to_dict()) == _pinned("sensitivity-agg.json")


def test_sensitivity_summary_keeps_the_least_stable(policies: api.Policies) -> None:
    found = analysis.sensitivity_data(policies, Reading([DATA], chunk=9), "bsc_instansi", runs=40, seed=1)
    short = found.to_dict(limit=3)
    assert short["count"] == found.size == 56 and len(short["subjects"]) == 3  # type: ignore[arg-type]
    shares = [s.changed for s in found.subjects]
    assert [s["changed"] for s in short["subjects"]] == sorted(shares, reverse=True)[:3]  # type: ignore[union-attr]
    assert short["unstable"] == sum(s > 0.10 for s in shares)


@pytest.mark.parametrize("chunk", [None, 8])
def test_compare_of_two_files_equals_the_pinned_top_node(policies: api.Policies, chunk: int | None) -> None:
    base = Reading([ROOT / "examples" / "instansi-2025.csv"], chunk=chunk)
    found = analysis.compare_files(policies, base, Reading([DATA], chunk=chunk), "2025", "2026", "bsc_instansi")
    pinned = _pinned("compare.json")
    assert (found.entering, found.leaving) == (pinned["entering"], pinned["leaving"])  # type: ignore[index]
    want = []
    for s in pinned["subjects"]:  # type: ignore[index]
        top = next(x for x in s["nodes"] if x["node"] == pinned["top"])  # type: ignore[index]
        want.append({"subject": s["subject"], "agency": s["agency"], "base": top["base"], "current": top["current"],
                     "change": top["change"], "relative": top["relative"], "rating_base": s["rating_base"],
                     "rating_current": s["rating_current"], "bands_moved": s["bands_moved"]})
    assert _plain(found.to_dict()["subjects"]) == want
    changed = [w["subject"] for w in want if w["rating_base"] != w["rating_current"]]
    short = found.to_dict(limit=3)
    assert short["rating_changes"] == len(changed) and [s["subject"] for s in short["subjects"]] == changed[:3]


def test_cli_compare_of_two_files_prints_a_summary_and_writes_every_subject(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import cli

    out = tmp_path / "all.csv"
    res = CliRunner().invoke(cli.main, ["compare", str(ROOT / "policies"), str(ROOT / "examples" / "instansi-2025.csv"),
                                        str(DATA), "--policy", "bsc_instansi", "--top", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    # kemenkeu: 68.18 (Cukup) in 2025 -> 94.03 (Sangat Baik) in 2026: +25.85, two bands up.
    assert "kemenkeu       68.18    94.03   25.85  Cukup -> Sangat Baik     +2" in res.output
    assert "the first 2 (all with -o FILE)" in res.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 56


def test_sensitivity_leaves_no_objects_frozen(policies: api.Policies) -> None:
    import gc

    # The fold freezes the objects alive at its start (so its collections skip them) and unfreezes them.
    analysis.sensitivity_data(policies, Reading([DATA], chunk=20), "bsc_instansi", runs=3, seed=1)
    assert gc.get_freeze_count() == 0
