"""Send queued emails from the outbox table over SMTP with aiosmtplib.

Each email is marked sent in its own commit straight after the server
accepts it. A temporary failure (4xx, or no connection) is retried with a
growing delay for ``[outbox] retry_hours``. A permanent one (5xx) is
recorded on the case and not retried.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
from sqlalchemy import func, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailbot.config import Settings
from mailbot.outbox import FAILED, QUEUED, SENDING, SENT, WAITING, Outbox, Recipient
from mailbot.store.models import CaseEvent, OutboxEmail
from mailbot.tls import client_context, describe_tls_failure

log = logging.getLogger("mailbot.send")

FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
ONE_HOUR = timedelta(hours=1)
# Pauses between tries to record a sent email, covering a database restart of a few seconds.
MARK_SENT_PAUSES = (0.5, 1.0, 2.0, 4.0, 0.0)
# Staff receive a notice for every request, so their hourly ceiling is this many times the usual one.
STAFF_LIMIT_FACTOR = 10
# How long a claim on an email lasts; an attempt takes seconds, so only a crash lets one run out.
CLAIM_LEASE = timedelta(minutes=10)
BATCH_SIZE = 100
FAILURE_NOTICE = "delivery_failure_notice"


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


class OutboxSender:
    """Drains the outbox over one SMTP connection per pass."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], outbox: Outbox) -> None:
        self.settings = settings
        self.sessions = sessions
        self.outbox = outbox

    async def send_due(self, now: datetime) -> SendReport:
        """Send every queued email whose time has come, batch after batch; return how many were sent, deferred and failed."""
        report = SendReport()
        while True:
            due = self._due_ids(now)
            if not due:
                return report
            before = (report.sent, report.deferred, report.failed)
            if not await self._send_batch(due, now, report):
                return report
            # A batch that changed nothing means what is due cannot go now, such as emails held by the hourly limit.
            if (report.sent, report.deferred, report.failed) == before:
                return report

    async def _send_batch(self, due: list[int], now: datetime, report: SendReport) -> bool:
        """Send one batch over one connection; return False when the server could not be reached."""
        try:
            smtp = await self._connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("DEFER %d email(s): cannot reach the SMTP server %s: %s", len(due), self._where, exc)
            for email_id in due:
                self._defer(email_id, now, f"SMTP server unreachable: {exc}", report)
            return False

        try:
            for email_id in due:
                await self._send_one(smtp, email_id, now, report)
        finally:
            await _quit_quietly(smtp)
        return True

    def recover_interrupted(self, now: datetime) -> int:
        """Queue again the emails whose sending a crash interrupted; return how many.

        Call it only while holding the work lock, when no other sender can be
        mid-attempt. The server may have accepted such an email just before
        the crash, so the copy sent now has the same Message-ID and can be
        recognised as a repeat.
        """
        with self.sessions.begin() as session:
            count = session.execute(
                update(OutboxEmail).where(OutboxEmail.status == SENDING).values(status=QUEUED, next_attempt_at=now)
            ).rowcount
        if count:
            log.warning("RESEND %d email(s) whose sending was interrupted; each keeps its Message-ID", count)
        return count

    def count_waiting(self) -> int:
        """Return how many emails are still queued, whether due now or waiting for a retry."""
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status.in_(WAITING))) or 0

    @property
    def _where(self) -> str:
        return f"{self.settings.smtp.host}:{self.settings.smtp.port}"

    def _due_ids(self, now: datetime) -> list[int]:
        with self.sessions() as session:
            query = (
                select(OutboxEmail.id)
                .where(OutboxEmail.status.in_(WAITING), OutboxEmail.next_attempt_at <= now)
                .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
                .limit(BATCH_SIZE)
            )
            return list(session.scalars(query))

    async def _connect(self) -> aiosmtplib.SMTP:
        """Connect, set up TLS and sign in when a username is set.

        A failed TLS handshake raises SMTPConnectError with the certificate
        problem and the setting to change, so the deferral log says why.
        """
        settings = self.settings.smtp
        smtp = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            use_tls=settings.security == "ssl",
            # None would upgrade whenever the server offers STARTTLS; "none" means plain on purpose.
            start_tls=settings.security == "starttls",
            tls_context=client_context(settings.ca_file) if settings.security != "none" else None,
            timeout=settings.timeout_seconds,
        )
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            tls_problem = describe_tls_failure(exc, "smtp")
            if tls_problem is None:
                raise
            raise aiosmtplib.SMTPConnectError(f"TLS failed: {tls_problem}") from exc
        if settings.username:
            await smtp.login(settings.username, settings.password.get_secret_value())
        return smtp

    async def _send_one(self, smtp: aiosmtplib.SMTP, email_id: int, now: datetime, report: SendReport) -> None:
        # The claim is committed before the attempt, so that no other sender takes the same email meanwhile.
        # After a crash mid-send the claim expires and the email goes again with its same Message-ID.
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id == email_id, OutboxEmail.status.in_(WAITING), OutboxEmail.next_attempt_at <= now)
                .values(status=SENDING, next_attempt_at=now + CLAIM_LEASE)
            ).rowcount
            if not claimed:
                return
            email = session.get_one(OutboxEmail, email_id)
            recipient, content, message_id = email.recipient, email.content, email.message_id

        options: list[str] = []
        if not recipient.isascii():
            if smtp.last_ehlo_response is None:
                # The server's extensions are known only after EHLO, which plain connections have not sent yet.
                await smtp.ehlo()
            if not smtp.supports_extension("smtputf8"):
                error = (
                    f"the address {recipient} has non-ASCII characters, and the SMTP server {self._where} does not offer "
                    "SMTPUTF8, which such an address needs; ask the person for an address in plain letters"
                )
                self._fail(email_id, now, error, report)
                return
            options.append("SMTPUTF8")

        if self._over_hourly_limit(email_id, recipient, now):
            return

        try:
            await smtp.sendmail(self.settings.alliance.address, [recipient], content, mail_options=options)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            self._refused(email_id, now, exc.recipients[0].code if exc.recipients else 550, str(exc), report)
        except aiosmtplib.SMTPResponseException as exc:
            self._refused(email_id, now, exc.code, exc.message, report)
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._defer(email_id, now, str(exc), report)
        else:
            self._mark_sent(email_id, now)
            report.sent += 1
            log.info("SENT %s to=%s", message_id, recipient)

    def _over_hourly_limit(self, email_id: int, recipient: str, now: datetime) -> bool:
        """Hold the email back when its recipient already had the hourly maximum; return whether it was held.

        This is the last guard against a loop: whatever goes wrong upstream,
        no address gets more than ``[outbox] max_per_recipient_per_hour``
        emails in an hour, or STAFF_LIMIT_FACTOR times that for the alliance's
        staff. The email keeps its place and goes when the hour allows.
        """
        alliance = self.settings.alliance
        limit = self.settings.outbox.max_per_recipient_per_hour
        # The alliance's own staff get a notice for every request, so a busy morning has a higher ceiling for them.
        if recipient.casefold() in {address.casefold() for address in (*alliance.staff, alliance.business_manager, alliance.strategic_lead)}:
            limit *= STAFF_LIMIT_FACTOR
        with self.sessions.begin() as session:
            # A bounced email was still sent, so it counts too. The address is matched as written, so the
            # (recipient, sent_at) index serves the query; the bot writes each person's address the same way.
            recent = (OutboxEmail.recipient == recipient, OutboxEmail.sent_at.is_not(None), OutboxEmail.sent_at > now - ONE_HOUR)
            count = session.scalar(select(func.count()).select_from(OutboxEmail).where(*recent)) or 0
            if count < limit:
                return False
            # A place opens an hour after the limit-th newest send.
            opening = session.scalar(select(OutboxEmail.sent_at).where(*recent).order_by(OutboxEmail.sent_at.desc()).offset(limit - 1).limit(1))
            email = session.get_one(OutboxEmail, email_id)
            email.status = QUEUED
            email.next_attempt_at = opening + ONE_HOUR
        log.warning("HOLD %s to=%s until %s: %d emails to this address in the last hour", email.message_id, recipient, email.next_attempt_at.isoformat(timespec="minutes"), count)
        return True

    def _refused(self, email_id: int, now: datetime, code: int, text: str, report: SendReport) -> None:
        if 400 <= code < 500:
            self._defer(email_id, now, f"{code} {text}", report)
        else:
            self._fail(email_id, now, f"{code} {text}", report)

    def _mark_sent(self, email_id: int, now: datetime) -> None:
        """Record that the server accepted the email, retrying a database blip, since a lost record means a second copy."""
        for attempt, pause in enumerate(MARK_SENT_PAUSES, start=1):
            try:
                with self.sessions.begin() as session:
                    email = session.get_one(OutboxEmail, email_id)
                    email.status = SENT
                    email.sent_at = now
                    email.attempts += 1
                    email.last_error = None
                    if email.case_id is not None:
                        session.add(_email_event(email, now, "email_sent"))
                return
            except (OperationalError, InterfaceError) as exc:
                if attempt == len(MARK_SENT_PAUSES):
                    # NOTE: the claim then stays; the email goes again, with its Message-ID, when a daemon next takes the lock.
                    log.error("UNRECORDED email %s was accepted but could not be marked sent: %s", email_id, exc)
                    return
                log.warning("RETRY recording email %s as sent in %.1f s: %s", email_id, pause, exc)
                time.sleep(pause)

    def _defer(self, email_id: int, now: datetime, error: str, report: SendReport) -> None:
        with self.sessions.begin() as session:
            email = session.get_one(OutboxEmail, email_id)
            email.attempts += 1
            email.last_error = error
            if now - email.created_at >= timedelta(hours=self.settings.outbox.retry_hours):
                self._give_up(session, email, now, f"not accepted for {self.settings.outbox.retry_hours:g} hours: {error}")
                report.failed += 1
                return
            delay = min(FIRST_RETRY_DELAY * 2 ** (email.attempts - 1), MAX_RETRY_DELAY)
            email.status = QUEUED
            email.next_attempt_at = now + delay
            report.deferred += 1
        log.warning("RETRY %s in %s: %s", email.message_id, delay, error)

    def _fail(self, email_id: int, now: datetime, error: str, report: SendReport) -> None:
        with self.sessions.begin() as session:
            email = session.get_one(OutboxEmail, email_id)
            email.attempts += 1
            self._give_up(session, email, now, error)
            report.failed += 1

    def _give_up(self, session: Session, email: OutboxEmail, now: datetime, error: str) -> None:
        email.status = FAILED
        email.last_error = error
        if email.case_id is not None:
            session.add(_email_event(email, now, "email_failed", error=error))
        log.error("FAILED %s to=%s: %s", email.message_id, email.recipient, error)

        # A notice about a failed notice, or to an address that fails, could repeat without end.
        business_manager = self.settings.alliance.business_manager
        if email.purpose != FAILURE_NOTICE and email.recipient.casefold() != business_manager.casefold():
            self.outbox.queue(
                session,
                purpose=FAILURE_NOTICE,
                recipient=Recipient(business_manager),
                context={"failed": email, "error": error},
                now=now,
            )


def _email_event(email: OutboxEmail, now: datetime, event: str, **details: str) -> CaseEvent:
    return CaseEvent(
        case_id=email.case_id,
        at=now,
        event=event,
        outbox_email_id=email.id,
        details={"to": email.recipient, "purpose": email.purpose, "message_id": email.message_id, **details},
    )


async def _quit_quietly(smtp: aiosmtplib.SMTP) -> None:
    try:
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError):
        smtp.close()
