"""Decision tables as the language describes them: yes/no inputs, tables called as functions."""

from __future__ import annotations

import math

from evaluate_kit import HEADER, one

from engine import checks, syntax
from engine.diagnostics import KinerjaError
from engine.explain import explain
from engine.fmt import format_text

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


CALLED = """
input p1 { type one of ("Baik", "Kurang") }
input p2 { type one of ("Baik", "Kurang") }
table persen (p1) {
    "Baik" -> 100
    "Kurang" -> 50
}
value total = persen(p1) + persen(p2)
"""


def test_a_table_called_on_another_input_looks_up_the_same_rows() -> None:
    assert checks.run(syntax.parse(HEADER + CALLED, "p.kin")) == []
    r = one(CALLED, {"p1": "Baik", "p2": "Kurang"})
    assert r.steps["total"].value[0] == 150.0          # 100 + 50
    assert r.steps["persen"].value[0] == 100.0         # the table's own result is unchanged
    assert math.isnan(one(CALLED, {"p1": "Baik"}).steps["total"].value[0])   # p2 missing: no lookup


def test_a_table_call_that_matches_no_row_is_a_runtime_error_at_the_caller() -> None:
    body = CALLED.replace('input p2 { type one of ("Baik", "Kurang") }', "input p2 { type text }")
    r = one(body, {"p1": "Baik", "p2": "Lain"})
    assert [e.code for e in r.events_at(0, "total")] == ["eval.no-rule"]
    assert "persen() at line" in r.events_at(0, "total")[0].message


def test_a_table_call_is_explained_with_the_row_that_decided_it() -> None:
    r = one(CALLED, {"p1": "Baik", "p2": "Kurang"})
    node = next(x for x in explain(r, "0").walk() if x.name == "total")
    # Each call is replaced by what it gave, so the line redoes by hand: 100 + 50 = 150.
    assert node.formula == "value: 100 + 50 = 150.00"
    assert node.lookups == ['lookup persen("Baik") gives 100 (row 1 of persen)',
                            'lookup persen("Kurang") gives 50 (row 2 of persen)']


def test_an_unknown_call_is_still_a_syntax_error_and_a_table_name_is_not() -> None:
    try:
        syntax.parse(HEADER + CALLED.replace("persen(p2)", "persn(p2)"), "p.kin")
    except KinerjaError as e:
        assert [d.code for d in e.diagnostics] == ["syntax.unknown-function"]
    else:
        raise AssertionError("an unknown function must be refused")


def test_the_formatter_keeps_a_table_call() -> None:
    text = HEADER + CALLED
    assert "value total = persen(p1) + persen(p2)" in format_text(text, "p.kin")


NATIONAL = """policy nasional "Nasional" version "2026"
period 2026-01-01 .. 2026-12-31
subject employee
input predikat "Predikat" { type one of ("Baik", "Kurang") }
table persen "Persentase" (predikat) hit unique {
    "Baik"   -> 100
    "Kurang" -> 50
}
"""


def _override(agency_body: str):
    from engine import overrides

    base = syntax.parse(NATIONAL, "nasional.kin")
    agency = syntax.parse(f'agency x "X" extends "nasional.kin" {{\n{agency_body}\n}}\n', "x.kin").items[0]
    module, diags = overrides.apply(base, agency, "x.kin")
    return next(d for d in module.items if getattr(d, "name", None) == "persen"), diags


def test_a_partial_table_override_changes_rows_and_keeps_label_inputs_and_hit() -> None:
    table, diags = _override('table persen {\n "Kurang" -> 60\n}')
    assert diags == []
    assert table.label == "Persentase" and [i.name for i in table.inputs] == ["predikat"]
    assert table.hit is not None and table.hit.value == "unique"
    assert [r.result.value for r in table.rows] == [100, 60]   # "Baik" kept, "Kurang" changed in place


def test_a_whole_table_override_keeps_the_national_label_and_hit() -> None:
    table, diags = _override('table persen (predikat) {\n "Baik" -> 110\n "Kurang" -> 40\n}')
    assert diags == [] and table.label == "Persentase" and table.hit.value == "unique"
    assert [r.result.value for r in table.rows] == [110, 40]


def test_a_changed_hit_policy_and_an_added_row_are_errors() -> None:
    _, diags = _override('table persen hit first {\n "Cukup" -> 75\n}')
    assert [d.code for d in diags] == ["resolve.override-not-allowed", "resolve.unknown-row"]


def test_a_national_table_without_inputs_is_an_error() -> None:
    text = NATIONAL.replace(' (predikat) hit unique', '')
    assert "check.table-arity" in [d.code for d in checks.run(syntax.parse(text, "n.kin")) if d.is_error]


AGENCY_CALL = 'agency x "X" extends "nasional.kin" {\n    value ak2 "AK periode 2" = persen(predikat_2) * 2\n}\n'


def _agency_project(tmp_path, agency_text: str):  # type: ignore[no-untyped-def]
    national = NATIONAL + 'input predikat_2 "Predikat 2" { type one of ("Baik", "Kurang") }\n' \
        'value ak2 "AK periode 2" = 0\n'
    (tmp_path / "nasional.kin").write_text(national)
    (tmp_path / "x.kin").write_text(agency_text)
    return tmp_path


def test_an_agency_file_calls_a_table_only_the_national_file_declares(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine.api import compile_policies, evaluate_files

    root = _agency_project(tmp_path, AGENCY_CALL)
    data = tmp_path / "d.csv"
    data.write_text("id,agency,predikat,predikat_2\na,x,Baik,Kurang\nb,y,Baik,Kurang\n")
    run = evaluate_files(compile_policies([root]), [data])
    ak2 = dict(zip(run.result.subject_ids, run.result.steps["ak2"].value))
    assert ak2 == {"a": 100.0, "b": 0.0}   # agency x: persen("Kurang") = 50, x 2 = 100; y: national 0


def test_an_agency_file_calling_a_table_nobody_declares_is_an_unknown_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine.compiler import check_paths

    root = _agency_project(tmp_path, AGENCY_CALL.replace("persen(", "persn("))
    found = [(d.code, d.span.file.rsplit("/", 1)[-1], d.span.line, d.help) for d in check_paths([root]).diagnostics
             if d.is_error]
    assert found == [("check.unknown-name", "x.kin", 2, "did you mean `persen`?")]
