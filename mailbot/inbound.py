"""The record of each message read from the mailbox, and where it goes once its effect is committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from mailbot.message import InboundMail
from mailbot.store.models import Case, InboundMessage


class Destination(StrEnum):
    """The mailbox folder a message goes to once its effect is committed."""

    PROCESSED = "processed"
    ATTENTION = "attention"


@dataclass(frozen=True)
class MailboxPosition:
    folder: str
    uidvalidity: int
    uid: int
    size_bytes: int


@dataclass(frozen=True)
class Outcome:
    destination: Destination
    outcome: str
    reason: str | None = None
    case_reference: str | None = None


def record_inbound(
    session: Session,
    position: MailboxPosition,
    now: datetime,
    mail: InboundMail | None,
    *,
    outcome: str,
    reason: str | None = None,
    case: Case | None = None,
    sha256: str | None = None,
) -> InboundMessage:
    inbound = InboundMessage(
        folder=position.folder,
        uidvalidity=position.uidvalidity,
        uid=position.uid,
        message_id=mail.message_id if mail else None,
        sha256=mail.sha256 if mail else (sha256 or ""),
        size_bytes=position.size_bytes,
        sender=mail.sender_address if mail else None,
        subject=mail.subject if mail else None,
        recorded_at=now,
        outcome=outcome,
        reason=reason,
        case=case,
    )
    session.add(inbound)
    session.flush()
    return inbound
