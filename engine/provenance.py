"""Which agency file applied to which subjects, and the subjects whose agency has none.

A subject whose ``agency`` has no agency file is scored under the national policy
alone.  That is right for an agency without local rules, and wrong for a misspelt
one (``kemenku`` for ``kemenkeu``), so it is a warning with a "did you mean" against
the known agency files; ``eval --strict`` fails on it, and ``--agencies FILE``
rejects agencies outside a full registry instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from engine.data import compute as pc
from engine.data.report import LoadWarning
from engine.diagnostics import did_you_mean
from engine.evaluate.result import Result
from engine.i18n import _

SHOWN = 10  # agencies named in the warning about agencies without a near match


def unfiled_agencies(result: Result) -> dict[str, int]:
    """Per agency without an agency file among ``result.plans``: its number of subjects."""
    counts: dict[str, int] = {}
    for agency, k in _agency_counts(result):
        if agency is not None and agency == agency and str(agency) != "":  # not missing, not NaN, not empty
            counts[str(agency)] = counts.get(str(agency), 0) + k
    return {a: counts[a] for a in sorted(counts) if a not in result.plans}


def _agency_counts(result: Result) -> Iterable[tuple[object, int]]:
    """(agency, subjects) pairs: from the reader's dictionary-encoded agencies when the result has them
    (one count per distinct agency from its codes), else counted over the Python values."""
    encoded = result.keys().get("agency")
    if encoded is None or not hasattr(encoded, "indices"):
        return Counter(np.asarray(result.agencies, dtype=object).tolist()).items()  # counted in C
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    present = codes[~np.asarray(pc.is_null(encoded).to_numpy(zero_copy_only=False), dtype=bool)]
    counts = np.bincount(present.astype(np.intp), minlength=len(encoded.dictionary))
    return [(a, int(k)) for a, k in zip(encoded.dictionary.to_pylist(), counts.tolist()) if k]


def agency_warnings(unfiled: Mapping[str, int], known: Iterable[str], file: str) -> list[LoadWarning]:
    """A warning per agency that looks like a misspelt known one, and one for all the others."""
    known = sorted(known)
    out, plain = [], []
    for agency, count in sorted(unfiled.items()):
        hint = did_you_mean(agency, known) if known else None
        if hint is None:
            plain.append(agency)
            continue
        out.append(LoadWarning(file, _("agency `{agency}` ({n} subject(s)) has no agency file: scored under the "
                                       "national policy alone", agency=agency, n=count), "agency", hint))
    if plain:
        names = ", ".join(f"`{a}`" for a in plain[:SHOWN])
        if len(plain) > SHOWN:
            names = _("{names} and {n} more", names=names, n=len(plain) - SHOWN)
        subjects = sum(unfiled[a] for a in plain)
        out.append(LoadWarning(file, _("{n} agency(ies) ({subjects} subject(s)) have no agency file and were scored "
                                       "under the national policy alone: {names}", n=len(plain), subjects=subjects,
                                       names=names), "agency",
                               _("expected for agencies without local rules; `--agencies FILE` checks against a "
                                 "full registry, `--strict` fails the run")))
    return out
