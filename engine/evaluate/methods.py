"""The aggregation methods of a tree node, one row each: value, weights, contributions, explanation text.

Adding a method is adding a row here.  The evaluator's two ways of computing a node
(``aggregate``: the value and, for nodes stored eagerly, every column; ``treecols``:
weights and contributions derived on access from the present-children code) and the
explanation all read this table, so they cannot drift apart; a test forces the
eager path and compares every column bit for bit.

Per row and child, with ``w`` the declared weight and ``x`` the child's value:

- the effective weight ``e`` is ``w / (declared weight of the present children)``,
  or ``w`` itself for a method that is not re-weighted (``sum``); 0 when absent;
- an *accumulated* method adds ``term(e, x)`` child by child, in order, and the node
  is ``finish(total)``;
- a *selecting* method (min, max) takes the value of the child that ``better``
  prefers; that child's effective weight is 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.i18n import N_

Column = np.ndarray


@dataclass(frozen=True)
class Method:
    name: str
    kind: str  # what one child's contribution is, in an explanation
    reweighted: bool = True  # e = w / present weight (False: e = w)
    positive: bool = False  # every present child must be > 0 (else the node is missing, with an error)
    term: Callable[[Column | float, Column], Column] | None = None  # accumulated methods
    finish: Callable[[Column], Column] = lambda acc: acc
    product: bool = False  # the contribution is the factor x ** e (else the term itself)
    better: Callable[[Column, Column], Column] | None = None  # selecting methods: x beats the best so far
    worst: float = 0.0  # selecting methods: the start, beaten by any value
    percent_weights: bool = False  # an explanation shows the effective weights as percentages
    term_text: Callable[[str, str], str] | None = None  # accumulated: one child's term from its (weight, value)
    join: Callable[[list[str]], str] = " + ".join  # accumulated: the node's arithmetic from its terms
    note: str = ""  # what the contributions do, said beside the arithmetic in an explanation

    @property
    def accumulated(self) -> bool:
        return self.term is not None

    def text(self, terms: list[tuple[str, str]]) -> str:
        """An accumulated node's arithmetic from its children's (weight, value) as shown."""
        return self.join([self.term_text(w, x) for w, x in terms])  # type: ignore[misc]

    def effective(self, w: float, present_w: Column | np.float64) -> Column | float:
        """The effective weight of a present child."""
        return np.divide(w, present_w) if self.reweighted else w

    def contribution(self, e: Column, x: Column, present: Column) -> Column:
        """One child's contribution column (``e`` already 0 where it is absent)."""
        safe = np.where(present, x, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.product:
                return np.where(present, safe ** e, 1.0)
            c = self.term(e, safe)  # type: ignore[misc]
        np.copyto(c, 0.0, where=~present)
        return c


def _log_term(e: Column | float, x: Column) -> Column:
    term = np.log(x)
    term *= e
    return term


METHODS: dict[str, Method] = {m.name: m for m in (
    Method("mean", N_("addend"), term=np.multiply, percent_weights=True,
           term_text=lambda w, x: f"{w} × {x}", note=N_("the contributions add up")),
    Method("sum", N_("addend"), reweighted=False, term=np.multiply,
           term_text=lambda w, x: f"{w} × {x}", note=N_("the contributions add up")),
    Method("geometric", N_("factor"), positive=True, term=_log_term, finish=np.exp, product=True,
           term_text=lambda w, x: f"{x}^{w}", join=" × ".join, note=N_("the product of the factors")),
    Method("harmonic", N_("reciprocal term"), positive=True, term=np.divide, finish=lambda acc: np.divide(1.0, acc),
           term_text=lambda w, x: f"{w} / {x}", join=lambda ts: "1 / (" + " + ".join(ts) + ")",
           note=N_("1 / the sum of the reciprocal terms")),
    Method("min", N_("chosen value"), better=np.less, worst=np.inf),
    Method("max", N_("chosen value"), better=np.greater, worst=-np.inf),
)}


def method_of(tree: object) -> Method:
    """The method a tree node declares (``aggregate NAME``; mean when it says none)."""
    word = getattr(tree, "aggregate", None)
    return METHODS[word.value if word is not None else "mean"]
