"""Kinerja's messages in Bahasa Indonesia and English: gettext over Babel-managed catalogues.

Every sentence a person reads is written in English in the code and passed through ``_()``
(``ngettext()`` when it counts something); the catalogues ``locale/{id,en}/LC_MESSAGES/kinerja.po``
translate it, compiled to ``.mo`` beside them (``python -m engine.i18n.catalog`` extracts, merges
and compiles; ``docs/i18n.md``).  A module-level string that must be translated later (click help,
a table of messages) is marked with ``N_()`` and translated where it is shown.

The language: ``using()`` (one block of one request or task: a context variable, so concurrent
requests of the web service each keep their own), else ``set_language()`` (the CLI's ``--lang``,
for the whole process), else ``KINERJA_LANG``, else the locale (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``: the first one set; ``id_ID.UTF-8`` gives Indonesian, ``en_US.UTF-8``
English), else Indonesian, the officers' language.  Catalogues are read on first use, so importing
this module costs nothing at start-up.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "kinerja"
LOCALE_DIR = Path(__file__).with_name("locale")
_LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None  # the process's choice (set_language)
_NOT_SET = ""
_scoped: ContextVar[str | None] = ContextVar("kinerja_language", default=_NOT_SET)  # using(): this context's
_recording: ContextVar[bool] = ContextVar("kinerja_recording", default=False)  # recording(): this context's


def _known(lang: str | None) -> str | None:
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


def set_language(lang: str | None) -> None:
    """Use ``lang`` ("id" or "en") from now on in this process; None goes back to the environment."""
    global _chosen
    _chosen = _known(lang)


@contextmanager
def using(lang: str | None) -> Iterator[None]:
    """Messages in ``lang`` inside the block (None: the process's choice), in this context only: a
    thread or asyncio task running beside it keeps its own language; the previous one afterwards
    (a ``set_language`` inside the block, e.g. one CLI invocation's ``--lang``, lasts until its end)."""
    global _chosen
    token, before = _scoped.set(_known(lang)), _chosen
    try:
        yield
    finally:
        _scoped.reset(token)
        _chosen = before


@contextmanager
def recording() -> Iterator[None]:
    """Texts made inside the block (in this context, and on threads it hands work to with ``carried``)
    remember how they were made, to be shown again in another language (``engine.i18n.records``)."""
    token = _recording.set(True)
    try:
        yield
    finally:
        _recording.reset(token)


def is_recording() -> bool:
    """Whether texts made now remember how they were made (inside ``recording()``)."""
    return _recording.get()


def carried(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` running in this context's language on whichever thread calls it (a worker thread
    starts with no ``using`` of its own: a request's reject reasons read ahead on one stay in its language,
    and are recorded when the caller records them: ``engine.i18n.records``)."""
    lang, recording = _scoped.get() or None, _recording.get()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _recording.set(recording)
        try:
            with using(lang):
                return func(*args, **kwargs)
        finally:
            _recording.reset(token)

    return run if lang or recording else func


def language(environ: Mapping[str, str] | None = None) -> str:
    """The language in force: ``using``, ``set_language``, ``KINERJA_LANG``, the locale, then Indonesian."""
    scoped = _scoped.get()
    if scoped:
        return scoped
    if _chosen is not None:
        return _chosen
    env = os.environ if environ is None else environ
    return language_of_env(env)


def language_of_env(env: Mapping[str, str]) -> str:
    """``KINERJA_LANG`` when it names a catalogue; else the first locale variable that is set, when
    it names one (``C``/``POSIX`` or another language says nothing, so the default applies)."""
    wanted = env.get("KINERJA_LANG", "").strip().lower()
    if wanted in LANGUAGES:
        return wanted
    for var in _LOCALE_VARS:
        value = env.get(var, "")
        if value:
            for name in value.split(":"):  # LANGUAGE may list several: "id:en"
                code = name.split(".")[0].split("@")[0].split("_")[0].lower()
                if code in LANGUAGES:
                    return code
            break
    return DEFAULT_LANGUAGE


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang``, read once (an absent file is a packaging bug: raise)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fh:
        return _gettext.GNUTranslations(fh)


def _(message: str, /, **values: Any) -> str:
    """``message`` in the language in force, its ``{name}`` placeholders filled from ``values``."""
    text = catalogue(language()).gettext(message)
    text = text.format(**values) if values else text
    return _recorded(text, {"id": message}, values) if _recording.get() else text


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The singular or plural form for ``n`` (Indonesian has one form), ``{n}`` and ``values`` filled."""
    text = catalogue(language()).ngettext(singular, plural, n).format(n=n, **values)
    return _recorded(text, {"id": singular, "plural": plural, "n": n}, values) if _recording.get() else text


def _recorded(text: str, record: dict[str, Any], values: dict[str, Any]) -> str:
    """While recording (``engine.i18n.records``): the text with how it was made, to be shown again in
    another language."""
    from engine.i18n.records import recorded

    return recorded(text, record, values)


def N_(message: str, /) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalogue without translating it yet (translate it with ``_()`` where shown)."""
    return message
