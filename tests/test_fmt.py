"""Formatter: golden pairs in tests/fmt, expression parentheses, comments, and the meaning guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import nodes as n
from engine import syntax
from engine.diagnostics import KinerjaError
from engine.fmt import format_module, format_text

PAIRS = sorted(Path(__file__).parent.joinpath("fmt").glob("*.kin"))


@pytest.mark.parametrize("source", PAIRS, ids=lambda p: p.stem)
def test_formatted_pair(source: Path) -> None:
    expected = source.with_name(source.name + ".formatted").read_text(encoding="utf-8")
    assert format_text(source.read_text(encoding="utf-8"), source.name) == expected
    assert format_text(expected, source.name) == expected


def test_pairs_exist() -> None:
    assert len(PAIRS) >= 8


def _value(src: str) -> str:
    """Format `value v = src` and return the printed expression."""
    out = format_text(f"value v = {src}\n", "x.kin")
    assert out.startswith("value v = ") and out.count("\n") == 1, out
    return out[len("value v = "):-1]


@pytest.mark.parametrize("src, expected", [
    ("(a - b) - c", "a - b - c"),
    ("a - (b - c)", "a - (b - c)"),
    ("a / (b / c)", "a / (b / c)"),
    ("(a / b) / c", "a / b / c"),
    ("a + (b + c)", "a + (b + c)"),          # the tree is kept, even where + would not care
    ("(a * b) + (c * d)", "a * b + c * d"),
    ("(a + b) * c", "(a + b) * c"),
    ("-(a * b)", "-(a * b)"),
    ("-(a)", "-a"),
    ("- -a", "- -a"),
    ("(a or b) and c", "(a or b) and c"),
    ("a or (b and c)", "a or b and c"),
    ("not (a == b)", "not a == b"),
    ("(not a) == b", "(not a) == b"),
    ("(a < b) == c", "(a < b) == c"),
    ("(if a then b else c) * 2", "(if a then b else c) * 2"),
    ("if a then b else (c + 1)", "if a then b else c + 1"),
    ("f_x in ((1), (2 + 3))", "f_x in (1, 2 + 3)"),
    ("max((a), (b + c))", "max(a, b + c)"),
    ('"say \\"hi\\"" == "back\\\\slash"', '"say \\"hi\\"" == "back\\\\slash"'),
    ('"\\q"', '"q"'),                          # \q means q: re-escaped canonically
])
def test_expression_parentheses(src: str, expected: str) -> None:
    assert _value(src) == expected


def test_numbers_keep_spelling() -> None:
    assert _value("1_000 + 1e3 + 2.50 + 70% + 1E-2") == "1_000 + 1e3 + 2.50 + 70% + 1E-2"


def test_numbers_without_spelling_are_plain_decimals() -> None:
    from decimal import Decimal

    from engine.fmt.expr import num
    assert num(n.Num(Decimal("1E+3"))) == "1000"
    assert num(n.Num(Decimal("0.70"), percent=True)) == "70%"
    assert num(n.Num(Decimal("-0.125"), percent=True)) == "-12.5%"
    assert num(n.Num(Decimal("2.500"))) == "2.5"
    assert num(n.Num(Decimal("7"), text="8")) == "7"  # a spelling that lies is not trusted


def test_attribute_order_and_short_block() -> None:
    src = 'indicator x { round 1 kind input target 3 }\ninput y { type boolean }\n'
    assert format_text(src, "x.kin") == (
        "indicator x {\n    kind input\n    target 3\n    round 1\n}\n\ninput y { type boolean }\n")


def test_header_group_and_declaration_spacing() -> None:
    src = 'policy p "P" version "1" period 2026-01-01 .. subject unit input a input b value c = 1'
    assert format_text(src, "x.kin") == (
        'policy p "P" version "1"\nperiod 2026-01-01 ..\nsubject unit\n\ninput a\ninput b\n\nvalue c = 1\n')


def test_blank_lines_collapse_and_are_kept_inside_blocks() -> None:
    src = "rating r {\n\n  \"A\" when >= 1\n\n\n\n  \"B\" otherwise\n\n}\n"
    assert format_text(src, "x.kin") == 'rating r {\n    "A" when >= 1\n\n    "B" otherwise\n}\n'


def test_comments_follow_reordered_attributes() -> None:
    src = "indicator x {\n    # why the target\n    target 3  # set by KMK\n    kind output\n}\n"
    assert format_text(src, "x.kin") == (
        "indicator x {\n    kind output\n    # why the target\n    target 3  # set by KMK\n}\n")


def test_comment_inside_multiline_expression_moves_above() -> None:
    src = "value v = a +\n    # note\n    b\n"
    assert format_text(src, "x.kin") == "# note\nvalue v = a + b\n"


def test_comment_only_file() -> None:
    assert format_text("# just a note\n\n\n# another\n", "x.kin") == "# just a note\n\n# another\n"
    assert format_text("", "x.kin") == ""


def test_bad_input_raises() -> None:
    with pytest.raises(KinerjaError):
        format_text("indicator {", "x.kin")


def test_meaning_guard_fires_on_a_broken_formatter(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.fmt as fmt
    monkeypatch.setattr(fmt, "format_module", lambda m: "value v = 2\n")
    with pytest.raises(KinerjaError) as info:
        fmt.format_text("value v = 1\n", "x.kin")
    assert [d.code for d in info.value.diagnostics] == ["fmt.meaning-changed"]


def test_format_module_of_hand_built_ast() -> None:
    tree = n.Tree("s", children=(n.Leaf("a", weight=n.Num(__import__("decimal").Decimal("0.6"), percent=True)),))
    module = n.Module("x.kin", (tree,))
    text = format_module(module)
    assert text == "scorecard s {\n    a weight 60%\n}\n"
    assert syntax.parse(text, "x.kin") == module


def test_messages_print_expressions_as_the_formatter_does() -> None:
    """Explanations, quota violations and diffs print expressions with the formatter's printer, so
    every formula in the bundled policies reads back as policy text meaning the same."""
    from pathlib import Path

    from engine import nodes as n
    from engine import syntax
    from engine.evaluate.exprtext import to_text

    root = Path(__file__).resolve().parent.parent / "policies"
    formulas = [node.formula for path in sorted(root.rglob("*.kin"))
                for node in syntax.parse_file(path).walk()
                if isinstance(node, (n.Value, n.Indicator, n.Scoring)) and node.formula is not None]
    assert len(formulas) >= 10
    for e in formulas:
        text = to_text(e)
        again = syntax.parse(f'policy p "P" version "1"\nvalue v = {text}\n', "x.kin").first(n.Value)
        assert again.formula == e, text
    # a name replaced by the number read (an explanation's worked formula); `raw:x` stands for raw(x)
    e = syntax.parse('policy p "P" version "1"\nvalue v = (a - b) * raw(c)\n', "x.kin").first(n.Value).formula
    assert to_text(e, {"a": "80", "b": "-5", "raw:c": "2"}.get) == "(80 - -5) * 2"


def test_fmt_rewrites_a_policy_in_one_step_keeping_its_permissions(tmp_path: Path) -> None:
    # `kinerja fmt` replaces the file by renaming a complete temporary copy onto it (an interrupted
    # run leaves the old text, never half of the new); the copy gets the policy's own mode, here
    # owner read/write and group read, not the default of a new file.
    from click.testing import CliRunner

    import cli

    policy = tmp_path / "p.kin"
    policy.write_text('policy p "P" version "1"\nindicator a { kind output\n target 100 }\n', encoding="utf-8")
    policy.chmod(0o640)
    before = policy.stat().st_ino
    result = CliRunner().invoke(cli.main, ["fmt", str(policy)])
    assert result.exit_code == 0, result.output
    assert "  kind output\n" in policy.read_text(encoding="utf-8")  # reformatted
    assert policy.stat().st_ino != before  # a new file renamed into place, not the old one rewritten
    assert policy.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["p.kin"]  # no temporary file left behind
