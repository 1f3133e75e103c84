"""cli.group: each command's family module is imported when the command runs; listings see them all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

import cli
from cli.group import FAMILIES

ROOT = Path(__file__).resolve().parent.parent


def test_the_family_table_names_every_command_and_its_module() -> None:
    commands = cli.main.commands  # imports every family
    assert sorted(commands) == sorted(FAMILIES)
    assert {name: c.callback.__module__ for name, c in commands.items() if not isinstance(c, click.Group)} == \
        {name: module for name, module in FAMILIES.items() if not isinstance(commands[name], click.Group)}
    groups = {name: {c.callback.__module__ for c in g.commands.values()} for name, g in commands.items()
              if isinstance(g, click.Group)}
    assert groups and all(modules == {FAMILIES[name]} for name, modules in groups.items())


def test_help_lists_every_command_and_a_command_imports_only_its_family() -> None:
    probe = ("import atexit, runpy, sys\n"
             "atexit.register(lambda: print(' '.join(m for m in sorted(sys.modules) if m.startswith('cli'))))\n"
             "sys.argv = ['kinerja', *sys.argv[1:]]\n"
             "runpy.run_module('cli', run_name='__main__')\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    listing = run("--lang", "en", "--help")
    shown = [line.split()[0] for line in listing[listing.index("Commands:") + 1:-1]]
    assert shown == sorted(FAMILIES)  # each with its short help, e.g. "eval  Score submitted DATA files..."
    assert all(len(line.split()) > 1 for line in listing[listing.index("Commands:") + 1:-1])
    loaded = run("verify", "--help")[-1].split()
    assert [m for m in loaded if m in FAMILIES.values()] == ["cli.run"]
