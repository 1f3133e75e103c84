"""The bilingual infrastructure: choosing the language, the catalogues, translated help, formats."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cli
from engine import i18n
from engine.i18n import _, language_of_env, ngettext
from engine.i18n.formats import format_date, format_number, format_percent

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "id"),  # nothing said: Bahasa Indonesia, the documented default
    ({"LANG": "C.UTF-8"}, "id"),  # a locale without a language says nothing
    ({"LANG": "id_ID.UTF-8"}, "id"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "id"),  # no French catalogue: the default
    ({"LANG": "en_US.UTF-8", "LC_ALL": "id_ID.UTF-8"}, "id"),  # LC_ALL outranks LANG
    ({"LANG": "id_ID.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
    ({"LANGUAGE": "fr:en", "LANG": "id_ID.UTF-8"}, "en"),  # LANGUAGE is a list: first one we have
    ({"KINERJA_LANG": "en", "LC_ALL": "id_ID.UTF-8"}, "en"),  # KINERJA_LANG outranks the locale
    ({"KINERJA_LANG": "ID", "LANG": "en_US.UTF-8"}, "id"),
    ({"KINERJA_LANG": "xx", "LANG": "en_US.UTF-8"}, "en"),  # an unknown KINERJA_LANG is ignored
])
def test_language_from_the_environment(env: dict[str, str], lang: str) -> None:
    assert language_of_env(env) == lang


def test_set_language_outranks_the_environment_and_using_restores() -> None:
    assert i18n.language() == "en"  # conftest: KINERJA_LANG=en
    with i18n.using("id"):
        assert i18n.language() == "id"
        assert _("Options") == "Opsi"
    assert i18n.language() == "en" and _("Options") == "Options"
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_placeholders_are_filled_after_translation() -> None:
    with i18n.using("id"):
        assert _("cannot use `{path}`: {why}", path="a.csv", why="x") == "tidak dapat memakai `a.csv`: x"
    assert _("cannot use `{path}`: {why}", path="a.csv", why="x") == "cannot use `a.csv`: x"


def test_ngettext_fills_n_and_indonesian_has_one_form() -> None:
    # an id absent from the catalogues falls back to the English forms, chosen by n
    assert ngettext("{n} row", "{n} rows", 1) == "1 row"
    assert ngettext("{n} row", "{n} rows", 3) == "3 rows"


def test_catalogues_are_complete_and_compiled() -> None:
    """Every message the code marks (and every help text) is translated in id and en, with the same
    placeholders, and the committed .mo files are compiled from the .po files."""
    from engine.i18n.catalog import problems

    assert problems() == []


def test_the_english_catalogue_is_the_identity() -> None:
    from engine.i18n.catalog import read

    assert all(m.string == m.id for m in read("en") if m.id)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.output


def test_lang_on_the_group_and_on_every_command() -> None:
    code, group_first = run("--lang", "id", "check", "--help")
    assert code == 0 and group_first.startswith("Penggunaan:") and "Opsi:" in group_first
    assert "Periksa berkas atau folder kebijakan" in group_first
    code, command_first = run("check", "--lang", "id", "--help")
    assert code == 0 and command_first == group_first
    assert not [name for name, command in _leaf_commands(cli.main) if "--lang" not in _options(command)]


def _leaf_commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name, command in group.commands.items():
        nested = hasattr(command, "commands")
        found += _leaf_commands(command, f"{prefix}{name} ") if nested else [(prefix + name, command)]
    return found


def _options(command: Any) -> set[str]:
    return {o for p in command.params for o in getattr(p, "opts", [])}


def test_group_help_lists_commands_in_the_language() -> None:
    _code, text = run("--lang", "id", "--help")
    assert "Perintah:" in text and "Nilai berkas DATA yang disampaikan" in text
    _code, text = run("--lang", "en", "--help")
    assert "Commands:" in text and "Score submitted DATA files" in text


def test_a_choice_lasts_one_invocation() -> None:
    assert run("--lang", "id", "fmt", "--help")[1].startswith("Penggunaan:")
    assert i18n.language() == "en"  # back to KINERJA_LANG=en once the command is done
    assert run("fmt", "--lang", "id", "--help")[1].startswith("Penggunaan:")
    assert i18n.language() == "en"
    assert run("fmt", "--help")[1].startswith("Usage:")


def test_an_unknown_language_is_a_usage_error() -> None:
    code, text = run("--lang", "fr", "check", ".")
    assert code == 2 and "fr" in text


def _kinerja(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    chosen = ("KINERJA_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")
    base = {k: v for k, v in os.environ.items() if k not in chosen}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**base, "PYTHONPATH": str(ROOT), **env}, check=False)


def test_locale_and_default_choose_indonesian_in_a_real_process() -> None:
    assert _kinerja(["--help"]).stdout.startswith("Penggunaan:")  # the default
    assert _kinerja(["--help"], LANG="id_ID.UTF-8").stdout.startswith("Penggunaan:")
    assert _kinerja(["--help"], LANG="en_US.UTF-8").stdout.startswith("Usage:")
    assert _kinerja(["--help"], LANG="id_ID.UTF-8", KINERJA_LANG="en").stdout.startswith("Usage:")
    assert _kinerja(["--lang", "en", "--help"], KINERJA_LANG="id").stdout.startswith("Usage:")


def test_start_up_reads_no_catalogue_and_imports_no_babel() -> None:
    code = ("import sys, cli, engine.i18n as i; "
            "print('babel' in sys.modules, i.catalogue.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.split() == ["False", "0"]


def test_clicks_own_words_are_translated() -> None:
    _code, text = run("--lang", "id", "eval", "--help")
    assert "[wajib]" in text and "[required]" not in text and "[bawaan: text]" in text


def test_click_usage_errors_are_translated() -> None:
    code, text = run("--lang", "id", "check", "--no-such-option", ".")
    assert code == 2 and "Tidak ada opsi '--no-such-option'." in text and "Kesalahan:" in text


def test_numbers_and_dates_for_readers() -> None:
    # the issue's own examples: 94,03; 9.900.000; 1 Desember 2026; 35%
    assert format_number(Decimal("94.03"), 2, lang="id") == "94,03"
    assert format_number(9_900_000, lang="id") == "9.900.000"
    assert format_number(9_900_000, lang="en") == "9,900,000"
    assert format_date(dt.date(2026, 12, 1), lang="id") == "1 Desember 2026"
    assert format_date(dt.date(2026, 12, 1), lang="en") == "1 December 2026"
    assert format_percent(0.35, lang="id") == "35%"
    assert format_percent(Decimal("0.9403"), 2, lang="id") == "94,03%"
    assert format_percent(Decimal("0.9403"), 2, lang="en") == "94.03%"


def test_number_rounding_is_half_away_from_zero_on_the_decimal_a_reader_sees() -> None:
    # 2.675 as a float is 2.67499999...; the reader sees 2.675, which rounds half away from zero to 2.68
    assert format_number(2.675, 2, lang="en") == "2.68"
    assert format_number(-2.5, 0, lang="en") == "-3"  # Babel alone would round half even: -2
    assert format_number(0.125, 2, lang="id") == "0,13"
    with i18n.using("id"):
        assert format_number(1234.5) == "1.234,5"  # places None: the value's own decimals


def test_using_is_per_thread_so_concurrent_requests_keep_their_own_language() -> None:
    import threading

    both_inside = threading.Barrier(2)
    seen: dict[str, list[str]] = {}

    def request(lang: str) -> None:
        with i18n.using(lang):
            both_inside.wait(5)  # the other thread has entered its own `using` by now
            seen[lang] = [i18n.language(), _("Options")]
            both_inside.wait(5)

    threads = [threading.Thread(target=request, args=(lang,)) for lang in ("id", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"id": ["id", "Opsi"], "en": ["en", "Options"]}
    assert i18n.language() == "en"  # conftest's KINERJA_LANG: untouched by either


def test_carried_runs_a_worker_thread_in_the_callers_language() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with i18n.using("id"), ThreadPoolExecutor(1) as pool:
        plain = pool.submit(i18n.language).result()
        carried = pool.submit(i18n.carried(i18n.language)).result()
    assert (plain, carried) == ("en", "id")
