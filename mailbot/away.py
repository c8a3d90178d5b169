"""Automatic replies about a case: noted in its history, never answered, and passed on when time is short.

An out-of-office reply is never an answer and never gets one, so no loop of
automatic emails can start. It is still worth knowing: when the case has
work due within a few school days, such as a reminder, a deadline or the
visit itself, the business manager is told that the person is away.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.case_history import record
from mailbot.config import Settings
from mailbot.duework import DUE
from mailbot.form import html_to_text
from mailbot.message import InboundMail
from mailbot.outbox import Outbox, Recipient
from mailbot.ruleset import Rules
from mailbot.store.models import Case, CaseEvent, DueWork
from mailbot.timings import local_moment

log = logging.getLogger("mailbot.workflow")

# Work due within this many school days counts as near, so staff hear that someone is away.
NEAR_SCHOOL_DAYS = 3
# One notice per person and case in this time, however many automatic replies they send.
NOTICE_QUIET_PERIOD = timedelta(days=3)


class AwayNotes:
    """Notes automatic replies on their case and tells the business manager when work is near."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    def note(self, session: Session, case: Case, mail: InboundMail, now: datetime, inbound_id: int) -> None:
        """Record the automatic reply on ``case``; tell the business manager if the person is away and work is near."""
        away = mail.says_away
        entry = record(session, case, "automatic_reply", now, actor=mail.sender_address, inbound_id=inbound_id, subject=mail.subject, away=away)
        if not away:
            log.info("AUTOMATIC %s from %s noted in the history; no reply sent", case.reference, mail.sender_address)
            return

        near = self._near_due_work(session, case, now)
        if near is None or self._notice_sent_recently(session, case, mail.sender_address, now):
            log.info("AWAY %s: %s is away; no notice sent, because nothing is due soon or a notice went recently", case.reference, mail.sender_address)
            return

        entry.details = {**entry.details, "staff_told": True}
        context = {"case": case, "sender": mail.sender_address, "subject": mail.subject, "due_at": near, "words": _first_lines(mail)}
        self.outbox.queue(session, purpose="away_notice", recipient=Recipient(self.settings.alliance.business_manager), context=context, now=now, case=case)
        log.info("AWAY %s: %s is away and work is due on %s; notice sent to the business manager", case.reference, mail.sender_address, near.isoformat())

    def _near_due_work(self, session: Session, case: Case, now: datetime) -> datetime | None:
        """Return when the case's next due work falls, if that is within NEAR_SCHOOL_DAYS school days."""
        today = now.astimezone(self.settings.zone).date()
        horizon = local_moment(self.rules.calendar.add_school_days(today, NEAR_SCHOOL_DAYS), self.rules.timings.send_time, self.settings.zone)
        next_due = session.scalars(
            select(DueWork.due_at).where(DueWork.case_id == case.id, DueWork.status == DUE).order_by(DueWork.due_at).limit(1)
        ).first()
        upcoming_visit = min((visit.date for visit in case.visits if visit.status == "scheduled" and visit.date >= today), default=None)
        candidates = [moment for moment in (next_due,) if moment is not None]
        if upcoming_visit is not None:
            candidates.append(local_moment(upcoming_visit, self.rules.timings.send_time, self.settings.zone))
        soonest = min(candidates, default=None)
        return soonest if soonest is not None and soonest <= horizon else None

    def _notice_sent_recently(self, session: Session, case: Case, sender: str, now: datetime) -> bool:
        earlier = session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case.id,
                CaseEvent.event == "automatic_reply",
                CaseEvent.at >= now - NOTICE_QUIET_PERIOD,
            )
        ).all()
        return any(event.actor == sender and (event.details or {}).get("staff_told") for event in earlier)


def _first_lines(mail: InboundMail, limit: int = 600) -> str:
    text = (mail.text_plain or html_to_text(mail.text_html or "")).strip()
    return text[:limit] + ("…" if len(text) > limit else "")
