"""A request the API cannot take (422): every problem pydantic finds is told in the request's
language, naming the field, with pydantic's own ``type`` and ``loc`` kept for programs.  Each row
below is a real request against the application; together they raise every type of
``engine.service.invalid`` (checked), in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.service import invalid
from tests.service_kit import App, open_app

ID = {"Accept-Language": "id"}
EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    return open_app(f"sqlite:///{tmp_path_factory.mktemp('invalid') / 'k.db'}")


# (role, method, url, request arguments, where, type, English message, Indonesian message)
CASES: list[tuple[str, str, str, dict[str, Any], str, str, str, str]] = [
    ("reviewer", "post", "/api/v1/submissions/x/review", {"json": {"decision": "accept"}},
     "body.reason", "missing", "`reason` is required", "`reason` wajib diisi"),
    ("reviewer", "post", "/api/v1/submissions/x/review", {"json": {"decision": "maybe", "reason": "ok"}},
     "body.decision", "literal_error", "`decision` must be one of `accept`, `return`",
     "`decision` harus salah satu dari `accept`, `return`"),
    ("reviewer", "post", "/api/v1/submissions/x/review", {"json": {"decision": "accept", "reason": ""}},
     "body.reason", "string_too_short", "`reason` must have at least 1 character",
     "`reason` harus berisi sekurang-kurangnya 1 karakter"),
    ("reviewer", "post", "/api/v1/submissions/x/review", {"json": {"decision": "accept", "reason": "x" * 4001}},
     "body.reason", "string_too_long", "`reason` must have at most 4000 characters",
     "`reason` harus berisi paling banyak 4000 karakter"),
    ("reviewer", "post", "/api/v1/submissions/x/review", {"json": [1, 2]},
     "body", "model_attributes_type", "the request body must be a JSON object",
     "isi permintaan harus berupa objek JSON"),
    ("reviewer", "post", "/api/v1/submissions/x/review",
     {"content": b'{"decision": ', "headers": {"Content-Type": "application/json"}},
     "body.13", "json_invalid", "the request body is not valid JSON (at character 13)",
     "isi permintaan bukan JSON yang sah (pada karakter 13)"),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": 2026, "subjects": [{}]}},
     "body.period", "string_type", "`period` must be text", "`period` harus berupa teks"),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": "2026", "subjects": []}},
     "body.subjects", "too_short", "`subjects` must have at least 1 item",
     "`subjects` harus berisi sekurang-kurangnya 1 butir"),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": "2026", "subjects": {"id": "a"}}},
     "body.subjects", "list_type", "`subjects` must be a list", "`subjects` harus berupa daftar"),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": "2026", "subjects": [{}, 7]}},
     "body.subjects.1", "dict_type", "`subjects[1]` must be a JSON object", "`subjects[1]` harus berupa objek JSON"),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": "2026", "subjects": [{}], "explain": "maybe"}},
     "body.explain", "bool_parsing", "`explain` must be true or false", "`explain` harus bernilai true atau false"),
    ("submitter", "post", "/api/v1/calculate", {"json": {"period": "2026", "subjects": [{}], "explain": [True]}},
     "body.explain", "bool_type", "`explain` must be true or false", "`explain` harus bernilai true atau false"),
    ("submitter", "get", "/api/v1/submissions?limit=ten", {},
     "query.limit", "int_parsing", "`limit` must be a whole number", "`limit` harus berupa bilangan bulat"),
    ("submitter", "get", "/api/v1/submissions?limit=1.5", {},
     "query.limit", "int_parsing", "`limit` must be a whole number", "`limit` harus berupa bilangan bulat"),
    ("submitter", "post", "/api/v1/submissions", {"data": {"period": "2026"}},
     "body.file", "missing", "`file` is required", "`file` wajib diisi"),
    # a text where the file goes: FastAPI's own value_error, told by the sentence for any other type
    ("submitter", "post", "/api/v1/submissions", {"data": {"period": "2026", "file": "kinerja.csv"}},
     "body.file", "value_error", "`file` is not valid", "`file` tidak sah"),
    ("admin", "post", "/api/v1/admin/tokens", {"json": {"agency": "bps", "role": "boss"}},
     "body.role", "literal_error", "`role` must be one of `submitter`, `reviewer`, `auditor`, `admin`",
     "`role` harus salah satu dari `submitter`, `reviewer`, `auditor`, `admin`"),
    ("admin", "post", "/api/v1/admin/tokens", {"json": {"agency": "bps", "role": "admin", "label": 5}},
     "body.label", "string_type", "`label` must be text", "`label` harus berupa teks"),
    ("submitter", "post", "/api/v1/calculate", {},
     "body", "missing", "the request body is required", "isi permintaan wajib diisi"),
]


def _problems(app: App, role: str, method: str, url: str, kwargs: dict[str, Any],
              language: dict[str, str]) -> dict[str, Any]:
    headers = {**app.tokens.header(role), **language, **kwargs.pop("headers", {})}
    r = getattr(app.client, method)(url, headers=headers, **kwargs)
    assert r.status_code == 422, r.text
    assert r.headers["content-language"] == language["Accept-Language"]
    return r.json()["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("role", "method", "url", "kwargs", "where", "kind", "english", "indonesian"), CASES,
                         ids=[f"{c[5]}-{c[4]}" for c in CASES])
def test_each_problem_is_told_in_the_requests_language(app: App, role: str, method: str, url: str,
                                                       kwargs: dict[str, Any], where: str, kind: str, english: str,
                                                       indonesian: str) -> None:
    for language, sentence in ((EN, english), (ID, indonesian)):
        error = _problems(app, role, method, url, dict(kwargs), language)
        found = {p["where"]: p for p in error["problems"]}
        assert error["code"] == "invalid-request"
        assert found[where]["type"] == kind and found[where]["message"] == sentence
        assert ".".join(str(p) for p in found[where]["loc"]) == where
        assert sentence in error["message"]


def test_the_cases_raise_every_type_the_service_tells() -> None:
    elsewhere = {"int_type", "int_from_float", "model_type", "too_long"}  # the next test: no request raises them
    assert {c[5] for c in CASES} == (invalid.KNOWN_TYPES - elsewhere) | {"value_error"}


@pytest.mark.parametrize("kind", ["int_type", "int_from_float", "model_type", "too_long"])
def test_the_types_no_request_here_can_raise_still_have_their_sentence(kind: str) -> None:
    """Types a schema of another shape raises (an int in a JSON body, a nested model, a list with a
    maximum): their sentence, checked on pydantic's own error of that type."""
    from pydantic import BaseModel, Field, ValidationError

    class Inner(BaseModel):
        x: int = 0

    class Shape(BaseModel):
        n: int = 0
        strict: int = Field(0, strict=True)
        inner: Inner = Inner()
        items: list[int] = Field([], max_length=1)

    bad = {"int_type": {"strict": "1"}, "int_from_float": {"n": 1.5}, "model_type": {"inner": 3},
           "too_long": {"items": [1, 2]}}[kind]
    with pytest.raises(ValidationError) as caught:
        Shape.model_validate(bad)
    error = caught.value.errors()[0]
    assert error["type"] == kind
    from engine.i18n import using

    with using("id"):
        told = invalid.sentence({**error, "loc": ("body", *error["loc"])})
    assert told.startswith(f"`{error['loc'][0]}` harus"), told


def test_several_problems_are_all_listed_in_the_message(app: App) -> None:
    error = _problems(app, "reviewer", "post", "/api/v1/submissions/x/review", {"json": {}}, ID)
    assert error["message"] == "permintaan tidak sah: `decision` wajib diisi; `reason` wajib diisi"
    assert [(p["where"], p["type"]) for p in error["problems"]] == [("body.decision", "missing"),
                                                                   ("body.reason", "missing")]


def test_a_pages_form_without_a_field_gets_the_error_page_in_its_language(app: App) -> None:
    r = app.client.post("/login", data={}, headers=ID)  # type: ignore[attr-defined]
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in r.text and "<h1>permintaan tidak sah: `token` wajib diisi</h1>" in r.text
    r = app.client.post("/login", data={}, headers=EN)  # type: ignore[attr-defined]
    assert "<h1>the request is not valid: `token` is required</h1>" in r.text and "{&#39;" not in r.text


def test_an_error_page_shows_the_message_not_the_errors_data(tmp_path: Path) -> None:
    """A page's 404 once printed its error's dict (``{'code': 'not-found', ...}``) above the message."""
    app = open_app(f"sqlite:///{tmp_path / 'k.db'}")
    app.client.post("/login", data={"token": app.tokens.submitter})  # type: ignore[attr-defined]
    r = app.client.get("/submissions/nothing", headers=ID)  # type: ignore[attr-defined]
    assert r.status_code == 404 and "<h1>kiriman tersebut tidak ditemukan</h1>" in r.text
    assert "not-found" not in r.text and "&#39;code&#39;" not in r.text


def _if(condition: bool, kind: str) -> set[str]:
    return {kind} if condition else set()


def _types_of(schema: dict[str, Any], components: dict[str, Any], body: bool) -> set[str]:
    """The pydantic error types a value of this OpenAPI schema can raise."""
    if "$ref" in schema:
        return _types_of(components[schema["$ref"].rsplit("/", 1)[1]], components, body)
    found: set[str] = set()
    for option in schema.get("anyOf", []):
        found |= _types_of(option, components, body)
    kind = schema.get("type")
    if kind == "string" and "contentMediaType" in schema:
        found.add("value_error")  # an upload: FastAPI's own check that a file was sent
    elif kind == "string":
        found |= {"string_type", *_if("enum" in schema, "literal_error"), *_if("minLength" in schema,
                  "string_too_short"), *_if("maxLength" in schema, "string_too_long")}
    elif kind == "integer":
        found |= {"int_type", "int_parsing", "int_from_float"}
    elif kind == "boolean":
        found |= {"bool_type", "bool_parsing"}
    elif kind == "array":
        found |= {"list_type", *_if("minItems" in schema, "too_short"), *_if("maxItems" in schema, "too_long")}
        found |= _types_of(schema.get("items", {}), components, body)
    elif kind == "object" and "properties" in schema:
        found |= {"model_attributes_type", "missing", *_if(body, "json_invalid")}
        for inner in schema["properties"].values():
            found |= _types_of(inner, components, body)
    elif kind == "object":
        found.add("dict_type")
    return found


def test_every_type_the_api_schemas_can_raise_has_its_own_sentence() -> None:
    """Derived from the published OpenAPI document (every request body, form and parameter), so a
    new field of a new shape fails here until its type has a sentence in the request's language."""
    from engine.service.app import openapi_document

    doc = openapi_document()
    components = doc["components"]["schemas"]
    raised = {"missing"}
    for operations in doc["paths"].values():
        for op in operations.values():
            for param in op.get("parameters", []):
                raised |= _types_of(param["schema"], components, body=False)
            for content_type, media in op.get("requestBody", {}).get("content", {}).items():
                raised |= _types_of(media["schema"], components, body=content_type == "application/json")
    assert raised - {"value_error"} <= invalid.KNOWN_TYPES, raised - invalid.KNOWN_TYPES
    assert {"literal_error", "string_too_short", "too_short", "dict_type", "json_invalid"} <= raised
