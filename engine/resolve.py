"""Resolve stage: load policy files into a ``Project`` and turn each agency into a full policy.

``load`` finds and parses the files (the syntax stage for a set of paths);
``link`` sorts national policies by id and version, follows ``extends`` (inside
the policy root, no cycles), applies agency overrides to produce a new module
shaped like a national one, and checks the national ``constraint``s against it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine import nodes as n
from engine import overrides, syntax
from engine.diagnostics import Diagnostic, KinerjaError, Label, did_you_mean, error
from engine.i18n import _


@dataclass
class AgencyPolicy:
    """An agency file and, once linked, its resolved module (``None`` when it cannot be resolved)."""

    name: str
    path: str
    agency: n.Agency
    base: str | None = None
    module: n.Module | None = None


@dataclass
class Project:
    """Every policy file of a run, parsed and linked."""

    root: Path
    files: list[str] = field(default_factory=list)  # display paths of the files given, sorted
    sources: dict[str, str] = field(default_factory=dict)  # display path -> text
    modules: dict[str, n.Module] = field(default_factory=dict)  # display path -> parsed module
    national: dict[str, list[n.Module]] = field(default_factory=dict)  # policy id -> versions by period start
    agencies: dict[str, AgencyPolicy] = field(default_factory=dict)  # agency id -> policy
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _abs: dict[str, Path] = field(default_factory=dict, repr=False)

    def add(self, diags: Iterable[Diagnostic]) -> None:
        known = set(self.diagnostics)
        for d in diags:
            if d not in known:  # a file extended by several agencies reports its problems once
                self.diagnostics.append(d)
                known.add(d)

    def has_errors(self, path: str) -> bool:
        return any(d.is_error and d.span.file == path for d in self.diagnostics)


def display(path: Path) -> str:
    """A path as shown to people: relative to the working directory when it is inside it."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def find_root(paths: Sequence[str | Path], root: str | Path | None = None) -> Path:
    """The policy root: ``root`` if given; else the working directory when every path is
    inside it (so `kinerja check policies/instansi/x.kin` may extend `../nasional/...`);
    else the nearest common ancestor of the paths."""
    if root is not None:
        return Path(root).resolve()
    cwd = Path.cwd().resolve()
    resolved = [Path(p).resolve() for p in paths] or [cwd]
    folders = [p if p.is_dir() else p.parent for p in resolved]
    common = Path(os.path.commonpath([str(f) for f in folders]))
    return cwd if common == cwd or cwd in common.parents else common


def discover(paths: Sequence[str | Path], root: Path | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """The ``.kin`` files named or found (recursively) under ``paths``; tests (``*_test.kin``) are skipped
    in folders, and so is a symbolic link found in a folder that leads outside the folder (or ``root``)
    (``resolve.outside-root``: never read, as ``extends`` never leaves the root)."""
    found: dict[Path, None] = {}
    diags = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            inside = root or p.resolve()
            for f in sorted(p.rglob("*.kin")):
                if not f.is_file() or f.name.endswith("_test.kin"):
                    continue
                if not f.resolve().is_relative_to(inside):
                    diags.append(error("resolve.outside-root", _("`{path}` links to a file outside the policy root; "
                                                                 "it is not read", path=display(f)),
                                       n.Span(display(f), 0, 0, 0, 0),
                                       _("copy the file into the policy folder instead of linking to it")))
                    continue
                found[f.resolve()] = None
        elif p.is_file():
            found[p.resolve()] = None
        else:
            diags.append(error("resolve.no-such-path", _("`{path}` does not exist", path=given),
                               n.Span(str(given), 1, 1, 1, 1), _("give a .kin file or a folder of them")))
    return sorted(found, key=display), diags


def load(paths: Sequence[str | Path], root: str | Path | None = None) -> Project:
    """Find and parse every policy file under ``paths`` (the syntax stage of a run)."""
    project = Project(find_root(paths, root))
    files, diags = discover(paths, project.root)
    project.add(diags)
    for path in files:
        project.files.append(display(path))
        parse(project, path)
    return project


_EXTENDS = re.compile(r'^\s*agency\s+\w+[^\n{]*?\bextends\s+"([^"]+)"', re.MULTILINE)


def add_dependents(project: Project) -> list[str]:
    """Parse the agency files that extend a national policy of the project but were not given, so
    checking a national file also checks what it can break; their display paths.  They are looked
    for under the national file's top folder below the policy root (``policies/`` for
    ``policies/nasional/x.kin``, so test fixtures elsewhere in a repository are not taken for
    policies; the root itself for ``nasional/x.kin``).  Other files are only read, never reported on."""
    nationals = {project._abs[p].resolve() for p, m in project.modules.items()
                 if p in project._abs and m.first(n.Header) is not None}
    folders = {project.root if len(f.relative_to(project.root).parts) < 3
               else project.root / f.relative_to(project.root).parts[0]
               for f in nationals if project.root in f.parents}
    added = []
    candidates = sorted({f for d in folders for f in d.rglob("*.kin")}, key=display)
    for path in candidates:
        if display(path) in project.modules or path.name.endswith("_test.kin"):
            continue
        try:
            m = _EXTENDS.search(path.read_text(encoding="utf-8"))
            extended = (path.parent / m.group(1)).resolve() if m else None
        except (OSError, UnicodeDecodeError, ValueError):  # ValueError: a NUL byte in the name
            continue
        if extended in nationals and parse(project, path) is not None:
            project.files.append(display(path))
            added.append(display(path))
    return added


def parse(project: Project, path: Path) -> n.Module | None:
    """Parse one file once; its findings go to the project; ``None`` when it does not parse."""
    shown = display(path)
    if shown in project.modules:
        return project.modules[shown]
    if shown in project._abs:  # read before and broken
        return None
    project._abs[shown] = path
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        text = None
    except OSError as exc:
        project.add([error("resolve.unreadable", _("cannot read the file ({why})", why=exc.strerror),
                           n.Span(shown, 1, 1, 1, 1))])
        return None
    try:
        module = syntax.parse(text, shown) if text is not None else syntax.parse_file(path, shown)
    except KinerjaError as exc:
        project.add(exc.diagnostics)
        module = None
    if text is not None:
        project.sources[shown] = text
    if module is not None:
        project.modules[shown] = module
    return module


def link(project: Project) -> Project:
    """Index national policies, resolve every agency, and check national constraints (the resolve stage)."""
    linker = _Linker(project)
    for shown in list(project.modules):
        linker.classify(shown)
    for shown in sorted(linker.agency_files):
        linker.resolve(project._abs[shown], [])
    for versions in project.national.values():
        versions.sort(key=_version_key)
        project.add(_duplicate_versions(versions))
    return project


def resolve(paths: Sequence[str | Path], root: str | Path | None = None) -> Project:
    """``load`` then ``link``: a ready project."""
    return link(load(paths, root))


# ------------------------------------------------------------------ linking


def agency_of(module: n.Module) -> n.Agency | None:
    found = module.first(n.Agency)
    return found if isinstance(found, n.Agency) else None


def _version_key(module: n.Module) -> tuple[object, ...]:
    period = module.first(n.PeriodDecl)
    start = period.range.start if isinstance(period, n.PeriodDecl) else None
    header = module.first(n.Header)
    version = header.version if isinstance(header, n.Header) else None
    return (start is not None, start or 0, version or "", module.path)


def policy_id(module: n.Module) -> str:
    header = module.first(n.Header)
    return header.name if isinstance(header, n.Header) else Path(module.path).stem


def _duplicate_versions(versions: list[n.Module]) -> list[Diagnostic]:
    seen: dict[str | None, n.Header] = {}
    out = []
    for module in versions:
        header = module.first(n.Header)
        if not isinstance(header, n.Header):
            continue
        first = seen.setdefault(header.version, header)
        if first is not header:
            out.append(error("resolve.duplicate-version",
                             _("policy `{name}` version {version!r} is defined twice", name=header.name,
                               version=header.version),
                             header.name_span, _("give each version its own `version`"),
                             [Label(first.name_span, _("first defined here"))]))
    return out


class _Linker:
    """Follows ``extends`` chains once per file, remembering results and the current chain."""

    def __init__(self, project: Project):
        self.project = project
        self.agency_files: set[str] = set()
        self.done: dict[str, n.Module | None] = {}
        self.national_paths: set[str] = set()

    def classify(self, shown: str) -> None:
        module = self.project.modules[shown]
        agency = agency_of(module)
        if agency is None:
            self._add_national(module)
            return
        self.project.add(_agency_file_shape(module))
        self.agency_files.add(shown)
        other = self.project.agencies.get(agency.name)
        if other is not None and other.path != shown:
            self.project.add([error("resolve.duplicate-agency", _("agency `{name}` is defined twice", name=agency.name),
                                    agency.name_span, _("each agency has one policy file"),
                                    [Label(other.agency.name_span, _("first defined here"))])])
            return
        self.project.agencies[agency.name] = AgencyPolicy(agency.name, shown, agency)

    def _add_national(self, module: n.Module) -> None:
        if module.path in self.national_paths:
            return
        self.national_paths.add(module.path)
        self.project.national.setdefault(policy_id(module), []).append(module)
        self.project.add(overrides.check_constraint_names(module))

    def resolve(self, path: Path, chain: list[Path]) -> n.Module | None:
        """The fully resolved module of ``path`` (a national module as it is)."""
        if path in chain:
            self._report_cycle(chain[chain.index(path):] + [path])
            return None
        shown = display(path)
        if shown in self.done:
            return self.done[shown]
        module = parse(self.project, path)
        agency = agency_of(module) if module is not None else None
        if module is None or agency is None:
            if module is not None:  # an extended national file is checked like a given one
                self.project.add(overrides.check_constraint_names(module))
            return module
        base_path = self._target(path, agency)
        base = self.resolve(base_path, [*chain, path]) if base_path is not None else None
        resolved = None
        if base is not None:
            resolved, diags = overrides.apply(base, agency, shown)
            self.project.add(diags)
            resolved = None if any(d.is_error for d in diags) else resolved
        self.done[shown] = resolved
        entry = self.project.agencies.get(agency.name)
        if entry is not None and entry.path == shown:
            entry.base = display(base_path) if base_path is not None else None
            entry.module = resolved
        return resolved

    def _target(self, path: Path, agency: n.Agency) -> Path | None:
        assert agency.extends is not None
        rel = agency.extends.value
        span = agency.extends.span
        try:
            target = (path.parent / rel).resolve()
            exists = target.is_file()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long: the OS refuses the path
            self.project.add([error("resolve.extends-missing", _("`{path}` is not a usable path ({why})",
                                                                 path=rel[:80],
                                                                 why=getattr(exc, "strerror", None) or exc), span,
                                    _("give the relative path of the national policy file"))])
            return None
        root = self.project.root
        if not target.is_relative_to(root):
            self.project.add([error("resolve.extends-outside-root", _("`{path}` is outside the policy root", path=rel),
                                    span, _("the policy root is `{root}`; keep extended policies inside it or give "
                                            "a wider root", root=display(root)))])
            return None
        if not exists:
            self.project.add([error("resolve.extends-missing", _("`{path}` does not exist", path=rel), span,
                                    _sibling_hint(rel, target))])
            return None
        return target

    def _report_cycle(self, cycle: list[Path]) -> None:
        names = [display(p) for p in cycle]
        for i, shown in enumerate(names[:-1]):
            module = self.project.modules.get(shown)
            agency = agency_of(module) if module else None
            if agency is None or agency.extends is None:
                continue
            chain = names[i:-1] + names[:i + 1]
            self.project.add([error("resolve.extends-cycle", _("`extends` goes round in a cycle: {path}",
                                                               path=" -> ".join(chain)), agency.extends.span,
                                    _("an agency policy must extend a national policy in the end"))])
            self.done[shown] = None


def _sibling_hint(rel: str, target: Path) -> str | None:
    if not target.parent.is_dir():
        return None
    folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
    names = [folder + p.name for p in target.parent.glob("*.kin") if p.is_file()]
    return did_you_mean(rel, names)


def _agency_file_shape(module: n.Module) -> list[Diagnostic]:
    """An agency file holds its one ``agency`` declaration and nothing else."""
    agency = agency_of(module)
    extra = [i for i in module.items if i is not agency and not isinstance(i, n.Comment)]
    return [error("resolve.agency-file", _("an agency file holds only its `agency` declaration"), item.span,
                  _("move this into the national policy or into its own file")) for item in extra]
