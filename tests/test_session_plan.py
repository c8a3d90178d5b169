"""The session plan by email: the request, the deadline, the visitor's reminder, forwarding and copies.

Each test sets a visit date on a consented case and moves the clock with
--now, checking that every email falls on the right school day and at the
right local time, and on no other.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BOT_ADDRESS,
    BUSINESS_MANAGER,
    HOST,
    PST,
    STRATEGIC_LEAD,
    VISITOR,
    append,
    attachments_of,
    case,
    case_email,
    cases,
    consented_case,
    emails_to,
    folder_counts,
    parsed,
    plain_body,
    reply_with_files,
    run_once,
)
from icalendar import Calendar
from servers import Account

from mailbot.embedded import SmtpSink

# The html-table form comes from the requesting school's headteacher.
REQUESTER = "head@fernhill-community.test"

# Bytes that a text conversion anywhere on the way would change: every byte value, bare CR and LF, NUL.
PLAN_PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\r\n\x00\xff\rend\n"
PLAN_DOCX = b"PK\x03\x04" + bytes(reversed(range(256))) * 16
PLAN_DOCX_NAME = "Plan – Year 9 ratios (Ñ).docx"


@pytest.fixture
def consented(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    return consented_case(tmp_path, pymap_account, smtp_sink, store_url)


def _reference(config: Path) -> str:
    return cases(config)[0]["reference"]


def _set_visit(config: Path, account: Account, line: str, now: str = "2026-10-16T10:00", sender: str = PST) -> None:
    append(account, case_email(_reference(config), sender, line, tag=f"{sender}-{line}-{now}"))
    run_once(config, now)
    assert case(config, _reference(config))["state"] == "scheduled"


def _pass(config: Path, sink: SmtpSink, now: str) -> dict[str, list[str]]:
    """Run one pass at ``now`` and return the subjects of the emails it sent, by recipient."""
    sink.clear()
    run_once(config, now)
    sent: dict[str, list[str]] = {}
    for item in sink.messages:
        sent.setdefault(item.rcpt_tos[0], []).append(str(parsed(item)["Subject"]))
    return sent


def _only(sent: dict[str, list[str]], recipient: str, fragment: str) -> None:
    """Check that the pass sent one email, to ``recipient``, whose subject contains ``fragment``."""
    assert list(sent) == [recipient], sent
    [subject] = sent[recipient]
    assert fragment in subject


def test_monday_visit_work_on_school_days(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    # Monday 18/01/2027: five school days before is Monday 11/01, two before Thursday 14/01, one before Friday 15/01.
    _set_visit(consented, pymap_account, "visit: 18/01/2027")

    assert _pass(consented, smtp_sink, "2027-01-08T12:00") == {}
    assert _pass(consented, smtp_sink, "2027-01-11T07:59") == {}
    _only(_pass(consented, smtp_sink, "2027-01-11T08:00"), PST, "Session plan needed by 14/01/2027 for the visit on 18/01/2027")
    assert _pass(consented, smtp_sink, "2027-01-13T17:00") == {}
    assert _pass(consented, smtp_sink, "2027-01-14T07:59") == {}

    deadline = _pass(consented, smtp_sink, "2027-01-14T08:00")
    assert set(deadline) == {PST, BUSINESS_MANAGER}
    assert deadline[PST] == [f"[{_reference(consented)}] Reminder: session plan for the visit on 18/01/2027"]
    assert deadline[BUSINESS_MANAGER] == [f"[{_reference(consented)}] No session plan yet for the visit on 18/01/2027"]

    _only(_pass(consented, smtp_sink, "2027-01-15T08:00"), VISITOR, "Your visit to Priya Anand on 18/01/2027")
    assert _pass(consented, smtp_sink, "2027-01-18T12:00") == {}
    _only(_pass(consented, smtp_sink, "2027-01-19T08:00"), VISITOR, "How was your visit to Priya Anand on 18/01/2027?")
    assert case(consented, _reference(consented))["state"] == "visited"


def test_visit_after_bank_holiday(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    # Tuesday 04/05/2027 follows the May Day bank holiday, so its school day before is Friday 30/04.
    _set_visit(consented, pymap_account, "visit: 04/05/2027 pm")

    assert _pass(consented, smtp_sink, "2027-04-23T09:00") == {}
    _only(_pass(consented, smtp_sink, "2027-04-26T08:00"), PST, "Session plan needed by 29/04/2027 for the visit on 04/05/2027")
    assert set(_pass(consented, smtp_sink, "2027-04-29T08:00")) == {PST, BUSINESS_MANAGER}
    _only(_pass(consented, smtp_sink, "2027-04-30T08:00"), VISITOR, "Your visit to Priya Anand on 04/05/2027")
    assert _pass(consented, smtp_sink, "2027-05-03T08:00") == {}
    assert _pass(consented, smtp_sink, "2027-05-04T08:00") == {}
    _only(_pass(consented, smtp_sink, "2027-05-05T08:00"), VISITOR, "How was your visit")


def test_visit_across_clock_change(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    # Monday 02/11/2026 follows half term and the change to GMT on 25/10. The work before it
    # falls in BST, at 08:00 local = 07:00 UTC; the follow-up after it in GMT, at 08:00 UTC.
    _set_visit(consented, pymap_account, "visit: 02/11/2026")

    assert _pass(consented, smtp_sink, "2026-10-19T06:59+00:00") == {}
    _only(_pass(consented, smtp_sink, "2026-10-19T07:00+00:00"), PST, "Session plan needed by 22/10/2026 for the visit on 02/11/2026")
    assert _pass(consented, smtp_sink, "2026-10-22T06:59+00:00") == {}
    assert set(_pass(consented, smtp_sink, "2026-10-22T07:00+00:00")) == {PST, BUSINESS_MANAGER}
    _only(_pass(consented, smtp_sink, "2026-10-23T07:00+00:00"), VISITOR, "Your visit to Priya Anand on 02/11/2026")
    assert _pass(consented, smtp_sink, "2026-11-03T07:59+00:00") == {}
    _only(_pass(consented, smtp_sink, "2026-11-03T08:00+00:00"), VISITOR, "How was your visit")


def test_catch_up_sends_no_stale_request(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    # The daemon is stopped from before the plan request (11/01) until after the deadline (14/01).
    _set_visit(consented, pymap_account, "visit: 18/01/2027")

    sent = _pass(consented, smtp_sink, "2027-01-15T09:00")

    assert sent[PST] == [f"[{_reference(consented)}] Reminder: session plan for the visit on 18/01/2027"]
    assert set(sent) == {PST, BUSINESS_MANAGER, VISITOR}


def test_stopped_over_visit_sends_only_follow_up(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    _set_visit(consented, pymap_account, "visit: 18/01/2027")

    sent = _pass(consented, smtp_sink, "2027-01-19T09:00")

    _only(sent, VISITOR, "How was your visit to Priya Anand on 18/01/2027?")


def test_moved_visit_moves_its_reminders(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    _set_visit(consented, pymap_account, "visit: 18/01/2027")
    _set_visit(consented, pymap_account, "visit: 25/01/2027", now="2026-10-20T09:00", sender=STRATEGIC_LEAD)

    assert _pass(consented, smtp_sink, "2027-01-11T08:00") == {}
    assert _pass(consented, smtp_sink, "2027-01-15T08:00") == {}
    _only(_pass(consented, smtp_sink, "2027-01-18T08:00"), PST, "Session plan needed by 21/01/2027 for the visit on 25/01/2027")


def test_short_notice_visit_asks_at_once(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    # A visit set on Monday 19/10 for Thursday 22/10: the request goes at once; no deadline has passed unannounced.
    append(pymap_account, case_email(_reference(consented), PST, "visit: 22/10/2026", tag="short-notice"))
    sent = _pass(consented, smtp_sink, "2026-10-19T10:00")

    assert "Session plan needed by 20/10/2026 for the visit on 22/10/2026" in " ".join(sent[PST])
    assert set(_pass(consented, smtp_sink, "2026-10-20T08:00")) == {PST, BUSINESS_MANAGER}
    _only(_pass(consented, smtp_sink, "2026-10-21T08:00"), VISITOR, "Your visit")


@pytest.fixture
def plan_requested(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str):
    """A case with a visit on Monday 18/01/2027 whose PST was asked for the plan on 11/01; returns (config, request)."""
    config = consented_case(tmp_path, imap_account, smtp_sink, store_url)
    _set_visit(config, imap_account, "visit: 18/01/2027")
    smtp_sink.clear()
    run_once(config, "2027-01-11T08:00")
    [request] = emails_to(smtp_sink, PST)
    return config, request


def test_plan_forwarded_byte_identical(plan_requested, imap_account: Account, smtp_sink: SmtpSink) -> None:
    config, request = plan_requested
    files = [("lesson-plan.pdf", "application/pdf", PLAN_PDF), (PLAN_DOCX_NAME, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", PLAN_DOCX)]
    append(imap_account, reply_with_files(request, "Here is the plan. Priya", files))

    sent = _pass(config, smtp_sink, "2027-01-11T10:00")

    assert set(sent) == {VISITOR, PST}
    [forward] = emails_to(smtp_sink, VISITOR)
    assert str(parsed(forward)["Subject"]).endswith("Session plan for your visit on 18/01/2027")
    assert attachments_of(forward) == files
    assert "Thank you" in sent[PST][0]
    plan = case(config, _reference(config))["plan"]
    assert plan == {
        "received": "2027-01-11T10:00:00+00:00",
        "forwarded": "2027-01-11T10:00:00+00:00",
        "file_name": f"lesson-plan.pdf, {PLAN_DOCX_NAME}",
    }
    assert folder_counts(imap_account)["Processed"] >= 1
    assert folder_counts(imap_account)["Needs attention"] == 0

    assert _pass(config, smtp_sink, "2027-01-14T08:00") == {}
    _only(_pass(config, smtp_sink, "2027-01-15T08:00"), VISITOR, "Your visit")
    [reminder] = emails_to(smtp_sink, VISITOR)
    assert "The session plan was sent to you on 11/01/2027." in plain_body(reminder)


def test_second_plan_forwarded_as_update(plan_requested, imap_account: Account, smtp_sink: SmtpSink) -> None:
    config, request = plan_requested
    append(imap_account, reply_with_files(request, "Plan attached", [("plan.pdf", "application/pdf", b"%PDF first")], tag="first"))
    run_once(config, "2027-01-11T10:00")
    smtp_sink.clear()

    append(imap_account, reply_with_files(request, "Corrected plan", [("plan-v2.pdf", "application/pdf", b"%PDF second")], tag="second"))
    run_once(config, "2027-01-12T10:00")

    [update] = emails_to(smtp_sink, VISITOR)
    assert "Updated session plan" in str(parsed(update)["Subject"])
    assert attachments_of(update) == [("plan-v2.pdf", "application/pdf", b"%PDF second")]
    assert case(config, _reference(config))["plan"]["file_name"] == "plan-v2.pdf"


def test_plan_sent_to_visitor_only_recorded(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    _set_visit(consented, pymap_account, "visit: 18/01/2027")
    smtp_sink.clear()
    run_once(consented, "2027-01-11T08:00")
    [request] = emails_to(smtp_sink, PST)
    # Straight to the visiting teacher, the bot in copy, a new subject and no threading headers.
    direct = reply_with_files(
        request, "Hi Rory, the plan for Monday is attached.", [("plan.pdf", "application/pdf", PLAN_PDF)],
        to=VISITOR, cc=BOT_ADDRESS, subject="Lesson plan for Monday", threading=False, tag="direct",
    )
    append(pymap_account, direct)

    sent = _pass(consented, smtp_sink, "2027-01-12T09:00")

    assert sent == {}
    document = case(consented, _reference(consented))
    assert document["plan"] == {"received": "2027-01-12T09:00:00+00:00", "forwarded": None, "file_name": "plan.pdf"}
    assert [entry["event"] for entry in document["history"] if entry["event"].startswith("plan_")] == ["plan_copied"]
    assert folder_counts(pymap_account)["Needs attention"] == 0
    assert _pass(consented, smtp_sink, "2027-01-14T08:00") == {}


def test_plan_without_visit_set_aside(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    [consent_news] = [item for item in emails_to(smtp_sink, PST) if "has agreed to the visit" in str(parsed(item)["Subject"])]
    append(pymap_account, reply_with_files(consent_news, "My plan, ahead of time", [("plan.pdf", "application/pdf", PLAN_PDF)]))

    sent = _pass(consented, smtp_sink, "2026-10-19T09:00")

    assert list(sent) == [BUSINESS_MANAGER]
    assert folder_counts(pymap_account)["Needs attention"] == 1
    assert case(consented, _reference(consented))["plan"] is None


def test_cancelled_visit_sends_calendar_cancel(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    _set_visit(consented, pymap_account, "visit: 18/01/2027")
    [confirmation] = [item for item in emails_to(smtp_sink, VISITOR) if "Visit confirmed" in str(parsed(item)["Subject"])]
    [invited] = Calendar.from_ical(attachments_of(confirmation)[0][2]).walk("VEVENT")
    append(pymap_account, case_email(_reference(consented), BUSINESS_MANAGER, "cancel: the school has withdrawn", tag="cancel"))

    sent = _pass(consented, smtp_sink, "2026-11-02T09:00")

    expected = {PST, VISITOR, HOST, REQUESTER, BUSINESS_MANAGER}
    assert set(sent) == expected
    [letter] = [item for item in emails_to(smtp_sink, HOST) if "cancelled" in str(parsed(item)["Subject"])]
    [(name, content_type, data)] = attachments_of(letter)
    assert content_type == "text/calendar"
    calendar = Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == invited["UID"]
    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"
    document = case(consented, _reference(consented))
    assert document["state"] == "cancelled"
    assert document["visit"] is None
    assert [visit["status"] for visit in document["visits"]] == ["cancelled"]
    assert _pass(consented, smtp_sink, "2027-01-11T08:00") == {}
    assert _pass(consented, smtp_sink, "2027-01-19T08:00") == {}


def test_cancel_before_date_tells_pst(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, case_email(_reference(consented), STRATEGIC_LEAD, "cancel: no longer needed", tag="cancel-early"))

    sent = _pass(consented, smtp_sink, "2026-10-19T09:00")

    assert {REQUESTER, PST, HOST} <= set(sent)
    [letter] = [item for item in emails_to(smtp_sink, PST) if "cancelled" in str(parsed(item)["Subject"])]
    assert attachments_of(letter) == []


def test_hold_stops_plan_request_until_resume(consented: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    _set_visit(consented, pymap_account, "visit: 18/01/2027")
    append(pymap_account, case_email(_reference(consented), BUSINESS_MANAGER, "hold: PST on a course", tag="hold"))
    run_once(consented, "2026-11-02T09:00")

    assert _pass(consented, smtp_sink, "2027-01-11T08:00") == {}

    append(pymap_account, case_email(_reference(consented), BUSINESS_MANAGER, "resume", tag="resume"))
    sent = _pass(consented, smtp_sink, "2027-01-11T09:00")

    assert "Session plan needed by 14/01/2027" in " ".join(sent[PST])
    assert case(consented, _reference(consented))["state"] == "scheduled"
