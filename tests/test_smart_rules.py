"""The SMART warnings fire exactly as docs/language.md section 5 tables them."""

from __future__ import annotations

from engine import checks, syntax

BARE = 'indicator x { score goalposts 0 .. 10 }\nscorecard s { x }\n'


def smart(text: str) -> list[str]:
    return sorted(d.code for d in checks.run(syntax.parse(text, "p.kin")) if d.code.startswith("check.smart"))


def test_period_warning_only_without_a_policy_period() -> None:
    head = 'policy p "P" version "1"\n'
    assert "check.smart-period" in smart(head + BARE)
    assert "check.smart-period" not in smart(head + "period 2026-01-01 .. 2026-12-31\n" + BARE)


def test_target_warning_only_for_ratio_and_progress_and_kind_is_warned() -> None:
    head = 'policy p "P" version "1"\nperiod 2026-01-01 ..\n'
    assert smart(head + BARE) == ["check.smart-kind", "check.smart-source", "check.smart-unit"]
    ratio = 'indicator x { kind output unit "%" source "S" }\nscorecard s { x }\n'
    within = 'indicator x { kind output unit "%" source "S" better lower within 1 .. 2 }\nscorecard s { x }\n'
    assert smart(head + ratio) == ["check.smart-target"]
    assert smart(head + within) == []
