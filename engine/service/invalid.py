"""A request the API cannot take as sent (``422``): each problem in the request's language.

FastAPI checks a request against its schemas with pydantic, whose messages are English
("Field required", "Input should be a valid integer").  Each problem keeps pydantic's stable
``type`` and ``loc`` (and ``where``, the location as one dotted string) and gets a ``message`` from
the catalogue chosen by its ``type``, naming the field; a type without its own sentence gets one
that still names the field.  The types below are every one the service's schemas and parameters
can raise (``tests/test_service_invalid.py`` raises each with a real request): strings with length
bounds, literals (roles, decisions), integers and booleans (query parameters, ``explain``), lists
and objects (``subjects``), a JSON body that does not parse, a missing field or body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from engine.i18n import N_, _, ngettext

SOURCES = ("body", "query", "path", "header", "cookie")  # where FastAPI says a value came from
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")  # the values of a literal_error's ``expected``

# pydantic's error type -> the sentence naming the field ({field}: `reason`, or "the request body")
SENTENCES = {
    "missing": N_("{field} is required"),
    "string_type": N_("{field} must be text"),
    "int_type": N_("{field} must be a whole number"),
    "int_parsing": N_("{field} must be a whole number"),
    "int_from_float": N_("{field} must be a whole number"),
    "bool_type": N_("{field} must be true or false"),
    "bool_parsing": N_("{field} must be true or false"),
    "list_type": N_("{field} must be a list"),
    "dict_type": N_("{field} must be a JSON object"),
    "model_attributes_type": N_("{field} must be a JSON object"),
    "model_type": N_("{field} must be a JSON object"),
    "literal_error": N_("{field} must be one of {options}"),
    "json_invalid": N_("the request body is not valid JSON (at character {position})"),
}
FALLBACK = N_("{field} is not valid")
# types whose sentence counts something: the ctx key holding the count, and the sentence
COUNTED: dict[str, tuple[str, Callable[[int, str], str]]] = {
    "string_too_short": ("min_length", lambda n, field: ngettext(
        "{field} must have at least {n} character", "{field} must have at least {n} characters", n, field=field)),
    "string_too_long": ("max_length", lambda n, field: ngettext(
        "{field} must have at most {n} character", "{field} must have at most {n} characters", n, field=field)),
    "too_short": ("min_length", lambda n, field: ngettext(
        "{field} must have at least {n} item", "{field} must have at least {n} items", n, field=field)),
    "too_long": ("max_length", lambda n, field: ngettext(
        "{field} must have at most {n} item", "{field} must have at most {n} items", n, field=field)),
}
KNOWN_TYPES = frozenset(SENTENCES) | frozenset(COUNTED)


def field_name(loc: Sequence[str | int]) -> str:
    """The field a location names, as a reader writes it: ``body.subjects.0`` -> `` `subjects[0]` ``;
    the whole body (``body``) -> "the request body"."""
    path = list(loc[1:] if loc and loc[0] in SOURCES else loc)
    if not path:
        return _("the request body")
    text = str(path[0]) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
    return f"`{text}`"


def sentence(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence in the language in force."""
    kind, ctx, loc = error.get("type", ""), error.get("ctx") or {}, tuple(error.get("loc", ()))
    field = field_name(loc)
    if kind in COUNTED:
        key, counted = COUNTED[kind]
        return counted(int(ctx.get(key, 0)), field)
    if kind == "literal_error":
        options = _QUOTED.findall(str(ctx.get("expected", ""))) or [str(ctx.get("expected", ""))]
        return _(SENTENCES[kind], field=field, options=", ".join(f"`{o}`" for o in options))
    if kind == "json_invalid":
        return _(SENTENCES[kind], position=loc[-1] if loc and isinstance(loc[-1], int) else 0)
    return _(SENTENCES.get(kind, FALLBACK), field=field)


def problems(errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each problem: pydantic's ``type`` and ``loc`` as they are, ``where`` (the dotted location) and
    ``message`` in the request's language."""
    return [{"where": ".".join(str(p) for p in e["loc"]), "loc": list(e["loc"]), "type": e["type"],
             "message": sentence(e)} for e in errors]


def summary(found: Sequence[dict[str, Any]]) -> str:
    """The error's one-line message: what is wrong, all of it (a reader of the message alone needs no more)."""
    return _("the request is not valid: {problems}", problems="; ".join(p["message"] for p in found))


async def handler(request: Request, exc: RequestValidationError) -> Response:
    """``422``: JSON for the API (``code`` ``invalid-request``, each problem), the error page for a
    page's form."""
    found = problems(exc.errors())
    error = {"code": "invalid-request", "message": summary(found), "problems": found}
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": error}, status_code=422)
    from engine.service.pages import page

    return page(request, "error.html", None, 422, failure=error)
