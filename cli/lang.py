"""The command line in the reader's language: ``--lang``, translated help, click's own texts.

Help texts stay English in the code (command docstrings, ``help=``) and are translated when shown:
``TranslatedCommand``/``TranslatedGroup`` swap each text for its catalogue entry while click
formats the page.  ``python -m engine.i18n.catalog`` collects them by walking the command tree
(``help_texts``), so a new option's help lands in the catalogue without marking it.  Click's own
words (``Usage:``, ``Options``, its usage errors) go through the same catalogue: ``CLICK_TEXTS``
marks the ones it prints, and ``translate_click`` points click's gettext hooks at ours.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from engine.i18n import LANGUAGES, N_, _, catalogue, language, set_language, using

LANG_HELP = N_("Language of the messages: id (Bahasa Indonesia) or en (default: KINERJA_LANG, the locale, else id).")

CLICK_TEXTS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("Error: {message}"), N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"), N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"), N_("Missing option"), N_("Missing parameter"), N_("Missing command."),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Aborted!"),
    N_("default: {default}"), N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."), N_("file"), N_("directory"), N_("path"),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("{value!r} is not one of {choices}."), N_("{value!r} is not {choice}."),
    N_("Got unexpected extra argument ({args})"), N_("Got unexpected extra arguments ({args})"),
    N_("Option {name!r} requires an argument."), N_("Option {name!r} does not take a value."), N_("required"),
    # the plural forms click asks ngettext for: each translated as a message of its own (_plural)
    N_("Option {name!r} requires {nargs} arguments."), N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"), N_("{value!r} does not match the format {format}."),
    N_("{value!r} does not match the formats {formats}."), N_("Missing parameter: {param_name}"),
    N_("Could not open file {filename!r}: {message}"), N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."), N_("Value must be an iterable."),
    # the usage line's placeholders and the names of click's types (``TEXT``, ``'x' is not a valid integer``)
    N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("text"), N_("integer"), N_("integer range"), N_("float"),
    N_("float range"), N_("boolean"), N_("datetime"), N_("filename"),
    # the commands' arguments as the usage line and the help name them (``KEBIJAKAN DATA...``)
    N_("policy"), N_("data"), N_("paths"), N_("old"), N_("new"), N_("manifest"), N_("token_id"),
)
USAGE_WORDS = frozenset(("[OPTIONS]", "COMMAND [ARGS]..."))


def _text(message: str) -> str:
    return catalogue(language()).gettext(message)


def _plural(singular: str, plural: str, n: int) -> str:
    """Click's counted messages: each form is a message of its own in our catalogue (Indonesian
    has one form, so the two forms need no plural entry)."""
    return _text(singular if n == 1 else plural)


class _Term(str):
    """A click type's name (``integer``, ``file``) read in the language in force wherever click shows
    it: inside a message (``format``), capitalised (``Berkas 'x' tidak ada``) or as a metavar (``TEKS``)."""

    def __format__(self, spec: str) -> str:
        return format(_text(str.__str__(self)), spec)

    def __str__(self) -> str:
        return _text(str.__str__(self))

    def title(self) -> str:  # a sentence's first word: "Berkas atau folder 'x' tidak ada"
        text = str(self)
        return text[:1].upper() + text[1:]

    def upper(self) -> str:
        return str(self).upper()


def _figures(text: str) -> str:
    """The numbers of an option's default or range as the reader writes them (``0,2``, ``100.000``)."""
    if language() == "en" or not re.search(r"\d", text):
        return text
    from decimal import Decimal

    from engine.i18n.formats import format_number

    return re.sub(r"\d+(?:\.\d+)?", lambda m: format_number(Decimal(m[0])), text)


def _help_extra(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def extra(self: click.Option, ctx: click.Context) -> dict[str, Any]:
        out = original(self, ctx)
        for key in ("default", "range"):
            if isinstance(out.get(key), str):
                out[key] = _figures(out[key])
        return out
    return extra


def translate_click(command: click.Command) -> None:
    """Click's modules call their module-level ``_``/``ngettext`` (stdlib gettext): use our catalogue;
    the type names of ``command``'s parameters (and its subcommands') follow the language too, and the
    numbers of an option's default and range."""
    from click import core, decorators, exceptions, formatting, parser, types

    for module in (core, decorators, exceptions, formatting, parser, types):
        if hasattr(module, "_"):
            module._ = _text  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _plural  # type: ignore[attr-defined]
    click.Option.get_help_extra = _help_extra(click.Option.get_help_extra)  # type: ignore[method-assign]
    translate_params(command)


def translate_params(command: click.Command) -> None:
    """The type names of ``command``'s parameters (and its subcommands') follow the language; a
    command family loaded later (``cli.group``) has its own translated when it is loaded."""
    for param in _params(command):
        if type(param.type.name) is str:
            param.type.name = _Term(param.type.name)
        if isinstance(param, click.Argument) and type(param.name) is str:  # its metavar is name.upper()
            param.name = _Term(param.name)


def _params(command: click.Command) -> Iterator[click.Parameter]:
    yield from command.params
    made = getattr(command, "registered", None)  # a lazy group's loaded commands (cli.group)
    for sub in (made if made is not None else getattr(command, "commands", {})).values():
        yield from _params(sub)


def _choose_for_run(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """The group's --lang: a value chooses, no value goes back to KINERJA_LANG / the locale / id."""
    set_language(value)


def _choose_for_command(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """A command's --lang (``kinerja eval --lang id``): chooses when given, else keeps the group's."""
    if value is not None:
        set_language(value)


def lang_option(for_group: bool = False) -> Callable[[Any], Any]:
    return click.option("--lang", type=click.Choice(LANGUAGES), is_eager=True, expose_value=False,
                        callback=_choose_for_run if for_group else _choose_for_command, help=LANG_HELP)


@contextmanager
def _translated(command: click.Command, ctx: click.Context | None) -> Iterator[None]:
    """The command's (and with ``ctx``, its parameters') help in the language in force, while click
    formats them."""
    saved = [(command, "help", command.help), (command, "short_help", command.short_help)]
    if ctx is not None:
        saved += [(p, "help", getattr(p, "help", None)) for p in command.get_params(ctx)]
    for obj, attr, text in saved:
        if text:
            setattr(obj, attr, _(inspect.cleandoc(text)))
    try:
        yield
    finally:
        for obj, attr, text in saved:
            setattr(obj, attr, text)


class TranslatedCommand(click.Command):
    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """``kinerja eval [OPSI] POLICY DATA...``: click's placeholders in the reader's words."""
        return [_text(p) if p in USAGE_WORDS else p for p in super().collect_usage_pieces(ctx)]

    def get_help(self, ctx: click.Context) -> str:
        with _translated(self, ctx):
            return super().get_help(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self, None):
            return super().get_short_help_str(limit)


class TranslatedGroup(TranslatedCommand, click.Group):
    command_class = TranslatedCommand
    group_class = type  # nested groups are TranslatedGroups too

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """One invocation's --lang lasts for that invocation (in-process callers: tests, the API)."""
        with using(None):
            return super().main(*args, **kwargs)


def help_texts(command: click.Command) -> Iterator[str]:
    """Every help text of ``command`` and the commands under it (what ``_translated`` looks up)."""
    for text in (command.help, command.short_help, *(getattr(p, "help", None) for p in command.params)):
        if text:
            yield inspect.cleandoc(text)
    for sub in getattr(command, "commands", {}).values():
        yield from help_texts(sub)
