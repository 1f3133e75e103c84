"""engine.cachedir: dataclass methods compiled once per interpreter build, the same methods either way."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Defines dataclasses after `import engine` (which installs the cache) and prints what they do,
# plus how many texts this process had to compile.
PROBE = r'''
import builtins, json, dataclasses
compiles = []
real_compile = builtins.compile
def counting(source, *a, **k):
    compiles.append(source)
    return real_compile(source, *a, **k)
builtins.compile = counting
import engine  # installs the cache
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: float = 2.5
    tags: tuple = ()
    note: str = field(default="", compare=False, repr=False, kw_only=True)

@dataclass(order=True)
class Box:
    size: int
    items: list = field(default_factory=list)

p, q = Point(1), Point(1, note="other")
try:
    p.x = 3
    frozen = "no"
except dataclasses.FrozenInstanceError:
    frozen = "yes"
b = Box(3)
b.items.append("a")
print(json.dumps({
    "repr": [repr(p), repr(q), repr(b)],
    "eq": [p == q, p == Point(2), Box(1) < Box(2)],
    "hash": hash(p) == hash(q),
    "frozen": frozen,
    "init_annotations": {k: str(v) for k, v in Point.__init__.__annotations__.items()},
    "defaults": repr(Point.__init__.__defaults__),
    "fresh_lists": Box(1).items == [],
    "compiled_here": len([c for c in compiles if isinstance(c, str) and c.startswith("def __create_fn__")]),
}))
'''


def probe(cache: str) -> dict[str, object]:
    env = {**os.environ, "KINERJA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def uncached() -> dict[str, object]:
    """The same probe with the stock ``exec`` (no ``import engine``): what the methods must be."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE.replace("import engine  # installs the cache", "")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def without_count(result: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in result.items() if k != "compiled_here"}


def test_a_second_process_compiles_no_dataclass_method_and_gets_the_same_methods(tmp_path: Path) -> None:
    first, second = probe(str(tmp_path)), probe(str(tmp_path))
    assert first["compiled_here"] > 0  # every method of Point and Box (and of engine's own, if any)
    assert second["compiled_here"] == 0  # all read back from the file
    reference = uncached()
    assert reference["compiled_here"] == 0  # the stock exec compiles inside, not through compile()
    assert without_count(first) == without_count(second) == without_count(reference)
    # hand-checked expectations of the stock dataclass behaviour
    assert first["repr"] == ["Point(x=1, y=2.5, tags=())", "Point(x=1, y=2.5, tags=())", "Box(size=3, items=['a'])"]
    assert first["eq"] == [True, False, True] and first["hash"] is True and first["frozen"] == "yes"
    # annotations are the objects, not strings: no __future__ flag leaked into the compile
    # (with the flag they would be the names of dataclasses' locals, such as '_type_x')
    assert first["init_annotations"] == {"x": "<class 'int'>", "y": "<class 'float'>", "tags": "<class 'tuple'>",
                                         "note": "<class 'str'>", "return": "None"}
    assert list((tmp_path / "code").glob("dataclasses-*.marshal"))


def test_caching_off_still_works_and_writes_nothing(tmp_path: Path) -> None:
    result = probe("off")
    assert without_count(result) == without_count(uncached())
    assert result["compiled_here"] > 0


def test_a_corrupt_file_is_compiled_again_and_replaced(tmp_path: Path) -> None:
    probe(str(tmp_path))
    (file,) = (tmp_path / "code").glob("dataclasses-*.marshal")
    file.write_bytes(b"\x00not marshal")
    again = probe(str(tmp_path))
    assert again["compiled_here"] > 0 and without_count(again) == without_count(uncached())
    assert probe(str(tmp_path))["compiled_here"] == 0  # rewritten whole at the end of the run above


def test_a_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir(mode=0o700)
    os.chmod(tmp_path / "code", stat.S_IRWXU | stat.S_IWOTH | stat.S_IXOTH | stat.S_IROTH)
    probe(str(tmp_path))
    assert probe(str(tmp_path))["compiled_here"] > 0
    assert not list((tmp_path / "code").glob("*.marshal"))
