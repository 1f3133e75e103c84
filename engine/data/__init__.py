"""Submitted data in, validated columns out: schema, readers, boundary validation, load report."""

from engine.data.load import Layout, detect_layout, load, load_records
from engine.data.readers import DataError
from engine.data.report import FileReport, LoadReport, LoadResult, LoadWarning, Reject, write_rejects
from engine.data.schema import Field, Schema, schema_from_plan

__all__ = [
    "DataError",
    "Field",
    "FileReport",
    "Layout",
    "LoadReport",
    "LoadResult",
    "LoadWarning",
    "Reject",
    "Schema",
    "detect_layout",
    "load",
    "load_records",
    "schema_from_plan",
    "write_rejects",
]
