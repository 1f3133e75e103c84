"""The `kinerja` command: one module per command family, one thin function per command.

Exit codes: 0 ok, 1 findings (errors, or warnings under --strict; a would-change
file under fmt --check), 2 usage error, 3 internal error.  Heavy modules are
imported inside the commands so `kinerja --help` stays instant.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = click.Choice(["text", "json"])


def guarded(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code; a bug becomes exit 3
    with a one-line message unless --debug asks for the traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - the one place bugs are caught
            if debug:
                traceback.print_exc()
            click.echo(f"kinerja: internal error: {type(exc).__name__}: {exc}", err=True)
            if not debug:
                click.echo("  (run again with --debug for the details, and please report it)", err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(code)

    return click.option("--debug", is_flag=True, help="Show Python tracebacks of internal errors.")(wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kinerja", message="kinerja %(version)s")
def main() -> None:
    """Kinerja: public-sector performance rules as code."""


# The command families register themselves on `main` when imported.
from cli import analysis, ci, policy, run, service  # noqa: E402,F401
