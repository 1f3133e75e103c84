"""The syntax stage: AST shape, positions, and syntax diagnostics in plain words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine import nodes as n
from engine import syntax
from engine.diagnostics import KinerjaError


def parse(text: str) -> n.Module:
    return syntax.parse(text, "t.kin")


def errors(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(KinerjaError) as info:
        parse(text)
    return [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics]


def diag(text: str) -> object:
    with pytest.raises(KinerjaError) as info:
        parse(text)
    return info.value.diagnostics[0]


def test_header_period_subject() -> None:
    m = parse('policy p "P" version "2026.1"\nperiod 2026-01-01 .. 2026-12-31\nsubject agency\n')
    header, period, subject = m.items
    assert header == n.Header("p", label="P", version="2026.1")
    assert str(period.range.start) == "2026-01-01" and str(period.range.end) == "2026-12-31"
    assert subject.kind.value == "agency"


def test_percent_literal_is_a_fraction_and_remembers_its_spelling() -> None:
    m = parse("policy p\nscorecard s { a weight 60% b weight 40% }\nindicator a { }\nindicator b { }")
    leaves = m.items[1].children
    assert leaves[0].weight.value == Decimal("0.6") and leaves[0].weight.percent
    assert leaves[1].weight.text == "40%"


def test_numbers_underscores_scientific_negative() -> None:
    m = parse("policy p\ninput a { range -5 .. 1_000_000 }\ninput b { range 0 .. 1e15 }")
    assert m.items[1].range.lo.value == Decimal(-5)
    assert m.items[1].range.hi.value == Decimal(1000000)
    assert m.items[2].range.hi.value == Decimal("1e15")


def test_layout_does_not_matter() -> None:
    one_line = parse('policy p\nindicator a "A" { kind outcome unit "%" target 95 score ratio cap 120 }')
    spread = parse('policy p\nindicator a "A" {\n  kind outcome\n  unit "%"\n  target 95\n'
                   '  score ratio\n    cap 120\n}\n# trailing comment\n')
    assert one_line.items == spread.items


def test_spans_are_one_based_and_not_part_of_equality() -> None:
    m = parse("policy p\n\nindicator   abc { target 9 }")
    ind = m.items[1]
    assert (ind.name_span.line, ind.name_span.column) == (3, 13)
    assert (ind.target.span.line, ind.target.span.column) == (3, 26)
    assert ind == n.Indicator("abc", target=n.Num(Decimal(9)))


def test_expression_precedence_and_associativity() -> None:
    m = parse("policy p\nvalue v = a - b - c * d / e\nvalue w = not x and y or z")
    v = m.items[1].formula
    # (a - b) - ((c * d) / e)
    assert v.op == "-" and v.left.op == "-" and v.right.op == "/" and v.right.left.op == "*"
    w = m.items[2].formula
    assert w.op == "or" and w.left.op == "and" and w.left.left == n.Unary("not", n.Ref("x"))


def test_if_then_else_in_list_and_calls() -> None:
    m = parse('policy p\nvalue v = if k in ("A", "B") then round(x, 2) else max(x, 0, -1)')
    e = m.items[1].formula
    assert isinstance(e, n.IfElse) and isinstance(e.cond, n.InList)
    assert e.then == n.Call("round", (n.Ref("x"), n.Num(Decimal(2))))
    assert e.otherwise.args[2] == n.Unary("-", n.Num(Decimal(1)))


def test_piecewise_score_with_self_names() -> None:
    m = parse("policy p\nindicator w {\n score piecewise {\n  when value <= 0 -> 0\n"
              "  when 100 - value / target * 100 <= 24 -> 1\n  otherwise 2\n }\n}")
    cases = m.items[1].score.cases
    assert len(cases) == 3 and cases[2].when is None
    assert cases[0].when == n.Binary("<=", n.Ref("value"), n.Num(Decimal(0)))


def test_rating_bands_gate_and_otherwise() -> None:
    m = parse('policy p\nrating r of s round 2 {\n "SB" when >= 110 and <= 120 if inovasi\n'
              ' "B" when > 90\n "K" otherwise\n}')
    r = m.items[1]
    assert r.of == "s" and r.round.value == 2
    assert [b.op for b in r.bands[0].bounds] == [">=", "<="]
    assert r.bands[0].gate == n.Ref("inovasi")
    assert r.bands[2].otherwise and r.bands[2].bounds == ()


def test_table_rows_with_wildcards() -> None:
    m = parse('policy p\ntable t (a, b) hit first {\n "X", _ -> "Y"\n _, true -> 150\n}')
    t = m.items[1]
    assert t.hit.value == "first" and [r.name for r in t.inputs] == ["a", "b"]
    assert t.rows[0].cells == (n.Str("X"), n.Wildcard())
    assert t.rows[1].cells[1] == n.Bool(True) and t.rows[1].result == n.Num(Decimal(150))


def test_quota_and_constraints() -> None:
    m = parse('policy p\nquota q by unit { where pu == "I" require share(r == "SB") <= 70% }\n'
              "constraint weight(k) in 20% .. 35%\nconstraint target(x) >= 90")
    q, c1, c2 = m.items[1:]
    assert q.by.name == "unit" and q.rules[0].require.right.value == Decimal("0.7")
    assert (c1.field.value, c1.op, c1.lo.value, c1.hi.value) == ("weight", "in", Decimal("0.2"), Decimal("0.35"))
    assert (c2.op, c2.lo.value, c2.hi) == (">=", Decimal(90), None)


def test_agency_overrides_keep_only_what_is_written() -> None:
    m = parse('agency a "A" extends "../n.kin" {\n peer_group kementerian\n indicator x { target 97 }\n'
              " scorecard s { perspective k weight 30% }\n}")
    ag = m.items[0]
    assert ag.extends.value == "../n.kin" and ag.peer_group.value == "kementerian"
    ind, tree = ag.overrides
    assert ind == n.Indicator("x", target=n.Num(Decimal(97)))
    assert tree.children[0].children is None  # an override, not an empty group


def test_empty_group_braces_differ_from_no_braces() -> None:
    m = parse("policy p\nscorecard s { perspective k { } }")
    assert m.items[1].children[0].children == ()


def test_comments_are_collected_with_positions_not_inside_strings() -> None:
    m = parse('policy p "a # not a comment"  # real\n# second\n')
    assert [(c.text, c.span.line, c.span.column) for c in m.comments] == [("# real", 1, 31), ("# second", 2, 1)]


# ---------------------------------------------------------------- diagnostics


def test_misspelled_keyword_gets_did_you_mean() -> None:
    d = diag("policy p\nindicator a {\n    taget 95\n}")
    assert (d.code, d.span.line, d.span.column) == ("syntax.unexpected", 3, 5)
    assert d.help == "did you mean `target`?"
    assert "__ANON" not in d.message and "NAME" not in d.message


def test_unclosed_string_and_unclosed_block_are_both_reported() -> None:
    text = 'policy p\nindicator a {\n  unit "%\n}\nindicator b {\n  target 1\n'
    assert errors(text) == [("syntax.unclosed-string", 3, 8), ("syntax.unexpected-end", 6, 11)]


def test_one_diagnostic_per_broken_declaration() -> None:
    text = "policy p\nindicator a { target }\nindicator b { ok }\nindicator c { target 1 }\nvalue v = (1 +\n"
    assert [c for c, _, _ in errors(text)] == ["syntax.unexpected", "syntax.unexpected", "syntax.unexpected-end"]


def test_bad_character() -> None:
    d = diag("policy p\nvalue v = a ; b")
    assert (d.code, d.span.line, d.span.column) == ("syntax.bad-character", 2, 13)
    assert "#" in d.help


@pytest.mark.parametrize("text, code, hint", [
    ("policy p\nindicator a { kind outcom }", "syntax.unknown-kind", "did you mean `outcome`?"),
    ("policy p\nindicator a { better hihger }", "syntax.unknown-better", "did you mean `higher`?"),
    ("policy p\nindicator a { score rato }", "syntax.unknown-score", "did you mean `ratio`?"),
    ("policy p\nindicator a { missing excluded }", "syntax.unknown-missing", "did you mean `exclude`?"),
    ("policy p\nscorecard s aggregate geometrik { }", "syntax.unknown-aggregate", "did you mean `geometric`?"),
    ("policy p\ntable t (a) hit uniq { }", "syntax.unknown-hit", "did you mean `unique`?"),
    ("policy p\nsubject employe", "syntax.unknown-subject", "did you mean `employee`?"),
    ("policy p\nvalue v = maks(a, b)", "syntax.unknown-function", "did you mean `max`?"),
])
def test_unknown_choice_words(text: str, code: str, hint: str) -> None:
    d = diag(text)
    assert d.code == code and d.help == hint


def test_shape_findings_are_collected_together() -> None:
    text = ("policy p\ninput i { score ratio }\nindicator a { target 1 target 2 }\nvalue v = round(x)\n"
            "period 2026-02-30 ..")
    assert errors(text) == [("syntax.attribute-not-allowed", 2, 11), ("syntax.duplicate-attribute", 3, 31),
                            ("syntax.arity", 4, 11), ("syntax.bad-date", 5, 8)]


def test_reference_attributes_are_limited() -> None:
    d = diag("policy p\nscorecard s { a weight 1 aggregate min }")
    assert d.code == "syntax.attribute-not-allowed" and "`a`" in d.help


def test_parser_is_built_once() -> None:
    assert syntax.parser() is syntax.parser()


def test_walk_visits_every_node_including_scorecards() -> None:
    m = parse("policy p\nindicator a { target 1 }\nscorecard s { perspective k { a weight 100% } }")
    names = [x.name for x in m.walk() if isinstance(x, (n.Tree, n.Leaf))]
    assert names == ["s", "k", "a"]


@pytest.mark.parametrize("number", ["1e99999999999999999999", "1e10000", "-1e999999999"])
def test_absurd_exponents_are_a_diagnostic_not_a_silent_zero(number: str) -> None:
    d = diag(f"policy p\ninput a {{ range 0 .. {number} }}")
    assert d.code == "syntax.number-out-of-range" and d.span.line == 2


def test_names_that_start_with_a_keyword_stay_one_name() -> None:
    m = parse("policy p\nvalue v = target_normal + value_x * baseline2 + true_x + false_y\n"
              "scorecard s { group_a weight 1 perspective_b weight 1 _x weight 1 }")
    refs = [r.name for r in m.items[1].formula.walk() if isinstance(r, n.Ref)]
    assert refs == ["target_normal", "value_x", "baseline2", "true_x", "false_y"]
    assert [c.name for c in m.items[2].children] == ["group_a", "perspective_b", "_x"]
