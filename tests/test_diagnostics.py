"""Rendering a diagnostic, and the exit code its family calls for."""

from __future__ import annotations

from engine.diagnostics import COMMAND_LINE, error, exit_code, render_text, warning
from engine.nodes import Span


def test_caret_under_a_line_with_tabs_points_at_the_span() -> None:
    # "\tweight\tbad" : `bad` is characters 9..11 (column 9, end column 12) of the raw line.
    text = "policy a\n\tweight\tbad\n"
    d = error("check.x", "m", Span("p.kin", 2, 9, 2, 12))
    lines = render_text([d], {"p.kin": text}).splitlines()
    # Tabs expand to stops of 4: "    weight  bad": `bad` starts at display offset 12.
    assert lines[1] == "   2 |     weight  bad"
    assert lines[2] == "     | " + " " * 12 + "^^^"
    assert lines[1].index("bad") == lines[2].index("^")


def test_a_span_without_a_line_is_shown_without_a_position_or_excerpt() -> None:
    d = error("data.no-header", "no header line", Span("x.csv", 0, 0, 0, 0), "name the columns")
    assert render_text([d], {"x.csv": "whatever"}) == "x.csv: error[data.no-header]: no header line\n" \
                                                     "  help: name the columns\n"


def test_exit_code_follows_the_family_of_the_errors() -> None:
    assert exit_code([]) == 0
    assert exit_code([warning("check.smart-unit", "m", COMMAND_LINE)]) == 0
    assert exit_code([error("api.policy-ambiguous", "m", COMMAND_LINE)]) == 2
    assert exit_code([error("data.no-header", "m", COMMAND_LINE)]) == 2
    assert exit_code([error("check.cycle", "m", COMMAND_LINE)]) == 1
    assert exit_code([error("diff.gate-tripped", "m", COMMAND_LINE)]) == 1
    # a policy finding beside a usage problem: the policy must be fixed first
    both = [error("api.unknown-policy", "m", COMMAND_LINE), error("syntax.unexpected", "m", COMMAND_LINE)]
    assert exit_code(both) == 1
