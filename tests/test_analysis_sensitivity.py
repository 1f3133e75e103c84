"""Sensitivity and period comparison, with outcomes known analytically."""

from __future__ import annotations

import pytest

from engine import analysis
from engine.analysis.sensitivity import scenarios
from tests.analysis_kit import run

# Equal weights: x dominates on both indicators; z (100, 60) sits exactly on the Baik edge (80), and
# stays >= 80 exactly when its perturbed weight of a is at least that of b: half the runs.
EDGE = """id,agency,grup,a,b
x,x,A,100,100
z,z,A,100,60
y,y,B,50,50
"""


def test_dominating_subject_is_stable_and_edge_subject_flips_half_the_time(tmp_path) -> None:
    result = run(tmp_path, EDGE, "50%", "50%").result
    s = analysis.sensitivity(result, runs=400, seed=7, weight_range=0.2)
    x, z, y = s.subject("x"), s.subject("z"), s.subject("y")
    assert (x.rank_low, x.rank_high, x.changed, x.unstable) == (1, 1, 0.0, False)
    assert (y.rank_low, y.rank_high, y.changed) == (3, 3, 0.0)
    assert (z.rank_low, z.rank_high) == (2, 2)
    assert z.rating == "Baik"
    assert z.changed == pytest.approx(0.5, abs=0.08)  # binomial sd 0.025: 3 sd
    assert z.unstable


def test_runs_are_reproducible_with_a_seed(tmp_path) -> None:
    result = run(tmp_path, EDGE, "50%", "50%").result
    a = analysis.sensitivity(result, runs=60, seed=3)
    b = analysis.sensitivity(result, runs=60, seed=3)
    assert a.to_dict() == b.to_dict()
    same = scenarios(result, 5, 3, 0.2)
    assert same == scenarios(result, 5, 3, 0.2) and same != scenarios(result, 5, 4, 0.2)
    assert all(0.8 <= f <= 1.2 for sc in same for f in sc.factors.values())


def test_aggregation_and_treatment_swaps_run(tmp_path) -> None:
    data = EDGE + "w,w,B,,100\n"  # a missing: excluded (s = 100) or zero (s = 50)
    result = run(tmp_path, data, "50%", "50%").result
    s = analysis.sensitivity(result, runs=40, seed=1, weight_range=0.0, treatments=("exclude", "zero"))
    w = s.subject("w")
    assert w.rating == "Baik" and 0.2 < w.changed < 0.8
    assert s.subject("x").changed == 0.0
    g = analysis.sensitivity(result, runs=20, seed=1, weight_range=0.0, aggregations=("min",))
    assert g.subject("z").changed == 1.0  # min(100, 60) = 60: Cukup in every run


def test_compare_two_periods_change_of_every_node(tmp_path) -> None:
    before = run(tmp_path, "id,agency,grup,a,b\np1,p1,A,80,50\np2,p2,A,90,60\nold,old,A,1,1\n", name="b.csv")
    after = run(tmp_path, "id,agency,grup,a,b\np1,p1,A,100,50\np2,p2,A,90,60\nnew,new,A,1,1\n", name="c.csv")
    c = analysis.compare(before.result, after.result, "2025", "2026")
    p1 = c.subject("p1")
    # s: 0.6*80 + 0.4*50 = 68 -> 0.6*100 + 20 = 80; +12, +12/68 of the baseline
    assert p1.node("s").change == pytest.approx(12)
    assert p1.node("s").relative == pytest.approx(1200 / 68)
    assert p1.node("a").raw_change == pytest.approx(20)
    assert (p1.rating_base, p1.rating_current, p1.bands_moved) == ("Cukup", "Baik", 1)
    assert c.subject("p2").node("s").change == 0
    assert (c.entering, c.leaving) == (["new"], ["old"])


def test_one_file_split_by_period(tmp_path) -> None:
    data = "id,agency,period,grup,a,b\np1,p1,2025-12-31,A,80,50\np1,p1,2026-12-31,A,100,50\n"
    r = run(tmp_path, data, name="periods.csv")
    found = analysis.evaluate_periods(r.policies, r.plan, tmp_path / "periods.csv")
    assert list(found) == ["2025-12-31", "2026-12-31"]
    c = analysis.compare(*found.values())
    assert c.subject("p1").node("s").change == pytest.approx(12)


def test_median_rank_over_the_runs_skips_the_runs_a_subject_was_not_ranked_in(tmp_path) -> None:
    import numpy as np

    from engine.analysis.sensitivity import _medians

    nan = float("nan")
    # Four runs' ranks of three subjects: ranked in every run (median of 1, 2, 2, 5 = 2), in two runs
    # (median of 3 and 4 = 3.5), in none (no median).
    runs = [[1, 3, nan], [2, nan, nan], [5, 4, nan], [2, nan, nan]]
    paths = []
    for k, ranks in enumerate(runs):
        paths.append(tmp_path / f"r{k}.f4")
        np.asarray(ranks, dtype=np.float32).tofile(paths[-1])
    got = _medians(paths, 3)
    assert got[:2].tolist() == [2.0, 3.5] and np.isnan(got[2])
