"""Builds the bad-submission corpus from examples/instansi-2026.csv (policy bsc_instansi).

`python tests/data/corpus/submissions/build.py` rewrites the small files kept here;
`build(folder, large=True)` also writes the large and binary cases (a 50 MB cell,
a 135 KB header, workbooks, Parquet, a FIFO), which tests/test_corpus.py builds
in a temporary folder.  expected.yaml holds each file's expected outcome.
"""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = ROOT / "examples" / "instansi-2026.csv"


def _rows() -> tuple[str, list[str]]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return lines[0], lines[1:]


def small(folder: Path) -> None:
    hdr, rows = _rows()
    ok = rows[:10]  # lines 2-11 of the example: all valid
    files = {
        "ragged-row.csv": [hdr, *ok[:5], ok[5].rsplit(",", 2)[0], *ok[6:]],
        "unclosed-quote.csv": [hdr, *ok[:5], '"' + ok[5], *ok[6:]],
        "unnamed-empty-columns.csv": [hdr + ",,,", *(r + ",,," for r in ok[:5])],
        "title-rows.csv": ["Laporan Capaian Kinerja Instansi 2026" + "," * 13, "", hdr, *ok[:5]],
        "extra-column.csv": [hdr + ",catatan", *(r + ",lihat lampiran" for r in ok[:5])],
        "ambiguous-decimal.csv": [hdr.replace(",", ";"), *(r.replace(",", ";") for r in ok[:4]),
                                  *(r.replace(",", ";").replace(".", ",") for r in ok[4:8])],
        "header-only.csv": [hdr],
        "lowercase-category.csv": [hdr, *(r.replace(",WTP,", ",wtp,") for r in ok[:5])],
        "formula-injection.csv": [hdr, *ok[:4], ok[4].replace("instansi_02,instansi_02", '"=HYPERLINK(""x"")",a')],
    }
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "latin1.csv").write_bytes(("\n".join([hdr, *ok[:5], ok[5].replace("instansi_03", "kantor_café", 1)])
                                         + "\n").encode("latin-1"))
    (folder / "utf16.csv").write_bytes(("\n".join([hdr, *ok[:5]]) + "\n").encode("utf-16"))
    comma = io.StringIO()
    out = csv.writer(comma, delimiter=";", lineterminator="\n")
    for k, row in enumerate(csv.reader(EXAMPLE.open(encoding="utf-8"))):
        out.writerow(row if k == 0 else [c.replace(".", ",") for c in row])
    (folder / "decimal-comma.csv").write_text(comma.getvalue(), encoding="utf-8")
    names = hdr.split(",")
    records = [dict(zip(names, r.split(","))) for r in ok[:3]]
    (folder / "empty-records.json").write_text(json.dumps([records[0], {}, {k: None for k in names}, records[1]]))
    (folder / "huge-number.json").write_text(json.dumps([records[0]])[:-2] + ', "ikm": ' + "9" * 5000 + "}]")
    (folder / "unsafe.yaml").write_text("- id: a\n  agency: !!python/object/apply:os.system ['echo hi']\n")


def large(folder: Path) -> None:
    hdr, rows = _rows()
    ok = rows[:10]
    cell = "x" * (50 << 20)
    lines = [hdr + ",catatan", *(r + ",ok" for r in ok[:3]), ok[3] + "," + cell, *(r + ",ok" for r in ok[4:6])]
    (folder / "huge-cell.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    extra = ",".join(f"kolom_{i}_" + "x" * 24 for i in range(4000))
    (folder / "huge-header.csv").write_text("\n".join([hdr + "," + extra, *(r + "," * 4000 for r in ok[:5])]) + "\n")
    _workbooks(folder, hdr, rows)
    _parquet(folder)
    os.mkfifo(folder / "pipe.csv")


def _workbooks(folder: Path, hdr: str, rows: list[str]) -> None:
    from openpyxl import Workbook

    names = hdr.split(",")
    percent = [names.index(n) for n in ("capaian_iku", "realisasi_anggaran", "tindak_lanjut_bpk")]
    wb = Workbook()
    wb.active.title, wb.active.sheet_state = "lookup", "hidden"
    wb.active.append(["id", "capaian_iku"])
    ws = wb.create_sheet("Kinerja")
    ws.append(["Laporan Capaian Kinerja Instansi 2026"])
    ws.append([])
    ws.append(names + ["catatan"])
    for row in csv.reader(rows):
        values: list[object] = []
        for j, c in enumerate(row):
            try:
                number = Decimal(c)
            except ArithmeticError:
                values.append(c or None)
                continue
            values.append(float(number / 100) if j in percent else float(number))
        ws.append(values + ["catatan"])
        for j in percent:
            ws.cell(row=ws.max_row, column=j + 1).number_format = "0.00%"
    wb.save(folder / "agency-workbook.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(names)
    for row in csv.reader(rows[:4]):
        ws.append([float(c) if c.replace(".", "").isdigit() else c for c in row])
    ws["D3"] = "=D2*2"  # no saved value
    ws.merge_cells("E4:E5")
    wb.save(folder / "formula-merged.xlsx")


def _parquet(folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a", "b"], "agency": ["a", "b"],
                             "capaian_iku": pa.array([{"x": 1}, {"x": 2}]), "realisasi_anggaran": [90.0, 95.0]}),
                   folder / "struct-column.parquet")


def build(folder: Path, large_files: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    small(folder)
    if large_files:
        large(folder)


if __name__ == "__main__":
    small(Path(__file__).parent)
