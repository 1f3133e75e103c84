"""Redo every arithmetic line of a rendered explanation from its displayed text alone.

A line is a claim when it has `` = `` and is not a node's header or a note:
``LABEL: EXPR = RESULT`` or ``LABEL: EXPR = UNROUNDED, rounded to N decimals: RESULT``.
EXPR is recomputed in exact decimals (``engine.explain.arith``, itself checked by hand
in test_explain_exact.py) and must give RESULT at the decimals RESULT shows; a rounding
step must round UNROUNDED half away from zero to RESULT.  A band line's comparisons
(``band L: V >= E and < F``) must hold for the displayed V.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

from engine import api
from engine.evaluate import Result
from engine.explain import arith
from engine.testing.runner import Runner

ROOT = Path(__file__).resolve().parent.parent

CLAIM = re.compile(r"^(?P<label>[^:]+): (?P<expr>.+) = (?P<u>\S+?)"
                   r"(?:, rounded to (?P<n>\d+) decimals: (?P<r>\S+))?$")
HEADER = re.compile(r"\[\w+\] = ")
# Notes, and lines that state a value looked up (a table row, a statistic over a group): not arithmetic
# of the operands shown, so not claims (the value they give is then an operand of the claim below them).
NOTE = re.compile(r"^(decision|error|warning|info|lookup|statistic|cited:) ")  # cited: citations are not arithmetic
BAND = re.compile(r"^band [^:]+: (?:\S+ rounded to \d+ decimals: )?(?P<v>-?[\d.]+),? (?P<cond>(?:[<>]=? -?[\d.]+%?"
                  r"(?: and )?)+)")


def _rel(path: Path) -> str:
    """A path as a user would type it from the working directory (origins show it as given)."""
    return os.path.relpath(path)


def example_results() -> list[tuple[str, Result]]:
    policies = api.compile_policies([ROOT / "policies"])
    out = []
    for data, policy in (("instansi-2026.csv", "bsc_instansi"), ("instansi-2025.csv", "bsc_instansi")):
        run = api.evaluate_files(policies, [_rel(ROOT / "examples" / data)], policy=policy)
        out.append((data, run.result))
    skp = api.compile_policies([ROOT / "policies/nasional/skp/kinerja-pegawai-2022.kin"], root=ROOT / "policies")
    out.append(("pegawai-2026.csv", api.evaluate_files(skp, [_rel(ROOT / "examples/pegawai-2026.csv")]).result))
    return out


class _Collecting(Runner):
    """The policy test runner, keeping each evaluated result to explain it."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[tuple[str, Result]] = []  # (policy file, result)

    def _evaluate(self, case, target, base):  # type: ignore[no-untyped-def]
        result, notes = super()._evaluate(case, target, base)
        self.results.append((target.plan.module.path, result))
        return result, notes


def library_results() -> list[tuple[str, Result]]:
    runner = _Collecting()
    runner.run_paths([ROOT / "policies"])
    return [(f"{path} test {k}", r) for k, (path, r) in enumerate(runner.results)]


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
