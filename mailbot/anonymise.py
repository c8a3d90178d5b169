"""Anonymising: the personal data of a case, a message record or an email replaced by a fixed marker.

What stays is what the alliance needs once the people are gone. That is the
case reference, its state and dates, the requesting school (a school is not
a person), and the visits' dates, sessions, half-days and ratings. The
case's link to the PST register stays too, because the ledger and the
per-term visit counts use it. Message-IDs and hashes of inbound mail stay too, so that a copy of a
message already handled is still recognised as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.case_history import record
from mailbot.outbox import WAITING
from mailbot.store.models import Case, CaseEvent, InboundMessage, OutboxEmail, Visit

MARKER = "[anonymised]"
# The history entry that records that a case was anonymised, and why. It contains no personal data.
ANONYMISED = "anonymised"
RETENTION_ENDED = "retention period ended"
ERASURE_REQUESTED = "erasure requested"

# History details that contain no personal data: states, dates, counts, and identifiers that mail programs or mailbot made.
KEPT_DETAILS = frozenset({"state", "from_state", "purpose", "message_id", "date", "time_of_day", "previous", "visit", "half_days", "stage", "away"})
# Case columns that may be empty; each one set is replaced by the marker.
OPTIONAL_PERSONAL_FIELDS = (
    "headteacher_name",
    "visiting_teacher_name",
    "visiting_teacher_email",
    "initiated_by",
    "context",
    "reason",
    "objectives",
    "host_headteacher_name",
    "host_headteacher_email",
)


class EmailsWaiting(Exception):
    """A case still has emails waiting to be sent, whose content must not be cleared before they go."""


@dataclass
class Footprint:
    """The number of rows of a case that contain personal data: its history entries, message records and emails."""

    history_entries: int = 0
    message_records: int = 0
    emails: int = 0

    def add(self, other: Footprint) -> None:
        self.history_entries += other.history_entries
        self.message_records += other.message_records
        self.emails += other.emails


def case_footprint(session: Session, case: Case) -> Footprint:
    """Count the rows of ``case`` that anonymising it changes, for a dry run."""
    return Footprint(len(case.events), len(_inbound_of(session, case)), len(case.emails))


def anonymise_case(session: Session, case: Case, now: datetime, *, reason: str) -> Footprint:
    """Replace every person's data in ``case`` by the marker, clear its emails' content and record why.

    Everyone on the case is anonymised, because its history and emails name
    them together. ``reason`` (RETENTION_ENDED or ERASURE_REQUESTED) goes
    into the history entry. Raises EmailsWaiting, changing nothing, while an
    email of the case is still waiting to be sent.
    """
    check_no_email_waiting(case)

    _anonymise_people(case)
    for visit in case.visits:
        _anonymise_visit(visit)
    for event in case.events:
        anonymise_event(event)
    inbound = _inbound_of(session, case)
    for message in inbound:
        anonymise_inbound(message)
    for email in case.emails:
        clear_email(email)

    footprint = Footprint(len(case.events), len(inbound), len(case.emails))
    record(session, case, ANONYMISED, now, actor=None, reason=reason)
    case.updated_at = now
    return footprint


def check_no_email_waiting(case: Case) -> None:
    """Raise EmailsWaiting while an email of ``case`` is still waiting to be sent, because clearing its content would send an empty email."""
    waiting = [email.message_id for email in case.emails if email.status in WAITING]
    if waiting:
        raise EmailsWaiting(f"{len(waiting)} email(s) of {case.reference} are still waiting to be sent")


def anonymise_event(event: CaseEvent) -> None:
    """Replace the actor and every detail that may hold personal data; entries saying a case was anonymised stay."""
    if event.event == ANONYMISED:
        return
    if event.actor is not None:
        event.actor = MARKER
    # A new dict, so that SQLAlchemy detects the change of the JSON column.
    event.details = {key: _kept_detail(key, value) for key, value in (event.details or {}).items()}


def anonymise_inbound(message: InboundMessage) -> None:
    """Replace the sender, subject, reason and replay requester of a message record; its Message-ID and hash stay."""
    for name in ("sender", "subject", "reason", "replay_requested_by"):
        if getattr(message, name) is not None:
            setattr(message, name, MARKER)


def is_anonymised_inbound(message: InboundMessage) -> bool:
    return all(value in (None, MARKER) for value in (message.sender, message.subject, message.reason))


def clear_email(email: OutboxEmail) -> None:
    """Delete an email's content, attachments included, and replace its recipient, subject and error text."""
    email.content = b""
    email.recipient = MARKER
    email.subject = MARKER
    if email.last_error is not None:
        email.last_error = MARKER


def _anonymise_people(case: Case) -> None:
    case.requester_name = MARKER
    case.requester_email = MARKER
    case.headteacher_email = MARKER
    for name in OPTIONAL_PERSONAL_FIELDS:
        if getattr(case, name) is not None:
            setattr(case, name, MARKER)
    case.shortlist = []
    case.excluded_pst_emails = []


def _anonymise_visit(visit: Visit) -> None:
    # The file name of a session plan often carries the PST's or the school's people's names.
    if visit.plan_filename is not None:
        visit.plan_filename = MARKER
    if visit.feedback_comments is not None:
        visit.feedback_comments = MARKER


def _kept_detail(key: str, value: Any) -> Any:
    if key in KEPT_DETAILS or value in (None, "", []):
        return value
    return MARKER


def _inbound_of(session: Session, case: Case) -> list[InboundMessage]:
    return list(session.scalars(select(InboundMessage).where(InboundMessage.case_id == case.id).order_by(InboundMessage.id)))
