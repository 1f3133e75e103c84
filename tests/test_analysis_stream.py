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
