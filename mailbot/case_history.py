"""Changes to a case, each written to its history in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mailbot.store.models import Case, CaseEvent

MAX_QUOTED_CHARACTERS = 2000


def change_state(
    session: Session,
    case: Case,
    new_state: str,
    now: datetime,
    *,
    event: str,
    actor: str | None,
    inbound_id: int | None = None,
    **details: Any,
) -> None:
    """Move ``case`` to ``new_state`` and record why, by whom and from which message."""
    record(session, case, event, now, actor=actor, inbound_id=inbound_id, from_state=case.state, state=new_state, **details)
    case.state = new_state
    case.updated_at = now


def record(
    session: Session, case: Case, event: str, now: datetime, *, actor: str | None, inbound_id: int | None = None, **details: Any
) -> CaseEvent:
    """Add one history entry to ``case``; long quoted words are cut to keep the history readable."""
    if isinstance(details.get("words"), str):
        details["words"] = details["words"][:MAX_QUOTED_CHARACTERS]
    entry = CaseEvent(case=case, at=now, event=event, actor=actor, inbound_message_id=inbound_id, details=details)
    session.add(entry)
    return entry
