"""Cases as people and scripts see them: a JSON document and a plain-text page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.render import uk_date, uk_time
from mailbot.store.models import Case, CaseEvent, OutboxEmail, Visit


def person(name: str | None, email: str | None) -> dict[str, str | None] | None:
    if not name and not email:
        return None
    return {"name": name, "email": email}


def local_iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in the alliance's time zone, with its offset, so the value is unambiguous."""
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def local_text(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{uk_date(local)} {uk_time(local)}"


def case_row(case: Case, zone: ZoneInfo) -> dict[str, Any]:
    """Return the short form of a case that `mailbot cases` lists."""
    return {
        "reference": case.reference,
        "state": case.state,
        "school": case.school,
        "requester": person(case.requester_name, case.requester_email),
        "updated": local_iso(case.updated_at, zone),
    }


def case_document(case: Case, zone: ZoneInfo) -> dict[str, Any]:
    """Return the whole case, with its history and emails, as `mailbot case REF --json` prints it.

    ``visit`` is the next visit still to happen. ``plan`` and ``feedback``
    are those of that visit, or of the latest visit done when none is left;
    every visit's own are in ``visits``. ``half_days`` counts the sessions of
    the visits done, which are the ones charged.
    """
    scheduled = [visit for visit in case.visits if visit.status == "scheduled"]
    done = [visit for visit in case.visits if visit.status == "visited"]
    upcoming = scheduled[0] if scheduled else None
    current = upcoming or (done[-1] if done else None)
    return {
        "reference": case.reference,
        "state": case.state,
        "school": case.school,
        "requester": person(case.requester_name, case.requester_email),
        "requesting_headteacher": person(case.headteacher_name, case.headteacher_email),
        "visiting_teacher": person(case.visiting_teacher_name, case.visiting_teacher_email),
        "initiated_by": case.initiated_by,
        "context": case.context,
        "reason": case.reason,
        "objectives": case.objectives,
        "shortlist": case.shortlist,
        "excluded_psts": case.excluded_pst_emails,
        "pst": person(case.pst.name, case.pst.email) if case.pst is not None else None,
        "host_headteacher": person(case.host_headteacher_name, case.host_headteacher_email),
        "visit": visit_entry(upcoming, zone) if upcoming is not None else None,
        "visits": [visit_entry(visit, zone) for visit in case.visits],
        "half_days": sum(visit.half_days for visit in case.visits if visit.status == "visited"),
        "plan": plan_entry(current, zone) if current is not None else None,
        "feedback": feedback_entry(current, zone) if current is not None else None,
        "created": local_iso(case.created_at, zone),
        "updated": local_iso(case.updated_at, zone),
        "history": [history_entry(event, zone) for event in case.events],
        "emails": [email_entry(email, zone) for email in case.emails],
    }


def visit_entry(visit: Visit, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "date": visit.date.isoformat(),
        "session": visit.session,
        "status": visit.status,
        "half_days": visit.half_days,
        "plan": plan_entry(visit, zone),
        "feedback": feedback_entry(visit, zone),
    }


def plan_entry(visit: Visit, zone: ZoneInfo) -> dict[str, Any] | None:
    """Return when the visit's session plan came and was forwarded, and its file names; None before it comes."""
    if visit.plan_received_at is None:
        return None
    return {
        "received": local_iso(visit.plan_received_at, zone),
        "forwarded": local_iso(visit.plan_forwarded_at, zone),
        "file_name": visit.plan_filename,
    }


def feedback_entry(visit: Visit, zone: ZoneInfo) -> dict[str, Any] | None:
    if visit.feedback_at is None:
        return None
    return {"rating": visit.feedback_rating, "comments": visit.feedback_comments, "received": local_iso(visit.feedback_at, zone)}


def history_entry(event: CaseEvent, zone: ZoneInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"at": local_iso(event.at, zone), "event": event.event}
    if event.actor:
        entry["by"] = event.actor
    entry.update(event.details or {})
    return entry


def email_entry(email: OutboxEmail, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "message_id": email.message_id,
        "to": email.recipient,
        "purpose": email.purpose,
        "subject": email.subject,
        "status": email.status,
        "queued": local_iso(email.created_at, zone),
        "sent": local_iso(email.sent_at, zone),
        "error": email.last_error,
    }


def case_text(case: Case, zone: ZoneInfo, state_label: str) -> str:
    """Format one case as a readable page for the terminal."""
    document = case_document(case, zone)
    lines = [f"{case.reference}  {state_label} ({case.state})", ""]
    people = (
        ("Requester", "requester"),
        ("Headteacher", "requesting_headteacher"),
        ("Visiting teacher", "visiting_teacher"),
        ("PST", "pst"),
        ("PST's headteacher", "host_headteacher"),
    )
    for label, key in people:
        lines.append(f"{label + ':':<19}{_person_text(document[key])}")
    lines.append(f"{'School:':<19}{case.school}")
    lines.append(f"{'Initiated by:':<19}{case.initiated_by or '-'}")
    for label, value in (("School context", case.context), ("Reason for the visit", case.reason), ("Objectives", case.objectives)):
        lines += ["", f"{label}:", *(f"  {line}" for line in (value or "-").splitlines())]

    for visit in case.visits:
        lines.append(f"{'Visit:':<19}{_visit_text(visit, zone)}")

    lines += ["", "History:"]
    for event in case.events:
        lines.append(f"  {local_text(event.at, zone)}  {_event_text(event)}")

    lines += ["", "Emails sent:"]
    for email in case.emails:
        sent = local_text(email.sent_at, zone) if email.sent_at else email.status
        lines.append(f"  {sent:<18}  to {email.recipient}: {email.subject}")
    return "\n".join(lines)


def _visit_text(visit: Visit, zone: ZoneInfo) -> str:
    parts = [f"{uk_date(visit.date)} {visit.session}, {visit.status}, {visit.half_days} half-day(s)"]
    if visit.plan_received_at is not None:
        parts.append(f"plan {visit.plan_filename} received {local_text(visit.plan_received_at, zone)}")
    if visit.feedback_at is not None:
        parts.append(f"feedback {visit.feedback_rating if visit.feedback_rating is not None else 'unrated'}/5")
    return "; ".join(parts)


def _person_text(value: dict[str, str | None] | None) -> str:
    if value is None:
        return "-"
    return f"{value['name'] or ''} <{value['email'] or '-'}>".strip()


def _event_text(event: CaseEvent) -> str:
    """Describe one history entry in a line: what happened, who did it and the details that matter."""
    details = event.details or {}
    name = event.event.replace("_", " ")
    if event.event in ("email_received", "email_set_aside"):
        text = f"{name} from {event.actor or 'an unknown sender'}: {details.get('subject') or '(no subject)'}"
        return f"{text} ({details['reason']})" if details.get("reason") else text
    if event.event == "email_replayed":
        return f"{name} at the request of {event.actor or 'someone'}: {str(details.get('outcome') or '').replace('_', ' ')}"
    if event.event.startswith("email_"):
        return f"{name}: {details.get('purpose')} to {details.get('to')}"
    if event.event == "case_opened":
        return f"case opened from a form, state {details.get('state')}"

    shown = {key: value for key, value in details.items() if key not in ("message_id", "from_state") and value not in (None, "", [])}
    parts = [name]
    if event.actor:
        parts.append(f"by {event.actor}")
    if shown:
        parts.append("(" + ", ".join(f"{key.replace('_', ' ')}: {_short(value)}" for key, value in shown.items()) + ")")
    return " ".join(parts)


def _short(value: Any, limit: int = 80) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
