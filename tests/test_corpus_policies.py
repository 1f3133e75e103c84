"""The bad-policy corpus (tests/data/corpus/policies): `check`, `fmt --check` and `eval` of each
file give the expected exit code and diagnostic, never exit 3, and change no file."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import cli

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "policies"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
COMMANDS = ("check", "fmt", "eval")


def _build() -> object:
    sys.modules.pop("build", None)  # tests/data/corpus/submissions has a build.py too
    sys.path.insert(0, str(CORPUS))
    try:
        import build
    finally:
        sys.path.remove(str(CORPUS))
    sys.modules.pop("build", None)  # tests/data/corpus/submissions has a build.py too
    return build


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("policy-corpus")
    _build().large(folder)  # type: ignore[attr-defined]
    return folder


def test_the_kept_files_are_what_build_writes(tmp_path: Path) -> None:
    _build().small(tmp_path)  # type: ignore[attr-defined]
    for made in tmp_path.iterdir():
        assert made.read_bytes() == (CORPUS / made.name).read_bytes(), made.name
    kept = {p.name for p in tmp_path.iterdir() if p.suffix == ".kin"}
    assert kept | {n for n, e in EXPECTED.items() if e.get("large")} == set(EXPECTED)


def _digests(path: Path) -> dict[str, str]:
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


def _args(command: str, target: Path, out: Path) -> list[str]:
    root = ["--root", str(target)] if target.is_dir() and command != "fmt" else []
    if command == "check":
        return ["check", str(target), *root]
    if command == "fmt":
        return ["fmt", "--check", str(target)]
    return ["eval", str(target), str(CORPUS / "data.csv"), "-o", str(out), *root]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_policy(name: str, command: str, large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expect = EXPECTED[name]
    target = (large if expect.get("large") else CORPUS) / name
    monkeypatch.chdir(ROOT)
    before = _digests(target)
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(cli.main, _args(command, target, out))
    said = " ".join((result.stdout + result.stderr).split())
    code, *fragments = expect[command]
    assert result.exit_code != 3 and "internal error" not in said and "Traceback" not in said, said[:2000]
    assert result.exit_code == code, said[:2000]
    for fragment in fragments:
        assert fragment in said, (fragment, said[:2000])
    assert "RAHASIA" not in said  # nothing outside the policy root is read, let alone printed
    assert _digests(target) == before  # fmt --check and eval change no policy file
    if command == "eval":
        assert out.exists() == (code == 0)  # a policy with errors scores nothing
