"""Generate the example submission for the national Balanced Scorecard (seeded, reproducible).

    python examples/generate.py > examples/instansi-2026.csv
    python examples/generate.py 2025 > examples/instansi-2025.csv   # the year before, for `compare`

Sixty agencies (three with their own agency policy), a few missing values, and
five deliberately bad rows that `kinerja eval` must reject with their reasons.
"""

from __future__ import annotations

import csv
import random
import sys

AGENCIES = ["kemenkeu", "kemenpanrb", "pemprov_jabar"] + [f"instansi_{i:02d}" for i in range(1, 58)]
FIELDS = {  # name: (low, high, decimals)
    "capaian_iku": (70, 125, 2), "ikm": (70, 98, 2), "waktu_layanan": (1, 12, 1), "ikpa": (75, 100, 2),
    "realisasi_anggaran": (70, 100, 2), "indeks_spbe": (1.5, 4.8, 2), "indeks_persepsi_integritas": (2.8, 3.9, 2),
    "indeks_budaya_kerja": (2.5, 4.9, 2), "jp_pengembangan": (40, 100, 1), "nilai_sakip": (55, 92, 2),
    "tindak_lanjut_bpk": (50, 100, 1),
}
OPTIONAL = ["ikm", "waktu_layanan", "indeks_spbe", "indeks_budaya_kerja", "tindak_lanjut_bpk"]


def rows(rng: random.Random) -> list[dict[str, str]]:
    out = []
    for agency in AGENCIES:
        row = {"id": agency, "agency": agency, "opini_lk": rng.choice(["WTP"] * 6 + ["WDP", "WDP", "TW", "TMP"])}
        for name, (lo, hi, dec) in FIELDS.items():
            row[name] = f"{rng.uniform(lo, hi):.{dec}f}"
        if rng.random() < 0.25:
            row[rng.choice(OPTIONAL)] = ""
        out.append(row)
    out[10]["ikm"] = "101.5"            # outside range 25 .. 100
    out[20]["capaian_iku"] = "sembilan puluh"  # not a number
    out[30]["realisasi_anggaran"] = "92,5"     # decimal comma
    out[40]["opini_lk"] = "WTPP"               # not a category option
    out.append(dict(out[5]))                   # duplicated subject id
    return out


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2026
    data = rows(random.Random(year))
    writer = csv.DictWriter(sys.stdout, fieldnames=list(data[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)


if __name__ == "__main__":
    main()
