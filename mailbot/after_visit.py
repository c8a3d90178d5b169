"""After a visit: counting it as done, its charges, the visiting teacher's feedback, and closing the case.

The school day after a visit, the visit counts as done: its half-day
sessions are charged in the ledger and the visiting teacher is asked for
feedback. After the last visit the case waits, as ``visited``, for a rating
on every visit, and closes when they are in or when the rules' number of
school days has passed, whichever comes first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mailbot.case_history import change_state, record
from mailbot.config import Settings
from mailbot.duework import Handler, cancel, schedule
from mailbot.feedback import read_feedback
from mailbot.ledger import record_charges
from mailbot.message import InboundMail
from mailbot.outbox import Outbox, Recipient
from mailbot.render import uk_date
from mailbot.ruleset import Rules
from mailbot.store.models import Case, DueWork, Visit
from mailbot.timings import local_moment
from mailbot.visit_timeline import VISIT_FOLLOW_UP
from mailbot.visits import CASE_CLOSE, SCHEDULED, VISITED, visiting_teacher

log = logging.getLogger("mailbot.workflow")

CLOSED = "closed"
# The bot's emails whose replies are read as feedback.
FEEDBACK_PURPOSES = ("feedback_request",)


class HalfDaysRejected(ValueError):
    """Half-day sessions cannot be recorded on this case; the message gives the reason."""


class AfterVisit:
    """Marks visits done, charges them, takes feedback and closes the case."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    def handlers(self) -> dict[str, Handler]:
        return {VISIT_FOLLOW_UP: self._follow_up, CASE_CLOSE: self._close_when_due}

    def awaits_feedback_from(self, case: Case, sender: str) -> bool:
        """Return whether ``sender`` is the visiting teacher and the case has a visit done."""
        has_visited = any(visit.status == VISITED for visit in case.visits)
        return has_visited and sender.casefold() == visiting_teacher(case).address.casefold()

    def receive_feedback(
        self, session: Session, case: Case, mail: InboundMail, text: str, now: datetime, inbound_id: int, answered: Visit | None = None
    ) -> None:
        """Store the visiting teacher's rating and comments on the visit they are about.

        That is ``answered``, the visit of the feedback request they replied
        to, when threading shows it; otherwise the latest visit done.
        """
        visit = answered if answered is not None and answered.status == VISITED else _visit_for_feedback(case)
        reading = read_feedback(text)

        # A second reply adds to the first: a later rating replaces an earlier one, but silence about it does not.
        if reading.rating is not None:
            visit.feedback_rating = reading.rating
        if reading.comments:
            visit.feedback_comments = "\n\n".join(part for part in (visit.feedback_comments, reading.comments) if part)
        visit.feedback_at = now
        visit.updated_at = now
        record(
            session, case, "feedback_received", now, actor=mail.sender_address, inbound_id=inbound_id,
            visit=visit.date.isoformat(), rating=reading.rating, words=reading.comments,
        )
        log.info("FEEDBACK %s for %s: rating %s", case.reference, visit.date.isoformat(), reading.rating if reading.rating is not None else "missing")

        if visit.feedback_rating is None:
            context = {"case": case, "visit": visit, "words": text.strip(), "sender": mail.sender_address}
            self.outbox.queue(session, purpose="feedback_unrated_notice", recipient=Recipient(self.settings.alliance.business_manager), context=context, now=now, case=case)
        if case.state == VISITED and _all_feedback_in(case):
            self._close(session, case, now, reason="rated feedback on every visit is in")

    def set_half_days(self, session: Session, case: Case, count: int, now: datetime, *, actor: str, inbound_id: int) -> str:
        """Record the half-day sessions of the latest visit done, or else of the next visit; return what changed in words."""
        visit = _visit_for_half_days(case)
        if visit is None:
            raise HalfDaysRejected(f"{case.reference} has no visit yet; set a date with visit: first")

        previous = visit.half_days
        visit.half_days = count
        visit.updated_at = now
        record(session, case, "half_days_set", now, actor=actor, inbound_id=inbound_id, visit=visit.date.isoformat(), half_days=count, previous=previous)
        if visit.status == VISITED:
            record_charges(session, case, visit, self.rules, now)
            return f"recorded {count} half-day session(s) for the visit on {uk_date(visit.date)} (was {previous}) and updated its charges"
        return f"recorded {count} half-day session(s) for the visit on {uk_date(visit.date)} (was {previous}); it is charged after the visit"

    def _follow_up(self, session: Session, work: DueWork, now: datetime) -> None:
        visit = work.visit
        if visit is None or visit.status != SCHEDULED or visit.case.state != SCHEDULED:
            return
        case = visit.case

        visit.status = VISITED
        visit.updated_at = now
        record(session, case, "visit_done", now, actor=None, visit=visit.date.isoformat(), half_days=visit.half_days)
        record_charges(session, case, visit, self.rules, now)

        context: dict[str, Any] = {"case": case, "visit": visit, "shape": self.rules.visit_sessions[visit.session]}
        self.outbox.queue(session, purpose="feedback_request", recipient=visiting_teacher(case), context=context, now=now, case=case, visit=visit)
        log.info("VISITED %s on %s: charged %d half-day session(s), feedback requested", case.reference, visit.date.isoformat(), visit.half_days)

        if any(other.status == SCHEDULED for other in case.visits):
            return
        change_state(session, case, VISITED, now, event="last_visit_done", actor=None, visit=visit.date.isoformat())
        close_day = self.rules.calendar.add_school_days(visit.date, self.rules.timings.close_school_days_after)
        schedule(session, kind=CASE_CLOSE, due_at=local_moment(close_day, self.rules.timings.send_time, self.settings.zone), now=now, case=case)

    def _close_when_due(self, session: Session, work: DueWork, now: datetime) -> None:
        case = work.case
        if case is None or case.state != VISITED:
            return
        days = self.rules.timings.close_school_days_after
        self._close(session, case, now, reason=f"{days} school days have passed since the last visit")

    def _close(self, session: Session, case: Case, now: datetime, *, reason: str) -> None:
        cancel(session, now, case=case, kinds=(CASE_CLOSE,))
        change_state(session, case, CLOSED, now, event="closed", actor=None, reason=reason)
        log.info("CLOSE %s: %s", case.reference, reason)


def _visit_for_feedback(case: Case) -> Visit:
    """Return the latest visit done that has no rating yet, or else the latest visit done."""
    done = [visit for visit in case.visits if visit.status == VISITED]
    waiting = [visit for visit in done if visit.feedback_rating is None]
    return max(waiting or done, key=lambda visit: (visit.date, visit.id))


def _visit_for_half_days(case: Case) -> Visit | None:
    done = [visit for visit in case.visits if visit.status == VISITED]
    if done:
        return max(done, key=lambda visit: (visit.date, visit.id))
    upcoming = [visit for visit in case.visits if visit.status == SCHEDULED]
    return min(upcoming, key=lambda visit: (visit.date, visit.id)) if upcoming else None


def _all_feedback_in(case: Case) -> bool:
    """Return whether every visit done has a rating, because a reply without one may yet be followed by one."""
    return all(visit.feedback_rating is not None for visit in case.visits if visit.status == VISITED)
