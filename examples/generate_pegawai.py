"""Generate the example employee submission for the SKP policy (seeded, reproducible).

    python examples/generate_pegawai.py > examples/pegawai-2026.csv
    kinerja eval policies/nasional/skp/kinerja-pegawai-2022.kin examples/pegawai-2026.csv -o out/pegawai.csv

Four agencies, about 300 employees in 16 work units, each unit with its own
predicate (SE MenPANRB 3/2023). Ratings are drawn so that most units respect
the distribution quotas and a few do not; about a third of the employees hold
a functional position (jenjang) and earn credit points, some for part of the
year. Six deliberately bad rows must be rejected by `kinerja eval` with their
reasons, and one row lacks its behaviour rating (a runtime error, not a reject).
"""

from __future__ import annotations

import csv
import random
import sys

AGENCIES = {"bakamla": 3, "klhk": 5, "kemenkeu": 5, "pemprov_jabar": 3}  # agency: number of units
UNIT_PREDICATES = ["Istimewa", "Baik", "Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"]
ATAS, SESUAI, BAWAH = "Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"
# Rating pairs (hasil, perilaku) per intended predicate, and the mix a unit of each predicate draws from.
PAIRS = {
    "Sangat Baik": [(ATAS, ATAS)],
    "Baik": [(ATAS, SESUAI), (SESUAI, ATAS), (SESUAI, SESUAI)],
    "Butuh Perbaikan": [(BAWAH, ATAS), (BAWAH, SESUAI)],
    "Kurang/Misconduct": [(ATAS, BAWAH), (SESUAI, BAWAH)],
    "Sangat Kurang": [(BAWAH, BAWAH)],
}
MIX = {  # unit predicate -> weights over employee predicates (SB, B, BP, K, SK)
    "Istimewa": (55, 40, 5, 0, 0),
    "Baik": (15, 65, 15, 5, 0),
    "Butuh Perbaikan": (5, 25, 65, 5, 0),
    "Kurang": (0, 15, 15, 65, 5),
    "Sangat Kurang": (0, 5, 10, 15, 70),
}
JENJANG = ["Pemula", "Terampil", "Mahir", "Penyelia", "Ahli Pertama", "Ahli Muda", "Ahli Madya", "Ahli Utama"]
FIELDS = ["id", "agency", "unit_kerja", "predikat_unit", "hasil_kerja", "perilaku_kerja", "jenjang", "bulan"]


def rows(rng: random.Random) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    n = 0
    for agency, units in AGENCIES.items():
        for u in range(1, units + 1):
            unit = f"{agency}-u{u:02d}"
            unit_predicate = rng.choice(UNIT_PREDICATES)
            for _ in range(rng.randint(12, 26)):
                n += 1
                predikat = rng.choices(list(PAIRS), weights=MIX[unit_predicate])[0]
                hasil, perilaku = rng.choice(PAIRS[predikat])
                functional = rng.random() < 0.35
                months = 12 if rng.random() < 0.8 else rng.randint(1, 11)
                out.append({"id": f"{agency}-{n:04d}", "agency": agency, "unit_kerja": unit,
                            "predikat_unit": unit_predicate, "hasil_kerja": hasil, "perilaku_kerja": perilaku,
                            "jenjang": rng.choice(JENJANG) if functional else "", "bulan": str(months)})
    out[7]["hasil_kerja"] = "Diatas Ekspektasi"      # not a category option
    out[40]["bulan"] = "13"                           # outside the range 1 .. 12
    out[80]["bulan"] = "dua belas"                    # not a number
    out[120]["jenjang"] = "Ahli Pratama"              # misspelt category
    out[160]["predikat_unit"] = "Sangat Baik"         # a unit predicate that does not exist
    out[200]["perilaku_kerja"] = ""                   # missing rating: runtime error (`missing fail`)
    out.append(dict(out[15]))                         # duplicated employee id
    return out


def main() -> None:
    data = rows(random.Random(2026))
    writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)


if __name__ == "__main__":
    main()
