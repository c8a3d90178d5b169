"""Bounces and automatic replies on real servers: recorded on the case, never answered, staff told when it matters."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BOT_ADDRESS,
    BUSINESS_MANAGER,
    append,
    case,
    cases,
    emails_to,
    folder_counts,
    form_bytes,
    parsed,
    plain_body,
    run_once,
    write_config,
)
from servers import Account

from form_samples import EXPECTED_FIELDS
from mailbot.embedded import SmtpSink

FIELDS = EXPECTED_FIELDS["plain-cf7.eml"]
HEADTEACHER = FIELDS["headteacher_email"]


@pytest.fixture
def config(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    """A case opened on Wednesday 14/10/2026 whose headteacher was asked to endorse it."""
    path = write_config(tmp_path, imap_account, smtp_sink, store_url)
    append(imap_account, form_bytes("plain-cf7.eml"))
    run_once(path, "2026-10-14T16:00")
    return path


def _request(sink: SmtpSink):
    [request] = emails_to(sink, HEADTEACHER)
    return request


def _delivery_report(returned, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """Build an RFC 3464 report, laid out as Postfix writes one, for the email ``returned``."""
    original = parsed(returned)
    text = f"""\
From: MAILER-DAEMON@mx.school.example (Mail Delivery System)
To: {BOT_ADDRESS}
Subject: Undelivered Mail Returned to Sender
Message-ID: <report-{action}-{status}@mx.school.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="report-boundary"

--report-boundary
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered to {HEADTEACHER}.

--report-boundary
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.school.example

Final-Recipient: rfc822; {HEADTEACHER}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{HEADTEACHER}>: Recipient address rejected: User unknown

--report-boundary
Content-Type: text/rfc822-headers

Message-ID: {original['Message-ID']}
Subject: {original['Subject']}
To: {HEADTEACHER}

--report-boundary--
"""
    return text.replace("\n", "\r\n").encode()


def _automatic_reply(returned, subject_prefix: str = "Automatic reply: ", tag: str = "1") -> bytes:
    original = parsed(returned)
    return (
        f"From: {HEADTEACHER}\r\nTo: {BOT_ADDRESS}\r\nSubject: {subject_prefix}{original['Subject']}\r\n"
        f"Message-ID: <ooo-{tag}@school.example>\r\nIn-Reply-To: {original['Message-ID']}\r\n"
        "Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Yes, I am away until Monday 26 October with no access to email.\r\n"
    ).encode()


def test_bounce_recorded_and_staff_told(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, _delivery_report(_request(smtp_sink)))
    smtp_sink.clear()

    run_once(config, "2026-10-14T17:00")

    reference = cases(config)[0]["reference"]
    document = case(config, reference)
    [unreachable] = [entry for entry in document["history"] if entry["event"] == "recipient_unreachable"]
    assert unreachable["to"] == HEADTEACHER
    assert "User unknown" in unreachable["reason"]
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert f"it did not reach {HEADTEACHER}" in plain_body(notice)
    assert emails_to(smtp_sink, "MAILER-DAEMON@mx.school.example") == []
    assert folder_counts(imap_account)["Processed"] == 2
    assert document["state"] == "awaiting_endorsement"


def test_delay_warning_only_noted(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, _delivery_report(_request(smtp_sink), action="delayed", status="4.4.1"))
    smtp_sink.clear()

    run_once(config, "2026-10-14T17:00")

    document = case(config, cases(config)[0]["reference"])
    assert [entry["event"] for entry in document["history"] if entry["event"].startswith("delivery")] == ["delivery_delayed"]
    assert smtp_sink.messages == []


def test_bounce_of_unknown_email_set_aside(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    report = _delivery_report(_request(smtp_sink)).replace(b"<PST-", b"<someone-else-PST-")
    append(imap_account, report)
    smtp_sink.clear()

    run_once(config, "2026-10-14T17:00")

    assert folder_counts(imap_account)["Needs attention"] == 1
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert "does not quote any email mailbot sent" in plain_body(notice)


def test_out_of_office_noted_never_answered(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    request = _request(smtp_sink)
    append(imap_account, _automatic_reply(request, tag="1"))
    smtp_sink.clear()

    # The reminder falls due on Monday 19/10, within three school days of Thursday 15/10.
    run_once(config, "2026-10-15T09:00")

    document = case(config, cases(config)[0]["reference"])
    assert document["state"] == "awaiting_endorsement"
    [noted] = [entry for entry in document["history"] if entry["event"] == "automatic_reply"]
    assert noted["away"] is True
    assert emails_to(smtp_sink, HEADTEACHER) == []
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert f"{HEADTEACHER} is away" in str(parsed(notice)["Subject"])
    assert folder_counts(imap_account)["Processed"] == 2


def test_second_out_of_office_not_told_twice(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    request = _request(smtp_sink)
    append(imap_account, _automatic_reply(request, tag="1"))
    run_once(config, "2026-10-15T09:00")
    append(imap_account, _automatic_reply(request, subject_prefix="Out of Office: ", tag="2"))
    smtp_sink.clear()

    run_once(config, "2026-10-16T09:00")

    assert smtp_sink.messages == []


def test_mailing_list_set_aside_silently(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    newsletter = (
        "From: news@teaching-news.example\r\nTo: pst@star-tsa.example\r\nSubject: This week in teaching\r\n"
        "Message-ID: <news-1@teaching-news.example>\r\nList-Id: <weekly.teaching-news.example>\r\n"
        "List-Unsubscribe: <mailto:leave@teaching-news.example>\r\nContent-Type: text/plain\r\n\r\nNews.\r\n"
    ).encode()
    append(imap_account, newsletter)
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    assert folder_counts(imap_account)["Needs attention"] == 1
    assert smtp_sink.messages == []


def test_bounced_notice_not_noticed_again(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # Each bounce of a notice to staff would otherwise bring another notice, without end.
    append(imap_account, _delivery_report(_request(smtp_sink)))
    smtp_sink.clear()
    run_once(config, "2026-10-14T17:00")
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    append(imap_account, _delivery_report(notice).replace(b"report-failed-5.1.1", b"report-of-notice"))
    smtp_sink.clear()

    run_once(config, "2026-10-14T18:00")

    assert smtp_sink.messages == []
    assert folder_counts(imap_account)["Processed"] == 3
