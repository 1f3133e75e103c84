"""Target ranges in both directions (PermenPANRB 8/2021), with fixed or per-subject bounds.

The regulation's own examples (lampiran, Bab VI A.1.b.1):
- kondisi normal, target 80-90%: realisasi 70 -> 70/80 x 100 = 87.5%
- kondisi khusus (lower is better), target 7-8 bulan: realisasi 6.5 -> (1 + (1 - 6.5/7)) x 100
  = 1500/14 = 107.142857...% (printed 107%); realisasi 9 -> (1 + (1 - 9/8)) x 100 = 87.5%
"""

from __future__ import annotations

import math

import numpy as np
from evaluate_kit import batch, plan

from engine import syntax
from engine.evaluate import evaluate_plan
from engine.explain import explain
from engine.fmt import format_text

POLICY = """
input bawah { range 0.001 .. 100 }
input atas { range 0.001 .. 100 }
indicator normal { better within 80 .. 90 }
indicator khusus { better lower within 7 .. 8 }
indicator khusus_baris { better lower within bawah .. atas }
"""

ROWS = [
    {"id": "dalam", "normal": 85, "khusus": 7.5, "khusus_baris": 7.5, "bawah": 7, "atas": 8},
    {"id": "bawah", "normal": 70, "khusus": 6.5, "khusus_baris": 6.5, "bawah": 7, "atas": 8},
    {"id": "atas", "normal": 92, "khusus": 9, "khusus_baris": 9, "bawah": 7, "atas": 8},
    {"id": "tanpa-batas", "normal": 85, "khusus": 7.5, "khusus_baris": 9, "bawah": 7, "atas": None},
]


def _result():
    return evaluate_plan(plan(POLICY), batch(ROWS))


def test_both_directions_follow_their_own_formula() -> None:
    r = _result()
    normal, khusus = r.steps["normal"].value, r.steps["khusus"].value
    assert list(normal[:3]) == [100.0, 87.5, 92 / 90 * 100]   # inside; 70/80*100; 92/90*100
    assert khusus[0] == 100.0
    assert math.isclose(khusus[1], 1500 / 14, rel_tol=1e-12)   # (2 - 6.5/7) * 100, below: lower bound
    assert khusus[2] == 87.5                                    # (2 - 9/8) * 100, above: upper bound


def test_per_subject_bounds_agree_with_fixed_ones_and_a_missing_bound_gives_no_score() -> None:
    r = _result()
    rows = r.steps["khusus_baris"].value
    assert list(rows[:3]) == list(r.steps["khusus"].value[:3])
    assert np.isnan(rows[3])
    codes = [e.code for e in r.events_at(3, "khusus_baris")]
    assert "eval.target-missing" in codes


def test_explanation_names_the_bound_and_the_direction() -> None:
    r = _result()
    node = next(x for x in explain(r, "bawah").walk() if x.name == "khusus_baris")
    # 6.5 / 7 = 0.92857; (1 + (1 − 0.92857)) × 100 = 107.14
    assert node.formula.startswith("`ratio`, below 7 .. 8, lower is better: max((1 + (1 − 6.5 / 7)) × 100, 0)")
    assert node.formula.endswith("= 107.14")
    node = next(x for x in explain(r, "atas").walk() if x.name == "normal")
    assert node.formula.startswith("`ratio`, above 80 .. 90: ") and "92 / 90 × 100" in node.formula


def test_lower_within_parses_formats_and_round_trips() -> None:
    text = 'policy p "P" version "1"\ninput b { range 1 .. 9 }\nindicator x { better lower within b .. 8 }\n'
    decl = syntax.parse(text, "p.kin").items[-1]
    assert decl.better.sense == "lower" and decl.better.lo.name == "b"
    assert "better lower within b .. 8" in format_text(text, "p.kin")


def test_unknown_direction_word_is_a_syntax_error_with_a_suggestion() -> None:
    from engine.diagnostics import KinerjaError

    try:
        syntax.parse('policy p "P" version "1"\nindicator x { better lowr within 1 .. 2 }\n', "p.kin")
    except KinerjaError as e:
        d = e.diagnostics[0]
        assert d.code == "syntax.unknown-better" and "lower" in (d.help or "")
    else:
        raise AssertionError("a misspelt direction must be refused")


def test_streamed_and_in_memory_runs_agree_on_the_new_row_constructs(tmp_path) -> None:
    """Lower-is-better ranges with per-subject bounds, mean_present and a table call, in chunks of 7."""
    from engine import api

    body = POLICY + """
input p1 { type one of ("Baik", "Kurang") }
input p2 { type one of ("Baik", "Kurang") }
table persen (p1) {
    "Baik" -> 100
    "Kurang" -> 50
}
value m = mean_present(normal, khusus, khusus_baris)
value pp = persen(p1) + persen(p2)
"""
    (tmp_path / "p.kin").write_text('policy p "P" version "1"\nperiod 2026-01-01 ..\nsubject employee\n' + body)
    rows = [f"s{i},a,{60 + i % 40},{5 + i % 5},{6 + i % 4},{7 if i % 6 else ''},8,"
            f"{'Baik' if i % 2 else 'Kurang'},{'Kurang' if i % 3 else ''}" for i in range(50)]
    data = tmp_path / "d.csv"
    data.write_text("id,agency,normal,khusus,khusus_baris,bawah,atas,p1,p2\n" + "\n".join(rows) + "\n")
    policies = api.compile_policies([tmp_path / "p.kin"], root=tmp_path)
    whole = api.score(policies, [data], tmp_path / "whole.csv", whole=True)
    parts = api.score(policies, [data], tmp_path / "parts.csv", chunk=7)
    assert whole.result is not None and parts.result is None  # one in memory, the other streamed
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "parts.csv").read_bytes()
