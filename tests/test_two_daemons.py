"""Two daemons on one database and one mailbox: one works, one waits, nothing is done twice."""

from __future__ import annotations

import collections
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harness import append, folder_counts, form_bytes, mailbot, parsed, start_daemon, write_config
from servers import Account
from sqlalchemy import select, text

from mailbot.config import load_settings
from mailbot.embedded import SmtpSink
from mailbot.store.database import create_database_engine, session_factory
from mailbot.store.models import Case, InboundMessage

WAIT_SECONDS = 60


def _form(number: int) -> bytes:
    text = form_bytes("html-table.eml")
    return (
        text.replace(b"Fernhill Community School", f"Twin School {number}".encode())
        .replace(b"<wpforms-20261105100312-4471@star-tsa.example>", f"<twin-{number}@star-tsa.example>".encode())
    )


def _wait_until(condition, description: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {description}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


@pytest.mark.postgres
def test_second_daemon_waits_then_takes_over(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, postgres_url: str) -> None:
    config = write_config(tmp_path, pymap_account, smtp_sink, postgres_url)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    sessions = session_factory(create_database_engine(load_settings(config).database.url))
    first = start_daemon(config, first_log)
    _wait_until(lambda: "IDLE on" in first_log.read_text(errors="replace"), "the first daemon to start")
    second = start_daemon(config, second_log)
    try:
        _wait_until(lambda: "STANDBY" in second_log.read_text(errors="replace"), "the second daemon to wait")
        append(pymap_account, *[_form(number) for number in range(10)])
        _wait_until(lambda: folder_counts(pymap_account)["Processed"] == 10 and len(smtp_sink.messages) == 50, "the first batch")

        # The working daemon dies without warning; the standby must notice and carry on.
        first.send_signal(signal.SIGKILL)
        first.wait()
        append(pymap_account, *[_form(number) for number in range(10, 15)])
        _wait_until(lambda: folder_counts(pymap_account)["Processed"] == 15 and len(smtp_sink.messages) == 75, "the standby to take over")
        result = mailbot("run", "--config", str(config), "--once")
    finally:
        _stop(first)
        _stop(second)

    assert "LOCK taken over" in second_log.read_text(errors="replace")
    assert result.exit_code != 0
    assert "another mailbot is working on this database" in result.output
    with sessions() as session:
        assert len(session.scalars(select(Case)).all()) == 15
        assert len(session.scalars(select(InboundMessage)).all()) == 15
    copies = collections.Counter(str(parsed(item)["Message-ID"]) for item in smtp_sink.messages)
    assert max(copies.values()) == 1


def test_pass_by_hand_refused_beside_daemon(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    config = write_config(tmp_path, pymap_account, smtp_sink, store_url)
    log_file = tmp_path / "daemon.log"
    daemon = start_daemon(config, log_file)
    try:
        _wait_until(lambda: "IDLE on" in log_file.read_text(errors="replace"), "the daemon to start")
        result = mailbot("run", "--config", str(config), "--once")
    finally:
        _stop(daemon)

    assert result.exit_code != 0
    assert "another mailbot is working on this database" in result.output
    assert mailbot("run", "--config", str(config), "--once").exit_code == 0


@pytest.mark.postgres
def test_lost_lock_taken_again(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, postgres_url: str) -> None:
    # A database restart ends the session that held the advisory lock, without telling the daemon.
    config = write_config(tmp_path, pymap_account, smtp_sink, postgres_url)
    log_file = tmp_path / "daemon.log"
    engine = create_database_engine(load_settings(config).database.url)
    daemon = start_daemon(config, log_file)
    try:
        _wait_until(lambda: "IDLE on" in log_file.read_text(errors="replace"), "the daemon to start")
        with engine.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalar()
        assert ended == 1
        append(pymap_account, _form(1))
        _wait_until(lambda: folder_counts(pymap_account)["Processed"] == 1, "the form to be handled")
        beside = mailbot("run", "--config", str(config), "--once")
    finally:
        _stop(daemon)
        engine.dispose()

    assert "LOCK was lost and is taken again" in log_file.read_text(errors="replace")
    assert beside.exit_code != 0
