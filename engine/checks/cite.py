"""Citation lint (warnings): a policy that cites the instrument it encodes (``policy p ... ref "..."``)
names the article of each of its scoring rules, weights, bands, tables and quotas (``ref "..."``).

The header's citation is the promise: a policy file that says which regulation it encodes is held to
citing it rule by rule, so the regulation and the code cannot drift apart unnoticed.  A file without
one (a sketch, an example, a test fixture) claims no regulation and is not checked; ``kinerja doc``
still shows each of its rules as "(no citation)".

A citation covers what its declaration encloses: an indicator's ``ref`` its scoring, a
scorecard's or group's ``ref`` the weights below it, a rating's its bands, a table's its rows, a
quota's its rules; otherwise every piece, weight, band, row or rule needs its own.  An agency's
override keeps the national citation unless it gives its own (``engine.overrides``), so only a
national file can be missing one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from engine import nodes as n
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic, warning
from engine.i18n import _

CODE = "check.uncited"


def _national(ctx: CheckContext) -> bool:
    """A policy file (an agency's merged module keeps the national header) whose header cites."""
    return any(h.ref is not None for h in ctx.items(n.Header))


def _all_cited(parts: Sequence[n.Case | n.Band | n.Row | n.QuotaRule]) -> bool:
    return bool(parts) and all(p.ref is not None for p in parts)


def _uncited(message: str, decl: n.Decl) -> Diagnostic:
    return warning(CODE, message, decl.name_span,
                   _('cite the article it encodes, e.g. `ref "PermenPANRB 6/2022 pasal 12 ayat (3)"`'))


def scoring(ctx: CheckContext) -> Iterator[Diagnostic]:
    if not _national(ctx):
        return
    for ind in ctx.indicators():
        cases = ind.score.cases if ind.score is not None else ()
        if ind.ref is None and not _all_cited(cases):
            yield _uncited(_("no citation for the scoring of indicator `{name}`", name=ind.name), ind)


def weights(ctx: CheckContext) -> Iterator[Diagnostic]:
    if not _national(ctx):
        return
    for tree in ctx.items(n.Tree):
        yield from _weights(tree, tree.ref is not None)


def _weights(tree: n.Tree, cited: bool) -> Iterator[Diagnostic]:
    kids = tree.children or ()
    if not cited and any(k.weight is not None and k.ref is None for k in kids):
        yield _uncited(_("no citation for the weights of the members of {level} `{name}`", level=tree.level,
                               name=tree.name), tree)
    for kid in kids:
        if isinstance(kid, n.Tree):
            yield from _weights(kid, cited or kid.ref is not None)


def bands(ctx: CheckContext) -> Iterator[Diagnostic]:
    if _national(ctx):
        yield from (_uncited(_("no citation for rating `{name}`", name=r.name), r) for r in ctx.items(n.Rating)
                    if r.ref is None and not _all_cited(r.bands))


def tables(ctx: CheckContext) -> Iterator[Diagnostic]:
    if _national(ctx):
        yield from (_uncited(_("no citation for table `{name}`", name=t.name), t) for t in ctx.items(n.Table)
                    if t.ref is None and not _all_cited(t.rows))


def quotas(ctx: CheckContext) -> Iterator[Diagnostic]:
    if _national(ctx):
        yield from (_uncited(_("no citation for quota `{name}`", name=q.name), q) for q in ctx.items(n.Quota)
                    if q.ref is None and not _all_cited(q.rules))


RULES = (scoring, weights, bands, tables, quotas)
