"""Benchmarks and improvement areas on a five-subject set, every figure computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import analysis
from tests.analysis_kit import run

# Top scores: p1 100, p2 0.6*90+0.4*60 = 78, p3 0.6*80+0.4*90 = 84, p4 78 (tie with p2), p5 0.4*50 = 20.


def test_rank_percentile_z_by_hand(tmp_path) -> None:
    found = analysis.benchmarks(run(tmp_path).result)
    assert len(found) == 2
    b = found[0]
    pos = {p.entity: p for p in b.positions}
    assert {k: p.rank for k, p in pos.items()} == {"p1": 1, "p3": 2, "p2": 3, "p4": 3, "p5": 5}
    # percentile = 100 (below + equal/2) / 5
    assert {k: p.percentile for k, p in pos.items()} == pytest.approx(
        {"p1": 90, "p3": 70, "p2": 40, "p4": 40, "p5": 10})
    # mean 72; deviations 28 6 12 6 -52; squares sum 3704; sample variance 926
    sd = math.sqrt(926)
    assert pos["p1"].z == pytest.approx(28 / sd)
    assert pos["p5"].z == pytest.approx(-52 / sd)
    assert pos["p3"].z == pytest.approx(12 / sd)
    assert pos["p1"].gaps == {"Nasional": pytest.approx(25)}
    assert pos["p5"].gaps["Nasional"] == pytest.approx(-55)
    assert b.references[0].source == "Laporan nasional"


def test_peer_groups_rank_separately(tmp_path) -> None:
    b = analysis.benchmarks(run(tmp_path).result)[1]
    pos = {p.entity: (p.peer_group, p.rank, p.peers, p.percentile) for p in b.positions}
    assert pos == {"p1": ("A", 1, 3, pytest.approx(500 / 6)), "p3": ("A", 2, 3, pytest.approx(50)),
                   "p2": ("A", 3, 3, pytest.approx(100 / 6)), "p4": ("B", 1, 2, 75), "p5": ("B", 2, 2, 25)}
    groups = {g.peer_group: g for g in b.groups}
    assert groups["B"].mean == pytest.approx(49) and groups["B"].count == 2


def test_rank_helpers_on_raw_arrays() -> None:
    v = np.array([5.0, 7.0, 7.0, np.nan, 1.0])
    assert analysis.competition_ranks(v)[[0, 1, 2, 4]].tolist() == [3, 1, 1, 4]
    assert np.isnan(analysis.competition_ranks(v)[3])
    assert np.isnan(analysis.z_scores(np.array([3.0, 3.0]))).all()  # no spread: undefined
    assert np.isnan(analysis.z_scores(np.array([3.0]))).all()


def test_points_lost_weight_times_shortfall(tmp_path) -> None:
    imp = analysis.improvement_areas(run(tmp_path).result, ["p2"])[0]
    # a: 60% x (100 - 90) = 6 points; b: 40% x (100 - 60) = 16 points; together 100 - 78.
    assert imp.loss("a").points == pytest.approx(6)
    assert imp.loss("b").points == pytest.approx(16)
    assert [x.indicator for x in imp.losses] == ["b", "a"]
    assert sum(x.points for x in imp.losses) == pytest.approx(100 - imp.score)


def test_smallest_single_change_to_the_next_band(tmp_path) -> None:
    p2, p5 = analysis.improvement_areas(run(tmp_path).result, ["p2", "p5"])
    assert (p2.band, p2.next_band) == ("Cukup", "Baik")
    # Baik needs s >= 80: via a, 0.6 a + 24 >= 80 -> a >= 93.33..; via b, 54 + 0.4 b >= 80 -> b >= 65.
    assert p2.step("a").needed == pytest.approx(280 / 3, abs=0.01) and p2.step("a").needed >= 280 / 3 - 1e-9
    assert p2.step("b").needed == pytest.approx(65, abs=0.01) and p2.step("b").change == pytest.approx(5, abs=0.01)
    # p5 (s = 20, Kurang) needs s >= 60: via a, 0.6 a + 20 >= 60 -> a >= 66.67; via b, b's score is capped
    # at 100, so s <= 0 + 40: not reachable by b alone.
    assert (p5.band, p5.next_band) == ("Kurang", "Cukup")
    assert p5.step("a").needed == pytest.approx(200 / 3, abs=0.01)
    assert not p5.step("b").reachable
    assert [s.indicator for s in p5.steps] == ["a", "b"]


def test_the_top_band_has_no_next_band(tmp_path) -> None:
    p1 = analysis.improvement_areas(run(tmp_path).result, ["p1"])[0]
    assert p1.next_band is None and p1.steps == []


def test_the_peer_group_is_carried_by_the_agency_plan() -> None:
    from pathlib import Path

    from engine import api

    root = Path(__file__).resolve().parent.parent
    policies = api.compile_policies([root / "policies"], root=root)
    plan = policies.select("bsc_instansi")
    # the `peer_group` lines of policies/instansi/{bps,kemenkeu,kemenpanrb,pemprov-jabar}.kin
    assert analysis.peer_groups(policies.agencies_of(plan)) == {
        "bps": "lembaga", "kemenkeu": "kementerian", "kemenpanrb": "kementerian", "pemprov_jabar": "provinsi"}
    assert plan.peer_group is None  # a national plan has none
