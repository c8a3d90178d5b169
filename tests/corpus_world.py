"""The fixed set of cases that every corpus message is applied to, as tests/corpus/README.md describes it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from mailbot.config import load_settings
from mailbot.daemon import Daemon
from mailbot.store.models import Case, OutboxEmail, Pst, Visit

LONDON = ZoneInfo("Europe/London")
# The moment every corpus message arrives: Monday 11/01/2027 at 10:00 in London.
NOW = datetime(2027, 1, 11, 10, 0, tzinfo=LONDON)
BOT_DOMAIN = "star-tsa.example"
TRUSTED_MAIL_HOST = "mx.star-tsa.example"

CONFIG = f"""
[mailbox]
host = "127.0.0.1"
port = 1143
security = "none"
username = "pst@{BOT_DOMAIN}"
password = "unused"
trusted_authserv_id = "{TRUSTED_MAIL_HOST}"

[smtp]
host = "127.0.0.1"
port = 1025
security = "none"

[database]
url = "sqlite:///{{database}}"

[alliance]
name = "STAR Teaching School Alliance"
address = "pst@{BOT_DOMAIN}"
business_manager = "bm@{BOT_DOMAIN}"
strategic_lead = "lead@{BOT_DOMAIN}"
staff = ["bm@{BOT_DOMAIN}", "lead@{BOT_DOMAIN}"]
"""


def write_world_config(folder: Path) -> Path:
    """Write the corpus world's config file into ``folder``, with its database beside it; return its path."""
    path = folder / "mailbot.toml"
    path.write_text(CONFIG.replace("{database}", str(folder / "world.sqlite3")), encoding="utf-8")
    return path


def build_world(folder: Path) -> Path:
    """Create the world's database with its four cases and the bot's earlier emails; return the config path."""
    config = write_world_config(folder)
    daemon = Daemon(load_settings(config))
    try:
        with daemon.sessions.begin() as session:
            _add_cases(session)
    finally:
        daemon.close()
    return config


def _add_cases(session) -> None:
    created = NOW - timedelta(days=30)
    priya = _pst("Priya Anand", "p.anand@northgate-high.example", "Northgate High School", "Mr Luke Barnes", "head@northgate-high.example", "secondary", created)
    tom = _pst("Tom Reid", "t.reid@willowbank-primary.example", "Willowbank Primary School", "Mrs Janet Pike", "head@willowbank-primary.example", "primary", created)
    session.add_all([priya, tom])

    endorsement = _case("PST-2026-0101", "awaiting_endorsement", "Oakfield Primary School", ("Sam Patel", "s.patel@oakfield-primary.example"), ("Mrs Helen Ward", "head@oakfield-primary.example"), created)
    consent = _case("PST-2026-0102", "awaiting_consent", "Fernhill Community School", ("Ms Grace Adeyemi", "head@fernhill-community.example"), ("Ms Grace Adeyemi", "head@fernhill-community.example"), created)
    consent.pst = priya
    consent.host_headteacher_name, consent.host_headteacher_email = priya.headteacher_name, priya.headteacher_email
    scheduled = _case("PST-2026-0103", "scheduled", "Fernhill Community School", ("Ms Grace Adeyemi", "head@fernhill-community.example"), ("Ms Grace Adeyemi", "head@fernhill-community.example"), created)
    scheduled.visiting_teacher_name, scheduled.visiting_teacher_email = "Rory McAllister", "r.mcallister@fernhill-community.example"
    scheduled.pst = tom
    scheduled.host_headteacher_name, scheduled.host_headteacher_email = tom.headteacher_name, tom.headteacher_email
    visited = _case("PST-2026-0104", "visited", "Castlegate Academy", ("Mr Dev Sharma", "head@castlegate-academy.example"), ("Mr Dev Sharma", "head@castlegate-academy.example"), created)
    visited.visiting_teacher_name, visited.visiting_teacher_email = "Joy Okafor", "j.okafor@castlegate-academy.example"
    visited.pst = tom
    visited.host_headteacher_name, visited.host_headteacher_email = tom.headteacher_name, tom.headteacher_email
    session.add_all([endorsement, consent, scheduled, visited])

    upcoming = _visit(scheduled, date(2027, 1, 18), "scheduled", 1, created)
    done = _visit(visited, date(2027, 1, 7), "visited", 2, created)
    session.add_all([upcoming, done])
    session.flush()

    session.add_all(
        [
            _email(endorsement, None, "endorsement_request", "head@oakfield-primary.example", "e101e101e101e101e101", "Please endorse a PST visit request for Oakfield Primary School", created),
            _email(endorsement, None, "request_acknowledgement", "s.patel@oakfield-primary.example", "a101a101a101a101a101", "We have received your request for a PST visit", created),
            _email(consent, None, "consent_request", "head@northgate-high.example", "c102c102c102c102c102", "Please consent to a PST visit to Priya Anand", created),
            _email(consent, None, "pst_request_notice", "p.anand@northgate-high.example", "b102b102b102b102b102", "A request to visit you is on its way", created),
            _email(scheduled, upcoming, "plan_request", "t.reid@willowbank-primary.example", "d103d103d103d103d103", "Session plan needed by 14/01/2027 for the visit on 18/01/2027", created),
            _email(scheduled, upcoming, "visit_confirmation", "r.mcallister@fernhill-community.example", "a103a103a103a103a103", "Visit confirmed for 18/01/2027", created),
            _email(visited, done, "feedback_request", "j.okafor@castlegate-academy.example", "f104f104f104f104f104", "How was your visit to Tom Reid on 07/01/2027?", created),
        ]
    )


def _pst(name: str, email: str, school: str, head_name: str, head_email: str, phase: str, created: datetime) -> Pst:
    return Pst(
        name=name, email=email, school=school, headteacher_name=head_name, headteacher_email=head_email, phase=phase,
        subjects=["maths"], expertise=["questioning"], designated_on=date(2025, 9, 1), max_visits_per_term=3,
        created_at=created, updated_at=created,
    )


def _case(reference: str, state: str, school: str, requester: tuple[str, str], head: tuple[str, str], created: datetime) -> Case:
    return Case(
        reference=reference, state=state, school=school, requester_name=requester[0], requester_email=requester[1],
        headteacher_name=head[0], headteacher_email=head[1], initiated_by="Joint idea", context="A two-form entry school.",
        reason="To improve questioning.", objectives="Better hinge questions in maths.", created_at=created, updated_at=created,
    )


def _visit(case: Case, day: date, status: str, number: int, created: datetime) -> Visit:
    return Visit(
        case=case, date=day, session="am", status=status, calendar_uid=f"{case.reference}-visit-{number}@{BOT_DOMAIN}",
        calendar_sequence=0, half_days=1, created_at=created, updated_at=created,
    )


def _email(case: Case, visit: Visit | None, purpose: str, recipient: str, token: str, subject: str, created: datetime) -> OutboxEmail:
    return OutboxEmail(
        case=case, visit=visit, purpose=purpose, recipient=recipient, subject=f"[{case.reference}] {subject}",
        message_id=f"<{case.reference}.{token}@{BOT_DOMAIN}>", reply_token=token, content=b"", status="sent",
        created_at=created, attempts=1, next_attempt_at=created, sent_at=created,
    )
