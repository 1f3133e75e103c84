"""Population statistics (`mean_of(x) by FIELD`...): whole-batch, grouped, explained, and the same
numbers as `kinerja benchmark`; blocked, streamed and in-memory runs agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from evaluate_kit import HEADER, batch, plan

from engine import api, checks, syntax
from engine import nodes as n
from engine.analysis.benchmark import competition_ranks, z_scores
from engine.evaluate import evaluate_plan
from engine.explain import explain
from engine.fmt import format_text

BODY = """
input unit { type text }
input nilai { range 0 .. 100 }
value z = (nilai - mean_of(nilai) by unit) / sd_of(nilai) by unit
value r = rank_of(nilai)
value total = sum_of(nilai) by unit
value n = count_of(nilai) by unit
value mm = (nilai - min_of(nilai)) / (max_of(nilai) - min_of(nilai)) * 100
"""
ROWS = [{"id": "a", "unit": "U1", "nilai": 80}, {"id": "b", "unit": "U1", "nilai": 90},
        {"id": "c", "unit": "U2", "nilai": 70}, {"id": "d", "unit": None, "nilai": 60},
        {"id": "e", "unit": "U1", "nilai": None}]


def _run(rows=ROWS):
    return evaluate_plan(plan(BODY), batch(rows, labels=("unit",)))


def test_statistics_by_hand() -> None:
    r = _run()
    v = {k: r.steps[k].value for k in ("z", "r", "total", "n", "mm")}
    # U1: 80, 90 (e has no value): mean 85, sample sd sqrt((25 + 25) / 1) = sqrt(50); z = -+5/sqrt(50)
    assert np.allclose(v["z"][:2], [-5 / 50 ** 0.5, 5 / 50 ** 0.5], rtol=0, atol=1e-15)
    assert np.isnan(v["z"][2]) and np.isnan(v["z"][3])   # U2 has one value; d has no unit
    assert list(v["total"][[0, 1, 2, 4]]) == [170, 170, 70, 170] and np.isnan(v["total"][3])
    assert list(v["n"][[0, 1, 2, 4]]) == [2, 2, 1, 2]
    assert list(v["r"][:4]) == [2, 1, 3, 4] and np.isnan(v["r"][4])   # all subjects: 90 > 80 > 70 > 60
    assert np.allclose(v["mm"][:4], [200 / 3, 100, 100 / 3, 0], rtol=0, atol=1e-12)  # (x - 60) / 30 x 100


def test_reasons_for_missing_statistics_are_recorded() -> None:
    r = _run()
    assert [e.code for e in r.events_at(3, "z")] == ["eval.no-group", "eval.no-group"]
    assert [e.code for e in r.events_at(2, "z")] == ["eval.no-spread"]


def test_explanation_names_statistic_group_and_size() -> None:
    node = next(x for x in explain(_run(), "a").walk() if x.name == "z")
    # Each statistic is replaced by its value, so the line redoes by hand: the sample sd of 80 and 90 is
    # sqrt((25 + 25) / 1) = 7.0710678..; (80 - 85) / 7.0710678 = -0.7071 -> -0.71.
    assert node.formula == "value: (80 - 85) / 7.07106781187 = -0.71"
    assert node.lookups[0] == 'statistic mean_of(nilai) by unit gives 85 (mean of 2 values, group unit = "U1")'
    assert "sample standard deviation of 2 values" in node.lookups[1]
    node = next(x for x in explain(_run(), "c").walk() if x.name == "r")
    assert node.lookups == ["statistic rank_of(nilai) gives 3 (competition rank (1 = highest) of 4 values, "
                            "all subjects)"]


def test_same_numbers_as_benchmark() -> None:
    rng = np.random.default_rng(7)
    values = np.round(rng.uniform(0, 100, 300), 2)
    values[::17] = values[1]  # ties
    rows = [{"id": str(i), "unit": "U", "nilai": float(x)} for i, x in enumerate(values)]
    r = _run(rows)
    assert np.array_equal(r.steps["r"].value, competition_ranks(values))
    assert np.array_equal(r.steps["z"].value, z_scores(values))


def test_row_blocks_do_not_split_the_population(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.evaluate.blocks as blocks

    rows = [{"id": str(i), "unit": f"U{i % 3}", "nilai": float(i % 50)} for i in range(40)]
    whole = _run(rows)
    monkeypatch.setattr(blocks, "BLOCK", 8)
    blocked = _run(rows)
    for k in ("z", "r", "total", "mm"):
        assert np.array_equal(whole.steps[k].value, blocked.steps[k].value, equal_nan=True)


def test_streamed_run_equals_in_memory(tmp_path: Path) -> None:
    policy = tmp_path / "p.kin"
    policy.write_text(HEADER + BODY, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,agency,unit,nilai\n" + "".join(f"s{i},a,U{i % 3},{i % 50}\n" for i in range(60)))
    policies = api.compile_policies([policy], root=tmp_path)
    api.score(policies, [data], tmp_path / "whole.csv", whole=True)
    asked = api.score(policies, [data], tmp_path / "asked.csv", chunk=7)  # asked to stream in chunks of 7
    assert asked.result is not None  # a population statistic runs over the whole batch, never per chunk
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "asked.csv").read_bytes()


def test_grammar_formatter_and_checks() -> None:
    text = HEADER + BODY
    assert "value total = sum_of(nilai) by unit" in format_text(text, "p.kin")
    assert checks.run(syntax.parse(text, "p.kin")) == []
    bad = text.replace("sum_of(nilai) by unit", "sum_of(nilai) by nilai")
    assert [d.code for d in checks.run(syntax.parse(bad, "p.kin"))] == ["check.population-call"]


NATIONAL = HEADER.replace("subject employee", "subject agency") + """
indicator capaian { range 0 .. 200 target 100 }
value peringkat = rank_of(capaian)
value z = (capaian - mean_of(capaian)) / sd_of(capaian)
value z_z = rank_of(z)
"""


def test_agencies_under_their_own_plans_share_one_population(tmp_path: Path) -> None:
    (tmp_path / "nasional.kin").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "a1.kin").write_text('agency a1 "A1" extends "nasional.kin" {\n indicator capaian { target 50 }\n}\n')
    data = tmp_path / "d.csv"
    # capaian scores: a1 rows 40/50 x 100 = 80 and 45/50 x 100 = 90 (own target); others x / 100 x 100
    data.write_text("id,agency,capaian\ns1,a1,40\ns2,a1,45\ns3,lain,85\ns4,lain,95\ns5,lain,70\n")
    policies = api.compile_policies([tmp_path], root=tmp_path)
    run = api.evaluate_files(policies, [data], policy="p")
    result = run.result
    scores = result.steps["capaian"].value
    assert list(scores) == [80, 90, 85, 95, 70]
    assert list(result.steps["peringkat"].value) == [4, 2, 3, 1, 5]          # over all five, not per plan
    assert np.array_equal(result.steps["peringkat"].value, competition_ranks(scores))
    assert np.array_equal(result.steps["z"].value, z_scores(scores))
    assert list(result.steps["z_z"].value) == [4, 2, 3, 1, 5]               # a statistic of a statistic


def test_share_of_members_in_a_band_per_unit() -> None:
    body = ('input unit { type text }\ninput predikat { type one of ("Baik", "Kurang") }\n'
            'value porsi = mean_of(predikat == "Baik") by unit\n')
    rows = [{"id": "a", "unit": "U1", "predikat": "Baik"}, {"id": "b", "unit": "U1", "predikat": "Kurang"},
            {"id": "c", "unit": "U1", "predikat": None}, {"id": "d", "unit": "U2", "predikat": "Baik"}]
    r = evaluate_plan(plan(body), batch(rows, labels=("unit", "predikat")))
    assert list(r.steps["porsi"].value) == [0.5, 0.5, 0.5, 1.0]  # U1: 1 Baik of 2 rated (c unrated); U2: 1 of 1


def test_by_agency_groups_by_the_submission_agency_column() -> None:
    body = "input nilai\nvalue r = rank_of(nilai) by agency\nvalue m = mean_of(nilai) by agency\n"
    assert checks.run(syntax.parse(HEADER + body, "p.kin")) == []
    rows = [{"id": "a", "agency": "k1", "nilai": 80}, {"id": "b", "agency": "k1", "nilai": 90},
            {"id": "c", "agency": "k2", "nilai": 70}]
    r = evaluate_plan(plan(body), batch(rows))
    assert list(r.steps["r"].value) == [2, 1, 1] and list(r.steps["m"].value) == [85, 85, 70]  # k1: (80 + 90) / 2
    node = next(x for x in explain(r, "a").walk() if x.name == "m")
    assert node.lookups[0].endswith('(mean of 2 values, group agency = "k1")')


def test_a_value_that_is_one_statistic_is_explained_once() -> None:
    node = next(x for x in explain(_run(), "a").walk() if x.name == "total")
    assert node.lookups == ['statistic sum_of(nilai) by unit gives 170 (sum of 2 values, group unit = "U1")']  # 80 + 90
    assert node.formula == "value: 170 = 170.00"


PEERS = HEADER.replace("subject employee", "subject agency") + """
indicator capaian { range 0 .. 200 target 100 }
value z = (capaian - mean_of(capaian) by peer_group) / sd_of(capaian) by peer_group
value peringkat = rank_of(capaian) by peer_group
benchmark capaian within peer_group {
}
"""
PEER_DATA = "id,agency,capaian\ns1,a1,80\ns2,a1,95\ns3,a2,90\ns4,a3,60\ns5,a4,70\ns6,a4,65\ns7,lain,50\n"


def _peer_project(tmp_path: Path) -> Path:
    (tmp_path / "nasional.kin").write_text(PEERS, encoding="utf-8")
    for agency, peer in (("a1", "besar"), ("a2", "besar"), ("a3", "kecil"), ("a4", "kecil")):
        (tmp_path / f"{agency}.kin").write_text(
            f'agency {agency} "{agency}" extends "nasional.kin" {{\n peer_group {peer}\n}}\n', encoding="utf-8")
    (tmp_path / "d.csv").write_text(PEER_DATA, encoding="utf-8")
    return tmp_path / "d.csv"


def test_by_peer_group_groups_by_the_agency_policies_peer_group(tmp_path: Path) -> None:
    data = _peer_project(tmp_path)
    result = api.evaluate_files(api.compile_policies([tmp_path], root=tmp_path), [data], policy="p").result
    # besar (a1, a2): 80, 95, 90 -> ranks 3, 1, 2.  kecil (a3, a4): 60, 70, 65 -> mean 65,
    # sample sd sqrt((25 + 25 + 0) / 2) = 5, z -1, 1, 0; ranks 3, 1, 2.  `lain` has no agency file: no group.
    assert list(result.steps["peringkat"].value[:6]) == [3, 1, 2, 3, 1, 2]
    assert np.allclose(result.steps["z"].value[3:6], [-1, 1, 0], rtol=0, atol=1e-15)
    assert np.isnan(result.steps["peringkat"].value[6]) and np.isnan(result.steps["z"].value[6])
    assert [e.code for e in result.events_at(6, "peringkat")] == ["eval.no-group"]
    assert "declares no peer_group" in result.events_at(6, "peringkat")[0].message
    node = next(x for x in explain(result, "s4").walk() if x.name == "peringkat")
    assert node.lookups == ['statistic rank_of(capaian) by peer_group gives 3 (competition rank (1 = highest) '
                            'of 3 values, group peer_group = "kecil")']


def test_by_peer_group_agrees_with_benchmark_within_peer_group(tmp_path: Path) -> None:
    from engine.analysis import benchmark, peer_groups

    data = _peer_project(tmp_path)
    policies = api.compile_policies([tmp_path], root=tmp_path)
    result = api.evaluate_files(policies, [data], policy="p").result
    bench = benchmark(result, result.plans[None].module.first(n.Benchmark), peer_groups(result.plans))
    got = dict(zip(bench.table["entity"], zip(bench.table["rank"], bench.table["z"])))
    for i, sid in enumerate(result.subject_ids[:6]):   # the rows that have a peer group
        assert got[sid][0] == result.steps["peringkat"].value[i]
        assert got[sid][1] == result.steps["z"].value[i]


def test_by_peer_group_streamed_equals_in_memory_and_formats(tmp_path: Path) -> None:
    data = _peer_project(tmp_path)
    policies = api.compile_policies([tmp_path], root=tmp_path)
    api.score(policies, [data], tmp_path / "whole.csv", policy="p", whole=True)
    api.score(policies, [data], tmp_path / "asked.csv", policy="p", chunk=2)
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "asked.csv").read_bytes()
    assert "value peringkat = rank_of(capaian) by peer_group" in format_text(PEERS, "p.kin")
    assert [d for d in checks.run(syntax.parse(PEERS, "p.kin")) if d.is_error] == []
