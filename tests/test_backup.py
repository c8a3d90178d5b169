"""The backup and restore commands of deploy/operators-guide.md, run against databases with cases in them.

Each test takes a backup after the first case, lets a second case arrive,
restores, and checks that the database is back to one case and still works.
mailbot runs in processes of its own, as it would on a server, so that no
connection of the test's own process is open while a database is replaced.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import append, form_bytes, write_config
from servers import Account
from sqlalchemy.engine import make_url

from mailbot.embedded import SmtpSink

SECOND_FORM = form_bytes("plain-cf7.eml")


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; scripts/run-tests installs it")
    return found


def _mailbot(*arguments: str) -> str:
    result = subprocess.run([sys.executable, "-m", "mailbot", *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _run_once(config: Path, now: str) -> None:
    _mailbot("run", "--config", str(config), "--once", "--now", now)


def _references(config: Path) -> list[str]:
    return [row["reference"] for row in json.loads(_mailbot("cases", "--config", str(config), "--json"))]


def test_sqlite_backup_restores(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    database = tmp_path / "mailbot.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    config = write_config(tmp_path, pymap_account, smtp_sink, f"sqlite:///{database}")
    append(pymap_account, form_bytes("html-table.eml"))
    _run_once(config, "2026-10-14T16:00")
    first = _references(config)

    _run(_tool("sqlite3"), str(database), f".backup '{backup}'")
    append(pymap_account, SECOND_FORM)
    _run_once(config, "2026-10-14T17:00")
    assert len(_references(config)) == 2

    shutil.copyfile(backup, database)
    for leftover in (tmp_path / "mailbot.sqlite3-wal", tmp_path / "mailbot.sqlite3-shm"):
        leftover.unlink(missing_ok=True)

    assert _references(config) == first
    _run_once(config, "2026-10-14T18:00")
    assert _references(config) == first


@pytest.mark.postgres
def test_postgres_backup_restores(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, postgres_url: str) -> None:
    # libpq's tools take the URL without SQLAlchemy's driver name.
    libpq_url = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "mailbot.dump"
    config = write_config(tmp_path, pymap_account, smtp_sink, postgres_url)
    append(pymap_account, form_bytes("html-table.eml"))
    _run_once(config, "2026-10-14T16:00")
    first = _references(config)

    _run(_tool("pg_dump"), "--format=custom", f"--file={dump}", libpq_url)
    append(pymap_account, SECOND_FORM)
    _run_once(config, "2026-10-14T17:00")
    assert len(_references(config)) == 2

    _run(_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", f"--dbname={libpq_url}", str(dump))

    assert _references(config) == first
    _run_once(config, "2026-10-14T18:00")
    assert _references(config) == first
