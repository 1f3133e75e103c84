"""Paths that must stay linear on national files: diagnostics rendering and finding a subject's row."""

from __future__ import annotations

import numpy as np
from evaluate_kit import batch, plan

from engine import nodes as n
from engine.diagnostics import error, render_text
from engine.evaluate import evaluate_plan


class CountingText(str):
    """A source text that counts how often it is split into lines."""

    splits = 0

    def splitlines(self, keepends: bool = False) -> list[str]:  # type: ignore[override]
        CountingText.splits += 1
        return super().splitlines(keepends)


def test_each_source_is_split_once_however_many_diagnostics() -> None:
    text = CountingText("\n".join(f"indicator i{k} {{ }}" for k in range(2000)))
    diags = [error("check.x", "m", n.Span("f.kin", k + 1, 1, k + 1, 10), "h") for k in range(2000)]
    out = render_text(diags, {"f.kin": text})
    assert CountingText.splits == 1
    assert out.count("\n") == 2000 * 4  # header, source line, caret, help per diagnostic
    assert "2000 | indicator i1999 { }" in out


def test_rows_are_found_by_id_or_text_first_occurrence_first() -> None:
    r = evaluate_plan(plan("input a { }"), batch([{"a": k} for k in range(5)]))
    ids = list(r.subject_ids)
    assert [r.row(sid) for sid in ids] == [0, 1, 2, 3, 4]
    assert r.row(str(ids[3])) == 3
    r.subject_ids[:] = np.array(["x", "7", "x", 7, "y"], dtype=object)
    r.__dict__.pop("_row_index", None)
    assert (r.row("x"), r.row(7), r.row("7"), r.row("y")) == (0, 3, 1, 4)
    try:
        r.row("nobody")
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown subject must raise NotScored")
