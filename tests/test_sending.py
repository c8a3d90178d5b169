"""The outbox sender against real aiosmtpd servers: success, deferral, refusal, an absent server, AUTH."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from harness import append, form_bytes, write_config
from servers import Account
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mailbot.config import load_settings
from mailbot.daemon import Daemon
from mailbot.embedded import SmtpSink, free_port
from mailbot.errors import MailboxError
from mailbot.outbox import Recipient
from mailbot.store.models import Case, CaseEvent, OutboxEmail

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

NOW = datetime(2026, 10, 14, 15, 0, tzinfo=timezone.utc)
SMTP_USER = "pst@star-tsa.example"
SMTP_PASSWORD = "smtp-Secret-42"


class AnsweringHandler:
    """An SMTP handler that replies to every RCPT with a fixed reply and records what it accepted."""

    def __init__(self, rcpt_reply: str = "250 OK") -> None:
        self.rcpt_reply = rcpt_reply
        self.accepted: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt_reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.rcpt_reply

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.accepted.append(envelope.content)
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=valid)


@pytest.fixture
def smtp_server(request: pytest.FixtureRequest) -> Iterator[tuple[Controller, AnsweringHandler]]:
    handler = AnsweringHandler(getattr(request, "param", "250 OK"))
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    yield controller, handler
    controller.stop()


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


def _daemon(tmp_path: Path, account: Account, port: int, store_url: str) -> Daemon:
    config = write_config(
        tmp_path, account, Endpoint("127.0.0.1", port), store_url, smtp_username=SMTP_USER, smtp_password=SMTP_PASSWORD
    )
    return Daemon(load_settings(config))


def _queue_one(daemon: Daemon) -> int:
    with daemon.sessions.begin() as session:
        email = daemon.outbox.queue(
            session,
            purpose="attention_notice",
            recipient=Recipient("bm@star-tsa.example"),
            context={"reason": "test", "sender": "x@y.example", "subject": "s", "received": NOW, "folder": "Needs attention", "requester": None},
            now=NOW,
        )
        return email.id


def _email(daemon: Daemon, email_id: int) -> OutboxEmail:
    with daemon.sessions() as session:
        return session.get_one(OutboxEmail, email_id)


def test_accepted_email_marked_sent(tmp_path, pymap_account, store_url, smtp_server) -> None:
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)
    email_id = _queue_one(daemon)

    report = asyncio.run(daemon.sender.send_due(NOW))

    assert report.sent == 1
    email = _email(daemon, email_id)
    assert email.status == "sent"
    assert email.sent_at == NOW
    assert handler.accepted == [email.content]
    assert asyncio.run(daemon.sender.send_due(NOW + timedelta(minutes=5))).sent == 0
    daemon.close()


@pytest.mark.parametrize("smtp_server", ["451 4.3.0 Mailbox busy, try later"], indirect=True)
def test_temporary_refusal_retried_later(tmp_path, pymap_account, store_url, smtp_server) -> None:
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)
    email_id = _queue_one(daemon)

    report = asyncio.run(daemon.sender.send_due(NOW))

    assert report.deferred == 1
    email = _email(daemon, email_id)
    assert email.status == "queued"
    assert email.next_attempt_at > NOW
    assert "451" in email.last_error
    assert asyncio.run(daemon.sender.send_due(NOW)).deferred == 0

    handler.rcpt_reply = "250 OK"
    assert asyncio.run(daemon.sender.send_due(email.next_attempt_at)).sent == 1
    daemon.close()


@pytest.mark.parametrize("smtp_server", ["550 5.1.1 No such user"], indirect=True)
def test_permanent_refusal_recorded_on_case(tmp_path, pymap_account, store_url, smtp_server) -> None:
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)
    email_id = _queue_one(daemon)

    report = asyncio.run(daemon.sender.send_due(NOW))

    assert report.failed == 1
    email = _email(daemon, email_id)
    assert email.status == "failed"
    assert "550" in email.last_error
    assert handler.accepted == []
    with daemon.sessions() as session:
        notices = session.scalars(select(OutboxEmail).where(OutboxEmail.purpose == "delivery_failure_notice")).all()
    assert notices == []  # the failed email was itself to the business manager
    daemon.close()


def test_server_down_defers_then_gives_up(tmp_path, pymap_account, store_url) -> None:
    daemon = _daemon(tmp_path, pymap_account, free_port(), store_url)
    email_id = _queue_one(daemon)

    first = asyncio.run(daemon.sender.send_due(NOW))
    later = NOW + timedelta(hours=daemon.settings.outbox.retry_hours, minutes=1)
    last = asyncio.run(daemon.sender.send_due(later))

    assert first.deferred == 1
    assert last.failed == 1
    email = _email(daemon, email_id)
    assert email.status == "failed"
    assert "not accepted for 48 hours" in email.last_error
    daemon.close()


def test_failed_case_email_in_history(tmp_path, pymap_account, store_url) -> None:
    daemon = _daemon(tmp_path, pymap_account, free_port(), store_url)
    with daemon.sessions.begin() as session:
        case = Case(
            reference="PST-2026-0099", state="awaiting_match", school="Test School", requester_name="A",
            requester_email="a@school.example", headteacher_email="a@school.example", created_at=NOW, updated_at=NOW,
        )
        session.add(case)
        daemon.outbox.queue(
            session, purpose="request_acknowledgement", recipient=Recipient("a@school.example"),
            context={"case": case, "state_label": "x", "needs_endorsement": False}, now=NOW, case=case,
        )

    asyncio.run(daemon.sender.send_due(NOW + timedelta(hours=49)))

    with daemon.sessions() as session:
        events = [event.event for event in session.scalars(select(CaseEvent).order_by(CaseEvent.id))]
    assert events == ["email_queued", "email_failed"]
    with daemon.sessions() as session:
        [notice] = session.scalars(select(OutboxEmail).where(OutboxEmail.purpose == "delivery_failure_notice")).all()
    assert notice.recipient == "bm@star-tsa.example"
    assert notice.status == "queued"
    assert b"a@school.example" in notice.content
    assert b"PST-2026-0099" in notice.content
    daemon.close()


def _secret_forms(secret: str, username: str) -> list[str]:
    """The password as it could leak: plain, or inside base64 SASL PLAIN and LOGIN exchanges."""
    plain = f"\0{username}\0{secret}".encode()
    return [secret, base64.b64encode(secret.encode()).decode(), base64.b64encode(plain).decode()]


def test_passwords_never_logged(tmp_path, imap_account, store_url, smtp_server) -> None:
    controller, handler = smtp_server
    config = write_config(
        tmp_path,
        imap_account,
        Endpoint("127.0.0.1", controller.port),
        store_url,
        smtp_username=SMTP_USER,
        smtp_password=SMTP_PASSWORD,
        extra='\n[logging]\nlevel = "DEBUG"\n',
    )
    append(imap_account, form_bytes("html-table.eml"))

    finished = subprocess.run(
        [sys.executable, "-m", "mailbot", "run", "--config", str(config), "--once"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )

    assert finished.returncode == 0, finished.stderr
    log = finished.stdout + finished.stderr
    assert "CONNECTED" in log
    assert "SENT" in log
    assert len(handler.accepted) == 5
    for leaked in _secret_forms(imap_account.password, imap_account.username) + _secret_forms(SMTP_PASSWORD, SMTP_USER):
        assert leaked not in log


def test_outbox_sent_while_inbox_unreachable(tmp_path, pymap_account, store_url, smtp_server) -> None:
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)
    _queue_one(daemon)
    daemon.settings.mailbox.port = free_port()

    with pytest.raises(MailboxError):
        daemon.run_once(NOW)

    assert len(handler.accepted) == 1
    daemon.close()


def _queue_to(daemon: Daemon, address: str, name: str | None = None) -> int:
    with daemon.sessions.begin() as session:
        email = daemon.outbox.queue(
            session,
            purpose="attention_notice",
            recipient=Recipient(address, name),
            context={"reason": "test", "sender": "x@y.example", "subject": "s", "received": NOW, "folder": "Needs attention", "requester": None},
            now=NOW,
        )
        return email.id


def test_hourly_limit_holds_the_rest(tmp_path, pymap_account, store_url, smtp_server, monkeypatch) -> None:
    monkeypatch.setenv("MAILBOT_OUTBOX__MAX_PER_RECIPIENT_PER_HOUR", "3")
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)
    ids = [_queue_to(daemon, "head@school.example") for _ in range(5)]
    other = _queue_to(daemon, "someone.else@school.example")

    first = asyncio.run(daemon.sender.send_due(NOW))

    assert first.sent == 4
    assert [_email(daemon, email_id).status for email_id in ids] == ["sent", "sent", "sent", "queued", "queued"]
    assert _email(daemon, other).status == "sent"
    assert _email(daemon, ids[3]).next_attempt_at == NOW + timedelta(hours=1)
    assert asyncio.run(daemon.sender.send_due(NOW + timedelta(minutes=59))).sent == 0
    assert asyncio.run(daemon.sender.send_due(NOW + timedelta(hours=1, minutes=1))).sent == 2
    daemon.close()


def test_non_ascii_address_sent_with_smtputf8(tmp_path, pymap_account, store_url) -> None:
    with SmtpSink(smtputf8=True) as sink:
        config = write_config(tmp_path, pymap_account, sink, store_url)
        daemon = Daemon(load_settings(config))
        email_id = _queue_to(daemon, "zoë.ødegård@école.example", "Zoë Ødegård")

        asyncio.run(daemon.sender.send_due(NOW))

        assert _email(daemon, email_id).status == "sent"
        [received] = sink.messages
        assert received.rcpt_tos == ("zoë.ødegård@école.example",)
        assert "To: \"Zoë Ødegård\" <zoë.ødegård@école.example>".encode() in received.content
        daemon.close()


def test_non_ascii_address_without_smtputf8_reported(tmp_path, pymap_account, store_url) -> None:
    with SmtpSink(smtputf8=False) as sink:
        config = write_config(tmp_path, pymap_account, sink, store_url)
        daemon = Daemon(load_settings(config))
        email_id = _queue_to(daemon, "zoë@école.example")

        asyncio.run(daemon.sender.send_due(NOW))
        # The notice to the business manager is queued by the failure, so the next pass sends it.
        asyncio.run(daemon.sender.send_due(NOW))

        email = _email(daemon, email_id)
        assert email.status == "failed"
        assert "does not offer SMTPUTF8" in email.last_error
        assert [item.rcpt_tos for item in sink.messages] == [("bm@star-tsa.example",)]
        daemon.close()


def test_line_break_in_name_adds_no_header(tmp_path, pymap_account, store_url, smtp_server) -> None:
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)

    email_id = _queue_to(daemon, "head@school.example", "Mrs Ward\r\nBcc: everyone@elsewhere.example")

    content = _email(daemon, email_id).content
    headers = content.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers
    assert b"To: \"Mrs WardBcc: everyone@elsewhere.example\" <head@school.example>" in headers
    daemon.close()


def test_smtp_outage_holds_up_no_inbound_work(tmp_path, pymap_account, store_url) -> None:
    port = free_port()
    config = write_config(tmp_path, pymap_account, Endpoint("127.0.0.1", port), store_url)
    append(pymap_account, form_bytes("html-table.eml"))
    daemon = Daemon(load_settings(config))

    # The SMTP server is down: the form is still read, its case opened and its emails queued.
    outage = daemon.run_once(NOW)

    assert outage.intake.cases_opened == 1
    assert outage.sending.sent == 0
    assert outage.sending.deferred == 5
    with daemon.sessions() as session:
        waiting = session.scalars(select(OutboxEmail).where(OutboxEmail.status == "queued")).all()
    assert len(waiting) == 5
    assert all(email.next_attempt_at == NOW + timedelta(minutes=1) for email in waiting)

    with SmtpSink(port=port) as sink:
        recovered = daemon.run_once(NOW + timedelta(minutes=2))
        assert recovered.sending.sent == 5
        assert len(sink.messages) == 5
    daemon.close()


def test_database_blip_after_acceptance_retried(tmp_path, pymap_account, store_url, smtp_server, monkeypatch) -> None:
    # The server accepted the email, then the database dropped for a moment: the record is retried, not lost.
    controller, handler = smtp_server
    daemon = _daemon(tmp_path, pymap_account, controller.port, store_url)
    email_id = _queue_one(daemon)
    real_sessions = daemon.sender.sessions
    calls = []

    class BlinkingSessions:
        def __call__(self):
            return real_sessions()

        def begin(self):
            calls.append(1)
            # The third transaction of a send records the acceptance; the first two claim and check the hourly limit.
            if len(calls) == 3:
                raise OperationalError("UPDATE", {}, Exception("server closed the connection unexpectedly"))
            return real_sessions.begin()

    monkeypatch.setattr(daemon.sender, "sessions", BlinkingSessions())
    monkeypatch.setattr("mailbot.sender.time.sleep", lambda seconds: None)

    report = asyncio.run(daemon.sender.send_due(NOW))

    assert report.sent == 1
    assert len(handler.accepted) == 1
    assert _email(daemon, email_id).status == "sent"
    daemon.close()
