"""Group constraints: quota rules checked per group of subjects after individual results.

Subjects are grouped by the quota's ``by`` field (subjects with it missing
belong to no group).  Each rule is evaluated once per group: ``share(cond)`` is
the fraction of the group's subjects for which ``cond`` is true (missing counts
as not true), ``count(cond)`` their number; any other name takes the value of
the group's first subject, so a ``where`` must test something constant within a
group (the unit's own predicate, say).  A group whose ``where`` is not true is
not checked; a ``require`` that is false is a violation.
"""

from __future__ import annotations

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate.context import EvalContext, missing_mask
from engine.evaluate.events import Events, Recorder
from engine.evaluate.expr import Col, Evaluator, full
from engine.evaluate.exprtext import to_text
from engine.evaluate.result import Violation
from engine.i18n import _
from engine.i18n.formats import format_number


def check_quotas(ctx: EvalContext, quotas: tuple[n.Quota, ...]) -> list[Violation]:
    out: list[Violation] = []
    for quota in quotas:
        if quota.by is None:
            continue
        out += _check(ctx, quota, quota.by.name)
    return out


def _check(ctx: EvalContext, quota: n.Quota, by: str) -> list[Violation]:
    keys = full(ctx.value(by), ctx.n)
    rows = np.flatnonzero(~missing_mask(keys))
    if rows.size == 0:
        return []
    groups, first, codes = np.unique(keys[rows], return_index=True, return_inverse=True)
    first_rows = rows[first]
    sizes = np.bincount(codes, minlength=len(groups))
    ctx.rec.step = quota.name
    row_ev = ctx.evaluator()
    counts: dict[int, np.ndarray] = {}

    def group_fn(call: n.Call) -> Col:
        cond = np.broadcast_to(np.asarray(row_ev(call.args[0]), dtype=np.float64), (ctx.n,))
        hits = np.bincount(codes, weights=(cond[rows] == 1.0).astype(np.float64), minlength=len(groups))
        counts.setdefault(id(call), hits)
        return hits / sizes if call.func == "share" else hits

    def lookup(name: str) -> Col:
        return full(ctx.value(name), ctx.n)[first_rows]

    rec = Recorder(Events(), len(groups))
    group_ev = Evaluator(lookup, lambda name: full(ctx.raw(name), ctx.n)[first_rows], rec, len(groups), group_fn,
                         lambda e, args, size: ctx.call(e, args, size, rec))
    out = []
    for k, rule in enumerate(quota.rules, start=1):
        applies = np.ones(len(groups), dtype=bool)
        if rule.where is not None:
            applies = np.broadcast_to(np.asarray(group_ev(rule.where), dtype=np.float64), applies.shape) == 1.0
        ok = np.broadcast_to(np.asarray(group_ev(rule.require), dtype=np.float64), applies.shape)
        for g in np.flatnonzero(applies & (ok == 0.0)):
            out.append(_violation(quota, k, rule, str(groups[g]), int(sizes[g]), g, counts, group_ev))
    return out


def _violation(quota: n.Quota, k: int, rule: n.QuotaRule, group: str, size: int, g: int,
               counts: dict[int, np.ndarray], ev: Evaluator) -> Violation:
    text = (f"where {to_text(rule.where)} " if rule.where is not None else "") + f"require {to_text(rule.require)}"
    call, limit_expr, op = _call_and_limit(rule.require)
    matching = int(counts[id(call)][g]) if call is not None and id(call) in counts else None
    actual = limit = None
    if call is not None and matching is not None:
        actual = matching / size if call.func == "share" else float(matching)
    if limit_expr is not None:
        limit = float(np.broadcast_to(np.asarray(ev(limit_expr), dtype=np.float64), (ev.n,))[g])
    by = quota.by.name if quota.by else _("group")
    if call is not None and actual is not None and limit is not None:
        shown = (_("share {share}%, limit {op} {limit}%", share=_pct(actual), op=op, limit=_pct(limit))
                 if call.func == "share" else
                 _("count {count}, limit {op} {limit}", count=matching, op=op, limit=num.fmt(limit)))
        detail = _("{matching} of {size} subjects match `{condition}` ({shown})", matching=matching, size=size,
                   condition=to_text(call.args[0]), shown=shown)
    else:
        detail = _("{size} subjects", size=size)
    span = rule.span
    message = _("{by} {group}: quota {quota} rule {rule} ({where} `{text}`) is violated: {detail}", by=by,
                group=group, quota=quota.name, rule=k, where=f"{span.file}:{span.line}", text=text, detail=detail)
    return Violation(quota.name, k, text, span.file, span.line, group, matching, size, actual, limit, message)


def _call_and_limit(expr: n.Node) -> tuple[n.Call | None, n.Node | None, str]:
    """For ``share(c) <= 70%`` (either way round): the call, the limit and the operator as read."""
    if isinstance(expr, n.Binary) and expr.op in num.COMPARE:
        flip = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "==", "!=": "!="}
        if isinstance(expr.left, n.Call) and expr.left.func in n.GROUP_FUNCTIONS:
            return expr.left, expr.right, expr.op
        if isinstance(expr.right, n.Call) and expr.right.func in n.GROUP_FUNCTIONS:
            return expr.right, expr.left, flip[expr.op]
    for node in expr.walk():
        if isinstance(node, n.Call) and node.func in n.GROUP_FUNCTIONS:
            return node, None, ""
    return None, None, ""


def _pct(fraction: float) -> str:
    """A share for people, in percent: at most two decimals, half away from zero (57.142857...% ->
    57.14), in the reader's digits (``57,14`` in Indonesian)."""
    return format_number(float(num.round_half_away(fraction * 100, 2)))
