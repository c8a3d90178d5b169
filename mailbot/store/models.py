"""The tables: cases and their history, inbound messages, the outbox, counters."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and returned timezone-aware.

    SQLite keeps no offset, so every value is converted to UTC on the way in
    and marked as UTC on the way out, on every backend alike.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; give it a time zone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Case(Base):
    """One request for a PST visit, from the form to its close."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    school: Mapped[str] = mapped_column(Text)
    requester_name: Mapped[str] = mapped_column(Text)
    requester_email: Mapped[str] = mapped_column(String(320))
    headteacher_name: Mapped[str | None] = mapped_column(Text)
    headteacher_email: Mapped[str] = mapped_column(String(320))
    visiting_teacher_name: Mapped[str | None] = mapped_column(Text)
    visiting_teacher_email: Mapped[str | None] = mapped_column(String(320))
    initiated_by: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    objectives: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    pst_id: Mapped[int | None] = mapped_column(ForeignKey("psts.id"), index=True)
    host_headteacher_name: Mapped[str | None] = mapped_column(Text)
    host_headteacher_email: Mapped[str | None] = mapped_column(String(320))
    # The PSTs offered to staff, best first: [{"pst_email", "pst_name", "school", "score", "reasons": [...]}, ...].
    shortlist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # PSTs never to offer again for this case, such as one whose headteacher said no.
    excluded_pst_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The state to return to when a case on hold is resumed.
    state_before_hold: Mapped[str | None] = mapped_column(String(32))

    pst: Mapped[Pst | None] = relationship()
    visits: Mapped[list[Visit]] = relationship(
        back_populates="case", order_by="(Visit.date, Visit.id)", cascade="all, delete-orphan"
    )

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="(CaseEvent.at, CaseEvent.id)", cascade="all, delete-orphan"
    )
    emails: Mapped[list[OutboxEmail]] = relationship(back_populates="case", order_by="OutboxEmail.id")


class CaseEvent(Base):
    """One entry in a case's history: every change, and every email in or out."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    event: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(320))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    outbox_email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class InboundMessage(Base):
    """A message read from the mailbox, recorded in the same commit as its effect.

    The mailbox position (folder, UIDVALIDITY, UID) identifies a message seen
    again after a crash. The Message-ID, or the SHA-256 of the bytes for mail
    without one, identifies a second copy of the same message.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("folder", "uidvalidity", "uid", name="uq_inbound_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # A person asked for this set-aside message to be handled again, optionally as mail about a case they named.
    replay_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    replay_requested_by: Mapped[str | None] = mapped_column(Text)
    replay_case_reference: Mapped[str | None] = mapped_column(String(32))

    case: Mapped[Case | None] = relationship()


class OutboxEmail(Base):
    """An email waiting to be sent, or sent, to exactly one recipient.

    The whole message is rendered when queued, so every retry sends the same
    bytes with the same Message-ID.
    """

    __tablename__ = "outbox_emails"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # The hourly limit counts one address's recent sends.
        Index("ix_outbox_recipient_sent", "recipient", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The visit an email is about, so that a reply to it, such as feedback, applies to that visit.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    reply_token: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case | None] = relationship(back_populates="emails")
    visit: Mapped[Visit | None] = relationship()


class ReferenceCounter(Base):
    """The last case number given out in a year, so references never repeat."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class DaemonMark(Base):
    """A named timestamp the daemon leaves for monitoring, such as its last successful poll."""

    __tablename__ = "daemon_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Pst(Base):
    """A designated Peer Support Teacher, from the register the alliance imports."""

    __tablename__ = "psts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    school: Mapped[str] = mapped_column(Text)
    headteacher_name: Mapped[str | None] = mapped_column(Text)
    headteacher_email: Mapped[str] = mapped_column(String(320))
    phase: Mapped[str] = mapped_column(String(64))
    subjects: Mapped[list[str]] = mapped_column(JSON, default=list)
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    designated_on: Mapped[date] = mapped_column(Date)
    max_visits_per_term: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Visit(Base):
    """One visit of a case: its date, plan, feedback and half-day sessions.

    A case may have several visits; each has its own calendar event, whose
    UID stays the same and whose sequence rises when the date changes.
    """

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # Indexed because matching counts each term's visits for every shortlist.
    date: Mapped[date] = mapped_column(Date, index=True)
    session: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    calendar_uid: Mapped[str] = mapped_column(String(255), unique=True)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    half_days: Mapped[int] = mapped_column(Integer, default=1)
    plan_received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    plan_forwarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    plan_filename: Mapped[str | None] = mapped_column(Text)
    feedback_rating: Mapped[int | None] = mapped_column(Integer)
    feedback_comments: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    case: Mapped[Case] = relationship(back_populates="visits")


class DueWork(Base):
    """A reminder, notice or deadline that falls due at a set time, kept as a row.

    Rows survive restarts, unlike scheduler jobs, and each is marked done in
    the same commit as the emails it queued. ``once_key``, where set, makes a
    notice impossible to schedule twice, such as a designation notice.
    """

    __tablename__ = "due_work"
    __table_args__ = (Index("ix_due_work_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    pst_id: Mapped[int | None] = mapped_column(ForeignKey("psts.id"), index=True)
    once_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    case: Mapped[Case | None] = relationship()
    visit: Mapped[Visit | None] = relationship()
    pst: Mapped[Pst | None] = relationship()


class LedgerEntry(Base):
    """A charge to the requesting school or a reimbursement to the PST's school, in pence."""

    __tablename__ = "ledger_entries"
    # One charge and one reimbursement per visit, so recording a visit twice cannot charge it twice.
    __table_args__ = (UniqueConstraint("visit_id", "entry_type", name="uq_ledger_visit_entry_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    term: Mapped[str] = mapped_column(String(32), index=True)
    school: Mapped[str] = mapped_column(Text)
    entry_type: Mapped[str] = mapped_column(String(16))
    half_days: Mapped[int] = mapped_column(Integer)
    rate_pence: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
