"""The language extensions made while encoding policies/: the `missing` literal, per-subject
targets, ln/exp/sqrt/log10/pow, and `raw(x)` read before x's score.

Every expected number is computed by hand in the comment beside it.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from evaluate_kit import HEADER, batch, plan

from engine import checks, fmt, syntax
from engine.checks import intervals as iv
from engine.evaluate import evaluate_plan
from engine.evaluate.exprtext import to_text

IND = 'kind output unit "u" source "s" period 2026-01-01 .. 2026-12-31'


def evaluate(body: str, rows: list[dict]):
    return evaluate_plan(plan(body), batch(rows))


def codes(result, row: int, step: str) -> list[str]:
    return [e.code for e in result.events_at(row, step)]


def diag_codes(body: str) -> list[str]:
    return [d.code for d in checks.run(syntax.parse(HEADER + body, "t.kin"))]


# ------------------------------------------------------------ `missing` literal

PIECES = f'''
input c "C" {{ range 0 .. 200 }}
indicator x "X" = c {{ {IND} target 100 score piecewise {{
    when value > 110 -> 120
    when value >= 100 and value <= 110 -> missing
    otherwise value - 10
}} }}
'''


def test_a_missing_piece_gives_no_value_and_says_which_piece() -> None:
    r = evaluate(PIECES, [{"c": 120}, {"c": 105}, {"c": 110}, {"c": 90}])
    score = r.steps["x"].value
    assert score[0] == 120 and math.isnan(score[1]) and math.isnan(score[2]) and score[3] == 80  # 90 - 10
    assert codes(r, 1, "x") == ["eval.no-value"] and codes(r, 3, "x") == []
    message = r.events_at(1, "x")[0].message
    assert "when value >= 100 and value <= 110 -> missing" in message


def test_missing_in_a_branch_is_not_filled_by_the_missing_treatment() -> None:
    body = 'input c "C" { range 0 .. 10 }\nvalue v "V" = if c > 5 then missing else c * 2 { missing value 1 }\n'
    r = evaluate(body, [{"c": 7}, {"c": 3}, {"c": None}])
    v = r.steps["v"].value
    assert math.isnan(v[0])  # chosen by rule: no value, and `missing value 1` does not fill it
    assert v[1] == 6  # 3 * 2
    assert v[2] == 1  # absent data: the treatment fills 1
    assert codes(r, 0, "v") == ["eval.no-value"] and codes(r, 1, "v") == []
    assert "eval.missing-value" in codes(r, 2, "v")


def test_missing_among_labels_is_none() -> None:
    body = 'input c "C" { range 0 .. 10 }\nvalue v "V" = if c > 5 then "Tinggi" else missing\n'
    r = evaluate(body, [{"c": 7}, {"c": 3}])
    assert list(r.steps["v"].value) == ["Tinggi", None]


def test_missing_literal_round_trips_and_prints() -> None:
    m = syntax.parse(HEADER + PIECES, "t.kin")
    assert syntax.parse(fmt.format_module(m), "t.kin") == m
    value = 'value v "V" = if c > 1 then missing else 2'
    assert "then missing else" in fmt.format_text(HEADER + 'input c "C"\n' + value + "\n", "t.kin")
    expr = syntax.parse(HEADER + 'input c "C"\n' + value + "\n", "t.kin").items[-1].formula
    assert to_text(expr) == "if c > 1 then missing else 2"


def test_missing_as_an_operand_is_flagged_and_a_name_may_start_with_missing() -> None:
    assert "check.missing-operand" in diag_codes('input c "C"\nvalue v "V" = c + missing\n')
    assert "check.missing-operand" not in diag_codes(PIECES)
    assert diag_codes('input missing_rows "M" { range 0 .. 5 }\nvalue v "V" = missing_rows * 2\n') == []


# ------------------------------------------------------------ per-subject targets

TARGETS = f'''
input target_iku "Target" {{ range 1 .. 1000 }}
indicator iku "IKU" {{ {IND} range 0 .. 1000 target target_iku score ratio cap 120 }}
value out "Out" = iku
'''


def test_ratio_against_each_rows_own_target() -> None:
    r = evaluate(TARGETS, [{"iku": 45, "target_iku": 50}, {"iku": 45, "target_iku": 40},
                           {"iku": 90, "target_iku": 50}, {"iku": 45, "target_iku": None}])
    s = r.steps["iku"].value
    assert s[0] == pytest.approx(90.0)  # 45 / 50 x 100
    assert s[1] == pytest.approx(112.5)  # 45 / 40 x 100
    assert s[2] == 120.0  # 180, capped
    assert math.isnan(s[3]) and codes(r, 3, "iku") == ["eval.target-missing"]


def test_lower_is_better_and_zero_target_at_run_time() -> None:
    body = f'input t "T" {{ range 0 .. 100 }}\nindicator w "W" {{ {IND} better lower target t }}\nvalue o "O" = w\n'
    r = evaluate(body, [{"w": 8, "t": 10}, {"w": 3, "t": 0}])
    s = r.steps["w"].value
    assert s[0] == pytest.approx(120.0)  # (2 - 8/10) x 100
    assert math.isnan(s[1]) and codes(r, 1, "w") == ["eval.division-by-zero"]


def test_progress_and_missing_baseline_from_fields() -> None:
    body = f'''input b "B" {{ range 0 .. 50 }}
input t "T" {{ range 60 .. 100 }}
indicator x "X" {{ {IND} baseline b target t score progress missing baseline }}
value o "O" = x
'''
    r = evaluate(body, [{"x": 70, "b": 40, "t": 90}, {"x": None, "b": 40, "t": 90}])
    s = r.steps["x"].value
    assert s[0] == pytest.approx(60.0)  # (70 - 40) / (90 - 40) x 100 = 30 / 50
    assert s[1] == 0.0  # raw := its row's baseline 40: (40 - 40) / 50
    assert "eval.missing-baseline" in codes(r, 1, "x")
    assert diag_codes(body) == []  # 60..100 minus 0..50 never holds 0


def test_the_checker_proves_or_doubts_a_positive_target() -> None:
    assert diag_codes(TARGETS) == []
    assert diag_codes(TARGETS.replace("range 1 .. 1000 }", "range 0 .. 1000 }", 1)) == ["check.target-may-be-zero"]
    text_target = TARGETS.replace('"Target" {', '"Target" { type text', 1).replace(" range 1 .. 1000 }", " }", 1)
    assert diag_codes(text_target) == ["check.target-field-type"]
    assert sorted(diag_codes(TARGETS.replace("target target_iku", "target nothing"))) == \
        ["check.unknown-name", "check.unused"]


def test_target_field_round_trips_and_reads_as_a_dependency() -> None:
    m = syntax.parse(HEADER + TARGETS, "t.kin")
    ind = m.items[4]
    assert ind.target is None and ind.target_field.name == "target_iku"
    assert syntax.parse(fmt.format_module(m), "t.kin") == m
    assert plan(TARGETS).step("iku").deps == ("target_iku",)


# ------------------------------------------------------------ functions

def test_functions_by_hand() -> None:
    body = '''input x "X"
value a "A" = ln(x)
value b "B" = exp(0) + log10(1000)
value c "C" = sqrt(x)
value d "D" = pow(2, x)
'''
    r = evaluate(body, [{"x": 16}, {"x": 1}])
    assert r.steps["a"].value[0] == pytest.approx(math.log(16)) and r.steps["a"].value[1] == 0.0  # ln 1 = 0
    assert r.steps["b"].value[0] == pytest.approx(4.0)  # 1 + 3
    assert r.steps["c"].value[0] == pytest.approx(4.0)
    assert r.steps["d"].value[0] == 65536.0  # 2^16


@pytest.mark.parametrize("expr, x", [("ln(x)", 0), ("log10(x)", -5), ("sqrt(x)", -1), ("exp(x)", 1000),
                                     ("pow(x, 0.5)", -8), ("pow(x, -1)", 0), ("pow(10, x)", 400)])
def test_domain_errors_are_recorded_never_nan_or_inf(expr: str, x: float) -> None:
    r = evaluate(f'input x "X"\nvalue v "V" = {expr}\n', [{"x": x}, {"x": 4}])
    v = r.steps["v"].value
    assert math.isnan(v[0]) and codes(r, 0, "v") == ["eval.domain-error"]
    assert np.isfinite(v[1]) and codes(r, 1, "v") == []


def test_domain_error_only_on_rows_taking_the_branch() -> None:
    r = evaluate('input x "X"\nvalue v "V" = if x > 0 then ln(x) else 0\n', [{"x": -1}, {"x": 1}])
    assert list(r.steps["v"].value) == [0.0, 0.0] and codes(r, 0, "v") == []


def test_function_ranges_and_the_domain_check() -> None:
    one_to_e4 = iv.closed(Decimal(1), Decimal(10_000))
    assert iv.math("log10", [one_to_e4]) == iv.closed(Decimal(0), Decimal(4))
    assert iv.math("sqrt", [iv.closed(Decimal(-4), Decimal(16))]) == iv.closed(Decimal(0), Decimal(4))
    assert iv.math("pow", [iv.closed(Decimal(-2), Decimal(3)), iv.point(Decimal(2))]) == \
        iv.closed(Decimal(0), Decimal(9))
    assert iv.math("ln", [iv.closed(Decimal(-3), Decimal(-1))]).empty
    assert diag_codes('input x "X" { range -3 .. -1 }\nvalue v "V" = sqrt(x)\n') == ["check.function-domain"]
    assert diag_codes('input x "X" { range 0 .. 9 }\nvalue v "V" = sqrt(x)\n') == []
    # A rating over log10 of 1..10000 covering 0..4 is complete: the range flows through the function.
    rating = 'input x "X" { range 1 .. 10_000 }\nvalue v "V" = log10(x)\n' \
        'rating r "R" of v {\n "A" when >= 2 and <= 4\n "B" when >= 0 and < 2\n}\n'
    assert diag_codes(rating) == []


# ------------------------------------------------------------ raw(x) before x's score

WAKTU = f'''
input target_waktu "Target" {{ range 1 .. 12 }}
value efisiensi "Efisiensi" = 100 - raw(waktu) / target_waktu * 100
indicator waktu "Waktu" {{ {IND} range 0 .. 24 target target_waktu missing fail score piecewise {{
    when efisiensi <= 24 -> (1.76 * target - value) / target * 100
    otherwise 76 - ((1.76 * target - value) / target * 100 - 100)
}} }}
'''


def test_raw_read_by_the_score_is_no_cycle() -> None:
    assert diag_codes(WAKTU) == []
    p = plan(WAKTU)
    names = [s.name for s in p.steps]
    assert names.index("efisiensi") < names.index("waktu")
    assert p.step("efisiensi").raw_ahead == ("waktu",) and p.step("waktu").raw_ahead == ()
    r = evaluate(WAKTU, [{"waktu": 12, "target_waktu": 12}, {"waktu": 9, "target_waktu": 12}, {"target_waktu": 12}])
    assert list(r.steps["efisiensi"].value[:2]) == pytest.approx([0.0, 25.0])  # 100 - 12/12*100; 100 - 75
    s = r.steps["waktu"].value
    assert s[0] == pytest.approx(76.0)  # (21.12 - 12) / 12 x 100
    assert s[1] == pytest.approx(75.0)  # 76 - ((21.12 - 9) / 12 x 100 - 100) = 76 - 1
    assert math.isnan(s[2]) and codes(r, 2, "waktu") == ["eval.missing-refused"]  # recorded once, at waktu
    assert codes(r, 2, "efisiensi") == []


def test_a_real_cycle_through_raw_is_still_reported() -> None:
    body = f'input c "C"\nvalue v "V" = raw(x) + c\nindicator x "X" = v * 2 {{ {IND} target 1 }}\n'
    found = [d for d in checks.run(syntax.parse(HEADER + body, "t.kin")) if d.code == "check.cycle"]
    assert len(found) == 1 and "v -> raw(x) -> v" in found[0].message


def test_raw_read_without_a_cycle_keeps_the_old_order() -> None:
    body = f'input c "C"\nindicator x "X" = c {{ {IND} target 1 }}\nvalue v "V" = raw(x) + x\n'
    p = plan(body)
    assert [s.name for s in p.steps] == ["c", "x", "v"] and all(s.raw_ahead == () for s in p.steps)


def test_a_final_value_nothing_reads_is_not_unused() -> None:
    assert diag_codes('input c "C"\nvalue akhir "Akhir" = c * 2\n') == []
