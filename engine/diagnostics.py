"""Diagnostics: the one error type of the engine, and its text/JSON rendering."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.i18n import N_, _
from engine.nodes import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        """The word a reader sees in the text rendering (the value stays in JSON and SARIF)."""
        return _(_SEVERITY_WORDS[self.value])


_SEVERITY_WORDS = {"error": N_("error"), "warning": N_("warning")}


@dataclass(frozen=True, slots=True)
class Label:
    """A secondary place that helps explain a diagnostic."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: stable ``code`` (e.g. ``check.weights-sum``), one-clause message,
    primary span, optional help and secondary labels."""

    code: str
    severity: Severity
    message: str
    span: Span
    help: str | None = None
    labels: tuple[Label, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (*self.span.sort_key(), self.code)

    def to_dict(self) -> dict[str, object]:
        s = self.span
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": s.file,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
            "help": self.help,
            "labels": [
                {"file": lb.span.file, "line": lb.span.line, "column": lb.span.column,
                 "message": lb.message}
                for lb in self.labels
            ],
        }


def error(code: str, message: str, span: Span, help: str | None = None,
          labels: Iterable[Label] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, help, tuple(labels))


def warning(code: str, message: str, span: Span, help: str | None = None,
            labels: Iterable[Label] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, help, tuple(labels))


# Where a diagnostic about the command itself (an option, a choice among policies) points
# (line 0: rendered without a position or an excerpt).
COMMAND_LINE = Span("<command line>", 0, 0, 0, 0)  # shown as _("<command line>")

# Code families whose errors are findings about the policies or the results asked for (exit 1);
# every other family is about the command and the files given to it: a usage error (exit 2).
FINDING_FAMILIES = frozenset({"syntax", "resolve", "check", "fmt", "diff", "subject"})


def exit_code(diags: Iterable[Diagnostic]) -> int:
    """1 when any error is a finding (``FINDING_FAMILIES``), 2 when every error is about the
    command's use (its options or files), 0 without errors."""
    families = {d.code.split(".")[0] for d in diags if d.is_error}
    if not families:
        return 0
    return 1 if families & FINDING_FAMILIES else 2


def file_span(file: str | Path, line: int = 0, column: int = 0) -> Span:
    """A place in a data or output file (line 0: the file as a whole, shown without an excerpt)."""
    return Span(str(file), line, column, line, column)


class KinerjaError(Exception):
    """Raised wherever a user's policy, data, options or files stop a run; carries every
    finding as a ``Diagnostic`` (the CLI renders them and exits with ``exit_code``)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        first = self.diagnostics[0].message if self.diagnostics else _("policy error")
        super().__init__(_("{n} finding(s); first: {first}", n=len(self.diagnostics), first=first))


def sort(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=Diagnostic.sort_key)


def fail(code: str, message: str, help: str | None = None, span: Span = COMMAND_LINE) -> KinerjaError:
    """One error as an exception to raise: ``raise fail("output.unknown-format", ...)``."""
    return KinerjaError([error(code, message, span, help)])


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, if any is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.5)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A "did you mean `x`?" hint for the closest candidate, if any is close."""
    near = closest(word, candidates)
    return _("did you mean `{name}`?", name=near) if near else None


def render_text(diags: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    """Render diagnostics as ``file:line:col: severity[code]: message``, the source
    line, a caret underline and the help, one block per diagnostic.  Each source is split
    into lines once, so the time is linear in the number of diagnostics."""
    lines = _Lines(sources)
    return "".join(_render_one(d, lines) for d in diags)


class _Lines(dict):  # type: ignore[type-arg]
    """A source's lines by file name, split on first use."""

    def __init__(self, sources: Mapping[str, str]):
        super().__init__()
        self.sources = sources

    def __missing__(self, file: str) -> list[str] | None:
        text = self.sources.get(file)
        self[file] = None if text is None else text.splitlines()
        return self[file]


def _render_one(d: Diagnostic, sources: Mapping[str, list[str] | None]) -> str:
    s = d.span
    where = f"{s.file}:{s.line}:{s.column}" if s.line >= 1 else _place(s.file)
    out = [f"{where}: {d.severity.label}[{d.code}]: {d.message}\n"]
    out += _excerpt(s, sources)
    for lb in d.labels:
        out.append(_("  note: {where}: {message}", where=f"{lb.span.file}:{lb.span.line}:{lb.span.column}",
                     message=lb.message) + "\n")
        out += _excerpt(lb.span, sources)
    if d.help:
        out.append(_("  help: {help}", help=d.help) + "\n")
    return "".join(out)


def _place(file: str) -> str:
    """A file name, or the command line in the reader's language."""
    return _("<command line>") if file == COMMAND_LINE.file else file


def _excerpt(s: Span, sources: Mapping[str, list[str] | None]) -> list[str]:
    lines = sources[s.file]
    if lines is None or s.line < 1:
        return []
    if s.line > len(lines):
        return []
    raw = lines[s.line - 1]
    line = raw.expandtabs(4)
    # Columns count characters of the raw line; a tab before the caret widens to the next stop.
    start = len(raw[: s.column - 1].expandtabs(4))
    end = len(raw[: s.end_column - 1].expandtabs(4)) if s.end_line == s.line else len(line)
    gutter = f"{s.line:>4} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * start + "^" * max(1, end - start)
    return [gutter + line + "\n", caret + "\n"]
