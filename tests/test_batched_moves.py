"""Handled messages leave the inbox in batches, and a crash, a stop or a database fault between batches loses and repeats nothing."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from harness import BUSINESS_MANAGER, append, cases, folder_counts, form_bytes, write_config
from imapclient import IMAPClient
from servers import Account
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mailbot import intake
from mailbot.config import MailboxSettings, load_settings
from mailbot.daemon import Daemon
from mailbot.embedded import SmtpSink
from mailbot.mailbox import Mailbox
from mailbot.replay import request_replay
from mailbot.store.models import InboundMessage
from mailbot.workflow import Workflow

# The form in tests/data/forms/html-table.eml opens a case and queues this many emails.
EMAILS_PER_FORM = 5
STRANGER_NOTE = (
    b"From: Alex Reed <alex.reed@elsewhere.example>\r\n"
    b"To: pst@star-tsa.example\r\n"
    b"Subject: A question about your service\r\n"
    b"Message-ID: <stranger-note@elsewhere.example>\r\n"
    b"Date: Mon, 11 Jan 2027 09:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Do you also arrange visits for secondary schools?\r\n"
)


class SimulatedCrash(Exception):
    """Stands for the process dying at this point."""


class MailboxWithout(Mailbox):
    """A mailbox that ignores some of the server's capabilities, as if the server lacked them."""

    def __init__(self, settings: MailboxSettings, hidden: frozenset[bytes]) -> None:
        super().__init__(settings)
        self.hidden = hidden

    @property
    def capabilities(self) -> set[bytes]:
        return super().capabilities - self.hidden


def _form(number: int) -> bytes:
    text = form_bytes("html-table.eml")
    return (
        text.replace(b"Fernhill Community School", f"Batch School {number}".encode())
        .replace(b"<wpforms-20261105100312-4471@star-tsa.example>", f"<batch-{number}@star-tsa.example>".encode())
    )


def _note(number: int) -> bytes:
    return (
        f"From: Head Teacher <head@school-{number}.example>\r\n"
        "To: pst@star-tsa.example\r\n"
        f"Subject: Note {number}\r\n"
        f"Message-ID: <note-{number}@school-{number}.example>\r\n\r\n"
        f"Note number {number}.\r\n"
    ).encode()


def _subjects(account: Account, folder: str) -> list[str]:
    with IMAPClient(account.host, port=account.port, ssl=False) as client:
        client.login(account.username, account.password)
        client.select_folder(folder, readonly=True)
        uids = sorted(client.search(["ALL"]))
        fetched = client.fetch(uids, [b"BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]) if uids else {}
    return [bytes(fetched[uid][b"BODY[HEADER.FIELDS (SUBJECT)]"]).decode().strip() for uid in uids]


def _mailbox_settings(account: Account) -> MailboxSettings:
    return MailboxSettings(host=account.host, port=account.port, security="none", username=account.username, password=account.password)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
def config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    return write_config(tmp_path, pymap_account, smtp_sink, store_url)


@pytest.mark.parametrize("hidden", [frozenset(), frozenset({b"MOVE"}), frozenset({b"MOVE", b"UIDPLUS"})], ids=["move", "copy-uidplus", "copy-expunge"])
def test_move_many_moves_only_listed(imap_account: Account, hidden: frozenset[bytes]) -> None:
    append(imap_account, *[_note(number) for number in range(1, 5)])

    with MailboxWithout(_mailbox_settings(imap_account), hidden) as mailbox:
        mailbox.ensure_folders("Processed")
        mailbox.open_inbox()
        first, _, third, _ = mailbox.list_uids()
        mailbox.move_many([third, first], "Processed")
        flagged_deleted = mailbox.client.search(["DELETED"])

    assert _subjects(imap_account, "INBOX") == ["Subject: Note 2", "Subject: Note 4"]
    assert _subjects(imap_account, "Processed") == ["Subject: Note 1", "Subject: Note 3"]
    assert flagged_deleted == []


def test_fetch_keeps_message_out_of_debug_log(imap_account: Account, caplog: pytest.LogCaptureFixture) -> None:
    append(imap_account, _note(1))

    with Mailbox(_mailbox_settings(imap_account)) as mailbox, caplog.at_level(logging.DEBUG, logger="imapclient"):
        mailbox.open_inbox()
        [uid] = mailbox.list_uids()
        fetched = mailbox.fetch(uid)

    assert fetched is not None
    assert b"Note number 1." in fetched.raw
    # imaplib at debug level 5 would log the repr() of the fetched message, and build it even when the line is dropped.
    logged = [record for record in caplog.records if record.name.startswith("imapclient")]
    assert logged, "imapclient logged nothing at debug level, so the check below proves nothing"
    assert not [record for record in logged if "Note number 1." in record.getMessage()]


def test_handled_messages_moved_per_batch(config: Path, pymap_account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "MOVE_BATCH_SIZE", 2)
    append(pymap_account, *[_form(number) for number in range(5)])
    daemon = Daemon(load_settings(config))
    processed_seen: list[int] = []

    def count_processed(handled: int, total: int) -> None:
        processed_seen.append(folder_counts(pymap_account)["Processed"])

    report = daemon.run_once(progress=count_processed)
    daemon.close()

    assert report.intake.handled == 5
    assert processed_seen == [0, 2, 2, 4, 4]
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 5, "Needs attention": 0}


def test_crash_before_batch_move_repeats_nothing(
    config: Path, pymap_account: Account, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "MOVE_BATCH_SIZE", 2)
    append(pymap_account, *[_form(number) for number in range(3)])
    daemon = Daemon(load_settings(config))
    original_move_many = Mailbox.move_many
    batches: list[list[int]] = []

    def crash_on_second_batch(self: Mailbox, uids: list[int], folder: str) -> None:
        batches.append(list(uids))
        if len(batches) == 2:
            raise SimulatedCrash
        original_move_many(self, uids, folder)

    with monkeypatch.context() as patch:
        patch.setattr(Mailbox, "move_many", crash_on_second_batch)
        with pytest.raises(SimulatedCrash):
            daemon.run_once()
    assert folder_counts(pymap_account) == {"INBOX": 1, "Processed": 2, "Needs attention": 0}
    assert len(cases(config)) == 3

    report = daemon.run_once()
    daemon.close()

    assert report.intake.already_recorded == 1
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 3, "Needs attention": 0}
    assert len(cases(config)) == 3
    assert len(smtp_sink.messages) == 3 * EMAILS_PER_FORM


def test_stop_moves_handled_messages(config: Path, pymap_account: Account) -> None:
    append(pymap_account, *[_form(number) for number in range(3)])
    daemon = Daemon(load_settings(config))
    stop = threading.Event()

    def stop_after_two(handled: int, total: int) -> None:
        if handled == 2:
            stop.set()

    with Mailbox(daemon.settings.mailbox) as mailbox:
        report = daemon.intake.read_inbox(mailbox, _utc_now, stop, stop_after_two)
    stopped_counts = folder_counts(pymap_account)
    daemon.run_once()
    daemon.close()

    assert report.handled == 2
    assert stopped_counts == {"INBOX": 1, "Processed": 2, "Needs attention": 0}
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 3, "Needs attention": 0}
    assert len(cases(config)) == 3


def test_database_fault_moves_handled_messages(config: Path, pymap_account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    append(pymap_account, *[_form(number) for number in range(3)])
    daemon = Daemon(load_settings(config))
    original_handle = Workflow.handle
    calls: list[int] = []

    def fail_third(self: Workflow, *args: object, **kwargs: object):
        calls.append(1)
        if len(calls) == 3:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return original_handle(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Workflow, "handle", fail_third)
        first = daemon.run_once()
    fault_counts = folder_counts(pymap_account)
    daemon.run_once()
    daemon.close()

    assert first.intake.handled == 2
    assert fault_counts == {"INBOX": 1, "Processed": 2, "Needs attention": 0}
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 3, "Needs attention": 0}
    assert len(cases(config)) == 3


def test_inbox_moved_before_replays(config: Path, pymap_account: Account) -> None:
    append(pymap_account, STRANGER_NOTE)
    daemon = Daemon(load_settings(config))
    daemon.run_once()
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 0, "Needs attention": 1}
    with daemon.sessions.begin() as session:
        set_aside = session.scalars(select(InboundMessage)).one()
        request_replay(session, set_aside.id, None, BUSINESS_MANAGER, _utc_now())
    append(pymap_account, _form(1))

    report = daemon.run_once()
    daemon.close()

    # The replay selects Needs attention, so the inbox's batch must have left before it, or its UIDs would name other messages.
    assert report.intake.handled == 1
    assert report.intake.replayed == 1
    assert folder_counts(pymap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 1}
    assert _subjects(pymap_account, "Needs attention") == ["Subject: A question about your service"]
