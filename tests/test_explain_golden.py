"""Goldens pin the text, Markdown and JSON explanations of a few subjects of each bundled policy.

Regenerate with ``UPDATE_GOLDEN=1`` after a deliberate change, and read the diff: every
arithmetic line in them is also redone by ``test_explain_exact``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from explain_recompute import ROOT, example_results, library_results

from engine.explain import explain, render

GOLDEN = ROOT / "tests" / "golden" / "explain"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXAMPLES = {"instansi-2026.csv": ("kemenkeu", "pemprov_jabar", "instansi_01"), "pegawai-2026.csv": None}


def _cases() -> list[tuple[str, object, object]]:
    """(golden name, result, subject id): named subjects of the examples, the first subject of
    the first two evaluated cases of every policy the library tests."""
    out = []
    for data, result in example_results():
        if data not in EXAMPLES:
            continue
        for sid in EXAMPLES[data] or list(result.subject_ids[:2]):
            out.append((f"{Path(data).stem}-{sid}", result, sid))
    seen: dict[str, int] = {}
    for where, result in library_results():
        policy = Path(where.split(" test ")[0]).stem
        seen[policy] = seen.get(policy, 0) + 1
        if seen[policy] <= 2:
            out.append((f"{policy}-{seen[policy]}", result, result.subject_ids[0]))
    return out


def _compare(folder: Path, cases: list[tuple[str, object, object]], lang: str) -> None:
    """Each case's explanation in ``lang``, in three forms, against its golden under ``folder``."""
    names, differ = [], []
    for name, result, sid in cases:
        ex = explain(result, sid, lang=lang)  # type: ignore[arg-type]
        for fmt, ext in (("text", "txt"), ("markdown", "md"), ("json", "json")):
            path = folder / f"{name}.{ext}"
            text = render(ex, fmt)
            names.append(path.name)
            if UPDATE:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            elif not path.exists() or path.read_text(encoding="utf-8") != text:
                differ.append(path.name)
    assert not differ, f"explanations differ from their goldens: {differ}"
    stale = sorted({p.name for p in folder.iterdir() if p.is_file()} - set(names))
    assert not stale, f"goldens no subject produces: {stale}"


def test_explanation_goldens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cases = _cases()
    _compare(GOLDEN, cases, "en")
    assert len(cases) >= 20  # examples plus two subjects of every tested policy, three forms each


def test_indonesian_explanation_goldens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled examples' subjects as an Indonesian officer reads them (issue #14): the words of
    the catalogue, numbers in Babel's Indonesian form (94,03), policy names and keywords as written."""
    monkeypatch.chdir(ROOT)
    cases = [c for c in _cases() if c[0].startswith(("instansi-2026-", "pegawai-2026-"))]
    assert len(cases) == 5
    _compare(GOLDEN / "id", cases, "id")


def test_the_walk_through_in_the_docs_quotes_the_real_explanation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    doc = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    section = doc.split("### An auditor's walk-through: kemenkeu", 1)[1]
    quoted = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    data, result = next((d, r) for d, r in example_results() if d == "instansi-2026.csv")
    real = render(explain(result, "kemenkeu")).splitlines()
    assert len(quoted) > 10 and [line for line in quoted if line not in real] == []
