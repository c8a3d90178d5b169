"""`mailbot upcoming`: every email the daemon is due to send in the coming days, to whom and why.

Staff use it to see what the bot is about to do before it does it, for
example before a holiday or after changing the calendar. It reads the due
work only, so a reminder listed here sends nothing if the person replies
first.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions, text_table
from mailbot.config import Settings
from mailbot.duework import DUE
from mailbot.render import uk_date, uk_time
from mailbot.store.models import Case, DueWork

# The email each kind of due work sends, in words for staff.
WHY = {
    "endorsement_reminder": "reminder to endorse the request",
    "endorsement_escalation": "notice that the headteacher has not endorsed",
    "consent_reminder": "reminder to consent to the visit",
    "consent_escalation": "notice that the PST's headteacher has not consented",
    "plan_request": "request for the session plan",
    "plan_deadline": "reminder and notice if the session plan has not come",
    "visit_reminder": "reminder of the visit tomorrow",
    "visit_follow_up": "feedback request; the visit's charges are recorded",
    "case_close": "the case closes if feedback is still missing (no email)",
    "designation_notice": "designation notice",
    "weekly_digest": "weekly digest of cases, visits and designations",
    "termly_summary": "termly summary of visits, ratings and charges",
    "data_protection_purge": "daily purge of personal data past its retention period (no email)",
}


@click.command(name="upcoming")
@config_option
@click.option("--days", type=click.IntRange(min=1, max=366), default=14, show_default=True, help="How many days ahead to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--from", "start_text", metavar="DATE", help="List from this day instead of today, as DD/MM/YYYY.")
def upcoming(config_path: Path, days: int, as_json: bool, start_text: str | None) -> None:
    """List the reminders and notices due in the next DAYS days: when, to whom, and why."""
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    now = datetime.now(timezone.utc)
    if start_text is not None:
        try:
            now = datetime.strptime(start_text, "%d/%m/%Y").replace(tzinfo=settings.zone)
        except ValueError as exc:
            raise click.BadParameter(f"{start_text!r} is not a date such as 11/01/2027", param_hint="--from") from exc

    with open_sessions(settings)() as session:
        rows = upcoming_rows(session, settings, now, now + timedelta(days=days))

    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(f"Nothing is due in the next {days} days.")
    else:
        click.echo(_table(rows))


def upcoming_rows(session: Session, settings: Settings, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Return the due work between ``start`` and ``end``, oldest first, overdue work included."""
    query = (
        select(DueWork)
        .where(DueWork.status == DUE, DueWork.due_at <= end)
        .options(selectinload(DueWork.case).selectinload(Case.pst), selectinload(DueWork.pst), selectinload(DueWork.visit))
        .order_by(DueWork.due_at, DueWork.id)
    )
    rows = []
    for work in session.scalars(query):
        due = work.due_at.astimezone(settings.zone)
        rows.append(
            {
                "due": due.isoformat(timespec="minutes"),
                "overdue": work.due_at < start,
                "kind": work.kind,
                "case": work.case.reference if work.case is not None else None,
                "to": _recipients(work, settings),
                "why": WHY.get(work.kind, work.kind.replace("_", " ")),
            }
        )
    return rows


def _recipients(work: DueWork, settings: Settings) -> list[str]:
    """Name who the work emails, as far as the case or PST shows it now."""
    case = work.case
    business_manager = settings.alliance.business_manager
    if work.kind == "designation_notice" and work.pst is not None:
        return [work.pst.email, work.pst.headteacher_email, settings.alliance.strategic_lead]
    if work.kind == "weekly_digest":
        return [business_manager]
    if work.kind == "termly_summary":
        return [settings.alliance.strategic_lead]
    if case is None:
        return []
    visitor = case.visiting_teacher_email or case.requester_email
    pst = case.pst.email if case.pst is not None else None
    by_kind: dict[str, list[str | None]] = {
        "endorsement_reminder": [case.headteacher_email],
        "endorsement_escalation": [business_manager],
        "consent_reminder": [case.host_headteacher_email],
        "consent_escalation": [business_manager],
        "plan_request": [pst],
        "plan_deadline": [pst, business_manager],
        "visit_reminder": [visitor],
        "visit_follow_up": [visitor],
        "case_close": [],
    }
    return [address for address in by_kind.get(work.kind, []) if address]


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [("WHEN", "CASE", "TO", "WHY")]
    for row in rows:
        moment = datetime.fromisoformat(row["due"])
        when = f"{uk_date(moment)} {uk_time(moment)}" + (" (overdue)" if row["overdue"] else "")
        lines.append((when, row["case"] or "-", ", ".join(row["to"]) or "-", row["why"]))
    return text_table(lines)
