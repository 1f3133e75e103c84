"""Malformed or extreme policies get a positioned diagnostic, never an internal error or a memory blow-up."""

from __future__ import annotations

import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import syntax
from engine.checks import intervals as iv
from engine.diagnostics import KinerjaError

HEAD = 'policy a "A" version "1"\nperiod 2026-01-01 .. 2026-12-31\nsubject agency\ninput x { }\n'


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stderr


@pytest.mark.parametrize("expr", [" + ".join(["x"] * 490), "-" * 485 + "x", "if x > 1 then " * 485 + "1" +
                                  " else 0" * 485, "max(" * 485 + "x" + ", 1)" * 485])
def test_deep_expressions_are_a_positioned_diagnostic(expr: str) -> None:
    with pytest.raises(KinerjaError) as info:
        syntax.parse(HEAD + f"value v = {expr}\n", "deep.kin")
    (d,) = info.value.diagnostics
    assert d.code == "syntax.too-deep" and d.span.line == 5 and d.span.column > 10


@pytest.mark.parametrize("expr", [" + ".join(["x"] * 95), "-(" * 95 + "x" + ")" * 95,
                                  "if x > 1 then " * 95 + "1" + " else 0" * 95, "max(" * 95 + "x" + ", 1)" * 95])
def test_expressions_within_the_limit_check_format_and_score(expr: str, tmp_path: Path) -> None:
    policy = tmp_path / "p.kin"
    policy.write_text(HEAD + f"value v = {expr}\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,agency,x\na,a,2\n", encoding="utf-8")
    assert run("check", str(policy))[0] == 0
    assert run("fmt", "--check", str(policy))[0] in (0, 1)
    code, err = run("eval", str(policy), str(tmp_path / "d.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 0 and "1 scored" in err


def test_a_long_string_literal_costs_memory_linear_and_small() -> None:
    text = HEAD + 'input y "' + "a" * 2_000_000 + '" { }\n# "a comment"\n'
    tracemalloc.start()
    try:
        module = syntax.parse(text, "long.kin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(module.comments) == 1
    # The backtracking pattern took 150-190 bytes per character (about 340 MB here); the unrolled one
    # holds the text a few times over.
    assert peak < 40_000_000, peak


def test_rounding_a_range_wider_than_the_default_decimal_precision() -> None:
    # 1e27 with 2 decimals needs 30 digits; the default context has 28.
    got = iv.round_iv(iv.closed(Decimal(0), Decimal("1e27")), 2)
    assert got.hi == Decimal("1000000000000000000000000000.00")


def test_a_huge_range_with_rounding_checks_without_an_internal_error(tmp_path: Path) -> None:
    policy = tmp_path / "p.kin"
    policy.write_text(HEAD.replace("input x { }", 'indicator y "Y" { range 0 .. 1e27 score raw }')
                      + 'scorecard s "S" round 2 {\n y weight 100%\n}\n'
                      + 'rating r "R" of s round 2 {\n "A" when >= 0\n}\n',
                      encoding="utf-8")
    code, err = run("check", str(policy))  # was an internal error (decimal.InvalidOperation)
    assert code == 0 and "0 error(s)" in err, err


@pytest.mark.parametrize("name", ["a\x00b.kin", "x" * 5000 + ".kin"])
def test_extends_a_path_the_system_refuses_is_a_resolve_error(name: str, tmp_path: Path) -> None:
    (tmp_path / "k.kin").write_text(f'agency kx "K" extends "{name}" {{\n}}\n', encoding="utf-8")
    code, err = run("check", str(tmp_path), "--root", str(tmp_path))
    assert code == 1 and "resolve.extends-missing" in err and "internal error" not in err


def test_a_symlink_leaving_the_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.kin"
    outside.write_text("policy secret \"RAHASIA\" version \"1\"\n", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.kin").symlink_to(outside)
    code, err = run("check", str(root), "--root", str(root))
    assert code == 1 and "resolve.outside-root" in err and "RAHASIA" not in err
