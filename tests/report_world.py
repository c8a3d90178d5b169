"""An alliance's database after the autumn term 2026, for the weekly digest and the termly summary.

Nine visits were held in the autumn term 2026 by four PSTs for seven
schools, most of them rated; a tenth visit was cancelled. In January 2027 a
spring visit has been held, two are coming, and open cases wait at every
stage, two of them stuck. Two designations end within 90 days of Monday
11/01/2027 and two emails to schools failed that week. The charges are
recorded by the ledger's own code at the shipped rates (£150.00 charged and
£120.00 reimbursed per half-day).

scripts/render-report-pictures uses it too, for the pictures in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.duework import schedule
from mailbot.ledger import record_charges
from mailbot.ruleset import Rules
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from mailbot.store.models import Case, CaseEvent, OutboxEmail, Pst, Visit
from mailbot.timings import local_moment
from mailbot.visit_timeline import VISIT_FOLLOW_UP

LONDON = ZoneInfo("Europe/London")
# The Monday of the digest shown from this world: 11/01/2027 at 8.00am.
DIGEST_MOMENT = datetime(2027, 1, 11, 8, 0, tzinfo=LONDON)
BOT_DOMAIN = "star-tsa.example"
# The last school day of the autumn term 2026; its visit is charged on the first school day of spring.
LAST_SCHOOL_DAY = date(2026, 12, 18)


@dataclass(frozen=True)
class PstRow:
    name: str
    email: str
    school: str
    phase: str
    designated_on: date


@dataclass(frozen=True)
class VisitRow:
    day: date
    status: str
    half_days: int = 1
    rating: int | None = None
    session: str = "am"
    plan_received: bool = False


@dataclass(frozen=True)
class CaseRow:
    reference: str
    state: str
    school: str
    requester: str
    pst: str | None
    # When the case entered its state, for the digest's stuck cases.
    state_since: date
    visits: tuple[VisitRow, ...] = ()


PSTS = (
    PstRow("Priya Anand", "p.anand@northgate-high.example", "Northgate High School", "secondary", date(2025, 9, 1)),
    PstRow("Tom Reid", "t.reid@willowbank-primary.example", "Willowbank Primary School", "primary", date(2025, 3, 15)),
    PstRow("Amira Hassan", "a.hassan@riverside-primary.example", "Riverside Primary School", "primary", date(2025, 9, 1)),
    PstRow("Daniel Osei", "d.osei@st-marys-academy.example", "St Mary's Church of England Academy", "secondary", date(2025, 2, 20)),
    PstRow("Helen Carter", "h.carter@ashdown-infant.example", "Ashdown Infant School", "primary", date(2026, 9, 1)),
)

CASES = (
    # Held in the autumn term 2026.
    CaseRow("PST-2026-0003", "closed", "Oakfield Primary School", "Sam Patel", "Priya Anand", date(2026, 11, 27),
            (VisitRow(date(2026, 10, 6), "visited", 2, 5), VisitRow(date(2026, 11, 17), "visited", 1, 4))),
    CaseRow("PST-2026-0005", "closed", "Fernhill Community School", "Grace Adeyemi", "Tom Reid", date(2026, 10, 20),
            (VisitRow(date(2026, 10, 13), "visited", 1, 3),)),
    CaseRow("PST-2026-0007", "closed", "Castlegate Academy", "Joy Okafor", "Priya Anand", date(2026, 12, 17),
            (VisitRow(date(2026, 12, 3), "visited", 2, None),)),
    CaseRow("PST-2026-0008", "closed", "Brookside Junior School", "Ben Turner", "Amira Hassan", date(2027, 1, 6),
            (VisitRow(date(2026, 11, 10), "visited", 1, 4), VisitRow(date(2026, 11, 24), "visited", 1, 5),
             VisitRow(date(2026, 12, 8), "visited", 1, None))),
    CaseRow("PST-2026-0010", "closed", "Meadowview Primary School", "Lucy Evans", "Daniel Osei", date(2027, 1, 7),
            (VisitRow(LAST_SCHOOL_DAY, "visited", 2, 4),)),
    CaseRow("PST-2026-0012", "closed", "Riverside Primary School", "Mark Jones", "Tom Reid", date(2026, 12, 9),
            (VisitRow(date(2026, 12, 1), "visited", 1, 5),)),
    CaseRow("PST-2026-0011", "cancelled", "Hollybank Church of England Primary School", "Ruth Green", "Tom Reid", date(2026, 12, 10),
            (VisitRow(date(2026, 12, 15), "cancelled", 2),)),
    # The spring term 2027 so far, and cases still open.
    CaseRow("PST-2027-0001", "visited", "Oakfield Primary School", "Anna Webb", "Amira Hassan", date(2027, 1, 8),
            (VisitRow(date(2027, 1, 7), "visited", 1, None),)),
    CaseRow("PST-2026-0016", "scheduled", "Brookside Junior School", "Ben Turner", "Daniel Osei", date(2026, 12, 2),
            (VisitRow(date(2027, 1, 14), "scheduled", 1, None, "am", True),)),
    CaseRow("PST-2026-0017", "scheduled", "Castlegate Academy", "Joy Okafor", "Helen Carter", date(2026, 12, 16),
            (VisitRow(date(2027, 1, 20), "scheduled", 1, None, "pm"),)),
    CaseRow("PST-2026-0015", "awaiting_date", "Meadowview Primary School", "Lucy Evans", "Helen Carter", date(2026, 11, 30)),
    CaseRow("PST-2026-0014", "awaiting_consent", "Fernhill Community School", "Grace Adeyemi", "Priya Anand", date(2026, 12, 14)),
    CaseRow("PST-2026-0013", "awaiting_match", "Hollybank Church of England Primary School", "Ruth Green", None, date(2026, 11, 23)),
    CaseRow("PST-2027-0002", "awaiting_endorsement", "Castlegate Academy", "Joy Okafor", None, date(2027, 1, 6)),
)

# Emails of the week before the digest that could not be delivered: (case, recipient, status, subject, error).
FAILED_EMAILS = (
    ("PST-2027-0002", "head@castlegate-academy.example", "failed", "Please endorse a PST visit request for Castlegate Academy",
     "550 5.1.1 mailbox unavailable"),
    ("PST-2026-0017", "j.okafor@castlegate-academy.example", "bounced", "Visit confirmed for 20/01/2027", "mailbox full"),
)


def create_world_database(database_url: str, rules: Rules, *, last_visit_done: bool = True) -> None:
    """Create mailbot's tables in the empty database at ``database_url`` and add the world, as build_report_world does."""
    engine = create_database_engine(database_url)
    try:
        upgrade_schema(engine)
        with session_factory(engine).begin() as session:
            build_report_world(session, rules, last_visit_done=last_visit_done)
    finally:
        engine.dispose()


def build_report_world(session: Session, rules: Rules, *, last_visit_done: bool = True) -> None:
    """Add the world's PSTs, cases, visits, feedback, charges and failed emails to an empty database.

    With ``last_visit_done=False``, the visit on the last school day of the
    autumn term is left as the daemon has it before counting it as done. Its
    case is ``scheduled``, it has no charges yet, and its follow-up is due
    work at the time the rules give.
    """
    psts = {row.name: _pst(row) for row in PSTS}
    session.add_all(psts.values())

    for number, row in enumerate(CASES, start=1):
        case = _case(row, psts.get(row.pst) if row.pst else None)
        session.add(case)
        for visit_number, visit_row in enumerate(row.visits, start=1):
            case.visits.append(_visit(case, visit_row, visit_number))
        session.flush()

        for visit in case.visits:
            if visit.status == "visited" and not (visit.date == LAST_SCHOOL_DAY and not last_visit_done):
                record_charges(session, case, visit, rules, _follow_up_moment(visit.date, rules))

    if not last_visit_done:
        _undo_last_visit(session, rules)

    for reference, recipient, status, subject, error in FAILED_EMAILS:
        _failed_email(session, reference, recipient, status, subject, error)
    session.flush()


def _undo_last_visit(session: Session, rules: Rules) -> None:
    visit = session.scalars(select(Visit).where(Visit.date == LAST_SCHOOL_DAY)).one()
    visit.status = "scheduled"
    visit.feedback_rating = None
    visit.feedback_at = None
    visit.case.state = "scheduled"
    due_at = _follow_up_moment(visit.date, rules)
    schedule(session, kind=VISIT_FOLLOW_UP, due_at=due_at, now=_moment(date(2026, 12, 1)), case=visit.case, visit=visit)


def _follow_up_moment(day: date, rules: Rules) -> datetime:
    """Return when the daemon counts a visit on ``day`` as done and charges it."""
    follow_up_day = rules.calendar.add_school_days(day, rules.timings.feedback_school_days_after)
    return local_moment(follow_up_day, rules.timings.send_time, LONDON)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LONDON)


def _pst(row: PstRow) -> Pst:
    domain = row.email.partition("@")[2]
    created = _moment(date(2026, 9, 3))
    return Pst(
        name=row.name, email=row.email, school=row.school, headteacher_name=None, headteacher_email=f"head@{domain}",
        phase=row.phase, subjects=["maths"], expertise=["questioning"], designated_on=row.designated_on,
        max_visits_per_term=3, created_at=created, updated_at=created,
    )


def _case(row: CaseRow, pst: Pst | None) -> Case:
    slug = row.school.lower().replace(" ", "-").replace("'", "")
    first_name, last_name = row.requester.lower().split()
    opened = _moment(min([row.state_since, *(visit.day - timedelta(days=28) for visit in row.visits)]))
    since = _moment(row.state_since)
    case = Case(
        reference=row.reference, state=row.state, school=row.school, requester_name=row.requester,
        requester_email=f"{first_name[0]}.{last_name}@{slug}.example", headteacher_email=f"head@{slug}.example",
        initiated_by="Joint idea", context="A two-form entry school.", reason="To improve questioning.",
        objectives="Better hinge questions.", created_at=opened, updated_at=since, pst=pst,
    )
    if pst is not None:
        case.host_headteacher_email = pst.headteacher_email
    # The digest reads when a case entered its state from its history.
    case.events.append(CaseEvent(at=since, event="state_changed", actor=None, details={"state": row.state}))
    return case


def _visit(case: Case, row: VisitRow, number: int) -> Visit:
    created = _moment(row.day - timedelta(days=21))
    return Visit(
        date=row.day, session=row.session, status=row.status, calendar_uid=f"{case.reference}-visit-{number}@{BOT_DOMAIN}",
        calendar_sequence=0, half_days=row.half_days, feedback_rating=row.rating,
        feedback_at=_moment(row.day + timedelta(days=2)) if row.rating is not None else None,
        plan_received_at=_moment(row.day - timedelta(days=7)) if row.plan_received or row.status == "visited" else None,
        created_at=created, updated_at=created,
    )


def _failed_email(session: Session, reference: str, recipient: str, status: str, subject: str, error: str) -> None:
    case = session.scalars(select(Case).where(Case.reference == reference)).one()
    created = DIGEST_MOMENT - timedelta(days=3)
    token = f"{reference[-4:]}{status[:4]}".ljust(20, "0")
    session.add(
        OutboxEmail(
            case=case, purpose="report_world", recipient=recipient, subject=f"[{reference}] {subject}",
            message_id=f"<{reference}.{token}@{BOT_DOMAIN}>", reply_token=token, content=b"", status=status,
            created_at=created, attempts=3, next_attempt_at=created, last_error=error,
        )
    )
