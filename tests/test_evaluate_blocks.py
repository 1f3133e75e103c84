"""Block-wise evaluation gives exactly the columns, events and explanations of one whole-batch pass."""

from __future__ import annotations

import numpy as np
import pytest
from evaluate_kit import batch, plan

from engine import explain
from engine.evaluate import blocks, evaluate_plan

POLICY = """
indicator a { better higher target 100 score ratio cap 120 }
indicator b { better lower target 10 score ratio cap 120 missing exclude }
indicator c { better within 3 .. 4 score ratio cap 110 }
indicator d = a / c { score raw }
scorecard s round 2 {
    perspective p weight 60% { a weight 70% b weight 30% missing zero }
    perspective q weight 40% aggregate geometric { c weight 1 d weight 1 }
}
rating r of s round 2 { "A" when >= 90  "B" when >= 50 and < 90  "C" when < 50 }
"""


def rows(n: int) -> list[dict]:
    rng = np.random.default_rng(3)
    out = []
    for i in range(n):
        row = {"id": f"e{i}", "a": float(rng.uniform(0, 150)), "b": float(rng.uniform(0, 30)),
               "c": float(rng.uniform(0, 6))}
        for k in ("a", "b", "c"):
            if rng.random() < 0.15:
                row[k] = None
        out.append(row)
    return out


def test_blocks_equal_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    p, data = plan(POLICY), batch(rows(50))
    whole = evaluate_plan(p, data)
    monkeypatch.setattr(blocks, "BLOCK", 7)  # 8 blocks, the last one short
    for workers in (1, 2):
        monkeypatch.setattr(blocks, "WORKERS", workers)
        parts = evaluate_plan(p, data)
        for name, sr in whole.steps.items():
            mine = parts.steps[name].columns()
            for key, col in sr.columns().items():
                assert np.array_equal(mine[key], col, equal_nan=col.dtype != object), (name, key)
        key = lambda e: (e.row, e.step, e.code, e.message)  # noqa: E731
        assert sorted(whole.events, key=key) == sorted(parts.events, key=key)
        for sid in ("e0", "e13", "e49"):
            assert explain.explain(whole, sid) == explain.explain(parts, sid)


def test_compact_tree_columns_match_the_eager_definition() -> None:
    r = evaluate_plan(plan(POLICY), batch([{"id": "x", "a": 80, "b": None, "c": 3.5}]))
    p = r.steps["p"]
    assert p.weights["a"][0] == 0.7 / 1.0 and p.weights["b"][0] == pytest.approx(0.3)  # b counted as 0
    assert p.contributions["a"][0] == pytest.approx(0.7 * 80) and p.contributions["b"][0] == 0.0
    q = r.steps["q"]
    assert q.contributions["c"][0] * q.contributions["d"][0] == pytest.approx(q.value[0])
    assert set(map(str, p.columns())) >= {"value", "weight:a", "contribution:b", "extra:pattern"}


def test_batch_take_is_the_one_way_to_take_rows() -> None:
    # rows 0..4 of a 5-row batch; the data file's rows are lines 2..6 (a header line first)
    b = batch([{"id": f"s{i}", "x": float(i)} for i in range(5)])
    picked = b.take(np.array([3, 1]))
    assert picked.subject_ids.tolist() == ["s3", "s1"] and picked.columns["x"].tolist() == [3.0, 1.0]
    assert [o.row for o in picked.row_origin] == ["5", "3"] and [o.row for o in picked.origins["x"]] == ["5", "3"]
    block = b.take(slice(1, 3), origins=False)  # the evaluator's row blocks: views, no per-row origins
    assert block.subject_ids.tolist() == ["s1", "s2"] and block.row_origin == [] and block.origins == {}
    assert np.shares_memory(block.columns["x"], b.columns["x"])
    sliced = b.take(slice(3, 5))
    assert [o.row for o in sliced.row_origin] == ["5", "6"]
