"""``--fail-if`` gates over an impact: ``changed-rating>5%``, ``drop-bands>=2``, ``changed-score>10``.

``changed-rating`` and ``changed-score`` compare the share of subjects (with
``%``) or their number (without); ``drop-bands`` compares the largest number of
bands any one subject dropped.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from engine.diagnostics import did_you_mean, fail
from engine.diff.impact import Impact
from engine.i18n import _
from engine.i18n.formats import format_number

METRICS = ("changed-rating", "changed-score", "drop-bands")
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt}
_GATE = re.compile(r"^\s*([a-z-]+)\s*(>=|<=|==|>|<)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Gate:
    metric: str
    op: str
    limit: float
    percent: bool
    text: str

    def measure(self, impact: Impact) -> float:
        if self.metric == "drop-bands":
            return float(impact.max_drop)
        count = impact.changed_rating if self.metric == "changed-rating" else impact.changed_score
        return impact.share(count) if self.percent else float(count)

    def trips(self, impact: Impact) -> bool:
        return OPS[self.op](self.measure(impact), self.limit)

    def describe(self, impact: Impact) -> str:
        value = self.measure(impact)
        shown = format_number(value, 2) + "%" if self.percent else format_number(Decimal(f"{value:g}"))
        return _("{gate}: {metric} is {value}", gate=self.text, metric=self.metric, value=shown)


def parse_gate(text: str) -> Gate:
    """A ``--fail-if`` gate; a ``gate.*`` ``KinerjaError`` (a usage error) when it cannot be read."""
    m = _GATE.match(text)
    if not m:
        raise fail("gate.syntax", _("cannot read gate `{gate}`", gate=text),
                   _("write METRIC OP NUMBER[%], e.g. changed-rating>5% (metrics: {metrics})",
                     metrics=", ".join(METRICS)))
    metric, op, number, pct = m.groups()
    if metric not in METRICS:
        raise fail("gate.unknown-metric", _("unknown gate metric `{metric}`", metric=metric),
                   did_you_mean(metric, METRICS) or _("use {suffixes}", suffixes=", ".join(METRICS)))
    if metric == "drop-bands" and pct:
        raise fail("gate.drop-bands-percent", _("drop-bands counts bands, not a share"),
                   _("write e.g. drop-bands>=2, without %"))
    return Gate(metric, op, float(number), bool(pct), text.strip())
