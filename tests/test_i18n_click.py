"""Click's own words in the reader's language: the usage line's placeholders, the arguments' and the
types' names, the numbers of option defaults and ranges, and the usage errors click writes itself
(its counted messages included)."""

from __future__ import annotations

import re
from typing import Any

from click.testing import CliRunner

import cli

# Click's English words that must not show in an Indonesian help page or usage error (outside the
# option names and choices, which are what the user types).
ENGLISH = re.compile(r"\b(OPTIONS|COMMAND|ARGS|TEXT|INTEGER|FLOAT|RANGE|FILE|DIRECTORY|PATH|POLICY|PATHS|OLD|NEW|"
                     r"TOKEN_ID|Usage|Options|Commands|Error|default|required|is not|does not|requires|"
                     r"Did you mean)\b")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.output


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found += _commands(command, (*prefix, name)) if hasattr(command, "commands") else [(*prefix, name)]
    return found


def _outside_choices(text: str) -> str:
    """Help text without what the user types: option names, `[a|b]` choices, `(KINERJA_LANG)`..."""
    return re.sub(r"--?[\w-]+|\[[^\]\n]*\|[^\]\n]*\]|\bKINERJA_\w+|`[^`]*`", " ", text)


def test_every_help_page_is_indonesian_around_what_the_user_types() -> None:
    pages = [("--help",), *((*c, "--help") for c in _commands(cli.main))]
    english = {}
    for page in pages:
        code, text = run("--lang", "id", *page)
        assert code == 0, (page, text)
        found = ENGLISH.findall(_outside_choices(text))
        if found:
            english[" ".join(page)] = sorted(set(found))
    assert english == {}


def test_the_usage_line_names_arguments_and_placeholders_in_the_language() -> None:
    assert "eval [OPSI] KEBIJAKAN DATA..." in run("--lang", "id", "eval", "--help")[1].splitlines()[0]
    assert "[OPSI] PERINTAH [ARGUMEN]..." in run("--lang", "id", "--help")[1].splitlines()[0]
    assert "diff [OPSI] LAMA BARU" in run("--lang", "id", "diff", "--help")[1].splitlines()[0]
    assert "diff [OPTIONS] OLD NEW" in run("--lang", "en", "diff", "--help")[1].splitlines()[0]  # English unchanged


def test_option_defaults_and_ranges_are_written_as_the_reader_writes_numbers() -> None:
    _code, text = run("--lang", "id", "sensitivity", "--help")
    flat = " ".join(text.split())
    assert "[bawaan: 0,2; 0<=x<=0,99]" in flat  # --weight-range: default 0.2, range 0 .. 0.99
    assert "[bawaan: 200; 1<=x<=100.000]" in flat  # --runs: 1 .. 100000, thousands with a dot
    assert "--runs BILANGAN BULAT" in flat and "--weight-range ANGKA" in flat
    assert "--as-of YYYY-MM-DD" in flat  # the date as written, not strftime's `[%Y-%m-%d]`
    _code, text = run("--lang", "en", "sensitivity", "--help")
    flat = " ".join(text.split())
    assert "[default: 0.2; 0<=x<=0.99]" in flat and "1<=x<=100000]" in flat and "--runs INTEGER RANGE" in flat


def test_clicks_counted_and_typed_errors_are_translated() -> None:
    cases = {
        ("graph", "--format", "x", "policies/"): "'x' bukan salah satu dari 'text', 'dot', 'mermaid'.",
        ("sensitivity", "policies/", "x.csv", "--runs", "abc"): "'abc' bukan bilangan bulat yang sah.",
        ("eval", "tidak-ada.kin", "x.csv"): "Berkas atau folder 'tidak-ada.kin' tidak ada.",
        ("explain", "policies/", "x.csv", "--id"): "Opsi '--id' memerlukan argumen.",
        ("eval", "policies/", "x.csv", "--as-of", "2026-13-01"): "'2026-13-01' tidak sesuai format '%Y-%m-%d'.",
        ("explain", "policies/", "x.csv", "--idd", "x"): "Tidak ada opsi '--idd'. Maksud Anda '--id'?",
        ("eval", "policies/"): "Argumen belum diisi 'DATA...'.",
    }
    for args, expected in cases.items():
        code, text = run("--lang", "id", *args)
        assert code == 2 and expected in text, (args, text)
        assert not ENGLISH.search(_outside_choices(text.replace("'%Y-%m-%d'", ""))), (args, text)
