"""Visit dates by email: the PST's visit: line, the confirmation with its invitation, changes and extra visits."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    HOST,
    PST,
    STRATEGIC_LEAD,
    VISITOR,
    append,
    case,
    case_email,
    cases,
    consented_case,
    emails_to,
    parsed,
    plain_body,
    run_once,
)
from icalendar import Calendar
from servers import Account

from mailbot.embedded import SmtpSink


@pytest.fixture
def consented(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    """A case whose PST's headteacher consented on Friday 16/10/2026; it awaits a date."""
    return consented_case(tmp_path, imap_account, smtp_sink, store_url)


def _reference(config: Path) -> str:
    return cases(config)[0]["reference"]


def _invitation(item) -> Calendar:
    message = parsed(item)
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    return Calendar.from_ical(part.get_payload(decode=True))


def test_pst_asked_to_agree_date(consented: Path, smtp_sink: SmtpSink) -> None:
    [consent_news] = [item for item in emails_to(smtp_sink, PST) if "has agreed to the visit" in str(parsed(item)["Subject"])]
    assert "visit: 14/01/2027 am" in plain_body(consent_news)
    [visitor_news] = emails_to(smtp_sink, VISITOR)
    assert PST in plain_body(visitor_news)


def test_pst_sets_date_everyone_confirmed(consented: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    smtp_sink.clear()
    append(imap_account, case_email(_reference(consented), PST, "visit: 14/01/2027", tag="visit-2"))

    run_once(consented, "2026-10-19T09:00")

    document = case(consented, _reference(consented))
    assert document["state"] == "scheduled"
    assert document["visit"] == {"date": "2027-01-14", "session": "am", "status": "scheduled", "half_days": 1, "plan": None, "feedback": None}
    confirmations = [item for item in smtp_sink.messages if "Visit confirmed for 14/01/2027" in str(parsed(item)["Subject"])]
    recipients = {item.rcpt_tos[0] for item in confirmations}
    assert {PST, VISITOR, HOST, BUSINESS_MANAGER, "head@fernhill-community.test"} == recipients
    text = plain_body(confirmations[0])
    assert "9.00am to 10.30am: The visitor observes the PST teaching their own class" in text
    [event] = _invitation(confirmations[0]).walk("VEVENT")
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART").isoformat() == "2027-01-14T08:30:00+00:00"


def test_changed_date_updates_same_event(consented: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, case_email(_reference(consented), PST, "visit: 14/01/2027", tag="visit-2"))
    run_once(consented, "2026-10-19T09:00")
    [first] = [item for item in emails_to(smtp_sink, VISITOR) if "Visit confirmed" in str(parsed(item)["Subject"])]
    smtp_sink.clear()

    append(imap_account, case_email(_reference(consented), STRATEGIC_LEAD, "visit: 21/01/2027 pm", tag="visit-3"))
    run_once(consented, "2026-10-20T09:00")

    [update] = [item for item in emails_to(smtp_sink, VISITOR) if "Visit moved to 21/01/2027" in str(parsed(item)["Subject"])]
    [before] = _invitation(first).walk("VEVENT")
    [after] = _invitation(update).walk("VEVENT")
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == 1
    assert after.decoded("DTSTART").isoformat() == "2027-01-21T12:45:00+00:00"
    document = case(consented, _reference(consented))
    assert len(document["visits"]) == 1
    assert len(cases(consented)) == 1


def test_visit_across_clock_change(consented: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # The clocks go back on Sunday 25/10/2026; the visit on Monday 02/11, after half term, is in GMT.
    append(imap_account, case_email(_reference(consented), PST, "visit: 02/11/2026 am", tag="visit-2"))

    run_once(consented, "2026-10-23T09:00")

    [confirmation] = [item for item in emails_to(smtp_sink, VISITOR) if "Visit confirmed" in str(parsed(item)["Subject"])]
    [event] = _invitation(confirmation).walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == "2026-11-02T08:30:00+00:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("visit: 16/01/2027", "is not a school day: it is a Saturday"),
        ("visit: 03/05/2027", "is not a school day: it is a bank holiday (May Day)"),
        ("visit: 28/10/2026", "is not a school day: it is a closure in rules/calendar.toml (October half term)"),
        ("visit: 01/10/2026", "is not in the future"),
    ],
    ids=["saturday", "bank-holiday", "half-term", "past"],
)
def test_unusable_date_rejected(consented: Path, imap_account: Account, smtp_sink: SmtpSink, line: str, expected: str) -> None:
    smtp_sink.clear()
    append(imap_account, case_email(_reference(consented), PST, line, tag="visit-2"))

    run_once(consented, "2026-10-19T09:00")

    assert case(consented, _reference(consented))["state"] == "awaiting_date"
    [reply] = emails_to(smtp_sink, PST)
    assert expected in plain_body(reply)


def test_pst_cannot_send_staff_commands(consented: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    smtp_sink.clear()
    append(imap_account, case_email(_reference(consented), PST, "visit: 14/01/2027\ncancel: no longer needed", tag="visit-2"))

    run_once(consented, "2026-10-19T09:00")

    assert case(consented, _reference(consented))["state"] == "awaiting_date"
    [reply] = emails_to(smtp_sink, PST)
    assert "can only be sent by alliance staff" in plain_body(reply)


def test_staff_add_second_visit(consented: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, case_email(_reference(consented), PST, "visit: 14/01/2027", tag="visit-2"))
    run_once(consented, "2026-10-19T09:00")

    append(imap_account, case_email(_reference(consented), BUSINESS_MANAGER, "add-visit: 04/02/2027 pm", tag="visit-3"))
    run_once(consented, "2026-10-20T09:00")

    visits = case(consented, _reference(consented))["visits"]
    assert [(visit["date"], visit["session"]) for visit in visits] == [("2027-01-14", "am"), ("2027-02-04", "pm")]
    second = [item for item in emails_to(smtp_sink, VISITOR) if "Visit confirmed for 04/02/2027" in str(parsed(item)["Subject"])]
    assert len(second) == 1
    [first_event] = [event for item in emails_to(smtp_sink, VISITOR) if "14/01/2027" in str(parsed(item)["Subject"]) for event in _invitation(item).walk("VEVENT")]
    [second_event] = _invitation(second[0]).walk("VEVENT")
    assert first_event["UID"] != second_event["UID"]
