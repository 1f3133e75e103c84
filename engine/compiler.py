"""The compiler: policy files to checked plans, as a short ordered tuple of stages.

Each stage collects all of its findings; a module whose earlier stage had errors
goes no further, while the other modules of the run carry on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine import checks, diagnostics, graph, overrides, resolve
from engine import nodes as n
from engine.diagnostics import Diagnostic, KinerjaError
from engine.i18n import _
from engine.plan import Plan


@dataclass
class Compilation:
    """Everything one compilation found and built: findings (sorted), source texts, plans by key."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str]
    plans: dict[str, Plan]  # "policy_id@version" for national policies, the agency id for agencies
    files: list[str]
    agencies: frozenset[str] = frozenset()  # the keys of ``plans`` that are agency plans
    dependents: list[str] = field(default_factory=list)  # agency files loaded because they extend a file given

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)


@dataclass
class _State:
    """The state the stages pass along: the files, what each stage cleared, the plans made."""

    paths: Sequence[str | Path]
    root: str | Path | None
    project: resolve.Project | None = None
    dependents: bool = False  # also load the agency files under the root that extend a national file given
    ready: dict[str, n.Module] = field(default_factory=dict)  # plan key -> module cleared for the next stage
    plans: dict[str, Plan] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)  # the dependents loaded


def _syntax(run: _State) -> None:
    run.project = resolve.load(run.paths, run.root)
    if run.dependents:
        run.added = resolve.add_dependents(run.project)


def _resolve(run: _State) -> None:
    project = resolve.link(_project(run))
    for versions in project.national.values():
        run.ready |= {plan_key(m): m for m in versions if not project.has_errors(m.path)}
    run.ready |= {a.name: a.module for a in project.agencies.values() if a.module is not None}


def _check(run: _State) -> None:
    # National modules first, so an agency's copy of a national finding is recognised as one;
    # what only the agency's merged module has is the agency's doing (``overrides.blame``).
    project = _project(run)
    for key, module in list(run.ready.items()):
        found = checks.run(module)
        agency = project.agencies.get(key)
        if agency is not None and agency.module is module:
            found = overrides.blame(found, module, agency.agency, agency.path, set(project.diagnostics))
        project.add(found)
        if any(d.is_error for d in found):
            del run.ready[key]


def _graph(run: _State) -> None:
    agencies = _project(run).agencies
    for key, module in run.ready.items():
        try:
            plan = graph.build(module)
        except KinerjaError as exc:
            _project(run).add(exc.diagnostics)
            continue
        peer = agencies[key].agency.peer_group if key in agencies else None
        run.plans[key] = replace(plan, peer_group=peer.value) if peer is not None else plan


STAGES: tuple[tuple[str, Callable[[_State], None]], ...] = (
    ("syntax", _syntax),    # find the .kin files under the paths and parse each one
    ("resolve", _resolve),  # follow `extends`, apply agency overrides, check national constraints
    ("check", _check),      # semantic checks on every national and every resolved agency module
    ("graph", _graph),      # a plan (steps in dependency order) for every module that passed
)


def check_paths(paths: Sequence[str | Path], root: str | Path | None = None, until: str = "graph",
                dependents: bool = False) -> Compilation:
    """Run the stages up to and including ``until`` over the policy files under ``paths``; with
    ``dependents``, also over the agency files under the root that extend a national file given."""
    run = _pipeline(paths, root, until, dependents)
    project = _project(run)
    return Compilation(diagnostics.sort(project.diagnostics), project.sources, run.plans, project.files,
                  frozenset(project.agencies), run.added)


def compile_file(path: str | Path, root: str | Path | None = None) -> Plan:
    """The plan of one policy file (national, or agency resolved against what it extends).

    Raises ``KinerjaError`` with every error found on the way.
    """
    run = _pipeline([path], root, "graph")
    project = _project(run)
    errors = [d for d in project.diagnostics if d.is_error]
    if errors:
        raise KinerjaError(errors)
    shown = resolve.display(Path(path).resolve())
    module = project.modules.get(shown)
    agency = resolve.agency_of(module) if module else None
    key = agency.name if agency else plan_key(module) if module else None
    if key not in run.plans:
        raise KinerjaError([diagnostics.error("compile.no-policy", _("the file holds no policy to compile"),
                                              n.Span(shown, 1, 1, 1, 1),
                                              _("give a national or an agency policy file"))])
    return run.plans[key]


def plan_key(module: n.Module) -> str:
    """``policy_id@version`` (just the id when the header has no version)."""
    header = module.first(n.Header)
    return header.key if isinstance(header, n.Header) else resolve.policy_id(module)


def _pipeline(paths: Sequence[str | Path], root: str | Path | None, until: str,
              dependents: bool = False) -> _State:
    names = [name for name, _ in STAGES]
    if until not in names:
        raise ValueError(f"unknown stage {until!r}; stages: {', '.join(names)}")
    run = _State(paths, root, dependents=dependents)
    for _name, stage in STAGES[: names.index(until) + 1]:
        stage(run)
    return run


def _project(run: _State) -> resolve.Project:
    assert run.project is not None, "the syntax stage runs first"
    return run.project
