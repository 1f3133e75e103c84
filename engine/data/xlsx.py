"""Excel submissions: the visible data sheet, its header row, and cells that cannot be taken as shown.

Values are read with python-calamine (a Rust reader, about 10x openpyxl's speed);
cells keep their absolute positions so a reject names the sheet cell (``Data!C5``).
What calamine does not tell, one look at the sheet's XML does: a cell formatted
as a percentage (shown as 93%, stored as 0.93) becomes the text ``93%``, which
the validator reads for a field whose unit is % and rejects elsewhere; a formula
without a saved value, and merged cells (only the first holds the value), make
their row a reject naming the cells, never a silent missing value.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa

from engine.data import compute as pc
from engine.data.readers import DataError, RawTable, RowRefs, cell_text, check_names, column_letter, header_at
from engine.data.report import Reject
from engine.i18n import _

_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>[^<]+</v>|<is>")


def read_xlsx(path: Path, sheet: str | None = None, header_row: int | None = None) -> RawTable:
    """The named sheet, or the first visible worksheet; the header is row ``header_row``
    (1-based) or found below any title rows (``header_at``)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    title = _pick_sheet(wb, sheet, str(path))
    ws = wb.get_sheet_by_name(title)
    rows = ws.to_python(skip_empty_area=False)  # from the sheet's first row, so positions are absolute
    at = header_at(rows, header_row, str(path), _("sheet `{name}`", name=title))
    names = [cell_text(v) or "" for v in rows[at]]
    check_names(str(path), names)
    width = len(names)
    letters = {name: column_letter(j + 1) for j, name in enumerate(names) if name}
    percent, formulas = _marks(path, title)
    bad = _untrusted(formulas, ws.merged_cell_ranges or [], at, width)
    kept = [k for k in range(at + 1, len(rows)) if not all(map(_blank, rows[k][:width])) or k in bad]
    body = [_row(rows[k], k, width, percent) for k in kept]
    rejects = [Reject(str(path), f"{title}!{column_letter(c + 1)}{k + 1}", None, names[c] or None, None, why, hint)
               for k in kept if k in bad for c, why, hint in bad[k][:1]]
    body = [cells for k, cells in zip(kept, body) if k not in bad]
    numbers = [k + 1 for k in kept if k not in bad]  # 1-based sheet row numbers
    by_column = list(zip(*body)) if body else [() for _ in names]
    columns = {name: _column_text(by_column[j]) for j, name in enumerate(names) if name}
    refs = RowRefs("cell", np.asarray(numbers, dtype=np.int64), title, letters)
    return RawTable(str(path), "xlsx", columns, refs, rejects, len(rejects))


def _pick_sheet(wb: Any, sheet: str | None, file: str) -> str:
    if sheet is not None:
        if sheet not in wb.sheet_names:
            raise DataError(file, _("no sheet `{name}`", name=sheet), "data.no-sheet",
                            _("sheets are: {names}; choose one with --sheet", names=", ".join(wb.sheet_names)))
        return sheet
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    visible = [m.name for m in wb.sheets_metadata
               if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
    if not visible:
        raise DataError(file, _("the workbook has no visible worksheet"), "data.no-sheet",
                        _("sheets are: {names}; name the data sheet with --sheet", names=", ".join(wb.sheet_names)))
    return visible[0]


def _row(values: list[Any], k: int, width: int, percent: set[tuple[int, int]]) -> list[Any]:
    cells = values[:width] + [""] * (width - len(values[:width]))
    for c in range(width):
        if (k, c) in percent and isinstance(cells[c], (int, float)) and not isinstance(cells[c], bool):
            cells[c] = _percent_text(cells[c])
    return cells


def _percent_text(v: float) -> str:
    """0.93 shown as 93% is the text ``93%`` (decimal arithmetic: no 93.00000000000001)."""
    shown = (Decimal(repr(float(v))) * 100).normalize()
    return f"{shown:f}%"


def _untrusted(formulas: dict[tuple[int, int], str], merged: list[Any], at: int, width: int
               ) -> dict[int, list[tuple[int, str, str]]]:
    """Data rows holding a formula without a saved value or merged cells: (column, reason, hint)."""
    bad: dict[int, list[tuple[int, str, str]]] = {}
    for (k, c), text in sorted(formulas.items()):
        if k > at and c < width:
            ref = f"{column_letter(c + 1)}{k + 1}"
            bad.setdefault(k, []).append((c, _("cell {cell} holds a formula (`={formula}`) with no saved value",
                                               cell=ref, formula=text),
                                          _("open the file in Excel and save it again, or paste the values")))
    for (r0, c0), (r1, c1) in merged:
        span = f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
        for k in range(max(r0, at + 1), r1 + 1):
            if c0 < width:
                bad.setdefault(k, []).append((c0, _("cells {cells} are merged; only the first holds a value",
                                                    cells=span), _("unmerge the cells and fill in each one")))
    return bad


def _marks(path: Path, title: str) -> tuple[set[tuple[int, int]], dict[tuple[int, int], str]]:
    """(cells formatted as a percentage, formulas without a saved value: cell -> formula text),
    as 0-based (row, column).  The sheet's XML is scanned cell by cell only when the
    workbook has a percent format or the sheet a formula."""
    with zipfile.ZipFile(path) as z:
        percent_styles = _percent_styles(z)
        xml = z.read(_sheet_part(z, title))
    if not percent_styles and b"<f" not in xml:
        return set(), {}
    percent: set[tuple[int, int]] = set()
    formulas: dict[tuple[int, int], str] = {}
    for m in _CELL.finditer(xml):
        attrs, inner = m.group(1), m.group(3) or b""
        ref = _REF.search(attrs)
        if ref is None:
            continue
        at = (int(ref.group(2)) - 1, _column_index(ref.group(1).decode()))
        style = _STYLE.search(attrs)
        if style is not None and int(style.group(1)) in percent_styles:
            percent.add(at)
        formula = _FORMULA.search(inner)
        if formula is not None and not _VALUE.search(inner):
            formulas[at] = (formula.group(1) or b"").decode("utf-8", "replace")
    return percent, formulas


def _percent_styles(z: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats (``cellXfs``) that show a number as a percentage."""
    try:
        styles = z.read("xl/styles.xml")
    except KeyError:
        return set()
    custom = {int(i) for i, code in re.findall(rb'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles)
              if b"%" in re.sub(rb'&quot;.*?&quot;|\\.', b"", code)}
    xfs = re.search(rb"<cellXfs\b.*?</cellXfs>", styles, re.S)
    ids = re.findall(rb'<xf\b[^>]*?numFmtId="(\d+)"', xfs.group(0)) if xfs else []
    return {k for k, i in enumerate(ids) if int(i) in (9, 10) or int(i) in custom}


def _sheet_part(z: zipfile.ZipFile, title: str) -> str:
    """The zip member holding sheet ``title`` (workbook.xml names it, the relationships locate it)."""
    book = z.read("xl/workbook.xml")
    rels = z.read("xl/_rels/workbook.xml.rels")
    for attrs in re.findall(rb"<sheet\b([^>]*)/?>", book):
        name = re.search(rb'\bname="([^"]*)"', attrs)
        rid = re.search(rb'\br:id="([^"]*)"', attrs)
        if name and rid and _unescape(name.group(1).decode("utf-8")) == title:
            for rel in re.findall(rb"<Relationship\b([^>]*)/?>", rels):
                if re.search(rb'\bId="' + re.escape(rid.group(1)) + rb'"', rel):
                    target = re.search(rb'\bTarget="([^"]*)"', rel).group(1).decode()  # type: ignore[union-attr]
                    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    raise DataError(str(z.filename), _("sheet `{name}` is not in the workbook's index", name=title))


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _blank(v: Any) -> bool:
    return v == "" or (isinstance(v, str) and not v.strip())


def _column_text(cells: tuple[Any, ...]) -> pa.Array:
    """One column's cells as the literal text the validator reads.  All-number and all-text
    columns (nearly every column of a submission) are converted by pyarrow in one call; a
    column mixing kinds (dates, booleans, numbers among text) goes cell by cell."""
    values = [None if v == "" else v for v in cells]
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {float, int}:
        return pc.cast(pa.array(values, pa.float64()), pa.string())  # 12.0 -> "12", 92.5 -> "92.5"
    if kinds == {str}:
        trimmed = pc.utf8_trim_whitespace(pa.array(values, pa.string()))
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return pa.array([cell_text(v) for v in values], type=pa.string())
