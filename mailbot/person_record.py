"""Everything mailbot's database stores about one person, found by their email address.

The address is matched without regard to case: exactly in the columns that
hold one address (a case's people, a message's sender, an email's
recipient, the register), and as a whole address inside text (history
details, reasons, and the text of emails about no case). Text that names a
person without their address is found only on the cases they are part of.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mailbot.case_view import case_document, local_iso
from mailbot.config import Settings
from mailbot.register import pst_entry
from mailbot.store.models import Case, CaseEvent, InboundMessage, LedgerEntry, OutboxEmail, Pst, Visit

# Roles on a case, as the export and the erase command name them.
REQUESTER = "requester"
REQUESTING_HEADTEACHER = "requesting headteacher"
VISITING_TEACHER = "visiting teacher"
PST = "PST"
HOST_HEADTEACHER = "PST's headteacher"
SHORTLISTED = "PST offered on the shortlist"
EXCLUDED = "PST left out of matching"
SENDER = "sender of messages about the case"
RECIPIENT = "recipient of emails about the case"
IN_HISTORY = "named in the case's history"


@dataclass
class PersonRecord:
    """The places where one address appears: cases with its roles there, message records, emails, the register and the config."""

    address: str
    case_roles: dict[int, list[str]] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    messages: list[InboundMessage] = field(default_factory=list)
    emails_to: list[OutboxEmail] = field(default_factory=list)
    # Emails about no case, to someone else, whose text contains the address, such as notices to staff.
    emails_naming: list[OutboxEmail] = field(default_factory=list)
    pst: Pst | None = None
    headteacher_of: list[Pst] = field(default_factory=list)
    staff_roles: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.cases or self.messages or self.emails_to or self.emails_naming or self.pst or self.headteacher_of or self.staff_roles)


def address_pattern(address: str) -> re.Pattern[str]:
    """Match ``address`` as a whole address in text, ignoring case, so jo@school.example does not match mojo@school.example."""
    return re.compile(rf"(?<![\w.+-]){re.escape(address.strip())}(?![\w-]|\.\w)", re.IGNORECASE)


def find_person(session: Session, address: str, settings: Settings) -> PersonRecord:
    """Find every row that contains ``address``, reading every case, history entry, message record and email once."""
    address = address.strip()
    folded = address.casefold()
    pattern = address_pattern(address)
    record = PersonRecord(address)
    roles: dict[int, list[str]] = defaultdict(list)

    cases = {case.id: case for case in session.scalars(select(Case).options(selectinload(Case.pst)).order_by(Case.id))}
    for case in cases.values():
        roles[case.id].extend(_case_roles(case, folded))
    for case_id, actor, details in session.execute(select(CaseEvent.case_id, CaseEvent.actor, CaseEvent.details)):
        if _same(actor, folded) or pattern.search(json.dumps(details or {}, ensure_ascii=False)):
            _add(roles[case_id], IN_HISTORY)

    record.messages = _messages(session, folded, pattern, roles)
    record.emails_to = _emails_to(session, folded, roles)
    record.emails_naming = _emails_naming(session, folded, pattern)

    record.case_roles = {case_id: found for case_id, found in sorted(roles.items()) if found}
    record.cases = [cases[case_id] for case_id in record.case_roles]
    register = list(session.scalars(select(Pst).order_by(Pst.name, Pst.email)))
    record.pst = next((pst for pst in register if _same(pst.email, folded)), None)
    record.headteacher_of = [pst for pst in register if _same(pst.headteacher_email, folded)]
    record.staff_roles = _staff_roles(settings, folded)
    return record


def export_document(session: Session, record: PersonRecord, settings: Settings, now: datetime) -> dict[str, Any]:
    """Return the JSON document `mailbot person export` writes: everything in ``record``, with the ledger lines of its cases."""
    zone = settings.zone
    return {
        "address": record.address,
        "exported": local_iso(now, zone),
        "staff_roles": record.staff_roles,
        "register_entry": pst_entry(record.pst) if record.pst is not None else None,
        "headteacher_of_psts": [{"name": pst.name, "email": pst.email, "school": pst.school} for pst in record.headteacher_of],
        "cases": [{"roles": record.case_roles[case.id], **case_document(case, zone)} for case in record.cases],
        "messages": [_message_entry(message, zone) for message in record.messages],
        "emails_to_them": [email_entry(item, zone) for item in record.emails_to],
        "emails_naming_them": [email_entry(item, zone) for item in record.emails_naming],
        "ledger": ledger_lines(session, [case.id for case in record.cases]),
    }


def ledger_lines(session: Session, case_ids: list[int]) -> list[dict[str, Any]]:
    """Return the ledger entries of ``case_ids``: amounts in pence, schools, terms and visit dates."""
    if not case_ids:
        return []
    query = (
        select(LedgerEntry, Case.reference, Visit.date)
        .join(Case, LedgerEntry.case_id == Case.id)
        .join(Visit, LedgerEntry.visit_id == Visit.id)
        .where(LedgerEntry.case_id.in_(case_ids))
        .order_by(Visit.date, Case.reference, LedgerEntry.entry_type)
    )
    return [
        {
            "case_reference": reference,
            "term": entry.term,
            "visit_date": visit_date.isoformat(),
            "school": entry.school,
            "entry_type": entry.entry_type,
            "half_days": entry.half_days,
            "amount_pence": entry.amount_pence,
        }
        for entry, reference, visit_date in session.execute(query)
    ]


def email_entry(item: OutboxEmail, zone: Any) -> dict[str, Any]:
    """Describe one email: its headers, its plain text and its attachments by name and size; no text once its content was cleared."""
    entry: dict[str, Any] = {
        "message_id": item.message_id,
        "case": item.case.reference if item.case is not None else None,
        "purpose": item.purpose,
        "to": item.recipient,
        "subject": item.subject,
        "status": item.status,
        "queued": local_iso(item.created_at, zone),
        "sent": local_iso(item.sent_at, zone),
        "content_deleted": not item.content,
    }
    if not item.content:
        return entry

    message = _parsed(item.content)
    entry["headers"] = {name: str(message[name]) for name in ("From", "To", "Reply-To", "Subject", "Date") if message[name] is not None}
    body = message.get_body(preferencelist=("plain",))
    entry["text"] = body.get_content() if body is not None else None
    entry["attachments"] = [
        {"file_name": part.get_filename(), "content_type": part.get_content_type(), "size_bytes": len(part.get_payload(decode=True) or b"")}
        for part in message.iter_attachments()
    ]
    return entry


def email_names(content: bytes, pattern: re.Pattern[str]) -> bool:
    """Return whether the headers or any text part of an email, attachments included, contain the address ``pattern`` matches."""
    if not content:
        return False
    message = _parsed(content)
    if any(pattern.search(str(value)) for value in message.values()):
        return True
    for part in message.walk():
        if part.get_content_maintype() == "text" and pattern.search(_part_text(part)):
            return True
    return False


def _case_roles(case: Case, folded: str) -> list[str]:
    roles = []
    for role, value in (
        (REQUESTER, case.requester_email),
        (REQUESTING_HEADTEACHER, case.headteacher_email),
        (VISITING_TEACHER, case.visiting_teacher_email),
        (PST, case.pst.email if case.pst is not None else None),
        (HOST_HEADTEACHER, case.host_headteacher_email),
    ):
        if _same(value, folded):
            roles.append(role)
    if any(_same(entry.get("pst_email"), folded) for entry in case.shortlist or []):
        roles.append(SHORTLISTED)
    if any(_same(excluded, folded) for excluded in case.excluded_pst_emails or []):
        roles.append(EXCLUDED)
    return roles


def _messages(session: Session, folded: str, pattern: re.Pattern[str], roles: dict[int, list[str]]) -> list[InboundMessage]:
    """Return the message records from the address or naming it, and note the cases they belong to."""
    found = []
    for message in session.scalars(select(InboundMessage).order_by(InboundMessage.id)):
        from_them = _same(message.sender, folded)
        if not from_them and not any(pattern.search(text) for text in (message.subject or "", message.reason or "")):
            continue
        found.append(message)
        if message.case_id is not None:
            _add(roles[message.case_id], SENDER if from_them else IN_HISTORY)
    return found


def _emails_to(session: Session, folded: str, roles: dict[int, list[str]]) -> list[OutboxEmail]:
    # The recipients are read first, so that only the emails to the address have their content loaded.
    ids = [email_id for email_id, recipient in session.execute(select(OutboxEmail.id, OutboxEmail.recipient)) if _same(recipient, folded)]
    emails = list(session.scalars(select(OutboxEmail).where(OutboxEmail.id.in_(ids)).order_by(OutboxEmail.id))) if ids else []
    for item in emails:
        if item.case_id is not None:
            _add(roles[item.case_id], RECIPIENT)
    return emails


def _emails_naming(session: Session, folded: str, pattern: re.Pattern[str]) -> list[OutboxEmail]:
    query = select(OutboxEmail).where(OutboxEmail.case_id.is_(None)).order_by(OutboxEmail.id).execution_options(yield_per=100)
    return [item for item in session.scalars(query) if not _same(item.recipient, folded) and email_names(item.content, pattern)]


def _staff_roles(settings: Settings, folded: str) -> list[str]:
    alliance = settings.alliance
    roles = [f"[alliance] {key}" for key in ("address", "business_manager", "strategic_lead") if _same(getattr(alliance, key), folded)]
    if any(_same(member, folded) for member in alliance.staff):
        roles.append("[alliance] staff")
    return roles


def _message_entry(message: InboundMessage, zone: Any) -> dict[str, Any]:
    return {
        "received": local_iso(message.recorded_at, zone),
        "message_id": message.message_id,
        "sender": message.sender,
        "subject": message.subject,
        "outcome": message.outcome,
        "reason": message.reason,
        "case": message.case.reference if message.case is not None else None,
    }


def _parsed(content: bytes) -> EmailMessage:
    # With the default policy the parser builds EmailMessage objects.
    return cast(EmailMessage, email.message_from_bytes(content, policy=email.policy.default))


def _part_text(part: Any) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError):
        # An unknown charset or a damaged encoding: the raw text still shows an address.
        return str(part.get_payload())


def _same(value: str | None, folded: str) -> bool:
    return value is not None and value.strip().casefold() == folded


def _add(roles: list[str], role: str) -> None:
    if role not in roles:
        roles.append(role)
