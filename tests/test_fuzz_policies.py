"""Mutated copies of the bundled policies never crash the compiler or the formatter: every outcome
is a clean compile or diagnostics.  Bounded in CI (the `ci` hypothesis profile); run longer with
`HYPOTHESIS_PROFILE=heavy python -m pytest tests/test_fuzz_policies.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from engine.compiler import check_paths
from engine.diagnostics import KinerjaError
from engine.fmt import format_text

ROOT = Path(__file__).parent.parent
POLICIES = sorted((ROOT / "policies").rglob("*.kin"))
TEXTS = [p.read_text(encoding="utf-8") for p in POLICIES]
# Fragments an officer's typo or a bad merge could leave behind.
FRAGMENTS = ['"', "{", "}", "(", ")", "..", "%", "\\", "\x00", "1e27", "-1e309", "0.000000000000000000000001",
             "weight", "when", "otherwise", "extends", '"../../etc/passwd"', "if", "then", "else", "round 2",
             "max(", "#", "\n", "\t", "é", "\u202e", "9" * 400, "missing", "target", "range 0 .. 1e27"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)))
            text = text[:at] + piece + text[at:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@given(mutated())
def test_a_mutated_policy_compiles_or_gets_diagnostics(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.kin"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        report = check_paths([path], root=folder)  # anything but diagnostics is a bug
        assert all(d.span.file for d in report.diagnostics)
        try:
            formatted = format_text(text, str(path))
        except KinerjaError:
            return
        assert isinstance(formatted, str)
