"""Every line of every explanation the repository can produce redoes by hand (issue #12).

The examples under ``examples/`` and every evaluated case of the policy library's
own YAML tests are explained in text, Markdown and JSON; every arithmetic line is
recomputed from its displayed digits alone (``explain_recompute``).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from explain_recompute import claims, example_results, library_results

from engine.evaluate import Result
from engine.explain import arith, explain, localize, render
from engine.explain import numbers as nb

FORMULAS = ("raw_formula", "formula", "contribution_formula", "gap_formula")


# ------------------------------------------------------------ the reader, by hand

@pytest.mark.parametrize("text, want", [
    # 42.316 + 7.023 = 49.339; + 20.435 = 69.774; + 13.218 = 82.992
    ("40% × 105.79 + 15% × 46.82 + 25% × 81.74 + 20% × 66.09", "82.992"),
    ("min(max((2 − 8.1 / 5) × 100, 0), 120)", "38"),  # 8.1 / 5 = 1.62; 2 - 1.62 = 0.38
    ("clip((98.82 − 50) / (95 − 50) × 100, 0, 100)", "100"),  # 48.82 / 45 = 1.0849 -> clipped
    ("1 / (0.5 / 80 + 0.5 / 120)", "96"),  # 0.00625 + 0.0041666.. = 0.0104166..; 1 / that = 96
    ("if \"WTP\" == \"WTP\" then 100 else 25", "100"),
    ("2^3 × -1 + 10", "2"),  # 8 × -1 + 10
    ("pow(2, 10) - sqrt(16)", "1020"),
    ("mean_present(5, —, 1, 5, 4)", "3.75"),  # (5 + 1 + 5 + 4) / 4: the missing one is left out
])
def test_the_reader_computes_displayed_arithmetic_by_hand(text, want):
    assert arith.value(text) == Decimal(want)


def test_one_shape_compiled_once_reads_each_lines_own_numbers():
    # The reader compiles "# × # + # × #" once; each text keeps its own numbers and its own form.
    assert arith.value("40% × 105.79 + 60% × 10") == Decimal("48.316")  # 42.316 + 6
    assert arith.value("40% × 1 + 60% × 2") == Decimal("1.6")  # 0.4 + 1.2
    assert arith.value("40% × 1.000,5 + 60% × 2", "id") == Decimal("401.4")  # 400.2 + 1.2
    assert arith.value("-(2 − 3) × 4") == Decimal("4")  # - (-1) = 1; 1 × 4
    with pytest.raises(arith.ArithError, match="cannot read ' @'"):
        arith.value("1 + @")
    with pytest.raises(arith.ArithError, match="got a number"):
        arith.value("min 1")


def test_geometric_factor_by_hand():
    # 120^0.5 = sqrt(120) = 10.954451..; 91.43^0.5 = 9.561903..; product 104.7457..
    assert arith.agrees("120^0.5 × 91.43^0.5", "104.75", 0)
    assert not arith.agrees("120^0.5 × 91.43^0.5", "104.74", 0)


def test_a_line_rounded_from_rounded_operands_is_caught():
    # The example: the operands shown to 2 decimals give 82.99, not 83.
    _, bad = claims("mean: 40% × 105.79 + 15% × 46.82 + 25% × 81.74 + 20% × 66.09 = 83.00")
    assert bad
    checked, bad = claims("mean: 40% × 105.79 + 15% × 46.82 + 25% × 81.74 + 20% × 66.09 = 82.99")
    assert checked == 1 and not bad


def test_rounding_steps_and_results_show_their_precision():
    # 0.63245.. under `round 4`: shown as 0.6325 (not 0.63), the unrounded with 5 decimals.
    line = nb.claim(lambda d: "0.4^0.5", 0.6325, 2, 4, 0.6324555320336759)
    assert line == "0.4^0.5 = 0.63246, rounded to 4 decimals: 0.6325"
    # Rounding that changes nothing is not a step: 83.00 rounded to 2 decimals is 83.00.
    assert nb.claim(lambda d: "83", 83.0, 2, 2, 83.0) == "83 = 83.00"
    # An operand gets one more decimal when two would not give the shown result:
    # 40% × 86.56 = 34.624 -> 34.62, but the contribution is 34.6256 -> 34.63.
    assert nb.claim(lambda d: f"40% × {nb.show(86.564, d)}", 34.6256, 2) == "40% × 86.564 = 34.63"


# ------------------------------------------------------------ every explanation

def _check(where: str, result: Result, places: int, lang: str = "en") -> tuple[int, list[str]]:
    checked, bad = 0, []
    for sid in result.subject_ids:
        ex = explain(result, sid, places, lang)
        for fmt in ("text", "markdown"):
            c, b = claims(render(ex, fmt), lang)
            checked, bad = checked + c, bad + [f"{where} {sid} ({fmt}, {lang}): {line}" for line in b]
        nodes = json.loads(render(ex, "json"))["nodes"]
        lines = [node[f] for node in _walk(nodes) for f in FORMULAS if node.get(f)]
        c, b = claims("\n".join(lines), lang)
        checked, bad = checked + c, bad + [f"{where} {sid} (json): {line}" for line in b]
    return checked, bad


def _walk(nodes: list[dict]) -> list[dict]:
    return [d for node in nodes for d in [node, *_walk(node["children"])]]


def _check_all(results: list[tuple[str, Result]], lang: str, places: int = 2) -> int:
    total, bad = 0, []
    for where, result in results:
        c, b = _check(where, result, places, lang)
        total, bad = total + c, bad + b
    assert not bad, "\n".join(bad[:20])
    return total


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_line_of_every_example_explanation_recomputes(lang):
    assert _check_all(example_results(), lang) > 5000  # 56 + 56 + pegawai subjects, dozens of lines each, 3 formats


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_line_of_every_library_test_explanation_recomputes(lang):
    assert _check_all(library_results(), lang) > 1000


@pytest.mark.parametrize("lang", ["en", "id"])
def test_more_precision_still_recomputes(lang):
    (where, result), *_ = example_results()
    c, bad = _check(where, result, 5, lang)
    assert c > 1000 and not bad, "\n".join(bad[:20])


# ------------------------------------------------------------ Bahasa Indonesia (issue #14)

@pytest.mark.parametrize("text, want", [
    # The first sum above in Indonesian digits: 42,316 + 7,023 + 20,435 + 13,218 = 82,992
    ("40% × 105,79 + 15% × 46,82 + 25% × 81,74 + 20% × 66,09", "82.992"),
    ("9.900.000 / 10.000.000 × 100", "99"),  # dots group thousands: 0.99 × 100
    ("min(max(87,57 / 105 × 100, 0), 120)", "83.4"),  # 87.57 / 105 = 0.834: a list's comma has a space
    ("1.234,5 − 0,5", "1234"),
])
def test_the_reader_reads_indonesian_digits(text, want):
    assert arith.value(text, "id") == Decimal(want)


def test_an_indonesian_line_rounded_wrong_is_caught():
    # The same sum as test_a_line_rounded_from_rounded_operands_is_caught, written as an officer reads it.
    line = "mean: 40% × 105,79 + 15% × 46,82 + 25% × 81,74 + 20% × 66,09 = {}"
    assert claims(line.format("83,00"), "id")[1]
    assert claims(line.format("82,99"), "id") == (1, [])
    # 0.4^0.5 = 0.632455..: 0,63246 rounds to 0,6325 at 4 decimals, not to 0,6324.
    assert claims("nilai: 0,4^0,5 = 0,63246, dibulatkan ke 4 desimal: 0,6325", "id") == (1, [])
    assert claims("nilai: 0,4^0,5 = 0,63246, dibulatkan ke 4 desimal: 0,6324", "id")[1]
    # A band line: 94,03 is >= 90 and < 95, so the line holds; with 89,99 it does not.
    assert claims("predikat Baik: 94,03 >= 90 dan < 95", "id") == (1, [])
    assert claims("predikat Baik: 89,99 >= 90 dan < 95", "id")[1]


def test_indonesian_numbers_keep_every_digit_shown():
    assert [localize.number(x, "id") for x in ("94.03", "83.00", "9900000", "75_000", "0.000012", "1234.5")] == \
        ["94,03", "83,00", "9.900.000", "75.000", "0,000012", "1.234,5"]
    line = 'lookup persen("Baik 2.5") gives 1234.5 (row 2 of t) from x/instansi-2026.csv:1234, `x >= 2.5`, iku_1.5'
    assert localize.numbers(line, "id") == \
        'lookup persen("Baik 2.5") gives 1.234,5 (row 2 of t) from x/instansi-2026.csv:1234, `x >= 2.5`, iku_1.5'
    assert localize.numbers(line, "en") == line
