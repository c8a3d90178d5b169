"""Endorsement: the requesting headteacher confirms a request that a member of staff made.

The headteacher is asked to reply YES or NO. YES moves the case on to
matching; NO declines it and tells the requester. Silence gets a reminder and
then a notice to the business manager, counted in school days.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from mailbot.case_history import change_state, record
from mailbot.config import Settings
from mailbot.duework import Handler, cancel, schedule
from mailbot.intent import ReadAnswer
from mailbot.outbox import Outbox, Recipient
from mailbot.ruleset import Rules
from mailbot.store.models import Case, DueWork
from mailbot.timings import local_moment

log = logging.getLogger("mailbot.workflow")

AWAITING = "awaiting_endorsement"
REMINDER = "endorsement_reminder"
ESCALATION = "endorsement_escalation"
# The bot emails whose replies count as the headteacher's answer.
ASKING_PURPOSES = ("endorsement_request", "endorsement_reminder")


class Endorsement:
    """Asks for, chases and records the requesting headteacher's endorsement."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    def handlers(self) -> dict[str, Handler]:
        return {REMINDER: self._remind, ESCALATION: self._escalate}

    def request(self, session: Session, case: Case, now: datetime) -> None:
        """Ask the headteacher to endorse ``case`` and schedule the reminder and the escalation."""
        self.outbox.queue(session, purpose="endorsement_request", recipient=_headteacher(case), context=self._context(case), now=now, case=case)
        self.schedule_chase(session, case, now)

    def schedule_chase(self, session: Session, case: Case, now: datetime) -> None:
        """Schedule the reminder and the notice to staff, counted in school days from ``now``."""
        today = now.astimezone(self.settings.zone).date()
        chase = self.rules.timings.endorsement
        for kind, school_days in ((REMINDER, chase.reminder_after_school_days), (ESCALATION, chase.escalate_after_school_days)):
            day = self.rules.calendar.add_school_days(today, school_days)
            schedule(session, kind=kind, due_at=local_moment(day, self.rules.timings.send_time, self.settings.zone), now=now, case=case)

    def is_answer_from_headteacher(self, case: Case, sender: str) -> bool:
        return case.state == AWAITING and sender.casefold() == case.headteacher_email.casefold()

    def record(self, session: Session, case: Case, endorsed: bool, now: datetime, *, actor: str, inbound_id: int | None, words: str | None = None) -> None:
        """Record the headteacher's YES or NO, whether they replied or staff recorded it for them."""
        cancel(session, now, case=case, kinds=(REMINDER, ESCALATION))
        context = self._context(case)
        new_state = "awaiting_match" if endorsed else "declined"
        event = "endorsed" if endorsed else "endorsement_declined"
        change_state(session, case, new_state, now, event=event, actor=actor, inbound_id=inbound_id, words=words or "")

        if endorsed:
            self.outbox.queue(session, purpose="endorsement_confirmed", recipient=Recipient(case.requester_email, case.requester_name), context=context, now=now, case=case)
        else:
            self.outbox.queue(session, purpose="endorsement_declined", recipient=Recipient(case.requester_email, case.requester_name), context=context, now=now, case=case)
        self._tell_staff(session, case, "endorsement_outcome_notice", {**context, "endorsed": endorsed, "actor": actor}, now)
        log.info("%s %s by %s", "ENDORSED" if endorsed else "DECLINED", case.reference, actor)

    def refer_unclear(self, session: Session, case: Case, reading: ReadAnswer, sender: str, now: datetime, inbound_id: int | None) -> None:
        """Pass a reply that is neither a clear YES nor a clear NO to the business manager, words quoted."""
        record(session, case, "reply_unclear", now, actor=sender, inbound_id=inbound_id, words=reading.words, stage="endorsement")
        self._tell_staff(session, case, "unclear_reply_notice", {**self._context(case), "sender": sender, "words": reading.words, "question": "endorse the request", "command": "endorse"}, now)
        log.info("UNCLEAR %s reply from %s passed to staff", case.reference, sender)

    def _remind(self, session: Session, work: DueWork, now: datetime) -> None:
        case = work.case
        if case is None or case.state != AWAITING:
            return
        self.outbox.queue(session, purpose="endorsement_reminder", recipient=_headteacher(case), context=self._context(case), now=now, case=case)

    def _escalate(self, session: Session, work: DueWork, now: datetime) -> None:
        case = work.case
        if case is None or case.state != AWAITING:
            return
        days = self.rules.timings.endorsement.escalate_after_school_days
        self._tell_staff(session, case, "endorsement_escalation", {**self._context(case), "school_days": days}, now, staff=(self.settings.alliance.business_manager,))

    def _tell_staff(self, session: Session, case: Case, purpose: str, context: dict, now: datetime, staff: tuple[str, ...] | None = None) -> None:
        addresses = staff or (self.settings.alliance.business_manager, self.settings.alliance.strategic_lead)
        for address in dict.fromkeys(address.lower() for address in addresses):
            self.outbox.queue(session, purpose=purpose, recipient=Recipient(address), context=context, now=now, case=case)

    def _context(self, case: Case) -> dict:
        return {"case": case, "state_label": self.rules.state_label(case.state)}


def _headteacher(case: Case) -> Recipient:
    return Recipient(case.headteacher_email, case.headteacher_name)

