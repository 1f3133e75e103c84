"""Explanations: read from the evaluated columns, never disagreeing with them."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from evaluate_kit import batch, plan

from engine.evaluate import evaluate_plan
from engine.explain import as_dict, explain, render

POLICY = """
input inovasi { type boolean }
indicator realisasi { target 95 range 0 .. 100 }
indicator waktu { better lower target 3 score ratio cap 120 }
indicator ikm { score goalposts 0 .. 100 missing fail }
indicator mutu { score raw }
scorecard nilai round 2 {
    perspective keuangan weight 60% { realisasi weight 50% waktu weight 50% }
    perspective proses weight 40% aggregate geometric { ikm weight 50% mutu weight 50% }
}
rating predikat of nilai {
    "Sangat Baik" when >= 110 if inovasi
    "Baik" when >= 90
    "Cukup" when >= 70
    "Kurang" otherwise
}
"""

ROWS = [
    {"id": "s1", "realisasi": 92, "waktu": 3, "ikm": 80, "mutu": 100, "inovasi": 0},
    {"id": "s2", "realisasi": None, "waktu": 2.5, "ikm": 90, "mutu": 70, "inovasi": 1},
    {"id": "s3", "realisasi": 100, "waktu": 1, "ikm": None, "mutu": 90, "inovasi": 1},
    {"id": "s4", "realisasi": 50, "waktu": 9, "ikm": 0, "mutu": 10, "inovasi": 0},
    {"id": "s5", "realisasi": 95, "waktu": 2, "ikm": 100, "mutu": 120, "inovasi": 1},
]


@pytest.fixture(scope="module")
def result():
    return evaluate_plan(plan(POLICY), batch(ROWS))


def same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


def test_every_node_value_equals_the_result_column(result):
    for i, row in enumerate(ROWS):
        ex = explain(result, row["id"])
        seen = 0
        for node in ex.walk():
            col = result.steps[node.name].value[i]
            assert same(node.value, None if col is None else (float(col) if not isinstance(col, str) else col))
            seen += 1
        assert seen >= 9


def test_ratio_formula_with_numbers_and_origin(result):
    ex = explain(result, "s1")
    node = next(x for x in ex.walk() if x.name == "realisasi")
    assert node.raw == 92.0 and node.origin is not None and (node.origin.file, node.origin.row) == ("data.csv", "2")
    assert "92 / 95 × 100" in node.formula and node.formula.endswith("= 96.84")  # 92/95*100 = 96.842...
    assert node.weight == "50%" and node.effective_weight == 0.5


def test_contributions_add_up_and_factors_multiply(result):
    for sid in ("s1", "s5"):
        ex = explain(result, sid)
        nodes = {x.name: x for x in ex.walk()}
        keu = nodes["keuangan"]
        assert sum(c.contribution for c in keu.children) == pytest.approx(keu.value)
        proses = nodes["proses"]
        assert np.prod([c.contribution for c in proses.children]) == pytest.approx(proses.value)
        assert all(c.contribution_kind == "factor" for c in proses.children)
        assert "product of the factors" in proses.formula


def test_reweighting_and_missing_decisions_shown(result):
    ex = explain(result, "s2")
    nodes = {x.name: x for x in ex.walk()}
    assert nodes["realisasi"].effective_weight == 0.0 and nodes["waktu"].effective_weight == 1.0
    assert [n.code for n in nodes["realisasi"].notes] == ["eval.missing-excluded"]
    assert "eval.reweighted" in [n.code for n in nodes["keuangan"].notes]


def test_runtime_errors_shown(result):
    nodes = {x.name: x for x in explain(result, "s3").walk()}
    assert [(n.code, n.kind) for n in nodes["ikm"].notes] == [("eval.missing-refused", "error")]
    nodes = {x.name: x for x in explain(result, "s4").walk()}
    assert nodes["proses"].value is None
    assert [n.code for n in nodes["proses"].notes] == ["eval.geometric-nonpositive"]


def test_band_and_why_not_the_next(result):
    # s1: keuangan = 0.5*96.842 + 0.5*100 = 98.421; proses = sqrt(80*100) = 89.443;
    # nilai = 0.6*98.421 + 0.4*89.443 = 94.83 -> Baik; Sangat Baik needs 110: 15.17 short.
    ex = explain(result, "s1")
    rating = next(x for x in ex.walk() if x.name == "predikat")
    assert rating.band == "Baik" and rating.next_band == "Sangat Baik"
    assert rating.gap == pytest.approx(110 - 94.83)
    assert "needs to reach 110" in rating.band_reason


def test_gate_reason():
    body = 'input x { } input inovasi { type boolean } rating r of x { "SB" when >= 110 if inovasi "B" when >= 90 }'
    r = evaluate_plan(plan(body), batch([{"x": 115, "inovasi": 0}]))
    node = next(x for x in explain(r, "0").walk() if x.name == "r")
    assert node.band == "B" and "`inovasi` does not hold" in node.band_reason and node.gap is None


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_render_formats(result, fmt):
    out = render(explain(result, "s1"), fmt)
    assert "96.84" in out and "Baik" in out
    if fmt == "json":
        assert json.loads(out)["subject_id"] == "s1"
    if fmt == "markdown":
        assert out.startswith("# s1")


@pytest.mark.parametrize("agg, weights, formula, kind, terms", [
    # a = 80, b = 100; each line computed by hand
    ("mean", "a weight 50% b weight 50%",
     "weighted mean (`mean`), the contributions add up: 50% × 80 + 50% × 100 = 90.00", "addend",
     ["50% × 80 = 40.00", "50% × 100 = 50.00"]),
    ("sum", "a weight 2 b weight 1",
     "weighted sum (`sum`), the contributions add up: 2 × 80 + 1 × 100 = 260.00", "addend",
     ["2 × 80 = 160.00", "1 × 100 = 100.00"]),
    ("geometric", "a weight 50% b weight 50%",  # sqrt(80 * 100) = 89.4427...; sqrt(80) = 8.944...
     "weighted geometric mean (`geometric`), the product of the factors: 80^0.5 × 100^0.5 = 89.44", "factor",
     ["80^0.5 = 8.94", "100^0.5 = 10.00"]),
    ("harmonic", "a weight 50% b weight 50%",  # 1 / (0.00625 + 0.005) = 88.888...
     "weighted harmonic mean (`harmonic`), 1 / the sum of the reciprocal terms: 1 / (0.5 / 80 + 0.5 / 100) = 88.89",
     "reciprocal term",
     ["0.5 / 80 = 0.01", "0.5 / 100 = 0.01"]),  # 0.00625 and 0.005, half away from zero at 2 places
    ("max", "a weight 50% b weight 50%", "maximum (`max`): max(80, 100) = 100.00", "chosen value", [None, None]),
])
def test_each_aggregation_method_explains_itself(agg: str, weights: str, formula: str, kind: str,
                                                 terms: list[str | None]) -> None:
    p = plan(f"indicator a {{ score raw }} indicator b {{ score raw }}\nscorecard s aggregate {agg} {{ {weights} }}")
    node = explain(evaluate_plan(p, batch([{"id": "x", "a": 80, "b": 100}])), "x").nodes[0]
    assert node.formula == formula
    assert {c.contribution_kind for c in node.children} == {kind}
    # each child's own term is written the way the node's arithmetic writes it (one table, methods.py)
    assert [c.contribution_formula for c in node.children] == [t and f"{kind}: {t}" for t in terms]


def test_as_dict_is_dataclasses_asdict(result):
    from dataclasses import asdict

    for sid in result.subject_ids:
        e = explain(result, sid)
        assert as_dict(e) == asdict(e)
        assert json.dumps(as_dict(e), default=str) == json.dumps(asdict(e), default=str)


def test_events_of_a_row_are_found_through_the_index_in_recording_order():
    from engine.evaluate.events import Events

    ev = Events()
    ev.add(np.array([1, 3, 5]), "a", "x.one", "error", "m1")
    ev.add(np.array([3]), "b", "x.two", "decision", "m2")
    assert [e.code for e in ev.at(3)] == ["x.one", "x.two"] and ev.at(2) == [] and ev.at(9) == []
    ev.add(np.array([0, 3]), "a", "x.three", "error", "m3")  # added after a lookup: the index is rebuilt
    assert [e.code for e in ev.at(3)] == ["x.one", "x.two", "x.three"]
    assert [e.code for e in ev.at(3, "a")] == ["x.one", "x.three"] and [e.row for e in ev.at(0)] == [0]
