"""Progress bars on long commands: drawn on a terminal, absent when the output goes to a file or a script."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from harness import REGISTER, append, form_bytes, write_config
from servers import Account

from mailbot.embedded import SmtpSink

MAILBOT = [sys.executable, "-m", "mailbot"]


def _on_terminal(*arguments: str, with_log: bool = False) -> str:
    """Run mailbot with a pseudo-terminal as standard output, and standard error too when ``with_log``; return all it wrote there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([*MAILBOT, *arguments], stdout=follower, stderr=follower if with_log else subprocess.DEVNULL)
    os.close(follower)

    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            # Linux reports the end of a pseudo-terminal whose other side closed as EIO.
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", errors="replace")


def _to_pipe(*arguments: str) -> str:
    result = subprocess.run([*MAILBOT, *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, sqlite_url: str) -> Path:
    return write_config(tmp_path, pymap_account, smtp_sink, sqlite_url)


def test_backlog_shows_bar_on_terminal(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("plain-cf7.eml"), form_bytes("html-only.eml"))

    shown = _on_terminal("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00")

    assert "Reading the inbox" in shown
    assert "100%" in shown


def test_log_lines_clear_bar_line(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("plain-cf7.eml"))

    shown = _on_terminal("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00", with_log=True)

    # Each log line written while the bar is drawn starts on a cleared line, so the two never share one.
    assert "\r\x1b[K20" in shown
    assert "100%" in shown


def test_backlog_bar_absent_from_pipe(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("html-table.eml"))

    written = _to_pipe("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00")

    assert "Reading the inbox" not in written


def test_import_shows_bar_on_terminal(config: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")

    shown = _on_terminal("pst", "import", str(register), "--config", str(config))
    written = _to_pipe("pst", "import", str(register), "--config", str(config))

    assert "Importing PSTs" in shown
    assert "100%" in shown
    assert "Importing PSTs" not in written
