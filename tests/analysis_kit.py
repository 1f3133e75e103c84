"""A small policy and data set whose benchmark, improvement and sensitivity figures are known by hand."""

from __future__ import annotations

from pathlib import Path

from engine import api

POLICY = '''policy uji "Uji analisis" version "1"
period 2026-01-01 .. 2026-12-31
subject agency

input grup "Grup" { type one of ("A", "B") }

indicator a "Indikator A" {
    kind outcome  unit "%"  source "S"  range 0 .. 200  target 100
    period 2026-01-01 .. 2026-12-31
    score ratio cap 120
}

indicator b "Indikator B" {
    kind outcome  unit "%"  source "S"  range 0 .. 200  target 100
    period 2026-01-01 .. 2026-12-31
    score ratio cap 100
}

scorecard s "Nilai" {
    a weight WA
    b weight WB
}

rating r "Predikat" of s {
    "Baik"   when >= 80
    "Cukup"  when >= 60 and < 80
    "Kurang" when < 60
}

benchmark s { reference "Nasional" 75 source "Laporan nasional" }
benchmark s within grup {}
'''

# s = 0.6 a + 0.4 b (scores = raw, all below the caps except where noted)
FIVE = """id,agency,grup,a,b
p1,p1,A,100,100
p2,p2,A,90,60
p3,p3,A,80,90
p4,p4,B,90,60
p5,p5,B,0,50
"""


def run(tmp: Path, data: str = FIVE, wa: str = "60%", wb: str = "40%", name: str = "data.csv") -> api.Run:
    pol = tmp / "uji.kin"
    pol.write_text(POLICY.replace("WA", wa).replace("WB", wb), encoding="utf-8")
    csv = tmp / name
    csv.write_text(data, encoding="utf-8")
    return api.evaluate_files(api.compile_policies([pol]), [csv])
