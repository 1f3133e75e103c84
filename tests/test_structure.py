"""The code's shape: modules use each other's public names only, stay short, and the README's
module map lists exactly the modules there are."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("engine", "cli")  # the packages whose modules must not reach into each other's privates
MODULES = sorted(p for top in OURS for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts)
TRANSLATORS = {"_", "N_"}  # engine.i18n's gettext functions: private-looking by convention, public by design


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in TRANSLATORS


def _ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The module an ``from ... import`` reads, with relative imports resolved against ``path``."""
    if not node.level:
        return node.module or ""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-node.level])
    return ".".join(package + ([node.module] if node.module else []))


def private_uses(path: Path) -> list[str]:
    """``from engine.x import _name`` and ``x._name`` (``x`` an imported module of ours) in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, aliases = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _ours(source := _absolute(path, node)):
            found += [f"{path.name}:{node.lineno}: {source}.{a.name}" for a in node.names if _private(a.name)]
            aliases |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name.split(".")[0] for a in node.names if _ours(a.name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_uses_another_modules_private_names(path: Path) -> None:
    assert private_uses(path) == [], "make the name public (it is shared) or move the shared code to its owner"


def test_the_private_name_scan_catches_both_forms(tmp_path: Path) -> None:
    sample = ROOT / "engine" / "_scan_sample.py"  # under engine/ so its relative import resolves to ours
    text = ("from engine.data.readers import _cell_text, header_at\nfrom . import batch as b\n"
            "from .fmt import layout\nfrom engine.i18n import _, N_\nimport numpy._core as core\n"
            "x = b._private + layout.Line._hidden + core._thing\n")
    try:
        sample.write_text(text, encoding="utf-8")
        found = private_uses(sample)
    finally:
        sample.unlink()
    # the imported private name, then the two attribute uses through our modules' aliases;
    # the translators and numpy's private module are not ours to police
    assert [f.split(": ", 1)[1] for f in found] == ["engine.data.readers._cell_text", "b._private",
                                                     "layout.Line._hidden"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def _map_rows() -> dict[str, str]:
    """The README's module map: each entry (``engine/x.py``, ``engine/x/``) with its description."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `((?:engine|cli|grammar)/[^`]*)` \| (.*) \|$", text, flags=re.MULTILINE))


def _map_entries() -> list[str]:
    return list(_map_rows())


def _engine_modules() -> set[str]:
    """engine/'s top-level modules and packages as the map names them (``engine/x.py``, ``engine/x/``)."""
    top = ROOT / "engine"
    return ({f"engine/{p.name}" for p in top.glob("*.py") if p.name != "__init__.py"}
            | {f"engine/{p.name}/" for p in top.iterdir() if (p / "__init__.py").exists()})


def test_every_module_map_entry_exists() -> None:
    entries = _map_entries()
    assert len(entries) > 20  # the table was found
    assert [e for e in entries if not (ROOT / e).exists()] == []


def test_every_engine_module_is_in_the_module_map() -> None:
    assert sorted(_engine_modules() - set(_map_entries())) == []


def test_every_module_of_a_package_is_named_in_its_map_line() -> None:
    # a package's line names each of its modules (`core`, `core.py`), so the map says where things are
    unnamed = []
    for entry, line in _map_rows().items():
        if entry.endswith("/"):
            for module in sorted((ROOT / entry).glob("*.py")):
                if not module.stem.startswith("__") and not re.search(rf"`{module.stem}(\.py)?`", line):
                    unnamed.append(f"{entry}{module.name}")
    assert unnamed == []
