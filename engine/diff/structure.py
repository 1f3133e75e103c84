"""Structural diff of two policy versions by declaration id, ignoring layout and comments.

AST equality ignores spans and comments, so two declarations are "the same"
exactly when ``==`` says so.  Declarations are matched by name (names are global
in a policy); tree nodes and leaves by name too, so a weight change or a move to
another parent is reported at the node's dotted id.  Rating bands are matched by
label, table rows and quota rules by position, constraints by ``field(target)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine import nodes as n
from engine import resolve, syntax
from engine.fmt.values import band_text, constraint_text, dates, header_text, row_text, rule_text, value_text
from engine.i18n import N_

ABSENT = "—"
BAND_ORDER = N_("band order")  # an attribute said in words (JSON keeps the English key)
_SKIP = {"name", "span", "name_span", "of_span", "children", "bands", "rows", "rules", "overrides"}


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed, changed or moved; ``id`` the dotted id."""

    file: str
    kind: str
    id: str
    what: str
    attr: str | None = None
    before: str | None = None
    after: str | None = None

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def load_modules(path: Path) -> dict[str, n.Module]:
    """Every policy file under ``path`` parsed, keyed by its path relative to ``path`` (a file: its name)."""
    files, _ = resolve.discover([path])
    base = path.resolve() if path.is_dir() else path.resolve().parent
    out = {}
    for f in files:
        key = f.relative_to(base).as_posix()
        out[key] = syntax.parse_file(f, resolve.display(f))
    return out


def diff_paths(old: Path, new: Path) -> list[Change]:
    """Changes from ``old`` to ``new`` (two files, or two folders matched by relative path)."""
    a, b = load_modules(old), load_modules(new)
    if old.is_file() and new.is_file() and len(a) == len(b) == 1:
        return diff_modules(next(iter(a.values())), next(iter(b.values())), resolve.display(new.resolve()))
    out: list[Change] = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            out.append(Change(key, "removed", key, "file"))
        elif key not in a:
            out.append(Change(key, "added", key, "file"))
        else:
            out += diff_modules(a[key], b[key], key)
    return out


def diff_modules(old: n.Module, new: n.Module, file: str) -> list[Change]:
    out = _header(old, new, file)
    oa, na = old.first(n.Agency), new.first(n.Agency)
    if isinstance(oa, n.Agency) and isinstance(na, n.Agency):
        out += _attrs(oa, na, file, oa.name, "agency")
        out += _decls(list(oa.overrides), list(na.overrides), file)
    else:
        out += _decls(list(old.decls()), list(new.decls()), file)
    out += _constraints(old, new, file)
    return out


def _header(old: n.Module, new: n.Module, file: str) -> list[Change]:
    out = []
    for cls, attr in ((n.Header, "header"), (n.PeriodDecl, "period"), (n.SubjectDecl, "subject")):
        a, b = old.first(cls), new.first(cls)
        if a != b:
            out.append(Change(file, "changed", "policy", "policy", attr, text(a), text(b)))
    return out


def _decls(old: list[n.Decl], new: list[n.Decl], file: str) -> list[Change]:
    skip = (n.Header, n.Agency)
    a = {d.name: d for d in old if not isinstance(d, skip)}
    b = {d.name: d for d in new if not isinstance(d, skip)}
    ta, tb = _tree_index(a.values()), _tree_index(b.values())
    out = []
    for name in [*a, *[k for k in b if k not in a]]:
        da, db = a.get(name), b.get(name)
        if da is None:
            out.append(Change(file, "added", name, _kind(db)))
        elif db is None:
            out.append(Change(file, "removed", name, _kind(da)))
        elif da != db:
            out += _decl(da, db, file)
    out += _tree(ta, tb, file)
    return out


def _decl(a: n.Decl, b: n.Decl, file: str) -> list[Change]:
    if type(a) is not type(b):
        return [Change(file, "changed", a.name, _kind(b), "kind", _kind(a), _kind(b))]
    if isinstance(a, n.Tree):
        return []  # reported node by node by _tree
    out = _attrs(a, b, file, a.name, _kind(a))
    if isinstance(a, n.Rating) and isinstance(b, n.Rating):
        out += _bands(a, b, file)
    if isinstance(a, n.Table) and isinstance(b, n.Table):
        out += _listed(file, a.name, "row", [row_text(r) for r in a.rows], [row_text(r) for r in b.rows])
    if isinstance(a, n.Quota) and isinstance(b, n.Quota):
        out += _listed(file, a.name, "rule", [rule_text(r) for r in a.rules], [rule_text(r) for r in b.rules])
    return out


def _attrs(a: n.Node, b: n.Node, file: str, ident: str, what: str) -> list[Change]:
    out = []
    for f in dataclasses.fields(a):
        if f.name in _SKIP or not f.compare:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x != y:
            out.append(Change(file, "changed", ident, what, f.name, text(x), text(y)))
    return out


# ------------------------------------------------------------------ trees


def _tree_index(decls: Iterator[n.Decl] | object) -> dict[str, tuple[str, n.Tree | n.Leaf]]:
    """Every tree node and leaf by name: (dotted id, node)."""
    return {m.name: (m.id, m.node) for d in decls if isinstance(d, n.Tree)  # type: ignore[attr-defined]
            for m in d.members()}


def _tree(a: dict[str, tuple[str, n.Tree | n.Leaf]], b: dict[str, tuple[str, n.Tree | n.Leaf]],
          file: str) -> list[Change]:
    out = []
    for name in [*a, *[k for k in b if k not in a]]:
        if name not in b:
            out.append(Change(file, "removed", a[name][0], _kind(a[name][1])))
            continue
        if name not in a:
            out.append(Change(file, "added", b[name][0], _kind(b[name][1])))
            continue
        (ia, na), (ib, nb) = a[name], b[name]
        if ia != ib:
            out.append(Change(file, "moved", ib, _kind(nb), "parent", ia.rpartition(".")[0] or ABSENT,
                              ib.rpartition(".")[0] or ABSENT))
        if type(na) is type(nb):
            out += _attrs(na, nb, file, ib, _kind(nb))
        else:
            out.append(Change(file, "changed", ib, _kind(nb), "kind", _kind(na), _kind(nb)))
    return out


# ------------------------------------------------------- bands, rows, rules


def _bands(a: n.Rating, b: n.Rating, file: str) -> list[Change]:
    la = {x.label.value: x for x in a.bands}
    lb = {x.label.value: x for x in b.bands}
    out = []
    for label in [*la, *[k for k in lb if k not in la]]:
        ident = f'{a.name}."{label}"'
        if label not in lb:
            out.append(Change(file, "removed", ident, "band", None, band_text(la[label]), None))
        elif label not in la:
            out.append(Change(file, "added", ident, "band", None, None, band_text(lb[label])))
        elif la[label] != lb[label]:
            out.append(Change(file, "changed", ident, "band", "bounds", band_text(la[label]), band_text(lb[label])))
    order_a = [x for x in la if x in lb]
    order_b = [x for x in lb if x in la]
    if order_a != order_b:
        out.append(Change(file, "changed", a.name, "rating", BAND_ORDER, ", ".join(order_a), ", ".join(order_b)))
    return out


def _listed(file: str, name: str, what: str, a: list[str], b: list[str]) -> list[Change]:
    out = []
    for k in range(max(len(a), len(b))):
        x = a[k] if k < len(a) else None
        y = b[k] if k < len(b) else None
        if x != y:
            kind = "added" if x is None else "removed" if y is None else "changed"
            out.append(Change(file, kind, f"{name}.{what}s.{k + 1}", what, None, x, y))
    return out


def _constraints(old: n.Module, new: n.Module, file: str) -> list[Change]:
    def index(m: n.Module) -> dict[str, n.Constraint]:
        return {f"{c.field.value}({c.target.name})": c for c in m.items if isinstance(c, n.Constraint)}
    a, b = index(old), index(new)
    out = []
    for key in [*a, *[k for k in b if k not in a]]:
        x, y = a.get(key), b.get(key)
        if x != y:
            kind = "added" if x is None else "removed" if y is None else "changed"
            out.append(Change(file, kind, key, "constraint", None, text(x) if x else None, text(y) if y else None))
    return out


# ------------------------------------------------------------------ text


def _kind(d: object) -> str:
    if isinstance(d, n.Tree):
        return d.level
    if isinstance(d, n.Leaf):
        return "leaf"
    return type(d).__name__.lower()


def text(v: object) -> str:
    """An attribute value as policy text, the formatter's spelling (``None``: absent)."""
    if v is None:
        return ABSENT
    if isinstance(v, n.Header):
        return header_text(v)
    if isinstance(v, n.PeriodDecl):
        return dates(v.range)
    if isinstance(v, n.SubjectDecl):
        return v.kind.value
    if isinstance(v, n.Constraint):
        return constraint_text(v)
    return value_text(v)
