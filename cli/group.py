"""The `kinerja` group: a command family's module is imported when one of its commands is run.

``FAMILIES`` names each command's module; the module registers its commands on the group when
imported (``@main.command``).  Running ``kinerja eval`` imports ``cli.run`` only, not the service,
the analyses, the CI and the policy commands with what they import.  Everything that lists the
commands sees them all: ``kinerja --help`` (each command's short help), a mistyped command's
suggestions, and ``main.commands`` (the tests and the catalogue walk it) import every family first.
A command's parameters are translated (``cli.lang.translate_params``) when the group hands it out.
"""

from __future__ import annotations

import importlib

import click

from cli.lang import TranslatedGroup, translate_params

FAMILIES = {
    "check": "cli.policy", "fmt": "cli.policy", "graph": "cli.policy", "doc": "cli.policy",
    "eval": "cli.run", "explain": "cli.run", "verify": "cli.run",
    "test": "cli.ci", "diff": "cli.ci",
    "benchmark": "cli.analysis", "compare": "cli.analysis", "sensitivity": "cli.analysis", "report": "cli.analysis",
    "serve": "cli.service", "admin": "cli.service", "audit": "cli.service",
}


class LazyGroup(TranslatedGroup):
    """A group whose commands are registered by their family's module, imported on first use."""

    _registering = False

    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        """Every command (each family imported); while a family registers, the table as it stands."""
        if not self._registering:
            for module in dict.fromkeys(FAMILIES.values()):
                importlib.import_module(module)
            for command in self._registered.values():
                translate_params(command)
        return self._registered

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._registered = dict(value)

    @property
    def registered(self) -> dict[str, click.Command]:
        """The commands of the families imported so far."""
        return self._registered

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._registering = True
        try:
            super().add_command(cmd, name)
        finally:
            self._registering = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._registered and cmd_name in FAMILIES:
            importlib.import_module(FAMILIES[cmd_name])
        command = self._registered.get(cmd_name)
        if command is not None:  # its parameters' type names follow the language (cli.lang)
            translate_params(command)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(FAMILIES.keys() | self._registered.keys())
