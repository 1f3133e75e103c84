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
    assert _plain(got) == _pinned("benchmark.json")


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
