"""Checks that the test servers behave like real mail servers and that their fixtures isolate tests."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

import aiosmtplib
import pytest
import sqlalchemy
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from mailbot.embedded import EmbeddedImapServer, SmtpSink
from servers import Account
from servers.dovecot import DovecotServer

IDLE_TIMEOUT_SECONDS = 5.0

SAMPLE_MESSAGE = (
    b"From: Head Teacher <head@school-a.alliance.test>\r\n"
    b"To: Peer Support <pst@alliance.test>\r\n"
    b"Subject: Visit request for Year 4\r\n"
    b"Message-ID: <visit-1@school-a.alliance.test>\r\n"
    b"Date: Thu, 03 Dec 2026 09:15:00 +0000\r\n"
    b"\r\n"
    b"Could a peer support teacher visit on Tuesday?\r\n"
    b".A line that starts with a dot survives dot-stuffing.\r\n"
)


def _connect(account: Account) -> IMAPClient:
    client = IMAPClient(account.host, account.port, ssl=False, timeout=10)
    client.login(account.username, account.password)
    return client


def _disconnect(client: IMAPClient) -> None:
    # After a failed check the connection may be mid-IDLE or aborted, and
    # LOGOUT then fails, but the socket must still be closed.
    try:
        client.logout()
    except (IMAPClient.Error, OSError):
        client.shutdown()


@pytest.fixture
def imap_client(imap_account: Account) -> Iterator[IMAPClient]:
    client = _connect(imap_account)
    yield client
    _disconnect(client)


def test_imap_append_fetch_and_move(imap_client: IMAPClient) -> None:
    imap_client.append("INBOX", SAMPLE_MESSAGE)

    imap_client.select_folder("INBOX")
    uids = imap_client.search("ALL")
    assert len(uids) == 1

    fetched = imap_client.fetch(uids, ["BODY.PEEK[]"])
    assert fetched[uids[0]][b"BODY[]"] == SAMPLE_MESSAGE

    imap_client.create_folder("Needs attention")
    imap_client.move(uids, "Needs attention")
    assert imap_client.search("ALL") == []

    imap_client.select_folder("Needs attention")
    moved_uids = imap_client.search("ALL")
    assert len(moved_uids) == 1
    moved = imap_client.fetch(moved_uids, ["BODY.PEEK[]"])
    assert moved[moved_uids[0]][b"BODY[]"] == SAMPLE_MESSAGE


def test_imap_wrong_password_rejected(imap_account: Account) -> None:
    client = IMAPClient(imap_account.host, imap_account.port, ssl=False, timeout=10)
    try:
        with pytest.raises(LoginError):
            client.login(imap_account.username, imap_account.password + "-wrong")
    finally:
        client.shutdown()


def test_imap_idle_sees_append(imap_account: Account) -> None:
    watcher = _connect(imap_account)
    writer = _connect(imap_account)
    try:
        watcher.select_folder("INBOX")
        watcher.idle()

        writer.append("INBOX", SAMPLE_MESSAGE)
        appended_at = time.monotonic()

        responses = _idle_until_exists(watcher, appended_at + IDLE_TIMEOUT_SECONDS)
        watcher.idle_done()
    finally:
        _disconnect(watcher)
        _disconnect(writer)

    assert (1, b"EXISTS") in responses


def _idle_until_exists(client: IMAPClient, deadline: float) -> list[object]:
    """Collect IDLE responses until one reports EXISTS or the deadline passes."""
    responses: list[object] = []
    while time.monotonic() < deadline:
        batch = client.idle_check(timeout=max(deadline - time.monotonic(), 0.01))
        responses.extend(batch)
        if any(isinstance(item, tuple) and item[1:2] == (b"EXISTS",) for item in batch):
            break
    return responses


@pytest.mark.dovecot
def test_dovecot_accounts_are_separate(dovecot: DovecotServer) -> None:
    first = dovecot.add_account()
    second = dovecot.add_account()
    assert first.username != second.username

    first_client = _connect(first)
    second_client = _connect(second)
    try:
        first_client.append("INBOX", SAMPLE_MESSAGE)

        first_client.select_folder("INBOX")
        assert len(first_client.search("ALL")) == 1

        second_client.select_folder("INBOX")
        assert second_client.search("ALL") == []
    finally:
        _disconnect(first_client)
        _disconnect(second_client)


@pytest.mark.dovecot
def test_dovecot_account_password_not_shared(dovecot: DovecotServer) -> None:
    first = dovecot.add_account()
    second = dovecot.add_account()

    client = IMAPClient(first.host, first.port, ssl=False, timeout=10)
    try:
        with pytest.raises(LoginError):
            client.login(first.username, second.password)
    finally:
        client.shutdown()


def test_embedded_imap_stop_closes_port() -> None:
    server = EmbeddedImapServer().start()
    server.stop()

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=1).close()


def test_embedded_imap_busy_port_raises() -> None:
    with socket.create_server(("127.0.0.1", 0)) as occupant:
        port = occupant.getsockname()[1]
        server = EmbeddedImapServer(port=port, start_timeout_seconds=2)

        with pytest.raises(RuntimeError, match="failed to start"):
            server.start()


def _sample_email() -> bytes:
    email = EmailMessage()
    email["From"] = "bot@alliance.test"
    email["To"] = "head@school-a.alliance.test"
    email["Subject"] = "Visit confirmed"
    email.set_content("Your visit is booked.\n.This line starts with a dot.\n")
    email.add_attachment(bytes(range(256)), maintype="application", subtype="octet-stream", filename="raw.bin")
    return email.as_bytes(policy=SMTP_POLICY)


def test_smtp_sink_keeps_bytes(smtp_sink: SmtpSink) -> None:
    raw = _sample_email()

    asyncio.run(
        aiosmtplib.send(
            raw,
            sender="bot@alliance.test",
            recipients=["head@school-a.alliance.test", "pst@alliance.test"],
            hostname=smtp_sink.host,
            port=smtp_sink.port,
        )
    )
    received = smtp_sink.wait_for(1, timeout_seconds=5)

    assert len(received) == 1
    assert received[0].mail_from == "bot@alliance.test"
    assert received[0].rcpt_tos == ("head@school-a.alliance.test", "pst@alliance.test")
    assert received[0].content == raw
    assert smtp_sink.messages == received


def test_smtp_sink_clear_forgets_messages(smtp_sink: SmtpSink) -> None:
    asyncio.run(
        aiosmtplib.send(
            SAMPLE_MESSAGE,
            sender="bot@alliance.test",
            recipients=["pst@alliance.test"],
            hostname=smtp_sink.host,
            port=smtp_sink.port,
        )
    )
    smtp_sink.wait_for(1, timeout_seconds=5)

    smtp_sink.clear()

    assert smtp_sink.messages == []


def test_smtp_sink_wait_for_timeout(smtp_sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError, match="received 0 of 1 expected messages"):
        smtp_sink.wait_for(1, timeout_seconds=0.1)


def test_database_url_select_one(database_url: str) -> None:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
