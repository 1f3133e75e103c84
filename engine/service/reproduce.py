"""Explanations and reports of stored submissions, reproduced exactly from what was stored.

A submission's run records the policy set it was scored under (every file's text is kept,
by hash, in ``policy_sources``).  To explain a subject the stored bytes are scored again
under that same set: the running one when it is unchanged, otherwise the stored texts
compiled in a temporary folder.  The reproduced result row must equal the stored one, or
nothing is shown (a changed engine would otherwise explain a score it did not give).

Scoring a 300-row file takes about 0.05 s, but explaining all of its subjects about 3.5 s of
CPU; so the background explainer (``explainer``) produces them after the submission is stored,
and a subject asked for before it got there is produced here on the spot.  A few recently
evaluated submissions and compiled policy sets are kept in memory.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.i18n import _, language
from engine.service import scoring

_lock = threading.Lock()
_sets: OrderedDict[str, scoring.PolicySet] = OrderedDict()
_runs: OrderedDict[str, scoring.Evaluated] = OrderedDict()


class NotReproducible(Exception):
    """The stored scores cannot be reproduced (the engine changed since); nothing is explained."""


def policy_set(current: scoring.PolicySet, files: Mapping[str, str],
               texts: Callable[[], Mapping[str, str]]) -> scoring.PolicySet:
    """The compiled policy set with exactly ``files`` (path -> sha256); ``texts()`` gives sha256 -> text.
    Its ``root`` is the running set's folder (what a later reload reads)."""
    digest = scoring.set_digest(files)
    if digest == current.digest:
        return current
    with _lock:
        if digest in _sets:
            _sets.move_to_end(digest)
            return _sets[digest]
    stored = texts()
    with tempfile.TemporaryDirectory(prefix="kinerja-policies-") as tmp:
        for rel, sha in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(stored[sha], encoding="utf-8")
        compiled = replace(scoring.load_policies(tmp), root=current.root)
    return _remember(_sets, digest, compiled, 4)


def evaluated(ps: scoring.PolicySet, sub: Mapping[str, Any], content: bytes) -> scoring.Evaluated:
    """The stored submission scored again (cached per submission), checked against nothing yet."""
    key = f"{sub['id']}@{ps.digest}@{language()}"  # its reject reasons are in the language it was read in
    with _lock:
        if key in _runs:
            _runs.move_to_end(key)
            return _runs[key]
    found = scoring.evaluate(ps, content, sub["filename"], sub["policy"], sub["period"], sub["agency"],
                             sub.get("unit", ""))
    return _remember(_runs, key, found, 8)


def explain(ps: scoring.PolicySet, sub: Mapping[str, Any], content: bytes, subject: str,
            stored_row: Mapping[str, Any]) -> dict[str, Any]:
    done = evaluated(ps, sub, content)
    row = done.by_subject.get(subject)
    if row is None or _scores(row) != _scores(stored_row):
        raise NotReproducible(_("scoring the stored file again under its stored policies gives a different result "
                                "for `{subject}` (engine {engine}, scored by {scored_by}); the stored scores "
                                "stand, no explanation is shown", subject=subject, engine=scoring.engine_version(),
                                scored_by=sub["run"]["engine_version"]))
    return scoring.explanation_of(done.run, subject, done.folder)


def rejects(ps: scoring.PolicySet, sub: Mapping[str, Any], content: bytes) -> list[dict[str, Any]]:
    """The stored file's rejected rows, read again: their reasons in the language in force."""
    return [scoring.reject_record(r) for r in evaluated(ps, sub, content).run.report.rejects]


def report_html(ps: scoring.PolicySet, sub: Mapping[str, Any], content: bytes, subject: str,
                stored_rows: list[dict[str, Any]]) -> str:
    """The `kinerja report` page of one subject of a stored submission (``KeyError``: no such subject)."""
    from engine import report

    done = evaluated(ps, sub, content)
    if [_scores(r) for r in done.rows()] != [_scores(r) for r in stored_rows]:
        raise NotReproducible(_("scoring the stored file again gives different results (engine {engine}, scored "
                                "by {scored_by}); no report", engine=scoring.engine_version(),
                                scored_by=sub["run"]["engine_version"]))
    built = report.build(done.run.result, subject, data_files=[sub["filename"]])
    return report.render(built)


# Where the agency file was when it was scored (a temporary copy of the stored policy texts, gone
# since): provenance of that run, not part of the scores a reproduction must give again.
_WHERE = ("agency_file", "agency_sha256")


def _scores(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in _WHERE}


def _remember(cache: OrderedDict[str, Any], key: str, value: Any, size: int) -> Any:
    with _lock:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
    return value
