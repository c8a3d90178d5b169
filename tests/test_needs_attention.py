"""Messages the bot cannot handle are kept whole in "Needs attention" and reported; nothing stops."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    append,
    cases,
    emails_to,
    folder_counts,
    folder_messages,
    form_bytes,
    parsed,
    plain_body,
    run_once,
    write_config,
)
from servers import Account

from mailbot.embedded import SmtpSink

NOW = "2026-10-14T16:00"

AUTO_REPLY = b"""\
From: Jo Bloggs <j.bloggs@oakfield-primary.example>
To: pst@star-tsa.example
Subject: Automatic reply: Visit
Auto-Submitted: auto-replied
Message-ID: <auto-1@oakfield-primary.example>
Content-Type: text/plain; charset=utf-8

I am out of the office until Monday.
"""

UNPARSEABLE_FORM = b"""\
From: STAR TSA Website <wordpress@star-tsa.example>
To: pst@star-tsa.example
Subject: PST Request Form
Message-ID: <empty-form@www.star-tsa.example>
Content-Type: text/plain; charset=utf-8

(no fields were sent)
"""

CASE_REPLY = b"""\
From: Dr Priya Natarajan <head@oakfield-primary.example>
To: pst@star-tsa.example
Subject: RE: [PST-2026-0001] A PST visit has been requested for Oakfield Primary School
In-Reply-To: <PST-2026-0001.abc@star-tsa.example>
Message-ID: <reply-1@oakfield-primary.example>
Content-Type: text/plain; charset=utf-8

Yes, happy to support this.
"""


@pytest.fixture
def config(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    return write_config(tmp_path, imap_account, smtp_sink, store_url)


def _attention_notices(sink: SmtpSink) -> list[str]:
    return [plain_body(item) for item in emails_to(sink, BUSINESS_MANAGER) if "needs your attention" in parsed(item)["Subject"]]


def test_bad_messages_set_aside_and_later_ones_handled(
    config: Path, imap_account: Account, smtp_sink: SmtpSink
) -> None:
    not_a_form = form_bytes("not-a-form.eml")
    missing_email = form_bytes("missing-email.eml")
    append(imap_account, not_a_form, missing_email, form_bytes("html-table.eml"))

    run_once(config, NOW)

    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 1, "Needs attention": 2}
    assert len(cases(config)) == 1
    kept = [message.replace(b"\r\n", b"\n") for message in folder_messages(imap_account, "Needs attention")]
    assert kept == [not_a_form.replace(b"\r\n", b"\n"), missing_email.replace(b"\r\n", b"\n")]


def test_missing_field_named_to_business_manager(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, form_bytes("missing-email.eml"))

    run_once(config, NOW)

    [notice] = _attention_notices(smtp_sink)
    assert 'missing required information: "Your Email"' in notice
    assert "Needs attention" in notice
    assert cases(config) == []


def test_invalid_email_explained(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, form_bytes("invalid-email.eml"))

    run_once(config, NOW)

    [notice] = _attention_notices(smtp_sink)
    assert "is not a valid email address" in notice
    assert folder_counts(imap_account)["Needs attention"] == 1


def test_form_without_fields_lists_every_required_field(
    config: Path, imap_account: Account, smtp_sink: SmtpSink
) -> None:
    append(imap_account, UNPARSEABLE_FORM)

    run_once(config, NOW)

    [notice] = _attention_notices(smtp_sink)
    for label in ("Your Name", "Your Email", "Your School Name"):
        assert f'"{label}"' in notice


def test_not_a_form_reported_plainly(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, form_bytes("not-a-form.eml"))

    run_once(config, NOW)

    [notice] = _attention_notices(smtp_sink)
    assert "is not a PST request form" in notice
    assert len(smtp_sink.messages) == 1


def test_reply_to_case_set_aside_naming_case(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, CASE_REPLY)

    run_once(config, NOW)

    [notice] = _attention_notices(smtp_sink)
    assert "PST-2026-0001" in notice
    assert folder_counts(imap_account)["Needs attention"] == 1


def test_auto_reply_set_aside_without_notice(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, AUTO_REPLY)

    run_once(config, NOW)

    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 0, "Needs attention": 1}
    assert smtp_sink.messages == []


def test_own_mail_set_aside_without_notice(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    own = b"From: pst@star-tsa.example\r\nTo: pst@star-tsa.example\r\nSubject: hello\r\n\r\nhi\r\n"
    append(imap_account, own)

    run_once(config, NOW)

    assert folder_counts(imap_account)["Needs attention"] == 1
    assert smtp_sink.messages == []


def test_set_aside_message_not_reported_twice(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, form_bytes("not-a-form.eml"))
    run_once(config, NOW)

    run_once(config, "2026-10-14T16:10")

    assert len(_attention_notices(smtp_sink)) == 1


def test_set_aside_message_handled_again_when_returned(
    config: Path, imap_account: Account, smtp_sink: SmtpSink
) -> None:
    message = form_bytes("not-a-form.eml")
    append(imap_account, message)
    run_once(config, NOW)

    append(imap_account, message)
    run_once(config, "2026-10-14T16:10")

    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 0, "Needs attention": 2}
    assert len(_attention_notices(smtp_sink)) == 2


def test_oversized_message_set_aside_unread(
    tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str
) -> None:
    config = write_config(tmp_path, imap_account, smtp_sink, store_url, extra="")
    config.write_text(config.read_text().replace("poll_interval_seconds = 5", "poll_interval_seconds = 5\nmax_message_bytes = 100000"))
    large = form_bytes("html-table.eml").replace(b"\n--", b"\n" + b"x" * 150_000 + b"\n--", 1)
    append(imap_account, large)

    run_once(config, NOW)

    [notice] = _attention_notices(smtp_sink)
    assert "larger than the limit of 0.1 MB" in notice
    assert cases(config) == []
    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 0, "Needs attention": 1}
