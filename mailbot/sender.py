"""Send queued emails from the outbox table over SMTP with aiosmtplib.

Each email is marked sent in its own commit straight after the server
accepts it. A temporary failure (4xx, or no connection) is retried with a
growing delay for ``[outbox] retry_hours``. A permanent one (5xx) is
recorded on the case and not retried.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
from sqlalchemy import func, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailbot import sasl
from mailbot.config import Settings
from mailbot.oauth2 import OAuth2Error, TokenSource, token_source_for
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
    # Why the SMTP server could not be used at all in this pass, when it could not.
    server_problem: str | None = None


class OutboxSender:
    """Drains the outbox over one SMTP connection per pass.

    When SMTP signs in with the mailbox's OAuth 2.0 token, pass the daemon's
    ``tokens`` so that IMAP and SMTP share one cached token.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], outbox: Outbox, tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.outbox = outbox
        self.tokens: TokenSource | None = None
        if settings.smtp_auth == "mailbox":
            self.tokens = tokens if tokens is not None else token_source_for(settings.mailbox)

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
        except OAuth2Error as exc:
            log.warning("DEFER %d email(s): no OAuth 2.0 token to sign in to the SMTP server %s: %s", len(due), self._where, exc)
            report.server_problem = f"no OAuth 2.0 token to sign in to the SMTP server {self._where}: {exc}"
            for email_id in due:
                self._defer(email_id, now, f"no OAuth 2.0 token: {exc}", report)
            return False
        except aiosmtplib.SMTPAuthenticationError as exc:
            log.warning("DEFER %d email(s): the SMTP server %s rejected the sign-in: %d %s", len(due), self._where, exc.code, exc.message)
            report.server_problem = f"the SMTP server {self._where} rejected the sign-in: {exc.code} {exc.message}"
            for email_id in due:
                self._defer(email_id, now, f"SMTP sign-in rejected: {exc.code} {exc.message}", report)
            return False
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("DEFER %d email(s): cannot reach the SMTP server %s: %s", len(due), self._where, exc)
            report.server_problem = f"cannot reach the SMTP server {self._where}: {exc}"
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
        try:
            if self.tokens is not None:
                await smtp_oauth2_login(smtp, self._where, self.settings.smtp_username, self.tokens)
            elif settings.username:
                await smtp.login(settings.username, settings.password.get_secret_value())
        except BaseException:
            smtp.close()
            raise
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


async def smtp_oauth2_login(smtp: aiosmtplib.SMTP, where: str, username: str, tokens: TokenSource) -> str:
    """Sign in with an OAuth 2.0 access token over OAUTHBEARER or XOAUTH2, whichever the server offers; return the mechanism.

    A token the server rejects is renewed once and AUTH tried again. Raises
    SMTPAuthenticationError naming the server and the user, SMTPException when
    the server offers no OAuth 2.0 mechanism, or OAuth2Error when no token
    could be had.
    """
    if smtp.is_ehlo_or_helo_needed:
        await smtp.ehlo()
    mechanism = sasl.choose_mechanism(smtp.server_auth_methods)
    if mechanism is None:
        offered = ", ".join(method.upper() for method in smtp.server_auth_methods) or "no AUTH mechanism"
        raise aiosmtplib.SMTPException(
            f"the SMTP server {where} offers neither OAUTHBEARER nor XOAUTH2 (it offers {offered}), so it cannot take an "
            'OAuth 2.0 token. Check [smtp] host, or set [smtp] auth = "password" with a username and password'
        )

    # Fetching a token is blocking HTTP, so it runs off the event loop.
    token = await asyncio.to_thread(tokens.access_token)
    try:
        await _smtp_authenticate(smtp, mechanism, username, token)
        return mechanism
    except aiosmtplib.SMTPAuthenticationError as exc:
        log.warning("REJECTED token for %s by %s (%s): %d %s; getting a new token", username, where, mechanism, exc.code, exc.message)

    token = await asyncio.to_thread(tokens.renew, token)
    try:
        await _smtp_authenticate(smtp, mechanism, username, token)
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise aiosmtplib.SMTPAuthenticationError(
            exc.code,
            f"the SMTP server {where} rejected the OAuth 2.0 token for {username!r} ({mechanism}) twice, the second time a "
            f"new one: {exc.message}. {tokens.rejection_advice}",
        ) from exc
    return mechanism


async def _smtp_authenticate(smtp: aiosmtplib.SMTP, mechanism: str, username: str, token: str) -> None:
    """Send AUTH with the token; on an error challenge, acknowledge it so that the server sends its final reply."""
    host, port = smtp.hostname or "", smtp.port or 0
    first = sasl.initial_response(mechanism, username, token, host, port)
    response = await smtp.execute_command(b"AUTH", mechanism.encode(), base64.b64encode(first))
    if response.code == 334:
        acknowledgement = sasl.ERROR_ACKNOWLEDGEMENTS[mechanism]
        response = await smtp.execute_command(base64.b64encode(acknowledgement))
    if response.code != 235:
        raise aiosmtplib.SMTPAuthenticationError(response.code, response.message)


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
