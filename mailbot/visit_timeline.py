"""The due work of one visit, placed on school days around its date.

Each visit has four rows of due work: the PST's request for the session
plan, the plan deadline, the visiting teacher's reminder the school day
before, and the follow-up after the visit (charges and the feedback request).
Moving the visit cancels the rows and places them again, so nothing falls on
the old date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.duework import cancel, schedule
from mailbot.ruleset import Rules
from mailbot.store.models import Visit
from mailbot.timings import local_moment

log = logging.getLogger("mailbot.workflow")

PLAN_REQUEST = "plan_request"
PLAN_DEADLINE = "plan_deadline"
VISIT_REMINDER = "visit_reminder"
VISIT_FOLLOW_UP = "visit_follow_up"
VISIT_WORK_KINDS = (PLAN_REQUEST, PLAN_DEADLINE, VISIT_REMINDER, VISIT_FOLLOW_UP)


@dataclass(frozen=True)
class VisitMoments:
    """When each piece of a visit's due work falls, as aware datetimes in the alliance's time zone."""

    plan_request: datetime
    plan_deadline: datetime
    visitor_reminder: datetime
    follow_up: datetime


def visit_moments(visit: Visit, rules: Rules, settings: Settings) -> VisitMoments:
    """Count the school days before and after the visit and return when each piece of work falls."""
    calendar = rules.calendar
    timings = rules.timings

    def at(school_days: int, clock_time) -> datetime:
        return local_moment(calendar.add_school_days(visit.date, school_days), clock_time, settings.zone)

    return VisitMoments(
        plan_request=at(-timings.plan_request_school_days_before, timings.send_time),
        plan_deadline=at(-timings.plan_deadline_school_days_before, timings.plan_deadline_time),
        visitor_reminder=at(-timings.visit_reminder_school_days_before, timings.send_time),
        follow_up=at(timings.feedback_school_days_after, timings.send_time),
    )


def schedule_visit_work(session: Session, visit: Visit, rules: Rules, settings: Settings, now: datetime) -> None:
    """Cancel the visit's due work and place it again for the visit's current date.

    A visit set at short notice gets its plan request at once, and no deadline
    or reminder that would already be past, because the PST and the visiting
    teacher have just had the confirmation. A plan already received is not
    asked for again.
    """
    cancel(session, now, visit=visit, kinds=VISIT_WORK_KINDS)
    moments = visit_moments(visit, rules, settings)

    if visit.plan_received_at is None:
        schedule(session, kind=PLAN_REQUEST, due_at=max(moments.plan_request, now), now=now, case=visit.case, visit=visit)
        if moments.plan_deadline > now:
            schedule(session, kind=PLAN_DEADLINE, due_at=moments.plan_deadline, now=now, case=visit.case, visit=visit)
    if moments.visitor_reminder > now:
        schedule(session, kind=VISIT_REMINDER, due_at=moments.visitor_reminder, now=now, case=visit.case, visit=visit)
    schedule(session, kind=VISIT_FOLLOW_UP, due_at=moments.follow_up, now=now, case=visit.case, visit=visit)
