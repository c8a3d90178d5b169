"""Visits: the date agreed for each visit, the confirmation and the calendar invitation.

A date is set with ``visit: 14/01/2027 am`` from the PST or staff. A changed
date updates the same calendar event with a higher sequence, so calendars
move the event instead of adding a second one. Staff add further visits with
``add-visit:``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from mailbot.case_history import change_state, record
from mailbot.config import Settings
from mailbot.attachment import Attachment
from mailbot.duework import cancel as cancel_due_work
from mailbot.invitation import Invitation, build_invitation
from mailbot.outbox import Outbox, Recipient
from mailbot.render import uk_date
from mailbot.ruleset import Rules
from mailbot.store.models import Case, Visit
from mailbot.timings import local_moment
from mailbot.visit_shape import VisitSession
from mailbot.visit_timeline import VISIT_WORK_KINDS, schedule_visit_work

log = logging.getLogger("mailbot.workflow")

SCHEDULED = "scheduled"
VISITED = "visited"
CANCELLED = "cancelled"
# The due work that closes a case some school days after its last visit.
CASE_CLOSE = "case_close"


def next_scheduled_visit(case: Case, today: date) -> Visit | None:
    """Return the case's next visit still to happen, from ``today`` on, or None."""
    upcoming = [visit for visit in case.visits if visit.status == SCHEDULED and visit.date >= today]
    return min(upcoming, key=lambda visit: (visit.date, visit.id)) if upcoming else None


def visiting_teacher(case: Case) -> Recipient:
    """Return the teacher who makes the visit: the one the form names, or else the requester."""
    if case.visiting_teacher_email:
        return Recipient(case.visiting_teacher_email, case.visiting_teacher_name)
    return Recipient(case.requester_email, case.requester_name)


class VisitRejected(ValueError):
    """A visit date cannot be used; the message gives the reason in plain words."""


class Visits:
    """Sets, changes and adds visit dates, and sends the confirmation with its invitation."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox
        self.sessions: dict[str, VisitSession] = rules.visit_sessions

    def check_date(self, day: date, now: datetime) -> None:
        """Raise VisitRejected for a date in the past or a day that is not a school day."""
        today = now.astimezone(self.settings.zone).date()
        if day <= today:
            raise VisitRejected(f"{uk_date(day)} is not in the future")
        closed = self.rules.calendar.closed_because(day)
        if closed is not None:
            raise VisitRejected(f"{uk_date(day)} is not a school day: it is {closed}")

    def set_date(self, session: Session, case: Case, day: date, session_name: str, now: datetime, *, actor: str, inbound_id: int | None) -> str:
        """Set the first visit's date, or move the next visit to ``day``; return what changed in words."""
        self.check_date(day, now)
        upcoming = self.next_visit(case, now)
        if upcoming is None:
            visit = self._new_visit(session, case, day, session_name, now)
            change_state(session, case, SCHEDULED, now, event="visit_set", actor=actor, inbound_id=inbound_id, date=day.isoformat(), time_of_day=session_name)
            self._confirm(session, case, visit, now, changed_from=None)
            schedule_visit_work(session, visit, self.rules, self.settings, now)
            return f"set the visit for {uk_date(day)} ({self.sessions[session_name].label}) and sent the confirmation"

        changed_from = upcoming.date, upcoming.session
        upcoming.date = day
        upcoming.session = session_name
        upcoming.calendar_sequence += 1
        upcoming.updated_at = now
        record(session, case, "visit_changed", now, actor=actor, inbound_id=inbound_id, date=day.isoformat(), time_of_day=session_name, previous=changed_from[0].isoformat())
        self._confirm(session, case, upcoming, now, changed_from=changed_from)
        schedule_visit_work(session, upcoming, self.rules, self.settings, now)
        return f"moved the visit from {uk_date(changed_from[0])} to {uk_date(day)} ({self.sessions[session_name].label}) and sent the update"

    def add_visit(self, session: Session, case: Case, day: date, session_name: str, now: datetime, *, actor: str, inbound_id: int | None) -> str:
        """Add another visit to a scheduled or visited case; return what changed in words."""
        self.check_date(day, now)
        visit = self._new_visit(session, case, day, session_name, now)
        if case.state == VISITED:
            # The case is no longer finished with its visits, so it must not close on the earlier date.
            cancel_due_work(session, now, case=case, kinds=(CASE_CLOSE,))
            change_state(session, case, SCHEDULED, now, event="visit_added", actor=actor, inbound_id=inbound_id, date=day.isoformat(), time_of_day=session_name)
        else:
            record(session, case, "visit_added", now, actor=actor, inbound_id=inbound_id, date=day.isoformat(), time_of_day=session_name)
        self._confirm(session, case, visit, now, changed_from=None)
        schedule_visit_work(session, visit, self.rules, self.settings, now)
        return f"added a visit on {uk_date(day)} ({self.sessions[session_name].label}) and sent the confirmation"

    def next_visit(self, case: Case, now: datetime) -> Visit | None:
        return next_scheduled_visit(case, now.astimezone(self.settings.zone).date())

    def _new_visit(self, session: Session, case: Case, day: date, session_name: str, now: datetime) -> Visit:
        number = len(case.visits) + 1
        visit = Visit(
            case=case,
            date=day,
            session=session_name,
            status=SCHEDULED,
            calendar_uid=f"{case.reference}-visit-{number}@{self.settings.bot_domain}",
            calendar_sequence=0,
            half_days=self.rules.timings.default_half_days,
            created_at=now,
            updated_at=now,
        )
        session.add(visit)
        session.flush()
        return visit

    def cancel_all(self, session: Session, case: Case, now: datetime) -> list[Attachment]:
        """Cancel every visit still to happen and return a calendar cancellation for each.

        Each cancellation keeps the event's UID and raises its sequence, so
        calendar programs remove the event they have.
        """
        cancellations = []
        for visit in case.visits:
            if visit.status != SCHEDULED:
                continue
            visit.status = CANCELLED
            visit.calendar_sequence += 1
            visit.updated_at = now
            cancel_due_work(session, now, visit=visit, kinds=VISIT_WORK_KINDS)
            number = len(cancellations) + 1
            filename = "visit-cancelled.ics" if number == 1 else f"visit-cancelled-{number}.ics"
            cancellations.append(Attachment(filename, "text/calendar", self._invitation(case, visit, now), (("method", "CANCEL"), ("charset", "utf-8"))))
            log.info("VISIT CANCELLED %s on %s, sequence %d", case.reference, visit.date.isoformat(), visit.calendar_sequence)
        return cancellations

    def _confirm(self, session: Session, case: Case, visit: Visit, now: datetime, changed_from: tuple[date, str] | None) -> None:
        shape = self.sessions[visit.session]
        attachment = Attachment("visit.ics", "text/calendar", self._invitation(case, visit, now), (("method", "REQUEST"), ("charset", "utf-8")))
        context = {"case": case, "visit": visit, "shape": shape, "changed_from": changed_from}
        for person in self.participants(case):
            self.outbox.queue(session, purpose="visit_confirmation", recipient=person, context=context, now=now, case=case, visit=visit, attachments=(attachment,))
        log.info("VISIT %s on %s %s, sequence %d", case.reference, visit.date.isoformat(), visit.session, visit.calendar_sequence)

    def _invitation(self, case: Case, visit: Visit, now: datetime) -> bytes:
        shape = self.sessions[visit.session]
        return build_invitation(
            Invitation(
                uid=visit.calendar_uid,
                sequence=visit.calendar_sequence,
                start=local_moment(visit.date, shape.start, self.settings.zone),
                end=local_moment(visit.date, shape.end, self.settings.zone),
                summary=f"PST visit: {case.school} to {case.pst.name if case.pst else 'the PST'} ({case.reference})",
                description="\n".join(f"{when}: {what}" for when, what in shape.timetable),
                location=case.pst.school if case.pst else "",
                organizer_email=self.settings.alliance.address,
                organizer_name=self.settings.alliance.name,
                attendees=tuple((person.address, person.name) for person in self.participants(case)),
                stamp=now.astimezone(timezone.utc),
                cancelled=visit.status == CANCELLED,
            )
        )

    def participants(self, case: Case) -> list[Recipient]:
        """Return everyone a visit concerns, each address once: PST, visitor, requester, both headteachers, the business manager."""
        candidates = [
            (case.pst.email, case.pst.name) if case.pst else None,
            (visiting_teacher(case).address, visiting_teacher(case).name),
            (case.requester_email, case.requester_name),
            (case.headteacher_email, case.headteacher_name),
            (case.host_headteacher_email, case.host_headteacher_name) if case.host_headteacher_email else None,
            (self.settings.alliance.business_manager, None),
        ]
        seen: set[str] = set()
        people = []
        for candidate in candidates:
            if candidate is None or candidate[0].casefold() in seen:
                continue
            seen.add(candidate[0].casefold())
            people.append(Recipient(candidate[0], candidate[1]))
        return people
