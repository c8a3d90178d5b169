"""Endorsement by email: the requesting headteacher's YES, NO, unclear reply and silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    STRATEGIC_LEAD,
    append,
    case,
    cases,
    emails_to,
    folder_counts,
    form_bytes,
    parsed,
    plain_body,
    reply_to,
    run_once,
    subjects_to,
    write_config,
)
from servers import Account

from form_samples import EXPECTED_FIELDS
from mailbot.embedded import SmtpSink

# The teacher's form arrives on Wednesday 14/10/2026.
OPENED = "2026-10-14T16:00"
FIELDS = EXPECTED_FIELDS["plain-cf7.eml"]
HEADTEACHER = FIELDS["headteacher_email"]
REQUESTER = FIELDS["requester_email"]


@pytest.fixture
def config(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    path = write_config(tmp_path, imap_account, smtp_sink, store_url)
    append(imap_account, form_bytes("plain-cf7.eml"))
    run_once(path, OPENED)
    return path


def _the_case(config: Path) -> dict:
    [row] = cases(config)
    return case(config, row["reference"])


def _request(sink: SmtpSink):
    [request] = emails_to(sink, HEADTEACHER)
    return request


def test_request_asks_for_yes_or_no(config: Path, smtp_sink: SmtpSink) -> None:
    text = plain_body(_request(smtp_sink))

    assert "Please reply to this email with YES to endorse the request, or NO" in text
    assert "Dear Mrs Lindqvist," in text
    assert _the_case(config)["state"] == "awaiting_endorsement"


@pytest.mark.parametrize("words", ["YES", "Yes, happy to support this.", "Agreed", "That's fine"])
def test_yes_moves_to_matching(config: Path, imap_account: Account, smtp_sink: SmtpSink, words: str) -> None:
    append(imap_account, reply_to(_request(smtp_sink), words))
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    document = _the_case(config)
    assert document["state"] == "awaiting_match"
    endorsed = [entry for entry in document["history"] if entry["event"] == "endorsed"]
    assert len(endorsed) == 1
    assert endorsed[0]["by"] == HEADTEACHER
    assert subjects_to(smtp_sink, REQUESTER)[0].endswith("Your headteacher has endorsed your PST request")
    for address in (BUSINESS_MANAGER, STRATEGIC_LEAD):
        subjects = [subject.split("] ", 1)[1] for subject in subjects_to(smtp_sink, address)]
        assert subjects == [
            "Endorsed: PST request from Hollybank Church of England Primary School",
            "PSTs for the request from Hollybank Church of England Primary School",
        ]
    assert folder_counts(imap_account)["Processed"] == 2


def test_no_declines_kindly(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, reply_to(_request(smtp_sink), "No, sorry. Not this term I'm afraid."))
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    assert _the_case(config)["state"] == "declined"
    [letter] = emails_to(smtp_sink, REQUESTER)
    assert "You are very welcome to send a new request" in plain_body(letter)
    assert "Declined by the headteacher" in subjects_to(smtp_sink, BUSINESS_MANAGER)[0]


def test_unclear_reply_goes_to_staff(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    words = "I can't say yes until I've spoken to Jo"
    append(imap_account, reply_to(_request(smtp_sink), words))
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    assert _the_case(config)["state"] == "awaiting_endorsement"
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert words in plain_body(notice)
    assert emails_to(smtp_sink, REQUESTER) == []


def test_quoted_yes_never_counts(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # The bot's own request quotes "YES"; an empty reply above it must not count as one.
    append(imap_account, reply_to(_request(smtp_sink), ""))

    run_once(config, "2026-10-15T09:00")

    assert _the_case(config)["state"] == "awaiting_endorsement"


def test_reply_by_subject_only_set_aside(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # Anyone can type a reference into a subject, so without threading or a reply token a YES does not count.
    append(imap_account, reply_to(_request(smtp_sink), "Yes please", threading=False, subject_prefix="RE: RE: FW: "))
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    document = _the_case(config)
    assert document["state"] == "awaiting_endorsement"
    assert folder_counts(imap_account)["Needs attention"] == 1
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert document["reference"] in plain_body(notice)


def test_reply_token_without_threading_counts(
    tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__PLUS_ADDRESSING", "true")
    path = write_config(tmp_path, imap_account, smtp_sink, store_url)
    append(imap_account, form_bytes("plain-cf7.eml"))
    run_once(path, OPENED)
    request = _request(smtp_sink)
    reply_address = str(parsed(request)["Reply-To"])
    assert "pst+" in reply_address

    append(imap_account, reply_to(request, "Yes please", threading=False, subject_prefix="AW: "))
    run_once(path, "2026-10-15T09:00")

    assert _the_case(path)["state"] == "awaiting_match"


def test_yes_from_someone_else_set_aside(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, reply_to(_request(smtp_sink), "YES", sender=REQUESTER))
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    assert _the_case(config)["state"] == "awaiting_endorsement"
    assert folder_counts(imap_account)["Needs attention"] == 1
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert _the_case(config)["reference"] in plain_body(notice)


def test_automatic_reply_never_endorses(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, reply_to(_request(smtp_sink), "Yes, I am out of the office", extra_headers="Auto-Submitted: auto-replied"))

    run_once(config, "2026-10-15T09:00")

    assert _the_case(config)["state"] == "awaiting_endorsement"


def test_silence_reminds_then_escalates(config: Path, smtp_sink: SmtpSink) -> None:
    smtp_sink.clear()

    # Asked on Wednesday 14/10; 3 school days on is Monday 19/10, 5 is Wednesday 21/10, at 8.00am.
    for moment in ("2026-10-16T09:00", "2026-10-19T07:59"):
        run_once(config, moment)
    assert smtp_sink.messages == []

    run_once(config, "2026-10-19T08:00")
    assert [subject.split("] ", 1)[1] for subject in subjects_to(smtp_sink, HEADTEACHER)] == [
        "Reminder: please endorse the PST visit request for Hollybank Church of England Primary School"
    ]

    run_once(config, "2026-10-20T12:00")
    run_once(config, "2026-10-21T08:00")
    run_once(config, "2026-10-22T08:00")
    assert len(emails_to(smtp_sink, HEADTEACHER)) == 1
    [escalation] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert "5 school days after being asked" in plain_body(escalation)
    assert emails_to(smtp_sink, STRATEGIC_LEAD) == []


def test_answer_cancels_reminders(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, reply_to(_request(smtp_sink), "Yes"))
    run_once(config, "2026-10-15T09:00")
    smtp_sink.clear()

    run_once(config, "2026-10-22T09:00")

    assert smtp_sink.messages == []


def test_second_answer_changes_nothing(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    request = _request(smtp_sink)
    append(imap_account, reply_to(request, "Yes"))
    run_once(config, "2026-10-15T09:00")
    smtp_sink.clear()

    append(imap_account, reply_to(request, "No, I have changed my mind"))
    run_once(config, "2026-10-15T10:00")

    assert _the_case(config)["state"] == "awaiting_match"
    assert folder_counts(imap_account)["Needs attention"] == 1


def test_reply_words_shown_as_text(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # Words from a reply are data: HTML in them is escaped and template syntax is shown, never run.
    append(imap_account, reply_to(_request(smtp_sink), "Yes but <script>alert(1)</script> {{ 7*7 }} {% if true %}x{% endif %}"))
    smtp_sink.clear()

    run_once(config, "2026-10-15T09:00")

    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    html = parsed(notice).get_body(preferencelist=("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "{{ 7*7 }}" in plain_body(notice)
    assert "49" not in plain_body(notice)
    assert "{% if true %}x{% endif %}" in plain_body(notice)
