"""Tree nodes (scorecard, perspective, objective, group): weights, missing children, aggregation.

Declared weights are fractions for percentages (``60%`` -> 0.6) or plain
relative numbers; a child without a weight weighs 1.  A missing child is
treated by its leaf's ``missing``, else the node's ``missing``, else excluded.
For each row the effective weight of a present child is

    weight / sum(weights of present children)

so excluded children's weight is shared among the present ones in proportion.
``require S`` makes the node missing when the present children's declared
weight is below share S of the total.  The ``contributions`` column per child:

- mean: effective weight x child value; the contributions add up to the node.
- sum: declared weight x child value, scaled up by total/present weight when
  children are excluded; they add up to the node.
- geometric: the factor child ** effective weight; the factors multiply to the
  node (a zero or negative child makes the node missing with an error).
- harmonic: effective weight / child value; they add up to 1 / node.
- min, max: the chosen child's value (effective weight 1), 0 for the others.
"""

from __future__ import annotations

import numpy as np

from engine import nodes as n
from engine.evaluate import numeric as num
from engine.evaluate.context import Context, step_round
from engine.evaluate.result import StepResult
from engine.plan import Step


def evaluate_tree(ctx: Context, step: Step) -> StepResult:
    tree = step.decl
    assert isinstance(tree, n.Tree)
    ctx.rec.step = step.name
    children = list(tree.children or ())
    method = tree.aggregate.value if tree.aggregate else "mean"
    size = ctx.n
    xs: list[np.ndarray] = []
    failed = np.zeros(size, dtype=bool)
    excluded: list[tuple[str, np.ndarray]] = []
    for child in children:
        x, fail, left_out = _child_value(ctx, tree, child)
        xs.append(x)
        failed |= fail
        excluded.append((child.name, left_out))
    ws = [num.to_float(c.weight.value) if c.weight is not None else 1.0 for c in children]
    if not children:
        return StepResult(step.name, "tree", np.full(size, np.nan))
    X = np.vstack(xs)  # children x rows
    present = ~np.isnan(X)
    W = np.asarray(ws)[:, None] * present
    present_w = W.sum(axis=0)
    total_w = float(sum(ws))
    none = (present_w == 0) & ~failed
    ctx.rec.decision(none, "eval.all-missing", f"no child of {step.name} has a value: {step.name} is missing")
    for child_name, left_out in excluded:
        ctx.rec.decision(left_out & ~none & ~failed, "eval.reweighted",
                         f"{child_name} is missing: left out, present siblings re-weighted")
    dead = failed | none
    if tree.require is not None:
        low = (num.lt(present_w / total_w, num.to_float(tree.require.value)) == 1.0) & ~dead
        ctx.rec.decision(low, "eval.below-required-share",
                         f"present children weigh less than the required {_pct(tree.require)}: {step.name} is missing")
        dead |= low
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = W / present_w
    value, contrib, eff = _aggregate(ctx, step.name, method, X, present, eff, total_w / np.where(dead, 1, present_w),
                                     np.asarray(ws), dead)
    value = np.where(dead, np.nan, value)
    eff = np.where(dead, np.nan, eff)
    contrib = np.where(dead, np.nan, contrib)
    extra = {}
    if tree.round is not None:
        extra["unrounded"] = value
        value = step_round(value, tree.round)
    names = [c.name for c in children]
    return StepResult(step.name, "tree", value, weights=dict(zip(names, eff)),
                      contributions=dict(zip(names, contrib)), extra=extra)


def _pct(x: n.Num) -> str:
    return f"{float(x.value) * 100:g}%" if x.percent else f"{float(x.value):g}"


def _child_value(ctx: Context, tree: n.Tree, child: n.Tree | n.Leaf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The child's value with the leaf's or node's missing-data treatment applied,
    the rows where that treatment refuses (fail) and the rows where it is left out."""
    x = np.asarray(ctx.value(child.name), dtype=np.float64)
    fail = np.zeros(ctx.n, dtype=bool)
    missing = np.isnan(x)
    if not np.any(missing):
        return x, fail, fail
    # A child that failed with a runtime error is not "missing data": no treatment hides that.
    errored = ctx.events.mask(ctx.n, child.name)
    treat = missing & ~errored
    how = child.missing if isinstance(child, n.Leaf) and child.missing else tree.missing
    t = how.treatment if how else "exclude"
    rec = ctx.rec
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
        rec.error(treat, "eval.missing-refused", f"{child.name} is missing and {tree.name} refuses missing children")
        return x, treat, fail
    if fill is None:
        return x, fail, missing
    rec.decision(treat, f"eval.missing-{t}", f"{child.name} is missing: counted as {fill:g} (`missing {t}`)")
    return np.where(treat, fill, x), fail, missing & ~treat


def _aggregate(ctx: Context, name: str, method: str, X: np.ndarray, present: np.ndarray, eff: np.ndarray,
               scale: np.ndarray, ws: np.ndarray, dead: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The node value, per-child contributions and effective weights (children x rows)."""
    Xz = np.where(present, X, 0.0)
    eff = np.where(present, eff, 0.0)
    if method in ("mean", "sum"):
        if method == "sum":
            eff = ws[:, None] * present * scale
        contrib = eff * Xz
        return contrib.sum(axis=0), contrib, eff
    if method in ("geometric", "harmonic"):
        bad = ((num.le(X, 0.0) == 1.0) & present).any(axis=0) & ~dead
        ctx.rec.error(bad, f"eval.{method}-nonpositive",
                      f"a {method} mean needs positive children; one is zero or negative")
        dead |= bad
        safe = np.where(present & ~bad[None, :], X, 1.0)
        if method == "geometric":
            contrib = np.where(present, safe ** eff, 1.0)
            with np.errstate(divide="ignore"):
                value = np.exp((eff * np.log(safe)).sum(axis=0))
        else:
            contrib = np.where(present, eff / safe, 0.0)
            with np.errstate(divide="ignore"):
                value = 1.0 / contrib.sum(axis=0)
        return value, contrib, eff
    if method in ("min", "max"):
        fillv = np.inf if method == "min" else -np.inf
        Xf = np.where(present, X, fillv)
        pick = Xf.argmin(axis=0) if method == "min" else Xf.argmax(axis=0)
        chosen = np.zeros_like(X, dtype=bool)
        chosen[pick, np.arange(X.shape[1])] = True
        chosen &= present
        value = np.where(chosen.any(axis=0), Xf[pick, np.arange(X.shape[1])], np.nan)
        return value, np.where(chosen, X, 0.0), chosen.astype(np.float64)
    raise ValueError(f"unknown aggregation {method}")
