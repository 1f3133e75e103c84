"""`--explain-all`: every subject's explanation, the same bytes however it is written.

The reference for each line is what `--explain-all` wrote before it was made fast:
``json.dumps(as_dict(explain(result, id)), ensure_ascii=False, default=str)``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import api
from engine.explain import as_dict, every, explain
from engine.explain import numbers as nb
from engine.explain.arith import ArithError, tokens
from engine.explain.model import to_json

ROOT = Path(__file__).parent.parent
PEGAWAI = ROOT / "examples" / "pegawai-2026.csv"
INSTANSI = ROOT / "examples" / "instansi-2026.csv"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def run() -> api.Run:
    policies = api.compile_policies([ROOT / "policies"])
    return api.score(policies, [str(INSTANSI)], policy="bsc_instansi", whole=True)


def reference(result: object, sid: object) -> str:
    return json.dumps(as_dict(explain(result, sid)), ensure_ascii=False, default=str)


def test_to_json_is_the_json_of_as_dict(run: api.Run) -> None:
    for sid in run.result.subject_ids.tolist():
        assert to_json(explain(run.result, sid)) == reference(run.result, sid)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_line_whatever_the_workers(run: api.Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         workers: int) -> None:
    monkeypatch.setattr(every, "BLOCK", 7)  # 56 subjects: 8 blocks, so the workers share them
    path = tmp_path / "x.jsonl"
    lines, digest = every.write_all(run.result, path, workers=workers)
    data = path.read_bytes()
    assert lines == run.result.n == 56
    assert digest == hashlib.sha256(data).hexdigest()
    want = "".join(reference(run.result, sid) + "\n" for sid in run.result.subject_ids.tolist())
    assert data.decode("utf-8") == want


def test_gzip_is_the_same_lines_and_the_same_bytes_on_a_rerun(run: api.Run, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(every, "BLOCK", 10)
    plain, packed, again = tmp_path / "x.jsonl", tmp_path / "x.jsonl.gz", tmp_path / "y.jsonl.gz"
    every.write_all(run.result, plain, workers=1)
    every.write_all(run.result, packed, workers=2)
    every.write_all(run.result, again, workers=1)
    assert packed.read_bytes()[:2] == b"\x1f\x8b"  # gzip's magic number
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()  # 6 members, one stream
    assert packed.read_bytes() == again.read_bytes()  # no time stamp, no dependence on the workers


def test_a_failing_worker_leaves_no_file(run: api.Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(every, "BLOCK", 7)
    monkeypatch.setattr(every, "lines", lambda *a: 1 / 0)
    path = tmp_path / "x.jsonl"
    with pytest.raises(ZeroDivisionError):
        every.write_all(run.result, path, workers=2)
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_gzip_and_the_manifest_vouches_for_it(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    args = ["eval", "policies/nasional/skp/kinerja-pegawai-2022.kin", str(PEGAWAI), "-o", str(out)]
    got = CliRunner().invoke(cli.main, [*args, "--explain-all", str(tmp_path / "x.jsonl.gz")])
    assert got.exit_code == 0, got.output
    lines = gzip.decompress((tmp_path / "x.jsonl.gz").read_bytes()).decode("utf-8").splitlines()
    manifest = json.loads((tmp_path / "r.manifest.json").read_text())
    rows = manifest["rows"]
    assert rows["read"] == 302 and rows["scored"] + rows["rejected"] == 302  # `wc -l`: 303 lines, one a header
    assert len(lines) == rows["scored"] > 0  # one line per scored subject
    assert [json.loads(x)["subject_id"] for x in lines[:2]] == ["bakamla-0001", "bakamla-0002"]
    assert manifest["explanations"]["sha256"] == hashlib.sha256((tmp_path / "x.jsonl.gz").read_bytes()).hexdigest()
    assert CliRunner().invoke(cli.main, ["verify", str(tmp_path / "r.manifest.json")]).exit_code == 0


@pytest.mark.parametrize("name", ["x.csv.gz", "x.gz", ".jsonl.gz"])
def test_other_compressed_names_are_refused_before_scoring(tmp_path: Path, name: str) -> None:
    args = ["eval", "policies/", str(INSTANSI), "--policy", "bsc_instansi", "-o", str(tmp_path / "r.csv")]
    got = CliRunner().invoke(cli.main, [*args, "--explain-all", str(tmp_path / name)])
    assert got.exit_code == 2 and "cannot write" in got.stderr
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("x", [0.0, -0.0, 2.675, -2.675, 0.125, -0.125, 1e-7, 0.1 + 0.2, 83.0, 1234567.891,
                               99.995, -99.995, 5e-324, 1e15])
def test_memoised_numbers_are_the_computed_ones(x: float) -> None:
    for places in (None, 0, 1, 2, 3, 12):
        assert nb.show(x, places) == nb._show_any(x, places)
        nb._show.cache_clear()
        assert nb.show(x, places) == nb._show_any(x, places)
    for places in (0, 2, 5):
        assert nb.fixed(x, places) == nb._fixed_any(x, places)
    assert str(nb.dec(x)) == str(nb._dec.__wrapped__(x) if x else Decimal(repr(x)))


def test_zero_keeps_its_sign_through_the_memo() -> None:
    assert str(nb.dec(0.0)) == "0.0" and str(nb.dec(-0.0)) == "-0.0" and str(nb.dec(0.0)) == "0.0"
    assert nb.show(-0.0, 2) == nb.show(0.0, 2) == "0" and nb.fixed(-0.0, 2) == "0.00"


def test_tokens_still_refuse_what_they_cannot_read() -> None:
    assert tokens("60% × 43.5 + 40% × 62.4") == ["60%", "×", "43.5", "+", "40%", "×", "62.4"]
    assert tokens("9.900.000,5 − 1", "id") == ["9900000.5", "−", "1"]
    assert tokens("  ") == []
    for bad in ("1 + $", "$ + 1", "1 @ 2", "mean(1, 2) ;"):
        with pytest.raises(ArithError):
            tokens(bad)


@pytest.mark.parametrize("shown", ["0", "5", "007", "999", "1000", "1234", "75_000", "12345.5", "0.001", "83.00",
                                   "1000000.125", "9900000", "123456789012.000001", "100000.0"])
def test_indonesian_numbers_are_babels(shown: str) -> None:
    from engine.explain.localize import number
    from engine.i18n.formats import format_number

    digits = shown.replace("_", "")
    babel = format_number(Decimal(digits), len(digits.split(".")[1]) if "." in digits else 0, "id")
    assert number.__wrapped__(shown, "id") == babel  # e.g. 1000000.125 -> 1.000.000,125, 83.00 -> 83,00
