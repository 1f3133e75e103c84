"""The policy test file (``*_test.yaml``): its pydantic models and a loader that names file and line.

pydantic lives at this boundary only; the runner sees plain, validated models.
YAML node marks give each key its line, so a malformed test says where it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from engine.i18n import _

DEFAULT_TOLERANCE = 1e-9
MISSING = "missing"



def _scalar(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str, dt.date)):
        return v
    raise ValueError(_("a field holds one value (a number, text, true/false or a date), not a {kind}",
                       kind=type(v).__name__))


def _codes(v: Any) -> Any:
    if isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        return v
    raise ValueError(_("give an event code such as `eval.missing-excluded`, or a list of codes"))


Scalar = Annotated[Any, BeforeValidator(_scalar)]
Codes = Annotated[Any, BeforeValidator(_codes)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Approx(_Strict):
    """``{value: 85.5, within: 0.005}``: a number with its own tolerance."""

    value: StrictFloat | StrictInt
    within: StrictFloat | StrictInt | None = Field(default=None, ge=0)  # default: the file's tolerance




def _expected(v: Any) -> Any:
    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return Approx.model_validate(v)
    if v is None:
        raise ValueError(_("no expected value: write `missing` for a node that must have no value"))
    raise ValueError(_("expected a number, a label, `missing` or {{value: N, within: T}}, not a {kind}",
                       kind=type(v).__name__))


Expected = Annotated[Any, BeforeValidator(_expected)]


class SubjectExpect(_Strict):
    """What one subject of a several-subject test must show (``expect_subjects: {id: ...}``)."""

    values: dict[str, Expected] = {}
    expect_missing: dict[str, Codes] = {}
    expect_errors: dict[str, Codes] = {}

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        # Node names and the two reserved keys share one mapping, as a reader writes them.
        if not isinstance(data, dict):
            return data
        rest = {k: v for k, v in data.items() if k not in ("expect_missing", "expect_errors")}
        out = {k: data[k] for k in ("expect_missing", "expect_errors") if k in data}
        return {**out, "values": rest}


class ViolationSpec(_Strict):
    quota: StrictStr
    group: StrictStr | StrictInt | None = None
    rule: StrictInt | None = Field(default=None, ge=1)


class DiagnosticSpec(_Strict):
    code: StrictStr
    line: StrictInt | None = None


class Case(_Strict):
    """One test: inputs (``given`` / ``subjects`` / ``data``) and what must come out."""

    name: StrictStr
    source: StrictStr | None = None
    skip: StrictStr | None = None
    policy: StrictStr | None = None
    as_of: dt.date | None = None  # overrides the file's `as_of` (a folder with several versions)
    given: dict[str, Scalar] | None = None
    subjects: list[dict[str, Scalar]] | None = None
    data: StrictStr | None = None
    expect: dict[str, Expected] = {}
    expect_missing: dict[str, Codes] = {}
    expect_errors: dict[str, Codes] = {}
    expect_subjects: dict[str, SubjectExpect] = {}
    expect_levels: dict[str, dict[str, SubjectExpect]] = {}  # level -> group id -> expectations
    expect_violations: list[ViolationSpec] | None = None
    expect_diagnostics: list[StrictStr | DiagnosticSpec] = []

    @model_validator(mode="after")
    def _shape(self) -> Case:
        inputs = [k for k in ("given", "subjects", "data") if getattr(self, k) is not None]
        if len(inputs) > 1:
            raise ValueError(_("give one of `given`, `subjects`, `data`, not {both}",
                               both=" + ".join(f"`{k}`" for k in inputs)))
        evaluates = bool(self.expect or self.expect_missing or self.expect_errors or self.expect_subjects
                         or self.expect_levels or self.expect_violations is not None)
        if self.skip is None and not inputs and evaluates:
            raise ValueError(_("expectations need inputs: add `given` (one subject), `subjects` or `data`"))
        if self.skip is None and not evaluates and not self.expect_diagnostics:
            raise ValueError(_("the test expects nothing: add `expect`, `expect_subjects`, `expect_violations`, "
                               "`expect_diagnostics`... or `skip: reason`"))
        if self.subjects is not None:
            for k, row in enumerate(self.subjects):
                if row.get("id") in (None, ""):
                    raise ValueError(_("subjects[{k}] has no `id`", k=k))
        return self


class TestFile(_Strict):
    policy: StrictStr
    root: StrictStr | None = None
    as_of: dt.date | None = None
    tolerance: StrictFloat | StrictInt = Field(default=DEFAULT_TOLERANCE, ge=0)
    tests: list[Case] = Field(min_length=1)


class SpecError(Exception):
    """A test file that cannot be used: ``file:line: message``."""

    def __init__(self, file: str, line: int, message: str):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


@dataclass
class LoadedFile:
    """A parsed test file: the model, and the line of each test (for reports)."""

    path: Path
    shown: str
    spec: TestFile
    lines: list[int]


def load_test_file(path: Path, shown: str | None = None) -> LoadedFile:
    """Parse and validate one test file; ``SpecError`` names the file and line of the first problem."""
    shown = shown or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(shown, 1, _("cannot read the test file ({why})", why=exc)) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(shown, mark.line + 1 if mark else 1, _("not valid YAML: {why}", why=problem)) from None
    if root is None:
        raise SpecError(shown, 1, _("the test file is empty"))
    lines: dict[tuple[Any, ...], int] = {}
    _index(root, (), lines, shown)
    try:
        spec = TestFile.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        raise SpecError(shown, _line_of(loc, lines), _message(first, loc)) from None
    tests = [lines.get(("tests", k), 1) for k in range(len(spec.tests))]
    return LoadedFile(path, shown, spec, tests)


def _index(node: yaml.Node, at: tuple[Any, ...], lines: dict[tuple[Any, ...], int], shown: str) -> None:
    """Line of every key and list item; a key written twice is an error (YAML would keep the last)."""
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            if name in seen:
                raise SpecError(shown, key.start_mark.line + 1, _("key `{name}` is written twice here", name=name))
            seen.add(name)
            _index(value, (*at, name), lines, shown)
            lines[(*at, name)] = key.start_mark.line + 1  # the key's line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            _index(item, (*at, k), lines, shown)


def _line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    # pydantic's location may end in a type tag (``str``, ``Approx``): the deepest known prefix wins.
    for cut in range(len(loc), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in loc[:cut])
        if key in lines:
            return lines[key]
    return 1


_TYPE_TAGS = {"str", "int", "float", "bool", "date", "Approx", "list[str]", "DiagnosticSpec", "SubjectExpect",
              "function-after[_shape(), Case]", "Case"}


def _message(err: dict[str, Any], loc: tuple[Any, ...]) -> str:
    where = ".".join(str(p) for p in loc if str(p) not in _TYPE_TAGS and not str(p).startswith("function-"))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        if len(loc) > 1:
            return _("unknown key `{key}` in `{where}`", key=loc[-1], where=".".join(map(str, loc[:-1])))
        return _("unknown key `{key}`", key=loc[-1])
    if kind == "missing":
        return _("`{where}` is required", where=where)
    return f"{where}: {msg}" if where else msg
