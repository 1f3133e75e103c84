"""Evaluator: rating bands and gates, decision tables, quotas, and per-agency plans."""

from __future__ import annotations

import math

import numpy as np
import pytest
from evaluate_kit import batch, plan

from engine.evaluate import evaluate, evaluate_plan
from engine.i18n import using

SAKIP = """
input nilai { }
rating predikat of nilai {
    "AA" when > 90 and <= 100
    "A" when > 80 and <= 90
    "BB" when > 70 and <= 80
    "B" when > 60 and <= 70
    "CC" when > 50 and <= 60
    "C" when > 30 and <= 50
    "D" when <= 30
}
"""


@pytest.mark.parametrize("value, expected", [
    (90, "A"), (90.01, "AA"), (100, "AA"), (80, "BB"), (80.000001, "A"), (30, "D"), (0, "D"),
    (0.1 * 900, "A"),  # 90.00000000000001 in float64: still 90 on paper
    (71.75, "BB"),  # the SAKIP example computed by the rule
])
def test_sakip_lower_exclusive_edges(value, expected):
    r = evaluate_plan(plan(SAKIP), batch([{"nilai": value}]))
    assert r.steps["predikat"].value[0] == expected


def test_no_band_is_recorded():
    r = evaluate_plan(plan(SAKIP), batch([{"nilai": 101}, {"nilai": None}]))
    assert r.steps["predikat"].value[0] is None
    assert [e.code for e in r.events_at(0, "predikat")] == ["eval.no-band"]
    assert r.steps["predikat"].value[1] is None and r.events_at(1) == []  # missing value: just missing


PP30 = """
input nilai { } input inovasi { type boolean }
rating predikat of nilai {
    "Sangat Baik" when >= 110 and <= 120 if inovasi
    "Baik" when >= 90 and <= 120
    "Cukup" when >= 70 and < 90
    "Kurang" when >= 50 and < 70
    "Sangat Kurang" otherwise
}
"""


def test_pp30_gate():
    rows = [{"nilai": 115, "inovasi": 0}, {"nilai": 115, "inovasi": 1}, {"nilai": 105, "inovasi": 1},
            {"nilai": 89.99, "inovasi": 1}, {"nilai": 115, "inovasi": None}, {"nilai": 10, "inovasi": 0}]
    r = evaluate_plan(plan(PP30), batch(rows))
    assert list(r.steps["predikat"].value) == ["Baik", "Sangat Baik", "Baik", "Cukup", "Baik", "Sangat Kurang"]


def test_rating_round_before_banding():
    body = """input x { } rating ikm of x round 2 {
        "A" when >= 88.31  "B" when >= 76.61 and <= 88.30  "C" when >= 65 and <= 76.60  "D" otherwise }"""
    r = evaluate_plan(plan(body), batch([{"x": 76.605}, {"x": 76.6049}, {"x": 88.305}]))
    # 76.605 -> 76.61 (half away from zero) -> B; 76.6049 -> 76.60 -> C; 88.305 -> 88.31 -> A
    assert list(r.steps["ikm"].value) == ["B", "C", "A"]
    assert r.steps["ikm"].extra["banded"][0] == 76.61


QUADRANT = """
input hasil { type one of ("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi") }
input perilaku { type one of ("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi") }
table predikat (hasil, perilaku) {
    "Di Atas Ekspektasi", "Di Atas Ekspektasi" -> "Sangat Baik"
    "Di Atas Ekspektasi", "Sesuai Ekspektasi" -> "Baik"
    "Sesuai Ekspektasi", "Di Atas Ekspektasi" -> "Baik"
    "Sesuai Ekspektasi", "Sesuai Ekspektasi" -> "Baik"
    "Di Bawah Ekspektasi", "Di Bawah Ekspektasi" -> "Sangat Kurang"
    "Di Bawah Ekspektasi", _ -> "Butuh Perbaikan"
}
table persen (predikat) { "Sangat Baik" -> 150 "Baik" -> 100 "Butuh Perbaikan" -> 75 }
value angka_kredit = persen / 100 * 12.5
"""


def test_decision_tables():
    A, S, B = "Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"
    rows = [{"hasil": A, "perilaku": A}, {"hasil": S, "perilaku": A}, {"hasil": B, "perilaku": S},
            {"hasil": A, "perilaku": B}, {"hasil": None, "perilaku": A}]
    r = evaluate_plan(plan(QUADRANT), batch(rows, labels=("hasil", "perilaku")))
    s = r.steps
    assert list(s["predikat"].value[:3]) == ["Sangat Baik", "Baik", "Butuh Perbaikan"]
    # hasil Di Bawah, perilaku Sesuai: only the wildcard row matches (hit unique)
    assert s["predikat"].value[3] is None  # Di Atas + Di Bawah: no row
    assert [e.code for e in r.events_at(3, "predikat")] == ["eval.no-rule"]
    assert s["predikat"].value[4] is None and r.events_at(4, "predikat") == []  # missing input: missing
    assert s["persen"].value.dtype == np.float64 and s["persen"].value[0] == 150.0
    assert s["angka_kredit"].value[0] == 18.75  # BKN: Ahli Pertama, a full year at Sangat Baik
    assert math.isnan(s["angka_kredit"].value[3])


def test_table_unique_ambiguity_and_first_hit():
    body = 'input k { } table t (k) { 1 -> "one" _ -> "any" } table f (k) hit first { 1 -> "one" _ -> "any" }'
    r = evaluate_plan(plan(body), batch([{"k": 1}, {"k": 2}]))
    assert r.steps["t"].value[0] is None
    assert [e.code for e in r.events_at(0, "t")] == ["eval.ambiguous-rule"]
    assert r.steps["t"].value[1] == "any"
    assert list(r.steps["f"].value) == ["one", "any"]


QUOTA = """
input unit { type text } input predikat_unit { type text } input p { type text }
quota distribusi "SE MenPANRB 3/2023" by unit {
    where predikat_unit == "Istimewa" require share(p == "Sangat Baik") <= 70%
    where predikat_unit == "Baik" require count(p in ("Butuh Perbaikan", "Kurang")) >= 1
}
"""


def test_quota_violations_name_unit_rule_counts_and_limit():
    rows = ([{"unit": "U1", "predikat_unit": "Istimewa", "p": "Sangat Baik"}] * 3
            + [{"unit": "U1", "predikat_unit": "Istimewa", "p": "Baik"}]
            + [{"unit": "U2", "predikat_unit": "Istimewa", "p": "Sangat Baik"}] * 7  # exactly 70%: allowed
            + [{"unit": "U2", "predikat_unit": "Istimewa", "p": "Baik"}] * 3
            + [{"unit": "U3", "predikat_unit": "Baik", "p": "Baik"}] * 2)
    rows = [dict(r, id=str(i)) for i, r in enumerate(rows)]
    r = evaluate_plan(plan(QUOTA), batch(rows))
    got = {(v.group, v.rule): v for v in r.violations}
    assert set(got) == {("U1", 1), ("U3", 2)}
    v = got[("U1", 1)]
    assert (v.quota, v.matching, v.size, v.actual, v.limit) == ("distribusi", 3, 4, 0.75, 0.7)
    assert v.line == 7 and "share(p == \"Sangat Baik\") <= 70%" in v.rule_text
    assert "U1" in v.message and "3 of 4" in v.message and "75%" in v.message and "70%" in v.message
    w = got[("U3", 2)]
    assert (w.matching, w.size, w.actual, w.limit) == (0, 2, 0.0, 1.0)


def test_each_agency_under_its_own_plan_in_original_order():
    national = plan('indicator x { target 100 missing fail } rating r of x { "hi" when >= 90 "lo" otherwise }')
    local = plan('indicator x { target 80 } rating r of x { "hi" when >= 90 "lo" otherwise }',
                 header='policy p "P" version "1-kemenkeu"\nsubject employee\n')
    rows = [{"id": "a", "agency": "kemenkeu", "x": 76}, {"id": "b", "agency": "bkn", "x": 76},
            {"id": "c", "agency": "kemenkeu", "x": None}, {"id": "d", "agency": "bkn", "x": None}]
    r = evaluate({"kemenkeu": local}, batch(rows), national)
    assert list(r.subject_ids) == ["a", "b", "c", "d"]
    assert r.steps["x"].value[0] == 95.0 and r.steps["x"].value[1] == 76.0  # 76/80 vs 76/100
    assert list(r.steps["r"].value[:2]) == ["hi", "lo"]
    assert list(r.plan_key) == ["kemenkeu", None, "kemenkeu", None]
    assert list(r.plan_version) == ["p@1-kemenkeu", "p@1", "p@1-kemenkeu", "p@1"]
    # events stitched back to the original rows: only d (national, missing fail) has an error
    assert [e.code for e in r.events_at(3, "x")] == ["eval.missing-refused"]
    assert [e.code for e in r.events_at(2, "x")] == ["eval.missing-excluded"]
    assert r.events_at(1) == [] and r.events_at(0) == []
    rows_out = r.to_rows()
    assert rows_out[0]["x"] == 95.0 and rows_out[3]["errors"] == 1 and rows_out[3]["x"] is None


def test_band_edges_through_float_arithmetic():
    body = "input a { } input b { } input k { } value v = (a + b) * k\n" + SAKIP.replace("of nilai", "of v")
    r = evaluate_plan(plan(body), batch([{"a": 0.1, "b": 0.2, "k": 300, "nilai": 0},  # 90.00000000000001
                                         {"a": 0.01, "b": 0.05, "k": 1000, "nilai": 0}]))  # 60.00000000000001
    assert r.steps["v"].value[0] > 90 and r.steps["v"].value[1] > 60  # the noise is really there
    assert list(r.steps["predikat"].value) == ["A", "CC"]  # exactly 90 and 60 on paper: lower-exclusive


def test_quota_message_shows_shares_with_two_decimals():
    rows = ([{"unit": "U1", "predikat_unit": "Istimewa", "p": "Sangat Baik"}] * 6
            + [{"unit": "U1", "predikat_unit": "Istimewa", "p": "Baik"}])
    rows = [dict(r, id=str(i)) for i, r in enumerate(rows)]
    (v,) = evaluate_plan(plan(QUOTA), batch(rows)).violations
    assert "(share 85.71%, limit <= 70%)" in v.message  # 6 / 7 = 85.714285...%
    with using("id"):
        (v,) = evaluate_plan(plan(QUOTA), batch(rows)).violations
    assert "(bagian 85,71%, batas <= 70%)" in v.message  # Indonesian digits in Indonesian text
