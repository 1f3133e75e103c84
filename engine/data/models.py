"""The pydantic model of one JSON/YAML record: a flat object of scalar cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter, ValidationError

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr | dt.datetime | dt.date | None
_RECORD: TypeAdapter[dict[str, Scalar]] = TypeAdapter(dict[str, Scalar])


def check_record(item: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The record, or None and a one-clause reason; pydantic's errors stop here."""
    if not isinstance(item, dict):
        return None, f"expected an object, found {type(item).__name__}"
    try:
        return _RECORD.validate_python(item), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())[:1])
        value = item.get(where) if where in item else None
        if isinstance(value, (list, dict)):
            return None, f"field `{where}` holds a {type(value).__name__}, not a single value"
        return None, f"field `{where}`: {first.get('msg', 'invalid value')}"
