"""A YES-or-NO question to one person about a case, chased in school days.

Endorsement (the requesting headteacher) and consent (the PST's headteacher)
work the same way: the person is asked to reply YES or NO, silence brings a
reminder and then a notice to the business manager, an unclear reply goes to
staff with the words quoted, and staff can record the answer with a command.
Each stage supplies its names and what YES and NO do.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mailbot.case_history import record
from mailbot.config import Settings
from mailbot.duework import Handler, cancel, schedule
from mailbot.intent import ReadAnswer
from mailbot.outbox import Outbox, Recipient
from mailbot.ruleset import Rules
from mailbot.store.models import Case, DueWork
from mailbot.timings import ChaseTimings, local_moment

log = logging.getLogger("mailbot.workflow")


class ChasedQuestion:
    """The shared mechanics of asking one person YES or NO and chasing them."""

    # Set by each stage: the stage's name, the state it waits in, the staff command, and the question in words.
    stage = ""
    awaiting_state = ""
    command = ""
    question = ""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    @property
    def reminder_kind(self) -> str:
        return f"{self.stage}_reminder"

    @property
    def escalation_kind(self) -> str:
        return f"{self.stage}_escalation"

    @property
    def asking_purposes(self) -> tuple[str, ...]:
        """The purposes of the bot's emails whose replies count as the YES or NO."""
        return (f"{self.stage}_request", f"{self.stage}_reminder")

    def chase_timings(self) -> ChaseTimings:
        raise NotImplementedError

    def respondent(self, case: Case) -> Recipient:
        """Return the respondent: the person whose YES or NO the stage waits for."""
        raise NotImplementedError

    def on_answer(self, session: Session, case: Case, yes: bool, now: datetime, actor: str, inbound_id: int | None, words: str) -> None:
        """Apply the YES or NO to the case: change its state and email the people concerned."""
        raise NotImplementedError

    def handlers(self) -> dict[str, Handler]:
        return {self.reminder_kind: self._remind, self.escalation_kind: self._escalate}

    def request(self, session: Session, case: Case, now: datetime) -> None:
        """Ask the person and schedule the reminder and the notice to staff."""
        self.outbox.queue(session, purpose=f"{self.stage}_request", recipient=self.respondent(case), context=self.context(case), now=now, case=case)
        self.schedule_chase(session, case, now)

    def schedule_chase(self, session: Session, case: Case, now: datetime) -> None:
        """Schedule the reminder and the notice to staff, counted in school days from ``now``."""
        today = now.astimezone(self.settings.zone).date()
        chase = self.chase_timings()
        for kind, school_days in ((self.reminder_kind, chase.reminder_after_school_days), (self.escalation_kind, chase.escalate_after_school_days)):
            day = self.rules.calendar.add_school_days(today, school_days)
            schedule(session, kind=kind, due_at=local_moment(day, self.rules.timings.send_time, self.settings.zone), now=now, case=case)

    def is_reply_from_respondent(self, case: Case, sender: str) -> bool:
        return case.state == self.awaiting_state and sender.casefold() == self.respondent(case).address.casefold()

    def record(self, session: Session, case: Case, yes: bool, now: datetime, *, actor: str, inbound_id: int | None, words: str = "") -> None:
        """Record a YES or NO, whether the person replied or staff recorded it for them."""
        cancel(session, now, case=case, kinds=(self.reminder_kind, self.escalation_kind))
        self.on_answer(session, case, yes, now, actor, inbound_id, words)
        log.info("%s %s %s by %s", self.stage.upper(), "YES" if yes else "NO", case.reference, actor)

    def refer_unclear(self, session: Session, case: Case, reading: ReadAnswer, sender: str, now: datetime, inbound_id: int | None) -> None:
        """Pass a reply that is neither a clear YES nor a clear NO to staff, with the words quoted."""
        record(session, case, "reply_unclear", now, actor=sender, inbound_id=inbound_id, words=reading.words, stage=self.stage)
        context = {**self.context(case), "sender": sender, "words": reading.words, "question": self.question, "command": self.command}
        self.tell_staff(session, case, "unclear_reply_notice", context, now)
        log.info("UNCLEAR %s reply from %s passed to staff", case.reference, sender)

    def tell_staff(self, session: Session, case: Case, purpose: str, context: dict[str, Any], now: datetime, staff: tuple[str, ...] | None = None) -> None:
        addresses = staff or (self.settings.alliance.business_manager, self.settings.alliance.strategic_lead)
        for address in dict.fromkeys(address.lower() for address in addresses):
            self.outbox.queue(session, purpose=purpose, recipient=Recipient(address), context=context, now=now, case=case)

    def context(self, case: Case) -> dict[str, Any]:
        return {"case": case, "state_label": self.rules.state_label(case.state)}

    def _remind(self, session: Session, work: DueWork, now: datetime) -> None:
        case = work.case
        if case is None or case.state != self.awaiting_state:
            return
        self.outbox.queue(session, purpose=self.reminder_kind, recipient=self.respondent(case), context=self.context(case), now=now, case=case)

    def _escalate(self, session: Session, work: DueWork, now: datetime) -> None:
        case = work.case
        if case is None or case.state != self.awaiting_state:
            return
        context = {**self.context(case), "school_days": self.chase_timings().escalate_after_school_days}
        self.tell_staff(session, case, self.escalation_kind, context, now, staff=(self.settings.alliance.business_manager,))
