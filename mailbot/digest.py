"""The weekly digest to the business manager: what is open, what is stuck, and what is coming.

It goes every Monday at the time in rules/timings.toml, with the open cases
as a CSV attachment for a spreadsheet. Each digest is a row of due work
whose key names its Monday, so however often the daemon starts, each
Monday gets one digest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.designation import EXPIRING, designation_status, expiry_date
from mailbot.outbox import FAILED, Recipient
from mailbot.render import uk_date
from mailbot.reports import CsvCell, ScheduledReport
from mailbot.ruleset import REQUIRED_STATES
from mailbot.store.models import Case, CaseEvent, OutboxEmail, Pst, Visit
from mailbot.timings import local_moment

WEEKLY_DIGEST = "weekly_digest"
FINISHED_STATES = ("closed", "declined", "cancelled")
UPCOMING_DAYS = 14
DESIGNATION_WINDOW_DAYS = 90
MONDAY = 0


class WeeklyDigest(ScheduledReport):
    """The business manager's Monday digest; each occasion is a Monday, named by its date such as 2026-10-19."""

    kind = WEEKLY_DIGEST
    switch = "weekly_digest"
    csv_header = ("reference", "school", "state", "requester", "pst", "next_visit", "plan_received")

    def next_occasion(self, now: datetime) -> tuple[str, datetime]:
        monday = _next_monday(now.astimezone(self.settings.zone).date())
        due_at = local_moment(monday, self.rules.timings.digest_time, self.settings.zone)
        if due_at <= now:
            monday += timedelta(days=7)
            due_at = local_moment(monday, self.rules.timings.digest_time, self.settings.zone)
        return monday.isoformat(), due_at

    def recipient(self) -> Recipient:
        return Recipient(self.settings.alliance.business_manager)

    def build(self, session: Session, occasion: str, now: datetime) -> dict[str, Any]:
        """Return the digest's figures as they stand at ``now``, whichever Monday ``occasion`` names."""
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
            "states": [(self.rules.state_label(state), state, by_state[state]) for state in sorted(by_state, key=_workflow_position)],
            "open_count": len(open_cases),
            "stuck": stuck,
            "stuck_after": self.rules.timings.stuck_after_school_days,
            "visits": visits,
            "expiring": expiring,
            "failed": failed,
            "open_cases": open_cases,
        }

    def csv_rows(self, figures: dict[str, Any]) -> Iterator[list[CsvCell]]:
        """Yield one row per open case."""
        for case in figures["open_cases"]:
            upcoming = [visit for visit in case.visits if visit.status == "scheduled"]
            next_visit, plan_received = "", ""
            if upcoming:
                next_visit = uk_date(upcoming[0].date)
                plan_received = "yes" if upcoming[0].plan_received_at else "no"
            pst = case.pst.name if case.pst else ""
            yield [case.reference, case.school, self.rules.state_label(case.state), case.requester_email, pst, next_visit, plan_received]

    def csv_filename(self, figures: dict[str, Any]) -> str:
        return f"digest-{figures['today'].isoformat()}.csv"

    def describe(self, figures: dict[str, Any]) -> str:
        return f"for {uk_date(figures['today'])}, {figures['open_count']} open case(s), {len(figures['stuck'])} stuck, {len(figures['visits'])} visit(s) soon"


def _workflow_position(state: str) -> tuple[int, str]:
    """Sort states in the order a case moves through them, so the digest reads from new requests to visits held."""
    return (REQUIRED_STATES.index(state) if state in REQUIRED_STATES else len(REQUIRED_STATES), state)


def _next_monday(day: date) -> date:
    return day + timedelta(days=(MONDAY - day.weekday()) % 7)


def _state_since(session: Session, case: Case) -> datetime:
    """Return when the case entered its state: its last history entry that changed the state, or its opening."""
    changes = session.scalars(
        select(CaseEvent.at).where(CaseEvent.case_id == case.id, CaseEvent.details["state"].as_string() == case.state).order_by(CaseEvent.at.desc()).limit(1)
    ).first()
    return changes or case.created_at
