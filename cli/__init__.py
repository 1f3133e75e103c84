"""The `kinerja` command: one module per command family, one thin function per command.

Exit codes: 0 ok, 1 findings (errors, or warnings under --strict; a would-change
file under fmt --check), 2 usage error, 3 internal error.  A command family's module is imported
when one of its commands runs (``cli.group``), heavy modules inside the commands.  ``--lang id|en``
(on the group and on every command) chooses the messages' language (``engine.i18n``; help
translated by ``cli.lang``).  The process itself is ``cli.__main__``.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

# Kinerja calls no BLAS routine: numpy's OpenBLAS need not start a thread per core when imported
# (about 20 ms of CPU per run).  A value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from cli.group import LazyGroup
from cli.lang import lang_option, translate_click
from engine.i18n import _

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = click.Choice(["text", "json"])


def guarded(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code.  A ``KinerjaError`` (the user's policy,
    data, options or files) is rendered as its diagnostics and exits 1 or 2 (``exit_code``); a
    file the system refuses is an ``io.file`` diagnostic (exit 2); anything else is a bug: exit 3
    with a one-line message unless --debug asks for the traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place failures are sorted from bugs
            diags = _user_failure(exc)
            if diags is not None:
                from cli.common import stopped

                sys.exit(stopped(diags))
            if debug:
                traceback.print_exc()
            click.echo(_("kinerja: internal error: {kind}: {error}", kind=type(exc).__name__, error=exc), err=True)
            if not debug:
                click.echo(_("  (run again with --debug for the details, and please report it)"), err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(code)

    wrapper = click.option("--debug", is_flag=True, help="Show Python tracebacks of internal errors.")(wrapper)
    return lang_option()(wrapper)


def _user_failure(exc: Exception) -> list[Any] | None:
    """The diagnostics of a failure caused by the user's policy, data, options or files; None for a bug."""
    from engine.diagnostics import KinerjaError, error, file_span

    if isinstance(exc, KinerjaError):
        return list(exc.diagnostics)
    if isinstance(exc, OSError) and exc.filename is not None:
        # mkdir of a folder whose name a file already has, or a path through a file
        not_folder = isinstance(exc, (FileExistsError, NotADirectoryError))
        why = _("a file is in the way of a folder") if not_folder else exc.strerror or str(exc)
        return [error("io.file", _("cannot use `{path}`: {why}", path=exc.filename, why=why),
                      file_span(exc.filename), _("check the path and its permissions"))]
    return None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kinerja", message="kinerja %(version)s")
@lang_option(for_group=True)
def main() -> None:
    """Kinerja: public-sector performance rules as code."""


# The command families register themselves on `main` when imported: the one of the command run
# (cli.group.FAMILIES), or every one when the commands are listed; each family's parameters are
# translated when it is imported (cli.group).
translate_click(main)  # no catalogue is read at import
