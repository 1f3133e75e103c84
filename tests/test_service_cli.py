"""`kinerja serve`, `admin token` and `audit verify` at the command line: exit codes and messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

import cli
from tests.service_kit import ROOT


def test_serve_refuses_to_start_on_policies_with_errors(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    kin = policies / "nasional" / "bsc-instansi.kin"
    kin.write_text(kin.read_text() + "\nindicator broken {\n")
    result = CliRunner().invoke(cli.main, ["serve", "--policies", str(policies), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "bsc-instansi.kin:" in result.output and "error" in result.output


def test_admin_commands_check_their_arguments(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_role = runner.invoke(cli.main, ["admin", "token", "create", "--agency", "x", "--role", "root",
                                        "--data-dir", str(tmp_path)])
    assert bad_role.exit_code == 2 and "root" in bad_role.output
    missing = runner.invoke(cli.main, ["audit", "verify", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert missing.exit_code == 2 and "no database" in missing.output


def test_token_create_on_the_embedded_default_creates_and_migrates_the_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.main, ["admin", "token", "create", "--agency", "kemenkeu", "--role", "auditor",
                                           "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0 and result.stdout.startswith("kin_")
    assert (tmp_path / "data" / "kinerja.db").exists()
    listed = CliRunner().invoke(cli.main, ["admin", "token", "list", "--data-dir", str(tmp_path / "data")])
    assert "kemenkeu" in listed.output and "auditor" in listed.output and "active" in listed.output
