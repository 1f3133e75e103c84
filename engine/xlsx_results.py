"""XLSX results with identical bytes for identical content: fixed workbook properties and zip entry times.

Text cells are neutralised against spreadsheet formula injection (``engine.output.neutralise_text``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from engine.json_results import json_value
from engine.output import neutralise_text
from engine.safe_output import atomic

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _xlsx_value(v: Any) -> Any:
    return json_value(v, neutralise_text)  # spreadsheet text is neutralised against formulas


def write_xlsx(cols: list[tuple[str, np.ndarray]], path: Path, sheet: str) -> None:
    from openpyxl import Workbook

    n = len(cols[0][1]) if cols else 0
    wb = Workbook(write_only=True)
    wb.properties.creator = "kinerja"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    ws = wb.create_sheet(sheet)
    ws.append([neutralise_text(name) for name, _ in cols])
    data = [arr.tolist() for _, arr in cols]
    for i in range(n):
        ws.append([_xlsx_value(c[i]) for c in data])
    buffer = io.BytesIO()
    wb.save(buffer)
    with atomic(path) as tmp:
        tmp.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed entry times, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps `modified` at save time
                body = _FIXED_STAMP.sub(_fixed_stamp, body)
            dst.writestr(info, body)
    return out.getvalue()


def _fixed_stamp(m: re.Match[bytes]) -> bytes:
    return m.group(1) + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + m.group(2)
