"""Redo every arithmetic line of a rendered explanation from its displayed text alone.

A line is a claim when it has `` = `` and is not a node's header or a note:
``LABEL: EXPR = RESULT`` or ``LABEL: EXPR = UNROUNDED, rounded to N decimals: RESULT``.
EXPR is recomputed in exact decimals (``engine.explain.arith``, itself checked by hand
in test_explain_exact.py) and must give RESULT at the decimals RESULT shows; a rounding
step must round UNROUNDED half away from zero to RESULT.  A band line's comparisons
(``band L: V >= E and < F``) must hold for the displayed V.
"""

from __future__ import annotations

import re
from decimal import Decimal

from engine.explain import arith

CLAIM = re.compile(r"^(?P<label>[^:]+): (?P<expr>.+) = (?P<u>\S+?)"
                   r"(?:, rounded to (?P<n>\d+) decimals: (?P<r>\S+))?$")
HEADER = re.compile(r"\[\w+\] = ")
NOTE = re.compile(r"^(decision|error|warning|info) ")
BAND = re.compile(r"^band [^:]+: (?:\S+ rounded to \d+ decimals: )?(?P<v>-?[\d.]+),? (?P<cond>(?:[<>]=? -?[\d.]+%?"
                  r"(?: and )?)+)")


def claims(text: str) -> tuple[int, list[str]]:
    """(lines checked, lines that do not recompute)."""
    checked, bad = 0, []
    for raw in text.splitlines():
        line = raw.strip().removeprefix("- ").replace("**", "")
        if HEADER.search(line) or NOTE.match(line):
            continue
        band = BAND.match(line)
        if band:
            checked += 1
            for cond in filter(None, band["cond"].split(" and ")):
                if arith.value(f"{band['v']} {cond}") is not True:
                    bad.append(raw)
            continue
        if " = " not in line:
            continue
        m = CLAIM.match(line)
        checked += 1
        if m is None or not arith.agrees(m["expr"], m["u"], 0):
            bad.append(raw)
        elif m["n"] is not None and arith.round_half(Decimal(m["u"]), int(m["n"])) != Decimal(m["r"]):
            bad.append(raw)
    return checked, bad
