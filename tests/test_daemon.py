"""The long-running daemon: IDLE wakes it, the outbox drains, SIGTERM stops it cleanly; and the demo."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import append, folder_counts, form_bytes, start_daemon, write_config
from servers import Account

from mailbot.embedded import EmbeddedImapServer, SmtpSink, free_port

STOP_LIMIT_SECONDS = 10


def _start_daemon(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mailbot", "run", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_log(log_file: Path, text: str, count: int = 1, timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if log_file.exists() and log_file.read_text(errors="replace").count(text) >= count:
            return
        time.sleep(0.2)
    pytest.fail(f"{text!r} did not appear {count} time(s) in the daemon's log within {timeout_seconds:.0f} s:\n{log_file.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"the daemon did not exit within {STOP_LIMIT_SECONDS} s of SIGTERM:\n{output}")
    return process.returncode, output


@pytest.mark.dovecot
def test_daemon_answers_form_while_idling(tmp_path: Path, dovecot, smtp_sink: SmtpSink, store_url: str) -> None:
    account: Account = dovecot.add_account()
    # A long poll interval, so only IDLE can explain a prompt answer.
    config = write_config(tmp_path, account, smtp_sink, store_url)
    config.write_text(config.read_text().replace("poll_interval_seconds = 5", "poll_interval_seconds = 600"))
    process = _start_daemon(config)
    try:
        time.sleep(2)  # let it sign in, create its folders and enter IDLE
        append(account, form_bytes("html-table.eml"))

        received = smtp_sink.wait_for(5, timeout_seconds=15)
    finally:
        code, output = _stop(process)

    assert len(received) == 5
    assert code == 0, output
    assert "IDLE on" in output
    assert "STOPPED mailbot" in output
    assert folder_counts(account) == {"INBOX": 0, "Processed": 1, "Needs attention": 0}


def test_daemon_catches_up_on_start(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("not-a-form.eml"))
    config = write_config(tmp_path, pymap_account, smtp_sink, store_url)

    process = _start_daemon(config)
    try:
        received = smtp_sink.wait_for(6, timeout_seconds=15)
    finally:
        code, output = _stop(process)

    assert len(received) == 6
    assert code == 0, output
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 1}


def test_demo_runs(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "mailbot", "demo", "--keep", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )

    assert finished.returncode == 0, finished.stderr
    output = finished.stdout
    assert "Imported the PST register: 4 PSTs." in output
    assert "2 case(s) opened, 1 set aside" in output
    passes = output.split("Pass ")
    assert len(passes) == 10, "the demo runs a first pass and nine more"
    assert re.search(r"PST-\d{4}-0001  awaiting_endorsement", passes[0])
    assert re.search(r"PST-\d{4}-0001  awaiting_match", passes[1])
    assert "PSTs for the request from Millbrook Primary School" in passes[1]
    assert re.search(r"PST-\d{4}-0001  awaiting_consent", passes[2])
    assert re.search(r"PST-\d{4}-0001  awaiting_date", passes[3])
    assert re.search(r"PST-\d{4}-0001  scheduled", passes[4])
    assert "Visit confirmed for" in passes[4]
    assert "Session plan needed by" in passes[5]
    assert "Session plan for your visit on" in passes[6]
    assert "Attached: session-plan.txt (text/plain)" in passes[6]
    assert "Your visit to Rosa Lindgren on" in passes[7]
    assert re.search(r"PST-\d{4}-0001  visited", passes[8])
    assert "How was your visit to Rosa Lindgren" in passes[8]
    assert re.search(r"PST-\d{4}-0001  closed", passes[9])
    assert re.search(r"charge +£150\.00  Millbrook Primary School", passes[9])
    assert re.search(r"reimbursement +£120\.00  Willowbank Primary School", passes[9])
    assert "INBOX: 0, Processed: 8, Needs attention: 1" in output
    assert (tmp_path / "demo" / "mailbot.sqlite3").exists()



def test_daemon_survives_imap_restart(tmp_path: Path, smtp_sink: SmtpSink, store_url: str) -> None:
    # pymap closes every connection when it stops, unlike a Dovecot master whose
    # imap processes outlive it, so the daemon must notice and reconnect.
    port = free_port()
    first = EmbeddedImapServer(port=port).start()
    account = Account(first.host, port, first.username, first.password, "pymap")
    config = write_config(tmp_path, account, smtp_sink, store_url)
    config.write_text(config.read_text().replace("poll_interval_seconds = 5", "poll_interval_seconds = 600"))
    log_file = tmp_path / "daemon.log"
    process = start_daemon(config, log_file)
    second = None
    try:
        # Stopping the server before the daemon idles on it would test nothing, and a loaded machine starts slowly.
        _wait_for_log(log_file, "IDLE on")
        first.stop()
        second = EmbeddedImapServer(username=account.username, password=account.password, port=port).start()
        _wait_for_log(log_file, "IDLE connection to")
        _wait_for_log(log_file, "IDLE on", count=2)
        append(account, form_bytes("html-table.eml"))

        received = smtp_sink.wait_for(5, timeout_seconds=20)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=STOP_LIMIT_SECONDS)
        if second is not None:
            second.stop()

    output = log_file.read_text(errors="replace")
    assert len(received) == 5, output
    assert code == 0, output


def test_rejected_login_not_retried_soon(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, sqlite_url: str) -> None:
    wrong = Account(pymap_account.host, pymap_account.port, pymap_account.username, "not-the-password", pymap_account.server)
    config = write_config(tmp_path, wrong, smtp_sink, sqlite_url)
    log_file = tmp_path / "daemon.log"

    daemon = start_daemon(config, log_file)
    try:
        _wait_for_log(log_file, "INBOX check failed")
        _wait_for_log(log_file, "IDLE sign-in to")
        # Without the longer wait, the inbox job (every 5 s here) and the IDLE watcher would each try again by then.
        time.sleep(11)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)

    log = log_file.read_text(errors="replace")
    assert log.count("rejected the login") == 2, log
    assert "INBOX check failed" in log
    assert "trying again in 300 s" in log
    assert "IDLE sign-in to" in log
