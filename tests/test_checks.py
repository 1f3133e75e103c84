"""Tests of the checker stage: one golden rendering per code, and hand-checked tricky cases.

Regenerate the goldens with ``UPDATE_GOLDEN=1 python -m pytest tests/test_checks.py``,
then read every changed ``.txt`` before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import checks, syntax
from engine.diagnostics import Diagnostic, render_text

GOLDEN = Path(__file__).parent / "golden" / "diagnostics"
CASES = sorted(GOLDEN.glob("*.kin"))

HEAD = 'policy p "P" version "1"\nperiod 2026-01-01 .. 2026-12-31\nsubject employee\n'


def run(text: str) -> list[Diagnostic]:
    return checks.run(syntax.parse(text, "p.kin"))


def codes(text: str) -> list[str]:
    return [d.code for d in run(text)]


def errors(text: str) -> list[Diagnostic]:
    return [d for d in run(text) if d.is_error]


def where(d: Diagnostic) -> tuple[int, int, int]:
    return (d.span.line, d.span.column, d.span.end_column)


# ------------------------------------------------------------------ goldens


def test_one_golden_per_code() -> None:
    assert len(CASES) >= 47
    for code in ALL_CODES:
        assert (GOLDEN / f"{code.replace('.', '-')}.kin").is_file(), code


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    diags = checks.run(syntax.parse(text, case.name))
    code = case.stem.replace("-", ".", 1)
    assert code in [d.code for d in diags]
    rendered = render_text(diags, {case.name: text})
    expected = case.with_suffix(".txt")
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(rendered, encoding="utf-8")
    assert rendered == expected.read_text(encoding="utf-8")


# ------------------------------------------------------------------- bands

IKM = HEAD + """
input nrr "NRR" { range 1 .. 4 }
value ikm "IKM" = nrr * 25
rating mutu "Mutu" of ikm ROUND {
    "A" when >= 88.31 and <= 100.00
    "B" when >= 76.61 and <= 88.30
    "C" when >= 65.00 and <= 76.60
    "D" when >= 25.00 and <= 64.99
}
"""


def test_ikm_bands_complete_when_rounded_to_two_decimals() -> None:
    assert run(IKM.replace("ROUND", "round 2")) == []


def test_ikm_rounding_on_the_node_counts_too() -> None:
    text = IKM.replace("ROUND", "").replace("= nrr * 25", "= nrr * 25 { round 2 }")
    assert run(text) == []


def test_ikm_bands_have_three_gaps_without_rounding() -> None:
    found = [d for d in run(IKM.replace("ROUND", "")) if d.code == "check.band-gap"]
    # Each gap is reported at the lower edge of the band above it: `>= 88.31` on line 8, etc.
    assert [where(d) for d in found] == [(8, 14, 22), (9, 14, 22), (10, 14, 22)]
    assert "above 76.60 and below 76.61" in found[1].message


def test_ikm_with_round_one_still_covers() -> None:
    # On a 0.1 grid, 76.6 is in C and the next grid point 76.7 is in B: no gap.
    assert run(IKM.replace("ROUND", "round 1")) == []


def test_range_below_lowest_band_is_a_gap() -> None:
    # nrr in 0..4 gives ikm in 0..100: values below 25.00 get no band.
    found = errors(IKM.replace("ROUND", "round 2").replace("range 1 .. 4", "range 0 .. 4"))
    assert [d.code for d in found] == ["check.band-gap"]
    assert found[0].message.startswith("values from 0.00 and below 25.00")


PP30 = HEAD + """
input skp "SKP" { range 0 .. 120 }
input inovasi "Inovasi" { type boolean }
rating predikat "Predikat" of skp {
    "Sangat Baik" when >= 110 and <= 120 GATE
    "Baik" when >= 90 and <= 120
    "Cukup" when >= 70 and < 90
    "Kurang" when >= 50 and < 70
    "Sangat Kurang" when < 50
}
"""


def test_pp30_overlap_is_legal_with_a_gate() -> None:
    assert run(PP30.replace("GATE", "if inovasi")) == []


def test_pp30_overlap_without_gate_is_reported_on_the_later_band() -> None:
    found = errors(PP30.replace("GATE", ""))
    assert [(d.code, d.span.line) for d in found] == [("check.band-overlap", 9)]
    assert found[0].labels[0].span.line == 8


def test_gated_band_spanning_everything_is_not_part_of_the_order() -> None:
    # 5 CFR 430.208: a critical element rated Unacceptable forces Level 1 whatever the score.
    level1 = '"Level 1" when >= 0 and <= 120 if inovasi\n    '
    text = PP30.replace('"Sangat Baik" when >= 110 and <= 120 GATE',
                        level1 + '"Sangat Baik" when >= 110 and <= 120 if inovasi')
    assert "check.band-order" not in [d.code for d in run(text)]


def test_gate_must_be_boolean() -> None:
    found = errors(PP30.replace("GATE", "if skp"))
    assert [(d.code, where(d)) for d in found] == [("check.gate-not-boolean", (8, 45, 48))]


SAKIP = HEAD + """
input nilai "Nilai SAKIP" { range 0 .. 100 }
rating predikat "Predikat" of nilai {
    "AA" when > 90 and <= 100
    "A"  when > 80 and <= 90
    "BB" when > 70 and <= 80
    "B"  when > 60 and <= 70
    "CC" when > 50 and <= 60
    "C"  when > 30 and <= 50
    "D"  when <= 30
}
"""


def test_sakip_lower_exclusive_edges_leave_no_gap() -> None:
    assert run(SAKIP) == []


def test_sakip_with_a_closed_edge_overlaps_and_with_an_open_one_gaps() -> None:
    # `>= 80` on A (line 8) makes A and BB (line 9) both take 80 itself; A has no gate.
    overlap = errors(SAKIP.replace('"A"  when > 80', '"A"  when >= 80'))
    assert [(d.code, d.span.line) for d in overlap] == [("check.band-overlap", 9)]
    assert "the value 80" in overlap[0].message
    # `< 90` on A leaves 90 to nobody; reported at AA's `> 90` (line 7), the first edge in the file.
    gap = errors(SAKIP.replace("<= 90\n", "< 90\n"))
    assert [(d.code, where(d)) for d in gap] == [("check.band-gap", (7, 15, 19))]
    assert gap[0].message == "the value 90 gets no band"


def test_sakip_overlap_names_the_shared_value() -> None:
    found = errors(SAKIP.replace('"BB" when > 70 and <= 80', '"BB" when > 70 and <= 81'))
    assert [d.code for d in found] == ["check.band-overlap"]
    assert found[0].span.line == 9
    assert "above 80 up to 81" in found[0].message


def test_ladder_of_thresholds_without_upper_edges_overlaps() -> None:
    text = HEAD + 'input x "X" { range 0 .. 100 }\nrating r "R" of x {\n' \
        '  "A" when >= 90\n  "B" when >= 70\n  "C" otherwise\n}\n'
    assert [(d.code, d.span.line) for d in errors(text)] == [("check.band-overlap", 7)]


def test_band_beyond_the_possible_range_is_unreachable() -> None:
    text = HEAD + 'input x "X" { range 0 .. 100 }\nrating r "R" of x {\n' \
        '  "A" when > 100\n  "B" when >= 50 and <= 100\n  "C" when < 50\n}\n'
    assert [(d.code, d.span.line) for d in errors(text)] == [("check.band-unreachable", 6)]


def test_band_shadowed_by_earlier_bands_is_unreachable_not_overlapping() -> None:
    text = HEAD + 'input x "X" { range 0 .. 100 }\nrating r "R" of x {\n' \
        '  "A" when >= 50\n  "B" when >= 60 and < 70\n  "C" when < 50\n}\n'
    found = errors(text)
    # B (line 7) is shadowed by A; C (line 8) then jumps back below A: out of order too.
    assert [(d.code, d.span.line) for d in found] == [("check.band-unreachable", 7), ("check.band-order", 8)]
    assert found[0].labels[0].span.line == 6


def test_ratio_score_range_is_zero_to_cap() -> None:
    text = HEAD + 'indicator a "A" { kind outcome unit "%" source "S" target 90 score ratio cap 120 }\n' \
        'rating r "R" of a {\n  "Baik" when >= 90 and <= 120\n  "Kurang" when >= 0 and < 90\n}\n'
    assert errors(text) == []
    open_top = text.replace("score ratio cap 120", "score ratio")
    found = errors(open_top)
    assert [d.code for d in found] == ["check.band-gap"]
    assert found[0].message == "values above 120 get no band"


# ------------------------------------------------------------------- tables

LABELS = '("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi")'
SKP = HEAD + f"""
input hasil "Hasil kerja" {{ type one of {LABELS} }}
input perilaku "Perilaku kerja" {{ type one of {LABELS} }}
table predikat "Predikat" (hasil, perilaku) {{
    "Di Atas Ekspektasi", "Di Atas Ekspektasi" -> "Sangat Baik"
    "Di Atas Ekspektasi", "Sesuai Ekspektasi" -> "Baik"
    "Di Atas Ekspektasi", "Di Bawah Ekspektasi" -> "Kurang"
    "Sesuai Ekspektasi", "Di Atas Ekspektasi" -> "Baik"
    "Sesuai Ekspektasi", "Sesuai Ekspektasi" -> "Baik"
    "Sesuai Ekspektasi", "Di Bawah Ekspektasi" -> "Kurang"
    "Di Bawah Ekspektasi", "Di Atas Ekspektasi" -> "Butuh Perbaikan"
    "Di Bawah Ekspektasi", "Sesuai Ekspektasi" -> "Butuh Perbaikan"
    "Di Bawah Ekspektasi", "Di Bawah Ekspektasi" -> "Sangat Kurang"
}}
"""


def test_skp_quadrant_is_complete() -> None:
    assert run(SKP) == []


def test_skp_quadrant_missing_row_names_the_combination() -> None:
    text = SKP.replace('    "Sesuai Ekspektasi", "Di Bawah Ekspektasi" -> "Kurang"\n', "")
    found = errors(text)
    assert [(d.code, where(d)) for d in found] == [("check.table-incomplete", (7, 7, 15))]
    assert '"Sesuai Ekspektasi", "Di Bawah Ekspektasi"' in found[0].message


def test_skp_quadrant_missing_rows_are_counted() -> None:
    text = SKP.replace('"Sesuai Ekspektasi", "Di Bawah Ekspektasi" -> "Kurang"', "") \
        .replace('"Sesuai Ekspektasi", "Sesuai Ekspektasi" -> "Baik"', "")
    assert "2 of 9 combinations are missing" in errors(text)[0].message


def test_skp_wildcard_row_overlaps_under_unique_but_not_first() -> None:
    text = SKP.replace('    "Di Bawah Ekspektasi", "Di Bawah Ekspektasi" -> "Sangat Kurang"\n',
                       '    _, "Di Bawah Ekspektasi" -> "Kurang"\n')
    found = errors(text)
    # The new last row (line 16) overlaps the Di Atas (line 10) and Sesuai (line 13) rows.
    assert [d.code for d in found] == ["check.table-overlap"]
    assert found[0].span.line == 16 and [lb.span.line for lb in found[0].labels] == [10, 13]
    assert '"Di Atas Ekspektasi", "Di Bawah Ekspektasi"' in found[0].message
    assert errors(text.replace("(hasil, perilaku) {", "(hasil, perilaku) hit first {")) == []


def test_table_over_a_rating_uses_its_band_labels() -> None:
    text = SKP.replace('input hasil "Hasil kerja" { type one of ' + LABELS + " }",
                       'input nilai "Nilai" { range 0 .. 120 }\nrating hasil "Hasil" of nilai {\n'
                       '  "Di Atas Ekspektasi" when > 110\n  "Sesuai Ekspektasi" when >= 90 and <= 110\n'
                       '  "Di Bawah Ekspektasi" when < 90\n}')
    assert run(text) == []
    bad = text.replace('"Di Atas Ekspektasi", "Sesuai Ekspektasi" -> "Baik"',
                       '"Diatas Ekspektasi", "Sesuai Ekspektasi" -> "Baik"')
    found = errors(bad)
    assert "check.table-value" in [d.code for d in found]
    assert next(d for d in found if d.code == "check.table-value").help == "did you mean `Di Atas Ekspektasi`?"


# -------------------------------------------------------- names and cycles


def test_cycle_message_shows_the_whole_cycle_once() -> None:
    text = HEAD + 'input x "X" { range 0 .. 1 }\nvalue a "A" = b + x\nvalue b "B" = c * 2\n' \
        'value c "C" = a - 1 + b\n'
    found = [d for d in run(text) if d.code == "check.cycle"]
    assert [d.message for d in found] == ["dependency cycle: a -> b -> c -> a", "dependency cycle: b -> c -> b"]
    assert where(found[0]) == (5, 7, 8)


def test_self_cycle() -> None:
    found = [d for d in run(HEAD + 'value a "A" = a + 1\n') if d.code == "check.cycle"]
    assert [d.message for d in found] == ["dependency cycle: a -> a"]


def test_unknown_name_everywhere_with_suggestion() -> None:
    text = HEAD + 'input pagu "Pagu" { range 0 .. 10 }\nvalue v "V" = pagu + pgu\n' \
        'rating r "R" of vv {\n  "A" when >= 1 if inovas\n  "B" otherwise\n}\ntable t "T" (rr) { _ -> "X" }\n'
    found = [d for d in run(text) if d.code == "check.unknown-name"]
    assert [(d.span.line, d.span.column) for d in found] == [(5, 22), (6, 17), (7, 20), (10, 14)]
    assert found[0].help == "did you mean `pagu`?"


def test_duplicate_name_points_at_the_first() -> None:
    text = HEAD + 'input a "A" { range 0 .. 1 }\nvalue a "A" = 1\nvalue b "B" = a\n'
    found = [d for d in run(text) if d.code == "check.duplicate-name"]
    assert [where(d) for d in found] == [(5, 7, 8)]
    assert found[0].labels[0].span.line == 4


def test_value_inside_a_score_formula_is_fine() -> None:
    text = HEAD + 'indicator a "A" { kind outcome unit "%" source "S" target 90\n' \
        '  score formula value / target * 100 }\nscorecard s "S" { a }\n'
    assert run(text) == []


# ----------------------------------------------------------------- weights


def test_weights_sum_states_the_exact_sum() -> None:
    text = HEAD + "".join(f'indicator {x} "{x}" {{ kind outcome unit "%" source "S" target 1 }}\n' for x in "abc") \
        + 'scorecard s "S" {\n  perspective keuangan "K" {\n    a weight 33.33%\n    b weight 33.33%\n' \
        '    c weight 33.33%\n  }\n}\n'
    found = errors(text)
    assert [(d.code, where(d)) for d in found] == [("check.weights-sum", (8, 15, 23))]
    assert found[0].message == "weights of `keuangan`'s children sum to 99.99%, not 100%"


def test_plain_weights_need_not_sum_to_anything() -> None:
    text = HEAD + "".join(f'indicator {x} "{x}" {{ kind outcome unit "%" source "S" target 1 }}\n' for x in "ab") \
        + 'scorecard s "S" { a weight 3  b weight 1 }\n'
    assert run(text) == []


def test_input_heavy_uses_effective_weights_down_the_tree() -> None:
    def ind(name: str, kind: str) -> str:
        return f'indicator {name} "{name}" {{ kind {kind} unit "%" source "S" target 1 }}\n'
    tree = 'scorecard s "S" {\n  perspective p "P" weight 80% { a weight 3  b weight 1 }\n' \
        '  perspective q "Q" weight 20% { c }\n}\n'
    text = HEAD + ind("a", "input") + ind("b", "outcome") + ind("c", "input") + tree
    found = run(text)
    # 80% * 3/4 + 20% * 1 = 80%
    assert [d.code for d in found] == ["check.input-heavy"]
    assert "80%" in found[0].message
    # c as an outcome leaves 80% * 3/4 = 60%: still more than half.
    mostly = HEAD + ind("a", "input") + ind("b", "outcome") + ind("c", "outcome") + tree
    assert [d.message for d in run(mostly)] == ["scorecard `s` puts 60% of its weight on `input` indicators"]
    # a and b equal: 80% * 1/2 = 40%.
    balanced = mostly.replace("a weight 3  b weight 1", "a weight 1  b weight 1")
    assert run(balanced) == []


# ------------------------------------------------------- a clean policy

CLEAN = """
# A realistic national policy, adapted from the language tour so that it is clean.
policy kinerja_instansi "Kinerja Instansi" version "2026.1"
period 2026-01-01 .. 2026-12-31
subject agency

input pagu "Pagu" { unit "Rp" source "SAKTI" range 0 .. 1e15 }
input keluaran "Keluaran" { unit "Rp" source "SAKTI" range 0 .. 1e15 }
input inovasi "Inovasi" { type boolean }
input unit_kerja "Unit kerja" { type text }
input perilaku "Perilaku" { type one of ("Di Atas", "Sesuai", "Di Bawah") }

indicator realisasi_anggaran "Realisasi anggaran" {
    kind outcome unit "%" source "SAKTI" owner "Biro"
    range 0 .. 100  better higher baseline 80 target 95
    score ratio cap 120
    missing exclude
}
indicator waktu "Waktu layanan" {
    kind output unit "hari" source "SIMPEG" range 0 .. 365
    better within 95 .. 105
    score piecewise {
        when value == 0 -> 0
        when 100 - value / 100 * 100 <= 24 -> min(120, max(0, (1.76 * 100 - value) / 100 * 100))
        otherwise min(120, max(0, 76 - ((1.76 * 100 - value) / 100 * 100 - 100)))
    }
    missing value 50
    round 2
}
indicator efisiensi "Efisiensi" = keluaran / max(pagu, 1) * 100 {
    kind process unit "%" target 100 score goalposts 0 .. 100 cap 100
}

scorecard nilai "Nilai" aggregate mean round 2 {
    perspective keuangan "Keuangan" weight 25% require 50% {
        realisasi_anggaran weight 60%
        efisiensi weight 40%
    }
    perspective layanan "Layanan" weight 75% { waktu weight 3 }
}
rating predikat "Predikat" of nilai {
    "Sangat Baik" when >= 110 and <= 120 if inovasi
    "Baik" when >= 90 and <= 120
    "Cukup" when >= 70 and < 90
    "Kurang" when < 70
}
table akhir "Predikat akhir" (predikat, perilaku) hit first {
    _, "Di Bawah" -> "Kurang"
    "Sangat Baik", _ -> "Sangat Baik"
    "Baik", _ -> "Baik"
    _, _ -> "Butuh Perbaikan"
}
quota q "Kuota" by unit_kerja {
    where count(predikat == "Kurang") >= 1 require share(predikat == "Sangat Baik") <= 70%
}
constraint weight(keuangan) in 20% .. 35%
"""


def test_clean_policy_has_no_findings() -> None:
    assert run(CLEAN) == []


def test_run_sorts_by_position() -> None:
    diags = run(HEAD + 'value a "A" = b\nvalue b "B" = zz\nvalue c "C" = a\n')
    assert diags == sorted(diags, key=Diagnostic.sort_key)


ALL_CODES = [
    "check.header-missing", "check.header-duplicate", "check.subject-missing", "check.period-reversed",
    "check.unknown-name", "check.duplicate-name", "check.self-outside-score", "check.unused",
    "check.rating-needs-of", "check.quota-by-type", "check.weights-sum", "check.weight-nonpositive",
    "check.weights-mixed", "check.weight-missing", "check.tree-empty", "check.require-range",
    "check.band-overlap", "check.band-gap", "check.band-order", "check.band-unreachable",
    "check.band-otherwise-last", "check.band-bounds", "check.table-arity", "check.table-value",
    "check.table-incomplete", "check.table-overlap", "check.table-input-type", "check.table-call", "check.cycle",
    "check.within-reversed", "check.range-reversed", "check.target-outside-range", "check.baseline-outside-range",
    "check.progress-no-span", "check.ratio-needs-target", "check.goalposts-reversed", "check.geometric-zero",
    "check.missing-baseline", "check.piecewise-no-otherwise", "check.gate-not-boolean", "check.cap-nonpositive",
    "check.round-decimals", "check.smart-unit", "check.smart-target", "check.smart-source", "check.smart-period",
    "check.smart-kind", "check.input-heavy", "check.benchmark-target", "check.benchmark-field-type",
    "check.target-field-type", "check.target-may-be-zero", "check.function-domain", "check.missing-operand",
    "check.population-call", "check.uncited", "check.level-duplicate", "check.level-of", "check.level-key",
    "check.level-role",
    "check.aggregate-role", "check.aggregate-member", "check.aggregate-type",
]


# ------------------------------------------------------- ranges and misc


def test_ratio_score_range_comes_from_the_raw_range() -> None:
    # A 1..4 survey scale with target 4 scores 25..100: never zero, so a geometric mean is fine.
    ind = 'indicator {0} "{0}" {{ kind outcome unit "skala" source "Survei" range 1 .. 4 target 4 ' \
        'score ratio cap 120 }}\n'
    text = HEAD + ind.format("a") + ind.format("b") + 'scorecard s "S" aggregate geometric { a  b }\n'
    assert run(text) == []
    # From 0 the score can be 0 again.
    found = errors(text.replace("range 1 .. 4", "range 0 .. 4", 1))
    assert [(d.code, d.span.line) for d in found] == [("check.geometric-zero", 6)]
    assert "[0, 100]" in found[0].message


def test_lower_is_better_ratio_range() -> None:
    # (2 - raw/10) * 100 with raw in 0..30 is -400..200, floored at 0 and capped at 120.
    text = HEAD + 'indicator a "A" { kind outcome unit "hari" source "S" range 0 .. 30 better lower target 10 ' \
        'score ratio cap 120 }\nrating r "R" of a {\n  "Baik" when >= 100 and <= 120\n' \
        '  "Kurang" when >= 0 and < 100\n}\n'
    assert run(text) == []
    assert errors(text.replace("<= 120", "< 120"))[0].message == "the value 120 gets no band"


def test_default_ratio_without_target_is_an_error_at_the_name() -> None:
    text = HEAD + 'indicator a "A" { kind outcome unit "%" source "S" }\nscorecard s "S" { a }\n'
    found = errors(text)
    assert [(d.code, where(d)) for d in found] == [("check.ratio-needs-target", (4, 11, 12))]


def test_round_two_grid_closes_a_gap_narrower_than_a_hundredth_only() -> None:
    text = HEAD + 'input x "X" { range 0 .. 10 }\nrating r "R" of x round 2 {\n' \
        '  "A" when >= 5.01\n  "B" when <= 5.00\n}\n'
    assert run(text) == []
    assert [d.code for d in errors(text.replace(">= 5.01", ">= 5.02"))] == ["check.band-gap"]


def test_an_unresolved_agency_file_needs_no_header() -> None:
    text = 'agency kemenkeu "Kemenkeu" extends "../nasional/bsc.kin" {\n  peer_group kementerian\n}\n'
    assert [d.code for d in run(text)] == []


def test_every_emitted_code_is_listed_and_has_a_golden() -> None:
    source = "".join(p.read_text() for p in (Path(checks.__file__).parent).glob("*.py"))
    import re
    emitted = set(re.findall(r'"(check\.[a-z-]+)"', source)) | {"check.target-outside-range",
                                                                  "check.baseline-outside-range"}
    assert emitted - {"check.{attr}-outside-range"} <= set(ALL_CODES)
    assert {p.stem for p in CASES} == {c.replace(".", "-") for c in ALL_CODES}


def test_a_value_nothing_reads_is_a_final_result_not_unused() -> None:
    text = HEAD + 'input bulan "Bulan" { range 0 .. 12 }\nvalue angka_kredit "Angka kredit" = 12.5 * bulan / 12\n'
    assert "check.unused" not in [d.code for d in run(text)]
    text = HEAD + 'input bulan "Bulan" { range 0 .. 12 }\n'
    assert [d.code for d in run(text) if d.code == "check.unused"] == ["check.unused"]
