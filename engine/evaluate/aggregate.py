"""Tree nodes (scorecard, perspective, objective, group): weights, missing children, aggregation.

Declared weights are fractions for percentages (``60%`` -> 0.6) or plain
relative numbers; a child without a weight weighs 1.  A missing child is
treated by its leaf's ``missing``, else the node's ``missing``, else excluded.
For each row the effective weight of a present child is

    weight / sum(weights of present children)

so excluded children's weight is shared among the present ones in proportion.
``require S`` makes the node missing when the present children's declared
weight is below share S of the total.  Each method's formulas are one row of
``engine.evaluate.methods.METHODS``; the ``contributions`` column per child:

- mean: effective weight x child value; the contributions add up to the node.
- sum: declared weight x child value (no re-weighting: an excluded child adds
  nothing); they add up to the node.
- geometric: the factor child ** effective weight; the factors multiply to the
  node (a zero or negative child makes the node missing with an error).
- harmonic: effective weight / child value; they add up to 1 / node.
- min, max: the chosen child's value (effective weight 1), 0 for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate import treecols as tc
from engine.evaluate.context import EvalContext, step_round
from engine.evaluate.methods import METHODS, Method, method_of
from engine.evaluate.result import StepResult
from engine.i18n import _
from engine.plan import Step


def evaluate_tree(ctx: EvalContext, step: Step) -> StepResult:
    tree = step.decl
    assert isinstance(tree, n.Tree)
    ctx.rec.step = step.name
    children = list(tree.children or ())
    method = method_of(tree).name
    size = ctx.n
    if not children:
        return StepResult(step.name, "tree", np.full(size, np.nan))
    # One column per child (no children x rows matrix): each pass stays in cache on a row block.
    # A mask that would have no row set is None, so a node whose children are all present costs
    # a few passes; every operation on a row is the one the formulas in the docstring name.
    xs: list[np.ndarray] = []
    gones: list[np.ndarray | None] = []  # rows where the child (after its treatment) has no value
    failed: np.ndarray | None = None
    excluded: list[tuple[str, np.ndarray]] = []
    for child in children:
        x, fail, left_out, gone = _child_value(ctx, tree, child)
        xs.append(x)
        gones.append(gone)
        if fail is not None:
            failed = fail.copy() if failed is None else (failed | fail)
        if left_out is not None:
            excluded.append((child.name, left_out))
    ws = [num.to_float(c.weight.value) if c.weight is not None else 1.0 for c in children]
    # Most rows have every child: their present weight is one number.  The few rows missing some
    # child (``rows``) are computed apart, on their own values: the same operations per row.
    rows, sub_gones = _partial_rows(gones)
    full_w = _present_weight(ws, [None] * len(ws))
    part_w = np.asarray(_present_weight(ws, sub_gones)) if rows.size else np.empty(0)
    total_w = float(sum(ws))
    none = np.full(size, full_w == 0.0)
    none[rows] = part_w == 0.0
    if failed is not None:
        none &= ~failed
    some_none = bool(none.any())
    if some_none:
        ctx.rec.decision(none, "eval.all-missing", _("no child of {name} has a value: {name} is missing",
                                                     name=step.name))
    for child_name, left_out in excluded:
        if some_none:
            left_out = left_out & ~none
        if failed is not None:
            left_out = left_out & ~failed
        ctx.rec.decision(left_out, "eval.reweighted",
                         _("{name} is missing: left out, present siblings re-weighted", name=child_name))
    dead = none if failed is None else (none | failed)
    if tree.require is not None:
        share = _spread(full_w, rows, part_w, size) / total_w
        low = num.holds("<", share, num.to_float(tree.require.value)) & ~dead
        ctx.rec.decision(low, "eval.below-required-share",
                         _("present children weigh less than the required {share}: {name} is missing",
                           share=_pct(tree.require), name=step.name))
        dead = dead | low
    lazy = method in tc.LAZY_METHODS and len(children) <= tc.MAX_CHILDREN
    if lazy:
        dead = _bad_children(ctx, method, xs, dead)
        value = _combine(method, xs, ws, full_w, [None] * len(xs))
        if rows.size:
            value[rows] = _combine(method, [x[rows] for x in xs], ws, part_w, sub_gones)
        contribs: list[np.ndarray] = []
        effs: list[np.ndarray] = []
    else:
        present = [np.ones(size, dtype=bool) if g is None else ~g for g in gones]
        effs = []
        pw = _spread(full_w, rows, part_w, size)
        for w, ok in zip(ws, present):  # effective weight: declared / present weight where present, else 0
            e = np.zeros(size)
            np.divide(w, pw, out=e, where=ok)
            effs.append(e)
        value, contribs, effs = _aggregate(ctx, method, xs, present, effs, pw, total_w, ws, dead)
    any_dead = bool(dead.any())
    if any_dead:
        value[dead] = np.nan
    extra: dict[str, np.ndarray] = {}
    if tree.round is not None:
        extra["unrounded"] = value
        value = step_round(value, tree.round)
    names = [c.name for c in children]
    if lazy:
        # Stored compactly: which children were present (or that the node is missing), plus
        # the child values used where a missing-data treatment filled some in.
        extra["pattern"] = _pattern(len(children), rows, sub_gones, dead if any_dead else None, size)
        for child, x in zip(children, xs):
            if _fills(tree, child):
                extra[f"used:{child.name}"] = x
        weights, contributions = tree_columns(tree, extra, ctx.value)
        return StepResult(step.name, "tree", value, weights=weights, contributions=contributions, extra=extra)
    if any_dead:
        for col in (*effs, *contribs):
            col[dead] = np.nan
    return StepResult(step.name, "tree", value, weights=dict(zip(names, effs)),
                      contributions=dict(zip(names, contribs)), extra=extra)


def _present_weight(ws: list[float], gones: list[np.ndarray | None]) -> np.ndarray | np.float64:
    """The declared weight of the present children per row, added child by child in order
    (``0 + ok0*w0 + ok1*w1 ...``); a scalar while no child has a missing row."""
    acc: np.ndarray | np.float64 = np.float64(0.0)
    for w, gone in zip(ws, gones):
        if gone is None:
            acc = np.add(acc, np.multiply(True, w))
        else:
            acc = np.add(acc, np.multiply(~gone, w))
    return acc


def _partial_rows(gones: list[np.ndarray | None]) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """The rows where some child has no value, and each child's ``gone`` mask on those rows."""
    partial = None
    for gone in gones:
        if gone is not None:
            partial = gone.copy() if partial is None else (partial | gone)
    if partial is None:
        return np.empty(0, dtype=np.intp), [None] * len(gones)
    rows = np.flatnonzero(partial)
    return rows, [None if g is None else g[rows] for g in gones]


def _spread(full: np.float64, rows: np.ndarray, part: np.ndarray, size: int) -> np.ndarray:
    """One column from the value of the complete rows and the values of ``rows``."""
    out = np.full(size, full)
    out[rows] = part
    return out


def _pattern(k: int, rows: np.ndarray, sub_gones: list[np.ndarray | None], dead: np.ndarray | None,
             size: int) -> np.ndarray:
    """Bit j set where child j is present; ``2**k`` where the node is missing (see treecols)."""
    dtype = tc.pattern_dtype(k)
    pattern = np.full(size, (1 << k) - 1, dtype=dtype)
    if rows.size:
        sub = np.full(rows.size, (1 << k) - 1, dtype=dtype)
        for j, gone in enumerate(sub_gones):
            if gone is not None:
                sub -= np.left_shift(gone, j, dtype=dtype)
        pattern[rows] = sub
    if dead is not None:
        pattern[dead] = 2 ** k
    return pattern


def _bad_children(ctx: EvalContext, method: str, xs: list[np.ndarray], dead: np.ndarray) -> np.ndarray:
    """A geometric or harmonic node with a zero or negative child is missing, with an error."""
    if not METHODS[method].positive:
        return dead
    bad = np.zeros(len(xs[0]), dtype=bool)
    for x in xs:
        bad |= num.holds("<=", x, 0.0)  # false where the child is missing
    if not bad.any():
        return dead
    bad &= ~dead
    ctx.rec.error(bad, f"eval.{method}-nonpositive",
                  _("a {method} mean needs positive children; one is zero or negative", method=method))
    return dead | bad


def _combine(method: str, xs: list[np.ndarray], ws: list[float], present_w: np.ndarray | np.float64,
             gones: list[np.ndarray | None]) -> np.ndarray:
    """The value of a mean, sum, geometric or harmonic node (weights and contributions are derived
    later from the pattern): per row the operations of ``_aggregate``, in the same order."""
    m = METHODS[method]
    acc = np.zeros(len(xs[0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        for x, w, gone in zip(xs, ws, gones):
            term = m.term(m.effective(w, present_w), x)  # type: ignore[misc]
            if gone is not None:  # a missing child adds nothing (its effective weight is 0)
                np.copyto(term, 0.0, where=gone)
            acc += term  # child by child, in order
        return m.finish(acc)


def _fills(tree: n.Tree, child: n.Tree | n.Leaf) -> bool:
    how = child.missing if isinstance(child, n.Leaf) and child.missing else tree.missing
    return how is not None and how.treatment in ("zero", "value", "baseline")


def tree_columns(tree: n.Tree, extra: Mapping[str, np.ndarray], value_of: Callable[[str], object]
                 ) -> tuple[Mapping[str, np.ndarray], Mapping[str, np.ndarray]]:
    """The lazy weights and contributions of a tree node from its stored ``pattern`` (see treecols)."""
    children = list(tree.children or ())
    names = [c.name for c in children]
    ws = [num.to_float(c.weight.value) if c.weight is not None else 1.0 for c in children]

    def xs(k: int) -> np.ndarray:
        used = extra.get(f"used:{names[k]}")
        return used if used is not None else np.asarray(value_of(names[k]), dtype=np.float64)
    return tc.lazy_mappings(method_of(tree).name, names, ws, extra["pattern"], xs)


def _pct(x: n.Num) -> str:
    return f"{float(x.value) * 100:g}%" if x.percent else f"{float(x.value):g}"


def _child_value(ctx: EvalContext, tree: n.Tree, child: n.Tree | n.Leaf
                 ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """The child's value with the leaf's or node's missing-data treatment applied, the rows where
    that treatment refuses (fail), the rows where it is left out, and the rows still without a
    value; each mask is None when it has no row."""
    x = np.asarray(ctx.value(child.name), dtype=np.float64)
    missing = np.isnan(x)
    if not missing.any():
        return x, None, None, None
    # A child that failed with a runtime error is not "missing data": no treatment hides that, and
    # re-weighting around it would silently turn a refusal into a number, so the node fails too.
    errored = None
    treat = missing
    if ctx.events.has(child.name):
        errored = missing & ctx.events.mask(ctx.n, child.name)
        if errored.any():
            treat = missing & ~errored
            ctx.rec.error(errored, "eval.child-failed", _("{child} has a runtime error: {name} has no value",
                                                         child=child.name, name=tree.name))
        else:
            errored = None
    how = child.missing if isinstance(child, n.Leaf) and child.missing else tree.missing
    t = how.treatment if how else "exclude"
    fill = None
    if t == "zero":
        fill = 0.0
    elif t == "value" and how is not None and how.value is not None:
        fill = num.to_float(how.value.value)
    elif t == "baseline":
        decl = ctx.plan.step(child.name).decl
        base = getattr(decl, "baseline", None)
        fill = num.to_float(base.value) if base is not None else None
    elif t == "fail":
        ctx.rec.error(treat, "eval.missing-refused",
                      _("{child} is missing and {name} refuses missing children", child=child.name, name=tree.name))
        return x, missing, None, missing
    if fill is None:
        return x, errored, treat, missing
    ctx.rec.decision(treat, f"eval.missing-{t}", _("{name} is missing: counted as {fill} (`{code}`)",
                                                  name=child.name, fill=f"{fill:g}", code=f"missing {t}"))
    return np.where(treat, fill, x), errored, None, errored


def _aggregate(ctx: EvalContext, method: str, xs: list[np.ndarray], present: list[np.ndarray], effs: list[np.ndarray],
               present_w: np.ndarray, total_w: float, ws: list[float],
               dead: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The node value, per-child contributions and effective weights (fresh arrays the caller may modify)."""
    m = METHODS[method]
    if not m.accumulated:
        return _select(m, xs, present)
    if not m.reweighted:  # a missing child adds nothing: its weight is 0, the others keep theirs
        effs = [np.where(ok, w, 0.0) for w, ok in zip(ws, present)]
    bad = np.zeros(ctx.n, dtype=bool)
    if m.positive:
        for x, ok in zip(xs, present):
            bad |= (num.le(x, 0.0) == 1.0) & ok
        bad &= ~dead
        ctx.rec.error(bad, f"eval.{method}-nonpositive",
                      _("a {method} mean needs positive children; one is zero or negative", method=method))
        dead |= bad
    acc = np.zeros(ctx.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for x, e, ok in zip(xs, effs, present):  # child by child, in order, as the lazy path adds them
            term = m.term(e, np.where(ok & ~bad, x, 1.0) if m.positive else x)  # type: ignore[misc]
            np.copyto(term, 0.0, where=~ok)
            acc += term
        value = m.finish(acc)
    return value, [m.contribution(e, x, ok) for x, e, ok in zip(xs, effs, present)], effs


def _select(m: Method, xs: list[np.ndarray], present: list[np.ndarray]
            ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """min, max: the value of the child ``m.better`` prefers (effective weight 1, the others 0)."""
    best = np.full(len(xs[0]), m.worst)
    pick = np.full(len(xs[0]), -1, dtype=np.int64)
    for k, (x, ok) in enumerate(zip(xs, present)):
        better = ok & m.better(x, best)  # type: ignore[misc]
        best[better] = x[better]
        pick[better] = k
    found = pick >= 0
    value = np.where(found, best, np.nan)
    chosen = [(pick == k) & found for k in range(len(xs))]
    return value, [np.where(c, x, 0.0) for c, x in zip(chosen, xs)], [c.astype(np.float64) for c in chosen]
