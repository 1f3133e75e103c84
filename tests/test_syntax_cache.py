"""The parsed-policy cache: faster, never different (engine/syntax/cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import nodes as n
from engine import syntax
from engine.diagnostics import KinerjaError
from engine.syntax import cache

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "policies" / "nasional" / "skp" / "kinerja-pegawai-2022.kin").read_text(encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KINERJA_CACHE_DIR", str(tmp_path / "c"))
    cache.folder.cache_clear()
    yield tmp_path / "c" / "ast"
    cache.folder.cache_clear()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def spans(module: n.Module) -> list[tuple[str, n.Span]]:
    return [(type(x).__name__, x.span) for x in module.walk()] + [("#", c.span) for c in module.comments]


def test_a_clean_file_is_stored_and_read_back_identical_spans_included(folder: Path) -> None:
    first = syntax.parse(TEXT, "p.kin")
    assert len(entries(folder)) == 1
    again = syntax.parse(TEXT, "p.kin")
    assert again == first and spans(again) == spans(first) and again.comments == first.comments
    assert again is not first  # read from the file, not kept in memory


def test_the_key_covers_text_path_and_code(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    syntax.parse(TEXT, "p.kin")
    syntax.parse(TEXT, "q.kin")  # spans carry the path
    syntax.parse(TEXT + "\n# akhir\n", "p.kin")
    assert len(entries(folder)) == 3
    monkeypatch.setattr(cache, "fingerprint", lambda: b"another build of the parser")
    assert cache.load(TEXT, "p.kin") is None


def test_the_fingerprint_hashes_the_grammar_and_the_syntax_code() -> None:
    cache.fingerprint.cache_clear()
    first = cache.fingerprint()
    cache.fingerprint.cache_clear()
    assert cache.fingerprint() == first
    hashed = [*ROOT.glob("engine/syntax/*.py"), ROOT / "grammar" / "kinerja.lark"]
    assert all(p.is_file() for p in hashed) and len(hashed) >= 6


def test_files_with_findings_are_not_stored(folder: Path) -> None:
    with pytest.raises(KinerjaError):
        syntax.parse("policy p\nindicator a { target }\n", "bad.kin")
    assert entries(folder) == []


def test_a_damaged_entry_is_parsed_again(folder: Path) -> None:
    first = syntax.parse(TEXT, "p.kin")
    (entry,) = entries(folder)
    entry.write_bytes(b"\x80\x05 not a pickle")
    assert syntax.parse(TEXT, "p.kin") == first
    assert cache.load(TEXT, "p.kin") == first  # stored again, whole


def test_off_and_unsafe_folders_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_CACHE_DIR", "off")
    cache.folder.cache_clear()
    assert cache.folder() is None
    shared = tmp_path / "shared"
    (shared / "ast").mkdir(parents=True)
    os.chmod(shared / "ast", 0o777)  # anyone could plant a pickle here
    monkeypatch.setenv("KINERJA_CACHE_DIR", str(shared))
    cache.folder.cache_clear()
    assert cache.folder() is None
    syntax.parse(TEXT, "p.kin")
    assert list((shared / "ast").iterdir()) == []
    cache.folder.cache_clear()


def test_pruning_keeps_the_most_recently_used_half(tmp_path: Path) -> None:
    for i in range(10):
        (tmp_path / f"{i}.pickle").write_bytes(b"x")
        os.utime(tmp_path / f"{i}.pickle", (1000 + i, 1000 + i))
    cache._prune(tmp_path, limit=8)
    assert sorted(p.name for p in tmp_path.glob("*.pickle")) == [f"{i}.pickle" for i in range(5, 10)]


def test_a_cached_run_does_not_import_lark(folder: Path, tmp_path: Path) -> None:
    policy = tmp_path / "p.kin"
    policy.write_text(TEXT, encoding="utf-8")
    code = ("import sys; from engine import resolve; p = resolve.load([sys.argv[1]]); "
            "assert p.modules, p.diagnostics; print('lark' in sys.modules)")
    env = {**os.environ, "KINERJA_CACHE_DIR": str(folder.parent), "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-c", code, str(policy)], env=env, capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]


def _classes(obj: object, seen: set[int], found: set[type]) -> None:
    if id(obj) in seen or isinstance(obj, (str, int, float, bool, type(None))):
        return
    seen.add(id(obj))
    found.add(type(obj))
    items = obj.items() if isinstance(obj, dict) else None
    values = [v for kv in items for v in kv] if items is not None else \
        list(obj) if isinstance(obj, (list, tuple, set, frozenset)) else \
        [getattr(obj, f) for f in getattr(obj, "__dataclass_fields__", {})]
    for v in values:
        _classes(v, seen, found)


def test_every_class_a_cached_module_holds_is_defined_in_hashed_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # A pickle stores classes by name: when the code of one of them changes without changing the
    # fingerprint, a stale entry would come back with the wrong shape.  Every engine class found in
    # the parsed library (levels, tables, trees...) must live in a file the fingerprint reads.
    monkeypatch.setenv("KINERJA_CACHE_DIR", "off")
    cache.folder.cache_clear()
    found: set[type] = set()
    for path in sorted((ROOT / "policies").rglob("*.kin")):
        _classes(syntax.parse(path.read_text(encoding="utf-8"), str(path)), set(), found)
    cache.folder.cache_clear()
    files = {Path(sys.modules[c.__module__].__file__ or "").resolve() for c in found
             if c.__module__.startswith("engine.")}
    assert len(files) >= 2 and files <= set(cache.sources())
