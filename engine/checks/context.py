"""The checker's shared context: the name table, every use, and possible value ranges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from engine import deps
from engine import nodes as n
from engine.checks import intervals as iv
from engine.checks.intervals import FULL, Iv

MAX_DECIMALS = 10


@dataclass
class CheckContext:
    """Built once per module; rules read it and never change it."""

    module: n.Module
    named: list[n.Decl] = field(default_factory=list)
    decls: dict[str, n.Decl] = field(default_factory=dict)  # the first declaration of each name
    uses: list[tuple[n.Decl, list[deps.Use]]] = field(default_factory=list)
    _ranges: dict[str, Iv] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, module: n.Module) -> CheckContext:
        ctx = cls(module)
        ctx.named = list(deps.named(module))
        for decl in ctx.named:
            ctx.decls.setdefault(decl.name, decl)
        ctx.uses = [(d, deps.uses(d)) for d in ctx.named]
        return ctx

    # ------------------------------------------------------------ lookups
    def of(self, cls: type) -> Iterator:
        return (d for d in self.named if isinstance(d, cls))

    def indicators(self) -> Iterator[n.Indicator]:
        return self.of(n.Indicator)

    def trees(self) -> Iterator[n.Tree]:
        return self.of(n.Tree)

    def items(self, cls: type) -> list:
        return [i for i in self.module.items if isinstance(i, cls)]

    def used_names(self) -> set[str]:
        used = {u.name for _, us in self.uses for u in us}
        # A benchmark reads its node and its grouping fields, outside the plan.
        for b in self.items(n.Benchmark):
            used |= {r.name for r in (b.target, b.by, b.within) if r is not None}
        from engine.levels.nodes import reads  # a level reads its key, role and members' fields

        used |= reads(self.module)
        return used

    # ------------------------------------------------------------- ranges
    def range_of(self, name: str) -> Iv:
        """The possible numeric value of ``name`` in an expression (an indicator's score)."""
        if name in self._ranges:
            return self._ranges[name]
        decl = self.decls.get(name)
        if decl is None or name in self._busy:  # unknown, or a cycle: anything is possible
            return FULL
        self._busy.add(name)
        try:
            out = self._compute(decl)
        finally:
            self._busy.discard(name)
        self._ranges[name] = out
        return out

    def grid(self, decl: n.Decl | None) -> int | None:
        """Decimals a node's value is rounded to, if it is rounded."""
        return decimals(getattr(decl, "round", None))

    def _compute(self, decl: n.Decl) -> Iv:
        if isinstance(decl, n.Indicator):
            out = self.score_range(decl)
        elif isinstance(decl, n.Value):
            out = self.expr_range(decl.formula)
            if decl.range is not None and not iv.intersect(out, interval(decl.range)).empty:
                out = iv.intersect(out, interval(decl.range))
        elif isinstance(decl, n.Input):
            out = interval(decl.range) if decl.range is not None else FULL
        elif isinstance(decl, n.Tree):
            out = self._tree_range(decl)
        elif isinstance(decl, n.Table):
            nums = [r.result.value for r in decl.rows if isinstance(r.result, n.Num)]
            out = iv.closed(min(nums), max(nums)) if nums and len(nums) == len(decl.rows) else FULL
        else:
            out = FULL
        places = self.grid(decl)
        return iv.round_iv(out, places) if places is not None else out

    def raw_range(self, ind: n.Indicator) -> Iv:
        if ind.range is not None:
            out = interval(ind.range)
        elif ind.formula is not None:
            out = self.expr_range(ind.formula)
        else:
            out = FULL
        if ind.missing is not None and ind.missing.value is not None:
            out = iv.hull([out, iv.point(ind.missing.value.value)])
        return out

    def score_range(self, ind: n.Indicator) -> Iv:
        s = ind.score
        method = s.method if s else "ratio"
        cap = s.cap.value if s and s.cap else None
        top = cap if cap is not None else iv.INF
        if method in ("ratio", "progress"):
            out = iv.clamp(self._achievement(ind, method), Decimal(0), max(top, Decimal(0)))
        elif method == "goalposts":
            out = Iv(Decimal(0), min(Decimal(100), top))
        elif method == "raw":
            out = self.raw_range(ind)
            if cap is not None:
                out = iv.intersect(out, Iv(-iv.INF, cap))
        else:
            env = {"value": self.raw_range(ind)}
            for word in ("target", "baseline"):
                env[word] = self.anchor_range(ind, word)
            exprs = [s.formula] if method == "formula" else [c.then for c in s.cases]
            out = iv.hull(self.expr_range(e, env) for e in exprs)
        if ind.missing is not None and ind.missing.treatment == "zero":
            out = iv.hull([out, iv.point(Decimal(0))])
        return out

    def anchor_range(self, ind: n.Indicator, word: str) -> Iv:
        """The possible target (``word="target"``) or baseline: a number, or a field's range."""
        num, ref = getattr(ind, word), getattr(ind, f"{word}_field")
        if num is not None:
            return iv.point(num.value)
        return self.range_of(ref.name) if ref is not None else FULL

    def _achievement(self, ind: n.Indicator, method: str) -> Iv:
        """Ratio or progress before the floor and cap, from the raw range (PermenPANRB 8/2021)."""
        raw, hundred = self.raw_range(ind), iv.point(Decimal(100))
        t = ind.target.value if ind.target is not None else None
        b = ind.better
        if method == "progress":
            if ind.target_field is not None or ind.baseline_field is not None:
                base_iv = self.anchor_range(ind, "baseline")
                return iv.mul(iv.div(iv.sub(raw, base_iv), iv.sub(self.anchor_range(ind, "target"), base_iv)),
                              hundred)
            base = ind.baseline.value if ind.baseline is not None else None
            if t is None or base is None or t == base:
                return FULL
            return iv.mul(iv.div(iv.sub(raw, iv.point(base)), iv.point(t - base)), hundred)
        if b is not None and b.direction == "within" and b.lo is not None and b.hi is not None:
            return self._within(raw, b)
        if ind.target_field is not None:
            share = iv.div(raw, self.anchor_range(ind, "target"))  # FULL unless the field excludes 0
        elif not t:
            return FULL
        else:
            share = iv.div(raw, iv.point(t))
        if b is not None and b.direction == "lower":
            share = iv.sub(iv.point(Decimal(2)), share)
        return iv.mul(share, hundred)

    def _within(self, raw: Iv, b: n.Better) -> Iv:
        """A target range's achievement: 100 inside; beyond a bound, the direction's formula with that bound."""
        lo, hi = (iv.point(x.value) if isinstance(x, n.Num) else self.range_of(x.name) for x in (b.lo, b.hi))
        if lo.lo <= 0 or hi.lo <= 0:
            return FULL
        hundred = iv.point(Decimal(100))
        above = iv.intersect(raw, Iv(hi.lo, iv.INF, True))
        below = iv.intersect(raw, Iv(-iv.INF, lo.hi, True, True))
        pieces = [hundred]
        for part, edge in ((above, hi), (below, lo)):
            if not part.empty:
                share = iv.div(part, edge)
                share = iv.sub(iv.point(Decimal(2)), share) if b.sense == "lower" else share
                pieces.append(iv.mul(share, hundred))
        return iv.hull(pieces)

    def _tree_range(self, tree: n.Tree) -> Iv:
        kids = tree.children or ()
        if not kids:
            return FULL
        ranges = [self.range_of(k.name) if isinstance(k, n.Leaf) else self.range_of(k.name) for k in kids]
        agg = tree.aggregate.value if tree.aggregate else "mean"
        if agg != "sum":
            return iv.hull(ranges)
        weighted = all(k.weight is not None for k in kids)
        total = iv.point(Decimal(0))
        for k, r in zip(kids, ranges):
            total = iv.add(total, iv.mul(r, iv.point(k.weight.value)) if weighted and k.weight else r)
        return total

    # -------------------------------------------------------- expressions
    def expr_range(self, e: n.Node | None, env: dict[str, Iv] | None = None) -> Iv:
        """Interval arithmetic over an expression; anything unknown is ``(-inf, inf)``."""
        env = env or {}
        if isinstance(e, n.Num):
            return iv.point(e.value)
        if isinstance(e, n.Ref):
            return env[e.name] if e.name in env else self.range_of(e.name)
        if isinstance(e, n.Unary) and e.op == "-":
            return iv.neg(self.expr_range(e.operand, env))
        if isinstance(e, n.Binary) and e.op in "+-*/":
            a, b = self.expr_range(e.left, env), self.expr_range(e.right, env)
            return {"+": iv.add, "-": iv.sub, "*": iv.mul, "/": iv.div}[e.op](a, b)
        if isinstance(e, n.IfElse):
            return iv.hull([self.expr_range(e.then, env), self.expr_range(e.otherwise, env)])
        if isinstance(e, n.Call):
            return self._call_range(e, env)
        if isinstance(e, n.Absent):  # no value at all: adds nothing to a hull
            return iv.EMPTY
        return FULL

    def _population_range(self, e: n.Call, env: dict[str, Iv]) -> Iv:
        """A group's minimum, maximum and mean lie in its values' range; counts, ranks and spreads are >= 0."""
        if e.func in ("min_of", "max_of", "mean_of"):
            return self.expr_range(e.args[0], env) if e.args else FULL
        if e.func in ("count_of", "sd_of"):
            return Iv(Decimal(0), iv.INF)
        return Iv(Decimal(1), iv.INF) if e.func == "rank_of" else FULL

    def _call_range(self, e: n.Call, env: dict[str, Iv]) -> Iv:
        if e.func not in n.FUNCTIONS:  # a table called as a function gives one of its results
            return self.range_of(e.func)
        if e.func in n.POPULATION_FUNCTIONS:
            return self._population_range(e, env)
        if e.func == "share":
            return iv.closed(Decimal(0), Decimal(1))
        if e.func == "count":
            return Iv(Decimal(0), iv.INF)
        if e.func == "raw":
            arg = e.args[0] if e.args else None
            target = self.decls.get(arg.name) if isinstance(arg, n.Ref) else None
            if isinstance(target, n.Indicator) and arg.name not in self._busy:
                self._busy.add(arg.name)
                try:
                    return self.raw_range(target)
                finally:
                    self._busy.discard(arg.name)
            return self.expr_range(arg, env) if arg is not None else FULL
        args = [self.expr_range(a, env) for a in e.args]
        if not args or any(a.empty for a in args):
            return FULL
        if e.func == "min":
            return iv.minimum(args)
        if e.func == "max":
            return iv.maximum(args)
        if e.func == "abs":
            return iv.absolute(args[0])
        if e.func in ("mean", "mean_present"):
            return iv.hull(args)
        if e.func == "sum":
            total = args[0]
            for a in args[1:]:
                total = iv.add(total, a)
            return total
        if e.func in n.MATH_FUNCTIONS:
            return iv.math(e.func, args)
        if e.func == "round" and len(e.args) == 2:
            places = decimals(e.args[1]) if isinstance(e.args[1], n.Num) else None
            return iv.round_iv(args[0], places) if places is not None else args[0]
        return FULL


def interval(r: n.Interval) -> Iv:
    return iv.closed(r.lo.value, r.hi.value)


def decimals(num: n.Num | None) -> int | None:
    """The decimals of a ``round N``, or None when absent or not a whole number 0..10."""
    if num is None or num.value != num.value.to_integral_value() or not 0 <= num.value <= MAX_DECIMALS:
        return None
    return int(num.value)
