"""Endorsement: the requesting headteacher confirms a request that a member of staff made.

The headteacher is asked to reply YES or NO. YES moves the case on to
matching. NO declines it, and the requester hears so kindly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from mailbot.case_history import change_state
from mailbot.outbox import Recipient
from mailbot.question import ChasedQuestion
from mailbot.store.models import Case
from mailbot.timings import ChaseTimings

AWAITING = "awaiting_endorsement"


class Endorsement(ChasedQuestion):
    """Asks for, chases and records the requesting headteacher's endorsement."""

    stage = "endorsement"
    awaiting_state = AWAITING
    command = "endorse"
    question = "endorse the request"

    # Called with (session, case, now) once a case is endorsed, to start matching.
    on_endorsed: Callable[[Session, Case, datetime], None] | None = None

    def chase_timings(self) -> ChaseTimings:
        return self.rules.timings.endorsement

    def respondent(self, case: Case) -> Recipient:
        return Recipient(case.headteacher_email, case.headteacher_name)

    def on_answer(self, session: Session, case: Case, yes: bool, now: datetime, actor: str, inbound_id: int | None, words: str) -> None:
        event = "endorsed" if yes else "endorsement_declined"
        change_state(session, case, "awaiting_match" if yes else "declined", now, event=event, actor=actor, inbound_id=inbound_id, words=words)

        requester = Recipient(case.requester_email, case.requester_name)
        purpose = "endorsement_confirmed" if yes else "endorsement_declined"
        self.outbox.queue(session, purpose=purpose, recipient=requester, context=self.context(case), now=now, case=case)
        self.tell_staff(session, case, "endorsement_outcome_notice", {**self.context(case), "endorsed": yes, "actor": actor}, now)
        if yes and self.on_endorsed is not None:
            self.on_endorsed(session, case, now)
