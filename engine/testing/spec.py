"""The policy test file (``*_test.yaml``): its pydantic models and a loader that names file and line.

pydantic lives at this boundary only; the runner sees plain, validated models.
YAML node marks give each key its line, so a malformed test says where it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

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

from engine.diagnostics import KinerjaError, did_you_mean, error
from engine.i18n import N_, _
from engine.nodes import Span

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


class SpecError(KinerjaError):
    """A test file that cannot be used: one ``test.*`` diagnostic at its file, line and column
    (``source`` is the file's text, for the caret excerpt, when it could be read)."""

    def __init__(self, file: str, line: int, message: str, code: str, help: str, column: int = 1,
                 source: str | None = None):
        self.file, self.line, self.message, self.source = file, line, message, source
        super().__init__([error(code, message, Span(file, line, column, line, column + 1), help)])

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


FORMAT_HELP = N_("the test file format is in docs/testing.md")
VALUE = "<value>"  # marks of a key's value are kept under (*path, key, VALUE)


@dataclass
class LoadedFile:
    """A parsed test file: the model, and the line of each test (for reports)."""

    path: Path
    shown: str
    spec: TestFile
    lines: list[int]


def load_test_file(path: Path, shown: str | None = None) -> LoadedFile:
    """Parse and validate one test file; ``SpecError`` names the file, line and column of the first problem."""
    shown = shown or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(shown, 1, _("cannot read the test file ({why})", why=exc), "test.unreadable",
                        _("save it as UTF-8 text")) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(shown, mark.line + 1 if mark else 1, _("not valid YAML: {why}", why=problem), "test.yaml",
                        _("check the indentation, colons and quotes here (a value holding `: ` or `#` needs "
                          "quotes)"), mark.column + 1 if mark else 1, text) from None
    if root is None:
        raise SpecError(shown, 1, _("the test file is empty"), "test.empty",
                        _("start with `policy: FILE.kin` and a `tests:` list; the test file format is in "
                          "docs/testing.md"), source=text)
    marks: dict[tuple[Any, ...], tuple[int, int]] = {}
    _index(root, (), marks, shown, text)
    try:
        spec = TestFile.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        code, help = _code_and_help(first, loc)
        at_value = code in ("test.wrong-type", "test.invalid") and (*_plain(loc), VALUE) in marks
        line, column = marks[(*_plain(loc), VALUE)] if at_value else _mark_of(loc, marks)
        raise SpecError(shown, line, _message(first, loc), code, help, column, text) from None
    tests = [marks.get(("tests", k), (1, 1))[0] for k in range(len(spec.tests))]
    return LoadedFile(path, shown, spec, tests)


def _index(node: yaml.Node, at: tuple[Any, ...], marks: dict[tuple[Any, ...], tuple[int, int]], shown: str,
           text: str) -> None:
    """Line and column of every key and list item; a key written twice is an error (YAML would keep the last)."""
    marks[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            where = (key.start_mark.line + 1, key.start_mark.column + 1)
            if name in seen:
                raise SpecError(shown, where[0], _("key `{name}` is written twice here", name=name),
                                "test.duplicate-key", _("keep one of them (YAML would silently keep the last)"),
                                where[1], text)
            seen.add(name)
            _index(value, (*at, name), marks, shown, text)
            marks[(*at, name, VALUE)] = marks[(*at, name)]
            marks[(*at, name)] = where  # the key's place; its value's is under VALUE
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            _index(item, (*at, k), marks, shown, text)


def _mark_of(loc: tuple[Any, ...], marks: dict[tuple[Any, ...], tuple[int, int]]) -> tuple[int, int]:
    # pydantic's location may end in a type tag (``str``, ``Approx``): the deepest known prefix wins.
    for cut in range(len(loc), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in loc[:cut])
        if key in marks:
            return marks[key]
    return 1, 1


_TYPE_TAGS = {"str", "int", "float", "bool", "date", "Approx", "list[str]", "DiagnosticSpec", "SubjectExpect",
              "function-after[_shape(), Case]", "Case"}


# What a value of each pydantic type error should be, for the hint.
_WANTED = {"string": N_("text"), "int": N_("a whole number"), "float": N_("a number"), "bool": N_("true or false"),
           "date": N_("a date written YYYY-MM-DD"), "list": N_("a list (`- item` lines)"),
           "dict": N_("a mapping (`key: value` lines)"), "model": N_("a mapping (`key: value` lines)")}


def _code_and_help(err: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, str]:
    """The ``test.*`` code of a validation error and what to do about it."""
    kind = str(err.get("type", ""))
    if kind == "extra_forbidden":
        allowed = _fields_at(_plain(loc)[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) if allowed else None
        return "test.unknown-key", hint or (_("allowed here: {keys}", keys=", ".join(allowed)) if allowed
                                            else _(FORMAT_HELP))
    if kind == "missing":
        return "test.missing-key", _("add `{key}: ...`; the test file format is in docs/testing.md", key=loc[-1])
    base = kind.split("_")[0]
    if kind.endswith(("_type", "_parsing")) and base in _WANTED:
        return "test.wrong-type", _("write {what} here", what=_(_WANTED[base]))
    return "test.invalid", _(FORMAT_HELP)


def _plain(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """``loc`` without pydantic's type tags."""
    return tuple(p for p in loc if str(p) not in _TYPE_TAGS and not str(p).startswith("function-"))


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the mapping at ``loc`` may hold (its model's fields), or [] when it is not a model."""
    model: Any = TestFile
    keyed = False  # the part is a mapping's own key (``expect_subjects: {p1: ...}``), not a field
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        if keyed:
            keyed = False
            continue
        field = model.model_fields.get(str(part))
        model, keyed = _model_in(field.annotation) if field is not None else (None, False)
    return sorted(model.model_fields) if model is not None else []


def _model_in(tp: Any) -> tuple[Any, bool]:
    """The model inside an annotation (``list[Case]``, ``dict[str, SubjectExpect]``...), and whether
    it is reached through a mapping's keys."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp, False
    for arg in get_args(tp):
        model, keyed = _model_in(arg)
        if model is not None:
            return model, keyed or get_origin(tp) is dict
    return None, False


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
