"""Texts that remember how they were made (engine.i18n.records): written in one language, stored as
JSON, shown again in the other; only inside ``recording()``, on the threads it hands work to too."""

from __future__ import annotations

import json
import pickle
import threading
from decimal import Decimal

import numpy as np

from engine.i18n import _, carried, ngettext, using
from engine.i18n.records import Recorded, record_of, recording, shown

NOT_A_NUMBER = "`{value}` is not a number"  # id: "`{value}` bukan angka" (kinerja.po)


def _again(text: str, lang: str) -> str | None:
    """``text``'s record through JSON (as stored), shown in ``lang``."""
    with using(lang):
        return shown(json.loads(json.dumps(record_of(text))), "as stored")


def test_outside_recording_a_text_is_a_plain_string() -> None:
    made = _(NOT_A_NUMBER, value="banyak")
    assert type(made) is str and record_of(made) is None


def test_a_recorded_text_is_shown_again_in_the_other_language() -> None:
    with using("id"), recording():
        made = _(NOT_A_NUMBER, value="banyak")
        row = _("line {n}", n=np.int64(5))  # a numpy count, as the readers pass them
    assert made == "`banyak` bukan angka" and isinstance(made, Recorded)
    assert record_of(made) == {"id": NOT_A_NUMBER, "values": {"value": "banyak"}}
    assert record_of(row) == {"id": "line {n}", "values": {"n": 5}}
    assert (_again(made, "en"), _again(row, "en")) == ("`banyak` is not a number", "line 5")
    assert (_again(made, "id"), _again(row, "id")) == ("`banyak` bukan angka", "baris 5")


def test_a_text_made_of_texts_keeps_each_part() -> None:
    with using("en"), recording():
        why = _("policy `{policy}` has no group constraint by unit", policy="skp")
        made = _("{why}, so it cannot be submitted by one unit (`{unit}`); submit it with the agency's token",
                 why=why, unit="u1")
    assert record_of(made)["values"]["why"] == record_of(why)  # type: ignore[index]
    # kinerja.po: "kebijakan `{policy}` tidak memiliki batasan kelompok per unit" and "{why}, sehingga
    # tidak dapat dikirim oleh satu unit (`{unit}`); kirimkan dengan token instansi"
    assert _again(made, "id") == ("kebijakan `skp` tidak memiliki batasan kelompok per unit, sehingga tidak dapat "
                                  "dikirim oleh satu unit (`u1`); kirimkan dengan token instansi")


def test_plural_forms_and_exact_decimals() -> None:
    with using("id"), recording():
        counted = ngettext("Chain intact: {n} entry, head {head}.", "Chain intact: {n} entries, head {head}.", 3,
                           head="ab12")
        exact = _(NOT_A_NUMBER, value=Decimal("94.030"))
    assert counted == "Rantai utuh: 3 entri, ujung ab12."
    assert _again(counted, "en") == "Chain intact: 3 entries, head ab12."
    assert record_of(exact)["values"] == {"value": {"decimal": "94.030"}}  # type: ignore[index]
    assert _again(exact, "en") == "`94.030` is not a number"


def test_a_record_the_catalogue_no_longer_knows_shows_the_stored_text() -> None:
    assert shown({"id": "a message since reworded {x}", "values": {"x": 1}}, "as stored") == "as stored"
    assert shown({"id": NOT_A_NUMBER, "values": {}}, "as stored") == "as stored"  # its value is missing
    assert shown({"id": "line {n}", "values": {"n": {"id": "gone"}}}, "as stored") == "as stored"
    assert shown(None, "as stored") == "as stored"


def test_recorded_texts_survive_pickling() -> None:
    with recording():
        made = _(NOT_A_NUMBER, value="x")
    again = pickle.loads(pickle.dumps(made))
    assert again == made and record_of(again) == record_of(made)


def test_work_handed_to_a_thread_is_recorded_in_the_callers_language() -> None:
    found: list[str] = []

    def work() -> None:
        found.append(_(NOT_A_NUMBER, value="x"))

    with using("id"), recording():
        thread = threading.Thread(target=carried(work))
        thread.start()
        thread.join()
    plain = threading.Thread(target=carried(work))  # outside: nothing to carry, a plain text
    plain.start()
    plain.join()
    assert found[0] == "`x` bukan angka" and record_of(found[0]) is not None
    assert record_of(found[1]) is None


def test_a_number_written_for_people_is_written_again_in_the_readers_digits() -> None:
    from engine.i18n.formats import format_number

    with using("id"), recording():
        made = _("share {share}%, limit {op} {limit}%", share=format_number(np.float64(85.71)), op="<=",
                 limit=format_number(Decimal("70")))
        fixed = format_number(1234.5, 2)
    assert made == "bagian 85,71%, batas <= 70%"  # kinerja.po: "bagian {share}%, batas {op} {limit}%"
    assert _again(made, "en") == "share 85.71%, limit <= 70%"
    assert (fixed, _again(fixed, "en")) == ("1.234,50", "1,234.50")
    assert type(format_number(85.71)) is str  # outside recording: a plain text
