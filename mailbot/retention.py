"""The retention period: what has passed it, and the purge that anonymises it and deletes its raw mail.

A closed, declined or cancelled case keeps its personal data for
``[data_protection] retention_months`` after the day it finished, which is
when it entered that state. Then it is anonymised (see mailbot.anonymise)
and its raw mail is deleted from the Processed and Needs attention folders.
Message records with no case, such as set-aside mail, and emails about no
case, such as notices to staff, are kept as long, counted from when they
were recorded or queued.

Each case is purged in its own transaction. Its raw mail is deleted just
before that transaction commits, so a failed commit leaves the case to the
next run, which finds no mail left to delete and anonymises it again. A
case anonymised before that gets new history, such as a late reply or a
staff note, is anonymised again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.anonymise import (
    ANONYMISED,
    MARKER,
    RETENTION_ENDED,
    EmailsWaiting,
    Footprint,
    anonymise_case,
    anonymise_inbound,
    case_footprint,
    check_no_email_waiting,
    clear_email,
)
from mailbot.config import Settings
from mailbot.digest import FINISHED_STATES
from mailbot.errors import MailboxError
from mailbot.mailbox import CONNECTION_ERRORS, Mailbox
from mailbot.outbox import WAITING
from mailbot.raw_mail import MailKeys, RawMail, keys_of
from mailbot.store.models import Case, CaseEvent, InboundMessage, OutboxEmail

log = logging.getLogger("mailbot.retention")

# Called with (items done, items in all) after each item, to draw a progress bar.
Progress = Callable[[int, int], None]
MailboxOpener = Callable[[], Mailbox]


@dataclass(frozen=True)
class DueCase:
    """A finished case past the retention period, and the day it finished."""

    case_id: int
    reference: str
    state: str
    finished_at: datetime


@dataclass
class PurgePlan:
    """The work past the retention period at ``now``: cases, message records with no case, and emails about no case."""

    now: datetime
    cutoff: datetime
    cases: list[DueCase]
    inbound_ids: list[int]
    email_ids: list[int]

    @property
    def size(self) -> int:
        return len(self.cases) + len(self.inbound_ids) + len(self.email_ids)


@dataclass
class PurgeReport:
    """The outcome of a purge, or with ``dry_run`` the work it would do."""

    dry_run: bool
    cases: list[DueCase] = field(default_factory=list)
    footprint: Footprint = field(default_factory=Footprint)
    raw_messages: int = 0
    caseless_records: int = 0
    caseless_emails: int = 0
    problems: list[str] = field(default_factory=list)


def retention_cutoff(now: datetime, retention_months: int) -> datetime:
    """Return the moment before which finished work has passed the retention period."""
    return now - relativedelta(months=retention_months)


def plan_purge(session: Session, now: datetime, retention_months: int) -> PurgePlan:
    """Find everything past the retention period at ``now``; change nothing."""
    cutoff = retention_cutoff(now, retention_months)
    return PurgePlan(now, cutoff, _due_cases(session, cutoff), _due_inbound(session, cutoff), _due_emails(session, cutoff))


def protected_keys(session: Session, keys: MailKeys, purging_case_ids: Iterable[int]) -> MailKeys:
    """Return those of ``keys`` that a message of a case not anonymised, and not in ``purging_case_ids``, also has.

    A second copy of a message is recorded without a case, so deleting its
    raw mail by Message-ID must not take the copy a live case still uses.
    """
    if keys.empty:
        return MailKeys()
    anonymised = select(CaseEvent.case_id).where(CaseEvent.event == ANONYMISED)
    query = select(InboundMessage.message_id, InboundMessage.sha256).where(
        InboundMessage.case_id.is_not(None),
        InboundMessage.case_id.not_in(list(purging_case_ids)),
        InboundMessage.case_id.not_in(anonymised),
        or_(
            InboundMessage.message_id.in_(list(keys.message_ids)),
            and_(InboundMessage.message_id.is_(None), InboundMessage.sha256.in_(list(keys.sha256s))),
        ),
    )
    rows = session.execute(query).all()
    return MailKeys(
        frozenset(message_id for message_id, _ in rows if message_id in keys.message_ids),
        frozenset(sha256 for message_id, sha256 in rows if message_id is None and sha256 in keys.sha256s),
    )


class Purge:
    """Anonymises what has passed the retention period and deletes its raw mail from the mailbox.

    ``open_mailbox`` returns an unconnected Mailbox; the daemon passes one that
    shares its OAuth 2.0 token.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], open_mailbox: MailboxOpener | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.open_mailbox = open_mailbox or (lambda: Mailbox(settings.mailbox))

    @property
    def folders(self) -> tuple[str, str]:
        return (self.settings.mailbox.processed_folder, self.settings.mailbox.attention_folder)

    def plan(self, now: datetime) -> PurgePlan:
        with self.sessions() as session:
            return plan_purge(session, now, self.settings.data_protection.retention_months)

    def carry_out(self, plan: PurgePlan, *, dry_run: bool = False, progress: Progress | None = None) -> PurgeReport:
        """Purge what ``plan`` found, or with ``dry_run`` only count it, raw mail included.

        Signs in to the mailbox only when there is something to purge. When the
        mailbox fails, the work not yet done is left for the next run, and the
        failure is added to the report's ``problems`` instead of raised.
        """
        report = PurgeReport(dry_run=dry_run)
        if plan.size == 0:
            return report
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, plan.size)

        try:
            with self.open_mailbox() as mailbox:
                raw_mail = RawMail(mailbox, self.folders)
                for due in plan.cases:
                    self._purge_case(due, raw_mail, plan.now, dry_run, report)
                    step()
                for inbound_id in plan.inbound_ids:
                    self._purge_caseless_record(inbound_id, raw_mail, dry_run, report)
                    step()
        except (MailboxError, *CONNECTION_ERRORS) as exc:
            report.problems.append(f"the mailbox failed, so the rest is left for the next run: {exc}")
            log.warning("PURGE stopped: the mailbox failed: %s", exc)
            return report

        # Emails about no case have no raw mail, so they need no mailbox.
        for email_id in plan.email_ids:
            self._purge_caseless_email(email_id, dry_run, report)
            step()
        return report

    def _purge_case(self, due: DueCase, raw_mail: RawMail, now: datetime, dry_run: bool, report: PurgeReport) -> None:
        with self.sessions.begin() as session:
            case = session.get_one(Case, due.case_id)
            records = session.scalars(select(InboundMessage).where(InboundMessage.case_id == case.id))
            keys = keys_of(records)
            keys = keys.without(protected_keys(session, keys, [case.id]))
            found = raw_mail.find(keys)

            try:
                if dry_run:
                    check_no_email_waiting(case)
                    footprint = case_footprint(session, case)
                else:
                    footprint = anonymise_case(session, case, now, reason=RETENTION_ENDED)
            except EmailsWaiting as exc:
                report.problems.append(f"{due.reference} {'would be' if dry_run else 'was'} left for the next run: {exc}")
                log.warning("PURGE skipped %s: %s", due.reference, exc)
                return

            if dry_run:
                report.raw_messages += sum(len(uids) for uids in found.values())
            else:
                report.raw_messages += raw_mail.delete(found)

        report.cases.append(due)
        report.footprint.add(footprint)
        if not dry_run:
            log.info(
                "ANONYMISED %s (%s since %s): %d history entries, %d message record(s), %d email(s)",
                due.reference, due.state, due.finished_at.date().isoformat(), footprint.history_entries, footprint.message_records, footprint.emails,
            )

    def _purge_caseless_record(self, inbound_id: int, raw_mail: RawMail, dry_run: bool, report: PurgeReport) -> None:
        with self.sessions.begin() as session:
            message = session.get_one(InboundMessage, inbound_id)
            keys = keys_of([message])
            found = raw_mail.find(keys.without(protected_keys(session, keys, [])))
            if dry_run:
                report.raw_messages += sum(len(uids) for uids in found.values())
            else:
                anonymise_inbound(message)
                report.raw_messages += raw_mail.delete(found)
        report.caseless_records += 1

    def _purge_caseless_email(self, email_id: int, dry_run: bool, report: PurgeReport) -> None:
        with self.sessions.begin() as session:
            if not dry_run:
                clear_email(session.get_one(OutboxEmail, email_id))
        report.caseless_emails += 1


def _due_cases(session: Session, cutoff: datetime) -> list[DueCase]:
    """Return the finished cases that finished before ``cutoff`` and hold personal data, oldest first."""
    finished = list(session.execute(select(Case.id, Case.reference, Case.state, Case.updated_at).where(Case.state.in_(FINISHED_STATES))))
    if not finished:
        return []
    finish_times = _finish_times(session)
    last_event_ids = dict(session.execute(select(CaseEvent.case_id, func.max(CaseEvent.id)).group_by(CaseEvent.case_id)).all())
    anonymised_ids = dict(
        session.execute(select(CaseEvent.case_id, func.max(CaseEvent.id)).where(CaseEvent.event == ANONYMISED).group_by(CaseEvent.case_id)).all()
    )

    due = []
    for case_id, reference, state, updated_at in finished:
        finished_at = finish_times.get(case_id) or updated_at
        if finished_at > cutoff:
            continue
        # A case is done when its latest history entry is the one that anonymised it.
        anonymised_id = anonymised_ids.get(case_id)
        if anonymised_id is not None and anonymised_id >= last_event_ids.get(case_id, 0):
            continue
        due.append(DueCase(case_id, reference, state, finished_at))
    return sorted(due, key=lambda item: (item.finished_at, item.reference))


def _finish_times(session: Session) -> dict[int, datetime]:
    """Return when each finished case entered its state: its latest history entry that moved it there."""
    query = (
        select(CaseEvent.case_id, func.max(CaseEvent.at))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.state.in_(FINISHED_STATES), CaseEvent.details["state"].as_string() == Case.state)
        .group_by(CaseEvent.case_id)
    )
    return dict(session.execute(query).all())


def _due_inbound(session: Session, cutoff: datetime) -> list[int]:
    """Return the message records with no case, recorded before ``cutoff``, that still name someone."""
    still_personal = [and_(column.is_not(None), column != MARKER) for column in (InboundMessage.sender, InboundMessage.subject, InboundMessage.reason)]
    query = (
        select(InboundMessage.id)
        .where(InboundMessage.case_id.is_(None), InboundMessage.recorded_at <= cutoff, or_(*still_personal))
        .order_by(InboundMessage.id)
    )
    return list(session.scalars(query))


def _due_emails(session: Session, cutoff: datetime) -> list[int]:
    """Return the emails about no case, queued before ``cutoff`` and no longer waiting, whose content is still kept."""
    query = (
        select(OutboxEmail.id)
        .where(OutboxEmail.case_id.is_(None), OutboxEmail.created_at <= cutoff, OutboxEmail.status.not_in(WAITING), OutboxEmail.recipient != MARKER)
        .order_by(OutboxEmail.id)
    )
    return list(session.scalars(query))
