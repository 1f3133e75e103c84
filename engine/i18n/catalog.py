"""Keeping the catalogues in step with the code: extract, merge, compile, and find what is missing.

``python -m engine.i18n.catalog`` extracts every ``_()``/``ngettext()``/``N_()`` message of
``engine/`` and ``cli/`` (Babel's Python extractor, as ``pybabel extract -F babel.cfg`` does), of the
web pages' Jinja templates (Jinja's extractor) and
every command's and option's help (walking the click commands), merges
them into ``locale/{id,en}/LC_MESSAGES/kinerja.po`` (new messages untranslated, removed ones
dropped), fills the English catalogue's new entries with their English ids, and compiles both to
``.mo``.  Then translate the new Indonesian entries in ``id/.../kinerja.po`` (``docs/glossary.md``
has the terms) and run it again.  ``--check`` changes nothing and lists every problem (the test
suite runs it): a message missing from a catalogue or untranslated, placeholders that differ, a
``.mo`` older than its ``.po``.  Only this maintenance step imports Babel's catalogue machinery.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from engine.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("engine", "cli")
TEMPLATES = "engine/service/templates"  # the web pages: Jinja's extractor finds their _() and ngettext()
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)(![rsa])?(:[^{}]*)?\}")  # a str.format field: {name}, {n:,}, {x!r}


def extract(root: Path = ROOT) -> Catalog:
    """Every message the code marks, with where it is used."""
    template = Catalog(domain=DOMAIN, project="kinerja", charset="utf-8")
    for folder in SOURCES:
        found = extract_from_dir(root / folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
                                 comment_tags=("TRANSLATORS:",), strip_comment_tags=True)
        for filename, lineno, message, comments, context in found:
            template.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments,
                         context=context, flags=_flags(message))
    found = extract_from_dir(root / TEMPLATES, method_map=[("**.html", "jinja2.ext:babel_extract")],
                             keywords=KEYWORDS, options_map={"**.html": {"autoescape": "true"}})
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(f"{TEMPLATES}/{filename}", lineno)], auto_comments=comments, context=context,
                     flags=_flags(message))
    for text in _help_texts():
        template.add(text, None, [("cli/help", None)], flags=_flags(text))
    return template


def _help_texts() -> list[str]:
    """The commands' and options' help (translated where click shows it: ``cli.lang``)."""
    from cli import main
    from cli.lang import help_texts

    return list(help_texts(main))


def _flags(message: str | tuple[str, ...]) -> tuple[str, ...]:
    texts = message if isinstance(message, tuple) else (message,)
    return ("python-brace-format",) if any(PLACEHOLDER.search(t) for t in texts) else ()


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="kinerja", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def update(root: Path = ROOT) -> None:
    """Merge the extracted messages into both catalogues and compile them."""
    template = extract(root)
    for lang in LANGUAGES:
        catalog = read(lang)
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date, catalog.fuzzy = created, False  # no churn in the header
        if lang == "en":  # English source strings are the ids: the catalogue is the identity, kept complete
            for message in catalog:
                if message.id and not _translated(message.string):
                    message.string = message.id
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, ignore_obsolete=True, sort_output=True)
        with path.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, read(lang))


def _translated(string: str | tuple[str, ...] | None) -> bool:
    texts = string if isinstance(string, tuple) else (string,)
    return all(texts)


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}


def problems(root: Path = ROOT) -> list[str]:
    """Everything that keeps the catalogues from being complete and in step with the code."""
    template = extract(root)
    found: list[str] = []
    for lang in LANGUAGES:
        catalog = read(lang)
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id)
            if entry is None:
                found.append(f"{lang}: missing {message.id!r} ({_where(message)})")
            elif not _translated(entry.string) or entry.fuzzy:
                found.append(f"{lang}: untranslated {message.id!r}")
            else:
                found += [f"{lang}: {p}" for p in _placeholder_problems(message.id, entry.string)]
        found += _stale_mo(lang, catalog)
    return found


def _where(message: object) -> str:
    return ", ".join(f"{f}:{n}" for f, n in getattr(message, "locations", [])[:2])


def _placeholder_problems(msgid: str | tuple[str, ...], string: str | tuple[str, ...]) -> list[str]:
    ids = msgid if isinstance(msgid, tuple) else (msgid,)
    strings = string if isinstance(string, tuple) else (string,)
    wanted = _placeholders(ids[-1]) | _placeholders(ids[0])
    return [f"placeholders {sorted(_placeholders(s))} differ from {sorted(wanted)} in {ids[0]!r}"
            for s in strings if _placeholders(s) != wanted]


def _stale_mo(lang: str, catalog: Catalog) -> list[str]:
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    mo = po_path(lang).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled.getvalue():
        return [f"{lang}: {mo.name} is not compiled from {po_path(lang).name} (run python -m engine.i18n.catalog)"]
    return []


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = problems()
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    update()
    print(f"catalogues updated under {LOCALE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
