"""The block path of `--explain-all` (``engine.explain.block``) writes, for every subject, the
bytes of the single-subject path (`kinerja explain --id`, ``to_json(explain(result, id))``): on
every bundled example, every evaluated case of the policy library's own tests and the national
benchmark policy, in both languages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from explain_recompute import example_results, library_results

from engine import api
from engine.evaluate import Result
from engine.explain import explain
from engine.explain.block import lines
from engine.explain.model import to_json

ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def single(result: Result, lang: str, places: int = 2) -> str:
    return "".join(to_json(explain(result, sid, places, lang)) + "\n" for sid in result.subject_ids.tolist())


def same(result: Result, lang: str, places: int = 2) -> None:
    ids = result.subject_ids.tolist()
    got, want = lines(result, ids, places, lang).splitlines(), single(result, lang, places).splitlines()
    assert len(got) == len(want) == len(ids)
    for sid, g, w in zip(ids, got, want):
        assert g == w, sid


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_example_subject_is_the_single_subject_explanation(lang: str) -> None:
    for _, result in example_results():
        same(result, lang)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_policy_library_case_is_the_single_subject_explanation(lang: str) -> None:
    results = library_results()
    assert len(results) > 50  # ratings, tables, formulas, piecewise, levels, agency overrides...
    for _, result in results:
        same(result, lang)


def test_the_national_benchmark_policy_at_other_precisions(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate  # bench/ is not a package

    data = generate.write(120, tmp_path, csv=False)[0]
    policies = api.compile_policies([ROOT / "bench" / "policy" / "bsc-bench.kin"])
    result = api.score(policies, [str(data)], whole=True).result
    for lang in ("id", "en"):
        for places in (0, 2, 4):
            same(result, lang, places)
    assert single(result, "id").count("\n") == 120


def test_an_empty_block_is_no_lines() -> None:
    _, result = example_results()[0]
    assert lines(result, [], 2, "id") == ""
