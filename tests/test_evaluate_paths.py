"""The two ways a tree node is computed give the same columns, bit for bit.

Nodes whose method is in ``treecols.LAZY_METHODS`` (with few enough children) are computed
as one present weight for the rows with every child plus the rows missing some apart, and
store their weights and contributions compactly (derived on access); any other node takes
the eager path, which builds every effective weight and contribution column.  Forcing the
eager path (``MAX_CHILDREN = 0``) must change nothing: values, weights, contributions,
unrounded values and events.
"""

from __future__ import annotations

import numpy as np
import pytest
from evaluate_kit import batch, plan

from engine.evaluate import evaluate_plan
from engine.evaluate import treecols as tc

LEAVES = ("indicator a { score raw } indicator b { score raw missing zero } "
          "indicator c { score raw missing value 40 } indicator d { score raw }\n")


def _rows(n: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(7)
    rows = []
    for i in range(n):
        values = rng.uniform(0.5, 120, 4).round(3)
        gone = rng.random(4) < 0.25  # about a quarter of each child missing: every pattern occurs
        rows.append({"id": f"s{i}", **{k: (None if g else float(v)) for k, v, g in zip("abcd", values, gone)}})
    return rows


def _columns(result: object, name: str) -> dict[str, np.ndarray]:
    step = result.steps[name]  # type: ignore[attr-defined]
    out = {"value": np.asarray(step.value, dtype=np.float64)}
    out |= {f"weight:{k}": np.asarray(step.weights[k], dtype=np.float64) for k in step.weights}
    out |= {f"contribution:{k}": np.asarray(step.contributions[k], dtype=np.float64) for k in step.contributions}
    if "unrounded" in step.extra:
        out["unrounded"] = np.asarray(step.extra["unrounded"], dtype=np.float64)
    return out


@pytest.mark.parametrize("method", tc.LAZY_METHODS)
@pytest.mark.parametrize("options", ["", "require 50%", "round 2", "missing zero"])
def test_lazy_and_eager_tree_paths_agree(method: str, options: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = f"scorecard s aggregate {method} {options} {{ a weight 40% b weight 30% c weight 20% d weight 10% }}"
    p, rows = plan(LEAVES + tree), _rows(400)
    lazy = evaluate_plan(p, batch(rows))
    monkeypatch.setattr(tc, "MAX_CHILDREN", 0)  # every node takes the eager path
    eager = evaluate_plan(p, batch(rows))
    got, want = _columns(lazy, "s"), _columns(eager, "s")
    assert sorted(got) == sorted(want)
    for key in want:
        assert np.array_equal(got[key], want[key], equal_nan=True), key
    if options != "missing zero":  # (under the node's `missing zero` a missing `a` counts as 0)
        left_out = want["weight:a"] == 0  # rows missing `a` (left out), computed apart on the lazy path
        assert left_out.any() and not left_out.all()
    events = [[(e.code, e.message) for e in r.events_at(i, "s")] for r in (lazy, eager) for i in range(len(rows))]
    assert events[: len(rows)] == events[len(rows):]


def test_the_languages_words_and_the_checkers_list_follow_the_method_table() -> None:
    # the parser's word list and the checker's list of methods undefined at 0 live apart from the
    # table only because neither may import numpy; adding a method to the table alone fails here
    from engine import nodes as n
    from engine.checks.weights import POSITIVE_METHODS
    from engine.evaluate.methods import METHODS

    assert set(n.AGGREGATIONS) == set(METHODS)
    assert POSITIVE_METHODS == {name for name, m in METHODS.items() if m.positive}
