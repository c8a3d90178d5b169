"""A message leaves the inbox only after its effect is committed, and is never applied twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from imapclient import IMAPClient
from harness import append, cases, folder_counts, form_bytes, mailbot, write_config
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


def _crash_on_move(self: Mailbox, uids: list[int], folder: str) -> None:
    raise SimulatedCrash


@pytest.fixture
def config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    return write_config(tmp_path, pymap_account, smtp_sink, store_url)


def test_crash_before_move_applies_once(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(pymap_account, form_bytes("html-table.eml"))
    daemon = Daemon(load_settings(config))

    def crash(self: Mailbox, uids: list[int], folder: str) -> None:
        raise SimulatedCrash

    with monkeypatch.context() as patch:
        patch.setattr(Mailbox, "move_many", crash)
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
        report = daemon.run_once()

    # A database fault is not the message's fault: it waits in the inbox, and is never set aside for it.
    assert report.intake.handled == 0
    assert folder_counts(pymap_account) == {"INBOX": 1, "Processed": 0, "Needs attention": 0}
    assert cases(config) == []
    assert smtp_sink.messages == []

    daemon.run_once()

    assert len(cases(config)) == 1
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 0}
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
        patch.setattr(Mailbox, "move_many", _crash_on_move)
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


def test_message_moved_away_mid_pass_survived(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A person drags the first message to another folder after the pass listed it but before it is read.
    # The server may still hand over a message moved by another session, so either it is skipped or its
    # effect is applied. Either way nothing may crash, be lost or be applied twice.
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("plain-cf7.eml"))
    daemon = Daemon(load_settings(config))
    original_fetch = Mailbox.fetch
    moved: list[int] = []

    def fetch_after_someone_moves_it(self: Mailbox, uid: int):
        if not moved:
            moved.append(uid)
            with IMAPClient(pymap_account.host, port=pymap_account.port, ssl=False) as person:
                person.login(pymap_account.username, pymap_account.password)
                person.create_folder("Dealt with by hand")
                person.select_folder("INBOX")
                person.move([uid], "Dealt with by hand")
        return original_fetch(self, uid)

    with monkeypatch.context() as patch:
        patch.setattr(Mailbox, "fetch", fetch_after_someone_moves_it)
        first = daemon.run_once()
    second = daemon.run_once()

    assert first.intake.handled == 2
    assert second.intake.handled == 0
    assert len(cases(config)) in (1, 2)
    counts = folder_counts(pymap_account)
    assert counts["INBOX"] == 0
    with IMAPClient(pymap_account.host, port=pymap_account.port, ssl=False) as person:
        person.login(pymap_account.username, pymap_account.password)
        by_hand = person.folder_status("Dealt with by hand", [b"MESSAGES"])[b"MESSAGES"]
    assert counts["Processed"] + counts["Needs attention"] + by_hand == 2
    daemon.close()


def test_missing_inbox_folder_named(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    config = write_config(tmp_path, pymap_account, smtp_sink, store_url)
    config.write_text(config.read_text().replace("poll_interval_seconds = 5", 'poll_interval_seconds = 5\nfolder = "Shared/PST requests"'))

    result = mailbot("run", "--config", str(config), "--once")

    assert result.exit_code == 1
    assert "the folder 'Shared/PST requests' could not be opened" in result.output
