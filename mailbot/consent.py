"""Consent: the PST's headteacher agrees (or not) to the visit.

The PST's headteacher is asked to reply YES or NO, and the PST hears that a
request is coming. YES moves the case on to agreeing a date. NO returns it
to matching with that PST left out, and staff are notified.
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

AWAITING = "awaiting_consent"


class Consent(ChasedQuestion):
    """Asks for, chases and records the host headteacher's consent to a visit."""

    stage = "consent"
    awaiting_state = AWAITING
    command = "consent"
    question = "consent to the visit"

    # Called with (session, case, now) when consent is refused, to offer other PSTs.
    on_refused: Callable[[Session, Case, datetime], None] | None = None

    def chase_timings(self) -> ChaseTimings:
        return self.rules.timings.consent

    def respondent(self, case: Case) -> Recipient:
        return Recipient(case.host_headteacher_email or "", case.host_headteacher_name)

    def request(self, session: Session, case: Case, now: datetime) -> None:
        super().request(session, case, now)
        if case.pst is not None:
            self.outbox.queue(session, purpose="pst_request_notice", recipient=Recipient(case.pst.email, case.pst.name), context=self.context(case), now=now, case=case)

    def on_answer(self, session: Session, case: Case, yes: bool, now: datetime, actor: str, inbound_id: int | None, words: str) -> None:
        pst = case.pst
        context = {**self.context(case), "consented": yes, "actor": actor, "pst": pst}
        if yes:
            change_state(session, case, "awaiting_date", now, event="consent_given", actor=actor, inbound_id=inbound_id, words=words)
            if pst is not None:
                self.outbox.queue(session, purpose="pst_consent_given", recipient=Recipient(pst.email, pst.name), context=context, now=now, case=case)
                visitor = Recipient(case.visiting_teacher_email, case.visiting_teacher_name) if case.visiting_teacher_email else Recipient(case.requester_email, case.requester_name)
                self.outbox.queue(session, purpose="date_request_visitor", recipient=visitor, context=context, now=now, case=case)
            self.tell_staff(session, case, "consent_outcome_notice", context, now)
            return

        # The PST is never offered again for this case, and the case goes back to matching.
        refused_email = pst.email if pst is not None else None
        case.excluded_pst_emails = [*case.excluded_pst_emails, refused_email] if refused_email else list(case.excluded_pst_emails)
        case.pst = None
        case.host_headteacher_name = None
        case.host_headteacher_email = None
        change_state(session, case, "awaiting_match", now, event="consent_refused", actor=actor, inbound_id=inbound_id, words=words, pst=refused_email)
        self.tell_staff(session, case, "consent_outcome_notice", context, now)
        if self.on_refused is not None:
            self.on_refused(session, case, now)
