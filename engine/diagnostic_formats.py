"""Diagnostics for CI: SARIF 2.1.0 (code-scanning annotations) and GitHub workflow commands.

Spans are 1-based with an exclusive end column, which is SARIF's convention
too, so regions are copied as they are.  The tool version is passed in so the
output is reproducible in tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import quote

from engine.diagnostics import Diagnostic
from engine.i18n import N_, _

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFO_URI = "https://github.com/kinerja/kinerja"
# The rule descriptions and message texts are read by people in the code-scanning view: they follow
# the language (--lang); rule ids, levels and locations are machine fields and stay as they are.
RULE_FAMILIES = {
    "syntax": N_("The policy text cannot be parsed."),
    "resolve": N_("A file, `extends`, version or national constraint problem."),
    "check": N_("A semantic check of the policy failed."),
    "lint": N_("A SMART-criteria or style finding about an indicator."),
    "graph": N_("The dependency graph cannot be built."),
    "compile": N_("The file cannot be compiled."),
}
OTHER_FAMILY = N_("A Kinerja finding.")


def sarif(diags: Iterable[Diagnostic], version: str) -> dict[str, object]:
    """The findings as one SARIF 2.1.0 log: a rule per code seen, a result per diagnostic."""
    diags = list(diags)
    codes = sorted({d.code for d in diags})
    index = {c: k for k, c in enumerate(codes)}
    first = {c: next(d for d in diags if d.code == c) for c in codes}
    rules = [_rule(c, first[c]) for c in codes]
    results = [_result(d, index[d.code]) for d in diags]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kinerja", "version": version, "informationUri": INFO_URI,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render_sarif(diags: Iterable[Diagnostic], version: str) -> str:
    return json.dumps(sarif(diags, version), indent=2, ensure_ascii=False) + "\n"


def _rule(code: str, example: Diagnostic) -> dict[str, object]:
    family = code.split(".", 1)[0]
    short = _(RULE_FAMILIES.get(family, OTHER_FAMILY))
    rule: dict[str, object] = {
        "id": code,
        "name": _pascal(code),
        "shortDescription": {"text": f"{code}: {short}"},
        "defaultConfiguration": {"level": example.severity.value},
    }
    if example.help:
        rule["help"] = {"text": example.help}
    return rule


def _text(d: Diagnostic) -> str:
    """The message a person reads, with its fix hint on a line of its own."""
    return d.message + ("\n" + _("help: {help}", help=d.help) if d.help else "")


def _pascal(code: str) -> str:
    return "".join(part.capitalize() for part in code.replace(".", "-").split("-"))


def _result(d: Diagnostic, rule_index: int) -> dict[str, object]:
    out: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": d.severity.value,
        "message": {"text": _text(d)},
        "locations": [_location(d.span.file, d.span.line, d.span.column, d.span.end_line, d.span.end_column)],
    }
    if d.help:
        out["properties"] = {"help": d.help}
    if d.labels:
        out["relatedLocations"] = [
            _location(lb.span.file, lb.span.line, lb.span.column, lb.span.end_line, lb.span.end_column,
                      message=lb.message, ident=k)
            for k, lb in enumerate(d.labels, start=1)]
    return out


def _location(file: str, line: int, col: int, end_line: int, end_col: int, message: str | None = None,
              ident: int | None = None) -> dict[str, object]:
    # A span without a place (a command-line problem) still needs a valid region: line 1.
    start_line, start_col = max(line, 1), max(col, 1)
    last_line = max(end_line, start_line)
    last_col = end_col if end_line > start_line else max(end_col, start_col + 1)
    loc: dict[str, object] = {"physicalLocation": {
        "artifactLocation": _artifact(file),
        "region": {"startLine": start_line, "startColumn": start_col, "endLine": last_line, "endColumn": last_col},
    }}
    if ident is not None:
        loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _artifact(file: str) -> dict[str, object]:
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": "file://" + quote(str(path))}
    return {"uri": quote(str(path)), "uriBaseId": "%SRCROOT%"}


# ---------------------------------------------------------------- GitHub


def render_github(diags: Iterable[Diagnostic]) -> str:
    """One workflow command per finding:
    ``::error file=F,line=L,col=C,endLine=..,endColumn=..,title=CODE::message``."""
    lines = []
    for d in diags:
        s = d.span
        props = {"file": s.file, "line": max(s.line, 1), "col": max(s.column, 1),
                 "endLine": max(s.end_line, s.line, 1), "endColumn": max(s.end_column, 1), "title": d.code}
        head = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items())
        lines.append(f"::{'error' if d.is_error else 'warning'} {head}::{_escape_data(_text(d))}")
    return "".join(x + "\n" for x in lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
