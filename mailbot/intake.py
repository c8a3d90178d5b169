"""One pass over the inbox: each new message is parsed, classified, applied and then moved.

A message leaves the inbox only after the transaction that records its
effect has committed. Handled messages are moved in batches, so a crash
can leave up to a batch of committed messages in the inbox. The next pass
finds those already recorded and only moves them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailbot.classify import classify
from mailbot.config import Settings
from mailbot.mailbox import FetchedMessage, Mailbox
from mailbot.message import InboundMail, UnreadableMessage, parse_mail
from mailbot.replay import Replayer
from mailbot.ruleset import Rules
from mailbot.store.models import DaemonMark, InboundMessage
from mailbot.workflow import Destination, MailboxPosition, Outcome, Workflow

log = logging.getLogger("mailbot.intake")

LAST_POLL_MARK = "last_successful_poll"
# Handled messages leave the inbox this many at a time, because each UID MOVE waits for the server's reply.
MOVE_BATCH_SIZE = 100

# Told how many of the inbox's messages are handled so far and how many there are, after each one.
Progress = Callable[[int, int], None]


class DatabaseUnavailable(Exception):
    """The database failed for a reason that has nothing to do with the message, so it is tried again later."""


@dataclass
class IntakeReport:
    handled: int = 0
    cases_opened: int = 0
    set_aside: int = 0
    already_recorded: int = 0
    replayed: int = 0


class _PendingMoves:
    """Handled messages still in the selected inbox: their UIDs, by the folder each goes to."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.uids_by_folder: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return sum(len(uids) for uids in self.uids_by_folder.values())

    def add(self, uid: int, folder: str) -> None:
        self.uids_by_folder.setdefault(folder, []).append(uid)

    def flush(self) -> None:
        """Move every message added so far, with one move per folder. The inbox must still be the selected folder."""
        for folder in list(self.uids_by_folder):
            uids = self.uids_by_folder.pop(folder)
            self.mailbox.move_many(uids, folder)
            log.debug("MOVED %d message(s) to %r: uid=%s", len(uids), folder, ",".join(map(str, uids)))


class Intake:
    """Reads the inbox and hands each new message to the workflow."""

    def __init__(self, settings: Settings, rules: Rules, sessions: sessionmaker[Session], workflow: Workflow) -> None:
        self.settings = settings
        self.rules = rules
        self.sessions = sessions
        self.workflow = workflow
        self.replays = Replayer(settings, sessions, workflow.outbox, self.apply)

    def read_inbox(
        self, mailbox: Mailbox, clock: Callable[[], datetime], stop: threading.Event | None = None, progress: Progress | None = None
    ) -> IntakeReport:
        """Handle every message now in the inbox, stopping early between messages when ``stop`` is set."""
        settings = self.settings.mailbox
        mailbox.ensure_folders(settings.processed_folder, settings.attention_folder)
        uidvalidity = mailbox.open_inbox()
        uids = mailbox.list_uids()
        if uids:
            log.info("FOUND %d message(s) in %s", len(uids), settings.folder)

        report = IntakeReport()
        # An exception that ends the pass leaves the pending messages in the inbox, and the next pass only moves them.
        pending = _PendingMoves(mailbox)
        for uid in uids:
            if stop is not None and stop.is_set():
                log.info("STOP requested; %d message(s) left for the next pass", len(uids) - report.handled)
                pending.flush()
                break
            try:
                self._handle_uid(mailbox, uidvalidity, uid, clock(), report, pending)
            except DatabaseUnavailable as exc:
                log.warning("DATABASE unavailable; uid=%s and %d more left in the inbox for the next pass: %s", uid, len(uids) - report.handled - 1, exc)
                pending.flush()
                return report
            report.handled += 1
            if len(pending) >= MOVE_BATCH_SIZE:
                pending.flush()
            if progress is not None:
                progress(report.handled, len(uids))
        else:
            # Before the replays, because they select the Needs attention folder and the pending UIDs are the inbox's.
            pending.flush()
            # Last, so that a staff email asking for a message to be handled again is acted on in the same pass.
            report.replayed = self._replay_requested(mailbox, clock)

        # The real time, not the pass's clock: a pass run by hand with --now must not tell monitoring the daemon is alive.
        self._mark_poll(datetime.now(timezone.utc))
        return report

    def _handle_uid(
        self, mailbox: Mailbox, uidvalidity: int, uid: int, now: datetime, report: IntakeReport, pending: _PendingMoves
    ) -> None:
        recorded = self._recorded_destination(uidvalidity, uid)
        if recorded is not None:
            log.info("MOVE again uid=%s: its effect was committed before, so only the move is repeated", uid)
            pending.add(uid, self._folder_for(recorded))
            report.already_recorded += 1
            return

        size = mailbox.size_of(uid)
        too_large = size is not None and size > self.settings.mailbox.max_message_bytes
        fetched = mailbox.fetch_header(uid) if too_large else mailbox.fetch(uid)
        if fetched is None:
            log.warning("GONE uid=%s left %s before it could be read; someone moved it", uid, self.settings.mailbox.folder)
            return

        position = MailboxPosition(self.settings.mailbox.folder, uidvalidity, uid, fetched.size_bytes)
        if too_large:
            outcome = self._set_aside_too_large(fetched, position, now)
        else:
            mail = self._parse(fetched.raw, position, now)
            # The workflow reads only the parsed message, so the bytes are freed before it copies a large message's files again.
            del fetched
            outcome = mail if isinstance(mail, Outcome) else self._apply_mail(mail, position, now)
        if outcome.outcome == "case_opened":
            report.cases_opened += 1
        if outcome.destination is Destination.ATTENTION:
            report.set_aside += 1
        pending.add(uid, self._folder_for(outcome.destination))

    def apply(self, raw: bytes, position: MailboxPosition, now: datetime, assigned_case: str | None = None) -> Outcome:
        """Commit the effect of the message ``raw``; on any failure, commit a set-aside record instead.

        ``assigned_case`` is the case staff named for the message when requesting that it be handled again.
        """
        mail = self._parse(raw, position, now, assigned_case)
        if isinstance(mail, Outcome):
            return mail
        return self._apply_mail(mail, position, now)

    def _parse(self, raw: bytes, position: MailboxPosition, now: datetime, assigned_case: str | None = None) -> InboundMail | Outcome:
        """Return the parsed message, or the outcome of setting it aside when it cannot be parsed."""
        try:
            return replace(parse_mail(raw), assigned_case=assigned_case)
        except UnreadableMessage as exc:
            return self._set_aside_unreadable(raw, position, now, str(exc))

    def _apply_mail(self, mail: InboundMail, position: MailboxPosition, now: datetime) -> Outcome:
        try:
            with self.sessions.begin() as session:
                if self._is_duplicate(session, mail):
                    return self.workflow.record_duplicate(session, mail, position, now)
                classification = classify(mail, self.settings.alliance.address, self.rules.form, self.settings.alliance.staff)
                return self.workflow.handle(session, mail, classification, position, now)
        except (OperationalError, InterfaceError) as exc:
            # The database is unreachable or restarting: nothing was committed, so the message stays in the inbox.
            raise DatabaseUnavailable(f"the database failed while handling {mail.describe()}: {exc}") from exc
        except IntegrityError as exc:
            # Another daemon recorded this mailbox position first, so its effect is kept and this one was rolled back.
            recorded = self._recorded_destination(position.uidvalidity, position.uid)
            if recorded is None:
                return self._set_aside_after_error(mail, position, now, exc)
            log.warning("RACE uid=%s was recorded by another mailbot at the same moment; nothing applied twice", position.uid)
            return Outcome(recorded, "already_recorded")
        except Exception as exc:  # one bad message must not stop the daemon: set it aside and carry on
            return self._set_aside_after_error(mail, position, now, exc)

    def _replay_requested(self, mailbox: Mailbox, clock: Callable[[], datetime]) -> int:
        try:
            return self.replays.run_requested(mailbox, clock)
        except (OperationalError, InterfaceError) as exc:
            log.warning("DATABASE unavailable; the messages asked to be handled again wait for the next pass: %s", exc)
            return 0

    def _set_aside_after_error(self, mail: InboundMail, position: MailboxPosition, now: datetime, exc: Exception) -> Outcome:
        log.error("ERROR while handling %s uid=%s; setting it aside", mail.describe(), position.uid, exc_info=exc)
        reason = f"mailbot failed while handling this message ({type(exc).__name__}: {exc}). It has not been acted on."
        with self.sessions.begin() as session:
            return self.workflow.set_aside(session, position, now, reason=reason, mail=mail)

    def _set_aside_too_large(self, fetched: FetchedMessage, position: MailboxPosition, now: datetime) -> Outcome:
        limit = self.settings.mailbox.max_message_bytes
        reason = (
            f"The message is {fetched.size_bytes / 1_000_000:.1f} MB, larger than the limit of {limit / 1_000_000:.1f} MB "
            "([mailbox] max_message_bytes), so mailbot did not download it."
        )
        try:
            header = parse_mail(fetched.raw)
        except UnreadableMessage:
            return self._set_aside_unreadable(fetched.raw, position, now, reason)
        with self.sessions.begin() as session:
            return self.workflow.set_aside(session, position, now, reason=reason, mail=header)

    def _set_aside_unreadable(self, raw: bytes, position: MailboxPosition, now: datetime, reason: str) -> Outcome:
        with self.sessions.begin() as session:
            return self.workflow.set_aside(session, position, now, reason=reason, raw_sha256=hashlib.sha256(raw).hexdigest())

    def _is_duplicate(self, session: Session, mail: InboundMail) -> bool:
        """Return whether another copy of ``mail`` already took effect.

        A copy that was only set aside does not count: a person may have moved
        it back to the inbox after fixing the rules, so it is handled afresh.
        """
        if mail.message_id:
            condition = InboundMessage.message_id == mail.message_id
        else:
            condition = (InboundMessage.sha256 == mail.sha256) & InboundMessage.message_id.is_(None)
        condition &= InboundMessage.outcome != "set_aside"
        return session.scalars(select(InboundMessage.id).where(condition).limit(1)).first() is not None

    def _recorded_destination(self, uidvalidity: int, uid: int) -> Destination | None:
        with self.sessions() as session:
            outcome = session.scalars(
                select(InboundMessage.outcome).where(
                    InboundMessage.folder == self.settings.mailbox.folder,
                    InboundMessage.uidvalidity == uidvalidity,
                    InboundMessage.uid == uid,
                )
            ).first()
        if outcome is None:
            return None
        return Destination.ATTENTION if outcome == "set_aside" else Destination.PROCESSED

    def _folder_for(self, destination: Destination) -> str:
        settings = self.settings.mailbox
        return settings.attention_folder if destination is Destination.ATTENTION else settings.processed_folder

    def _mark_poll(self, now: datetime) -> None:
        try:
            with self.sessions.begin() as session:
                session.merge(DaemonMark(name=LAST_POLL_MARK, at=now))
        except SQLAlchemyError:
            log.exception("ERROR recording the time of the last successful poll")
