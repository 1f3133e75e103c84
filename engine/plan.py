"""The compiled plan: declarations in dependency order, the evaluator's only input.

``graph.build(module)`` produces it; the evaluator, explanations, ``diff`` and
test coverage read it.  It holds no networkx objects, so nothing downstream
depends on the graph library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from engine import nodes as n

if TYPE_CHECKING:
    from engine.levels.compile import LevelPlan

StepKind = Literal["input", "indicator", "value", "tree", "rating", "table"]


@dataclass(frozen=True, slots=True)
class Step:
    """One node of the plan.

    ``name`` is the declaration's name (unique within a policy); ``id`` its stable
    dotted id: the path from its scorecard root for tree members
    (``nilai_kinerja.keuangan.realisasi_anggaran``), the bare name otherwise.
    ``deps`` are the names this step reads, in source order; ``parent`` is the
    name of the tree node that aggregates it, if any.
    """

    name: str
    id: str
    kind: StepKind
    decl: n.Decl
    deps: tuple[str, ...]
    parent: str | None = None
    # Indicators in ``deps`` read only through ``raw()`` that come later in the plan (their score
    # reads this step): their raw value is computed when this step first reads it.
    raw_ahead: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A checked policy ready to evaluate: ``steps`` in topological order."""

    module: n.Module
    steps: tuple[Step, ...]
    quotas: tuple[n.Quota, ...] = ()
    peer_group: str | None = None  # an agency plan: the `peer_group` its agency block declares
    levels: tuple[LevelPlan, ...] = ()  # subject levels aggregating the rows (engine/levels), members first

    @property
    def population(self) -> bool:
        """Whether a step reads a population statistic (``mean_of(x)``...): such a plan is evaluated
        over the whole batch at once, never in row blocks or streamed chunks."""
        return any(isinstance(x, n.Call) and x.func in n.POPULATION_FUNCTIONS
                   for s in self.steps for x in s.decl.walk())

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def key(self) -> str:
        """How results name these rules: ``policy@version`` (the id alone without a version, the
        file without a header)."""
        header = self.header
        return self.module.path if header is None else header.key

    def top_scorecard(self) -> n.Tree:
        """The policy's first scorecard: what a comparison, a rank, a report or a sensitivity run is
        about.  A policy without one (a decision table alone) cannot be analysed: ``analysis.no-scorecard``."""
        found = self.module.first(n.Tree)
        if isinstance(found, n.Tree):
            return found
        from engine.diagnostics import fail
        from engine.i18n import _

        name = self.header.name if self.header else _("the policy")
        raise fail("analysis.no-scorecard", _("`{name}` has no scorecard to analyse", name=name),
                   _("benchmarks, comparisons, sensitivity, reports and diff --data need a `scorecard`; "
                     "use `kinerja eval` for a policy without one"))

    @property
    def header(self) -> n.Header | None:
        found = self.module.first(n.Header)
        return found if isinstance(found, n.Header) else None

    @property
    def agency_file(self) -> str | None:
        """The agency file whose overrides this plan carries (an agency's module keeps the
        national header, declared in another file); ``None`` for a national plan."""
        header = self.header
        return self.module.path if header is not None and header.span.file != self.module.path else None
