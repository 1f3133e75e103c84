"""Semantic coverage of a small policy, counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import testing

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "testing"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_coverage_of_kecil_counted_by_hand() -> None:
    # kecil.kin has 12 items:
    #   indicators 2 (hasil, layanan)           -> both evaluated by every test: 2/2
    #   bands 3 (Istimewa, Baik, Cukup)         -> Istimewa (test 1), Baik (tests 2, 3): 2/3
    #   gates 2 (Istimewa's `disiplin` both ways) -> true (test 1), false (test 2: 120 >= 110, no disiplin): 2/2
    #   table rows 4                            -> row 1 (test 1), row 3 (test 2), row 2 (test 3): 3/4
    #   missing paths 1 (hasil `missing zero`)  -> no test leaves hasil empty: 0/1
    # total 9/12 = 75%.
    run = testing.run(["tests/data/testing/kecil"])
    [cov] = run.coverage
    assert cov.policy == "kecil@1" and cov.file == "tests/data/testing/kecil/kecil.kin"
    shares = {c: cov.share(c) for c in ("indicators", "bands", "gates", "rows", "missing")}
    assert shares == {"indicators": (2, 2), "bands": (2, 3), "gates": (2, 2), "rows": (3, 4), "missing": (0, 1)}
    assert cov.percent == 75.0
    assert [i.id for i in cov.items if not i.covered] == ["nilai.hasil.missing", "predikat.bands.3",
                                                          "tunjangan.rows.4"]


def test_one_more_test_covers_the_rest(tmp_path: Path) -> None:
    # hasil empty (missing zero -> 0) and layanan 10 ((2 - 10/5)*100 = 0): nilai 0 -> Cukup -> row 4.
    extra = tmp_path / "tambah_test.yaml"
    extra.write_text(f"""
policy: {ROOT / 'tests/data/testing/kecil/kecil.kin'}
tests:
  - name: kosong
    given: {{layanan: 10}}
    expect: {{hasil: 0, nilai: 0, predikat: Cukup, tunjangan: Tidak}}
    expect_missing: {{hasil: eval.missing-zero}}
""", encoding="utf-8")
    run = testing.run(["tests/data/testing/kecil", extra])
    assert run.ok
    [cov] = run.coverage
    assert cov.percent == 100.0


def test_golden_coverage_report() -> None:
    run = testing.run(["tests/data/testing/kecil"])
    text = testing.render_coverage(run)
    path = GOLDEN / "coverage.txt"
    import os
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
