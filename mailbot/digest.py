"""The weekly digest to the business manager: what is open, what is stuck, and what is coming.

It goes every Monday at the time in rules/timings.toml, with the figures
as a CSV attachment for a spreadsheet. Each digest is a row of due work
whose key names its Monday, so however often the daemon starts, each
Monday gets one digest.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.attachment import Attachment
from mailbot.config import Settings
from mailbot.designation import EXPIRING, designation_status, expiry_date
from mailbot.duework import Handler, schedule
from mailbot.outbox import FAILED, Outbox, Recipient
from mailbot.render import uk_date
from mailbot.ruleset import Rules
from mailbot.store.models import Case, CaseEvent, DueWork, OutboxEmail, Pst, Visit
from mailbot.timings import local_moment

log = logging.getLogger("mailbot.reports")

WEEKLY_DIGEST = "weekly_digest"
FINISHED_STATES = ("closed", "declined", "cancelled")
UPCOMING_DAYS = 14
DESIGNATION_WINDOW_DAYS = 90
MONDAY = 0


class WeeklyDigest:
    """Builds and schedules the business manager's Monday digest."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    def handlers(self) -> dict[str, Handler]:
        return {WEEKLY_DIGEST: self._send}

    def ensure_scheduled(self, session: Session, now: datetime) -> None:
        """Schedule the next Monday's digest, unless it already is; safe to call on every pass."""
        monday = _next_monday(now.astimezone(self.settings.zone).date())
        due_at = local_moment(monday, self.rules.timings.digest_time, self.settings.zone)
        if due_at <= now:
            monday += timedelta(days=7)
            due_at = local_moment(monday, self.rules.timings.digest_time, self.settings.zone)
        schedule(session, kind=WEEKLY_DIGEST, due_at=due_at, now=now, once_key=f"{WEEKLY_DIGEST}:{monday.isoformat()}")

    def build(self, session: Session, now: datetime) -> dict[str, Any]:
        """Return the digest's figures as the template and the CSV use them."""
        today = now.astimezone(self.settings.zone).date()
        open_cases = list(session.scalars(select(Case).where(Case.state.not_in(FINISHED_STATES)).order_by(Case.reference)))
        by_state = Counter(case.state for case in open_cases)
        stuck = []
        for case in open_cases:
            since = _state_since(session, case)
            school_days = self.rules.calendar.school_days_between(since.astimezone(self.settings.zone).date(), today)
            if school_days >= self.rules.timings.stuck_after_school_days and case.state != "scheduled":
                stuck.append({"case": case, "state_label": self.rules.state_label(case.state), "school_days": school_days})

        visits = list(
            session.scalars(
                select(Visit).where(Visit.status == "scheduled", Visit.date >= today, Visit.date <= today + timedelta(days=UPCOMING_DAYS)).order_by(Visit.date)
            )
        )
        expiring = []
        for pst in session.scalars(select(Pst).order_by(Pst.name)):
            expires = expiry_date(pst, self.rules.timings)
            if designation_status(pst, today, self.rules.timings) == EXPIRING or today <= expires <= today + timedelta(days=DESIGNATION_WINDOW_DAYS):
                expiring.append({"pst": pst, "expires": expires})
        failed = list(
            session.scalars(select(OutboxEmail).where(OutboxEmail.status.in_((FAILED, "bounced")), OutboxEmail.created_at >= now - timedelta(days=7)).order_by(OutboxEmail.id))
        )
        return {
            "today": today,
            "states": [(self.rules.state_label(state), state, count) for state, count in sorted(by_state.items())],
            "open_count": len(open_cases),
            "stuck": stuck,
            "stuck_after": self.rules.timings.stuck_after_school_days,
            "visits": visits,
            "expiring": expiring,
            "failed": failed,
            "open_cases": open_cases,
        }

    def _send(self, session: Session, work: DueWork, now: datetime) -> None:
        figures = self.build(session, now)
        csv_file = Attachment(f"digest-{figures['today'].isoformat()}.csv", "text/csv", _cases_csv(session, figures, self.rules), (("charset", "utf-8"),))
        self.outbox.queue(
            session,
            purpose=WEEKLY_DIGEST,
            recipient=Recipient(self.settings.alliance.business_manager),
            context=figures,
            now=now,
            attachments=(csv_file,),
        )
        log.info("DIGEST for %s: %d open case(s), %d stuck, %d visit(s) soon", uk_date(figures["today"]), figures["open_count"], len(figures["stuck"]), len(figures["visits"]))
        self.ensure_scheduled(session, now)


def _next_monday(day: date) -> date:
    return day + timedelta(days=(MONDAY - day.weekday()) % 7)


def _state_since(session: Session, case: Case) -> datetime:
    """Return when the case entered its state: its last history entry that changed the state, or its opening."""
    changes = session.scalars(
        select(CaseEvent.at).where(CaseEvent.case_id == case.id, CaseEvent.details["state"].as_string() == case.state).order_by(CaseEvent.at.desc()).limit(1)
    ).first()
    return changes or case.created_at


def _cases_csv(session: Session, figures: dict[str, Any], rules: Rules) -> bytes:
    """Return one row per open case, for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["reference", "school", "state", "requester", "pst", "next_visit", "plan_received"])
    for case in figures["open_cases"]:
        upcoming = [visit for visit in case.visits if visit.status == "scheduled"]
        next_visit, plan_received = "", ""
        if upcoming:
            next_visit = uk_date(upcoming[0].date)
            plan_received = "yes" if upcoming[0].plan_received_at else "no"
        pst = case.pst.name if case.pst else ""
        writer.writerow([case.reference, case.school, rules.state_label(case.state), case.requester_email, pst, next_visit, plan_received])
    return buffer.getvalue().encode("utf-8")
