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
    # The set-aside record of this message when it is handled again; its row is updated instead of adding another.
    replacing_id: int | None = None


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
    fields = {
        "message_id": mail.message_id if mail else None,
        "sha256": mail.sha256 if mail else (sha256 or ""),
        "size_bytes": position.size_bytes,
        "sender": mail.sender_address if mail else None,
        "subject": mail.subject if mail else None,
        "recorded_at": now,
        "outcome": outcome,
        "reason": reason,
        "case": case,
    }
    if position.replacing_id is not None:
        # A message handled again keeps one record, at the mailbox position where it was first read.
        inbound = session.get_one(InboundMessage, position.replacing_id)
        for name, value in fields.items():
            setattr(inbound, name, value)
        inbound.replay_requested_at = None
        inbound.replay_requested_by = None
        inbound.replay_case_reference = None
    else:
        inbound = InboundMessage(folder=position.folder, uidvalidity=position.uidvalidity, uid=position.uid, **fields)
        session.add(inbound)
    session.flush()
    return inbound
