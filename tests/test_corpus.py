"""The bad-submission corpus (tests/data/corpus/submissions): no exit 3, every reject placed and
explained, counts that reconcile, inputs untouched, and each file's expected outcome."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import cli

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "submissions"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(CORPUS))
    try:
        import build
    finally:
        sys.path.remove(str(CORPUS))
    folder = tmp_path_factory.mktemp("corpus")
    build.large(folder)
    return folder


def test_the_kept_files_are_what_build_writes(tmp_path: Path) -> None:
    sys.path.insert(0, str(CORPUS))
    try:
        import build
    finally:
        sys.path.remove(str(CORPUS))
    build.small(tmp_path)
    for made in tmp_path.iterdir():
        assert made.read_bytes() == (CORPUS / made.name).read_bytes(), made.name
    assert {p.name for p in tmp_path.iterdir()} | {n for n, e in EXPECTED.items() if e.get("large")} == set(EXPECTED)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "not a file"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str, large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expect = EXPECTED[name]
    data = (large if expect.get("large") else CORPUS) / name
    monkeypatch.chdir(ROOT)
    policies = sorted((ROOT / "policies").rglob("*.kin"))
    before = [_digest(p) for p in [data, *policies]]
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(cli.main, ["eval", "policies/", str(data), "--policy", "bsc_instansi", "-o", str(out)])
    err = result.stderr
    assert result.exit_code == expect["exit"], err
    assert "Traceback" not in err and "internal error" not in err
    assert expect.get("message", "") in " ".join(err.split()), err
    assert expect.get("absent", "\0") not in err
    assert [_digest(p) for p in [data, *policies]] == before  # no input or policy file changes
    if expect["exit"] == 2:
        assert not out.exists()
        return
    manifest = json.loads((tmp_path / "r.manifest.json").read_text())
    rows = manifest["rows"]
    assert [rows["read"], rows["scored"], rows["rejected"]] == expect["rows"] and manifest["reconciles"]
    with (tmp_path / "r.rejects.csv").open(encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert all(r["file"] and r["row"] and r["reason"] for r in rejects)
    assert len(rejects) >= rows["rejected"]  # each rejected row has at least one reason
    if "results_contain" in expect:
        assert expect["results_contain"] in out.read_text(encoding="utf-8")
