"""A message leaves the inbox only after its effect is committed, and is never applied twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import append, cases, folder_counts, form_bytes, write_config
from servers import Account
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from mailbot.config import load_settings
from mailbot.daemon import Daemon
from mailbot.embedded import SmtpSink
from mailbot.mailbox import Mailbox
from mailbot.store.models import InboundMessage
from mailbot.workflow import Workflow


class SimulatedCrash(Exception):
    """Stands for the process dying at this point."""


def _crash_on_move(self: Mailbox, uid: int, folder: str) -> None:
    raise SimulatedCrash


@pytest.fixture
def config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    return write_config(tmp_path, pymap_account, smtp_sink, store_url)


def test_crash_before_move_applies_once(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(pymap_account, form_bytes("html-table.eml"))
    daemon = Daemon(load_settings(config))

    def crash(self: Mailbox, uid: int, folder: str) -> None:
        raise SimulatedCrash

    with monkeypatch.context() as patch:
        patch.setattr(Mailbox, "move", crash)
        with pytest.raises(SimulatedCrash):
            daemon.run_once()
    assert folder_counts(pymap_account)["INBOX"] == 1

    daemon.run_once()

    assert len(cases(config)) == 1
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 0}
    assert len(smtp_sink.messages) == 5
    daemon.close()


def test_failed_commit_leaves_message_in_inbox(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(pymap_account, form_bytes("html-table.eml"))
    daemon = Daemon(load_settings(config))

    def database_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    with monkeypatch.context() as patch:
        patch.setattr(Workflow, "handle", database_down)
        patch.setattr(Workflow, "set_aside", database_down)
        with pytest.raises(OperationalError):
            daemon.run_once()

    assert folder_counts(pymap_account) == {"INBOX": 1, "Processed": 0, "Needs attention": 0}
    assert cases(config) == []
    assert smtp_sink.messages == []
    daemon.close()


def test_handling_error_sets_message_aside(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("plain-cf7.eml"))
    daemon = Daemon(load_settings(config))
    original = Workflow.handle
    calls = []

    def fail_first(self: Workflow, *args: object, **kwargs: object):
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("an unexpected field")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Workflow, "handle", fail_first)

    daemon.run_once()

    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 1}
    assert len(cases(config)) == 1
    notices = [item for item in smtp_sink.messages if b"needs your attention" in item.content]
    assert len(notices) == 1
    assert b"KeyError" in notices[0].content
    daemon.close()


def test_changed_uidvalidity_repeats_nothing(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A crash leaves the message in the inbox, and then the server renumbers the mailbox
    # (a new UIDVALIDITY), so its recorded position no longer matches anything.
    append(pymap_account, form_bytes("html-table.eml"))
    daemon = Daemon(load_settings(config))
    with monkeypatch.context() as patch:
        patch.setattr(Mailbox, "move", _crash_on_move)
        with pytest.raises(SimulatedCrash):
            daemon.run_once()
    with daemon.sessions.begin() as session:
        session.execute(update(InboundMessage).values(uidvalidity=InboundMessage.uidvalidity + 1000))

    daemon.run_once()

    assert len(cases(config)) == 1
    assert len(smtp_sink.messages) == 5
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 0}
    with daemon.sessions() as session:
        outcomes = sorted(session.scalars(select(InboundMessage.outcome)))
    assert outcomes == ["case_opened", "duplicate"]
    daemon.close()
