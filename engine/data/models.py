"""The pydantic model of one JSON/YAML record: a flat object of scalar cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter, ValidationError

from engine.i18n import _

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr | dt.datetime | dt.date | None
_RECORD: TypeAdapter[dict[str, Scalar]] = TypeAdapter(dict[str, Scalar])


def check_record(item: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The record, or None and a one-clause reason; pydantic's errors stop here."""
    if not isinstance(item, dict):
        return None, _("expected an object, found {kind}", kind=type(item).__name__)
    try:
        return _RECORD.validate_python(item), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())[:1])
        value = item.get(where) if where in item else None
        if isinstance(value, (list, dict)):
            return None, _("field `{name}` holds a {kind}, not a single value", name=where, kind=type(value).__name__)
        return None, _("field `{name}` is not a single value (text, number, true/false or date)", name=where)
