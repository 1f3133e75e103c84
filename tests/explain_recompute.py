"""Redo every arithmetic line of a rendered explanation from its displayed text alone.

A line is a claim when it has `` = `` and is not a node's header or a note:
``LABEL: EXPR = RESULT`` or ``LABEL: EXPR = UNROUNDED, rounded to N decimals: RESULT``.
EXPR is recomputed in exact decimals (``engine.explain.arith``, itself checked by hand
in test_explain_exact.py) and must give RESULT at the decimals RESULT shows; a rounding
step must round UNROUNDED half away from zero to RESULT.  A band line's comparisons
(``band L: V >= E and < F``) must hold for the displayed V.  The patterns are made from the
catalogue's own wording, so an Indonesian explanation (``94,03``, ``dibulatkan ke 2 desimal``)
is redone the same way.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

from engine import api
from engine.evaluate import Result
from engine.explain import arith
from engine.i18n import _, using
from engine.testing.runner import Runner

ROOT = Path(__file__).resolve().parent.parent

NUMBER = {"en": r"-?\d[\d.]*", "id": r"-?\d[\d.]*(?:,\d+)?"}  # as displayed (Babel's Indonesian form)


@cache
def patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], str]:
    """The claim, note and band line patterns of ``lang``, made from the catalogue's own wording:
    ``LABEL: EXPR = RESULT`` (or ``... = UNROUNDED, rounded to N decimals: RESULT``); the note and
    lookup lines; ``band L: V >= E and < F``."""
    with using(lang):
        rounded = _words(_("rounded to {n} decimals: {value}"), n=r"(?P<n>\d+)", value=r"(?P<r>\S+)")
        band_rounded = _words(_("rounded to {n} decimals: {value}"), n=r"\d+", value="")
        band = _words(_("band {band}"), band="[^:]+")
        notes = [_(word) for word in ("decision", "error", "warning", "info")]
        notes += [_(m).split(" ")[0] for m in ("lookup {call} gives {value} (no row matches)",
                                                "statistic {call}: no group ({by} is missing)")]
        notes.append(_("cited") + ":")  # a citation is not arithmetic (its text may hold " = ")
        also = _("and")
    num = NUMBER[lang]
    claim = re.compile(rf"^(?P<label>[^:]+): (?P<expr>.+) = (?P<u>\S+?)(?:, {rounded})?$")
    note = re.compile(r"^(" + "|".join(map(re.escape, notes)) + ") ")
    band_re = re.compile(rf"^{band}: (?:\S+ {band_rounded})?(?P<v>{num}),? (?P<cond>(?:[<>]=? {num}%?"
                         rf"(?: {also} )?)+)")
    return claim, note, band_re, f" {also} "


def _words(message: str, **fields: str) -> str:
    """A translated message as a pattern: its words literal, its ``{placeholders}`` as given."""
    parts = re.split(r"\{(\w+)\}", message)
    return "".join(fields[x] if k % 2 else re.escape(x) for k, x in enumerate(parts))


HEADER = re.compile(r"\[[\w ]+\] = ")  # a node: its kind in words ([indikator], [nilai turunan])
# Notes, and lines that state a value looked up (a table row, a statistic over a group): not arithmetic
# of the operands shown, so not claims (the value they give is then an operand of the claim below them).


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


def claims(text: str, lang: str = "en") -> tuple[int, list[str]]:
    """(lines checked, lines that do not recompute), numbers read as ``lang`` displays them."""
    claim, note, band_re, also = patterns(lang)
    checked, bad = 0, []
    for raw in text.splitlines():
        line = raw.strip().removeprefix("- ").replace("**", "")
        if HEADER.search(line) or note.match(line):
            continue
        band = band_re.match(line)
        if band:
            checked += 1
            for cond in filter(None, band["cond"].split(also)):
                if arith.value(f"{band['v']} {cond}", lang) is not True:
                    bad.append(raw)
            continue
        if " = " not in line:
            continue
        m = claim.match(line)
        checked += 1
        if m is None or not arith.agrees(m["expr"], m["u"], 0, lang):
            bad.append(raw)
        elif m["n"] is not None and arith.round_half(Decimal(arith.canonical(m["u"], lang)), int(m["n"])) \
                != Decimal(arith.canonical(m["r"], lang)):
            bad.append(raw)
    return checked, bad

