"""Rules on the policy header: one `policy` line, a subject, a period that runs forward."""

from __future__ import annotations

from collections.abc import Iterator

from engine import nodes as n
from engine.checks.context import CheckContext
from engine.diagnostics import Diagnostic, Label, error, warning
from engine.i18n import _


def headers(ctx: CheckContext) -> Iterator[Diagnostic]:
    found = ctx.items(n.Header)
    if not found and not ctx.items(n.Agency):  # an unresolved agency file has no header of its own
        span = n.Span(ctx.module.path, 1, 1, 1, 1)
        yield error("check.header-missing", _("the policy has no `policy` header"), span,
                    _('start the file with `policy ID "Label" version "1"`'))
    for extra in found[1:]:
        yield error("check.header-duplicate", _("a second `policy` header (`{name}`)", name=extra.name), extra.span,
                    _("a file holds one policy; remove this header or split the file"),
                    [Label(found[0].span, _("the policy is declared here"))])


def subject(ctx: CheckContext) -> Iterator[Diagnostic]:
    found = ctx.items(n.Header)
    if found and not ctx.items(n.SubjectDecl):
        yield warning("check.subject-missing",
                      _("policy `{name}` does not say what a row of data describes", name=found[0].name),
                      found[0].span, _("add `subject employee`, `subject unit` or `subject agency`"))


def periods(ctx: CheckContext) -> Iterator[Diagnostic]:
    ranges = [p.range for p in ctx.items(n.PeriodDecl)]
    ranges += [i.period for i in ctx.indicators() if i.period is not None]
    for r in ranges:
        if r.end is not None and r.end < r.start:
            yield error("check.period-reversed", _("the period ends ({end}) before it starts ({start})", end=r.end,
                                                   start=r.start), r.span,
                        _("write it as `{end} .. {start}`", end=r.end, start=r.start))


RULES = (headers, subject, periods)
