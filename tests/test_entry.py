"""`kinerja` as a process (cli.__main__): it ends as the interpreter would, minus the teardown."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
# buffered output, as a user's shell gives a pipe or a file (the flush before the end is tested)
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(ROOT)}


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=120)


def kinerja(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=120)


def test_the_output_on_a_pipe_is_complete_and_the_exit_codes_are_the_commands() -> None:
    # stdout on a pipe is block-buffered: without the flush before os._exit the JSON would be lost
    ok = kinerja("check", "--format", "json", "policies/nasional/skp/kinerja-pegawai-2022.kin")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["diagnostics"] == []
    assert kinerja("eval", "policies/", "examples/instansi-2026.csv", "-o", "x.txt").returncode == 2
    assert kinerja("no-such-command").returncode == 2


def test_atexit_handlers_and_running_threads_finish_before_the_process_ends() -> None:
    code = ("import atexit, gc, runpy, sys, threading, time\n"
            "atexit.register(lambda: print('atexit ran', gc.get_threshold()))\n"
            "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', flush=True))).start()\n"
            "sys.argv = ['kinerja', '--version']\n"
            "runpy.run_module('cli', run_name='__main__')\n")
    done = python(code)
    assert done.returncode == 0, done.stderr
    # the version, then the thread waited for, then the handler; the collector's young threshold is
    # the process's own (cli.__main__.YOUNG), the older generations' Python's defaults
    assert done.stdout.splitlines()[1:] == ["thread done", "atexit ran (100000, 10, 10)"]
    assert done.stdout.startswith("kinerja ")


def test_leave_gives_the_codes_python_gives() -> None:
    for code in ("None", "0", "3", "'stopped by text'"):
        ours = python(f"from cli.__main__ import leave\nleave({code})")
        theirs = python(f"import sys\nsys.exit({code})")
        assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr)
    # stdout closed under buffered output: the failed flush gives 120, as the interpreter's exit does
    lost = "import os\nprint('x')\nos.close(1)\n"
    assert python("from cli.__main__ import leave\n" + lost + "leave(0)").returncode == 120
    assert python(lost).returncode == 120


def test_in_process_callers_keep_their_collector_and_their_process() -> None:
    before = gc.get_threshold()
    result = CliRunner().invoke(cli.main, ["--version"])
    assert result.exit_code == 0 and "kinerja" in result.output
    assert gc.get_threshold() == before  # only `kinerja` as a process changes it
