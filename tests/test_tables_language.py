"""Decision tables as the language describes them: yes/no inputs, tables called as functions."""

from __future__ import annotations

from evaluate_kit import HEADER, one

from engine import checks, syntax

YES_NO = """
input nilai { range 0 .. 100 }
input inovasi { type boolean }
value tinggi = nilai >= 90
table t (tinggi, inovasi) {
    true, true -> "A"
    true, false -> "B"
    false, _ -> "C"
}
"""


def test_a_derived_yes_no_value_is_a_table_input() -> None:
    assert [d.code for d in checks.run(syntax.parse(HEADER + YES_NO, "p.kin"))] == []
    for row, label in (({"nilai": 95, "inovasi": 1}, "A"), ({"nilai": 95, "inovasi": 0}, "B"),
                       ({"nilai": 80, "inovasi": 1}, "C")):
        assert one(YES_NO, row).steps["t"].value[0] == label


def test_a_yes_no_table_input_is_checked_for_completeness() -> None:
    body = YES_NO.replace('    false, _ -> "C"\n', "")
    diags = checks.run(syntax.parse(HEADER + body, "p.kin"))
    assert [d.code for d in diags] == ["check.table-incomplete"]
    assert "false" in diags[0].message


def test_a_numeric_value_is_still_refused_as_a_table_input() -> None:
    body = YES_NO.replace("value tinggi = nilai >= 90", "value tinggi = nilai * 2")
    assert "check.table-input-type" in [d.code for d in checks.run(syntax.parse(HEADER + body, "p.kin"))]
