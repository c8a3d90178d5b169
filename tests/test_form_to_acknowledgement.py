"""A request form travels from the inbox to acknowledgement emails, on real IMAP and SMTP servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BOT_ADDRESS,
    BUSINESS_MANAGER,
    STRATEGIC_LEAD,
    append,
    case,
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

from form_samples import EXPECTED_FIELDS
from mailbot.embedded import SmtpSink

# 16.00 on a school day, British Summer Time.
NOW = "2026-10-14T16:00"

# The plain form is from a teacher whose headteacher is named; the HTML form is from the headteacher.
TEACHER_FORM = "plain-cf7.eml"
HEADTEACHER_FORM = "html-table.eml"


@pytest.fixture
def config(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, database_url: str) -> Path:
    return write_config(tmp_path, imap_account, smtp_sink, database_url)


def _person(fields: dict[str, str], name_key: str, email_key: str) -> dict[str, str | None]:
    return {"name": fields[name_key] or None, "email": fields[email_key] or None}


def _case_for(config: Path, requester_email: str) -> dict:
    matches = [row for row in cases(config) if row["requester"]["email"] == requester_email]
    assert len(matches) == 1, f"expected one case for {requester_email}, found {len(matches)}"
    return case(config, matches[0]["reference"])


def test_forms_become_cases(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, form_bytes(TEACHER_FORM), form_bytes(HEADTEACHER_FORM))

    run_once(config, NOW)

    assert len(cases(config)) == 2
    for fixture in (TEACHER_FORM, HEADTEACHER_FORM):
        fields = EXPECTED_FIELDS[fixture]
        document = _case_for(config, fields["requester_email"])
        assert document["reference"].startswith("PST-2026-")
        assert document["school"] == fields["school"]
        assert document["requester"] == _person(fields, "requester_name", "requester_email")
        assert document["visiting_teacher"] == _person(fields, "visiting_teacher_name", "visiting_teacher_email")
        assert document["initiated_by"] == fields["initiated_by"]
        assert document["context"] == fields["context"]
        assert document["reason"] == fields["reason"]
        assert document["objectives"] == fields["objectives"]


def test_teacher_form_awaits_endorsement(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    fields = EXPECTED_FIELDS[TEACHER_FORM]
    append(imap_account, form_bytes(TEACHER_FORM))

    run_once(config, NOW)

    document = _case_for(config, fields["requester_email"])
    assert document["state"] == "awaiting_endorsement"
    assert document["requesting_headteacher"] == _person(fields, "headteacher_name", "headteacher_email")
    assert [entry["event"] for entry in document["history"]][0] == "case_opened"


def test_headteacher_form_awaits_match(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    fields = EXPECTED_FIELDS[HEADTEACHER_FORM]
    append(imap_account, form_bytes(HEADTEACHER_FORM))

    run_once(config, NOW)

    document = _case_for(config, fields["requester_email"])
    assert document["state"] == "awaiting_match"
    # The headteacher fields are empty, so the requester is the requesting headteacher.
    assert document["requesting_headteacher"] == _person(fields, "requester_name", "requester_email")


def test_right_people_get_right_emails(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    teacher = EXPECTED_FIELDS[TEACHER_FORM]
    headteacher = EXPECTED_FIELDS[HEADTEACHER_FORM]
    append(imap_account, form_bytes(TEACHER_FORM), form_bytes(HEADTEACHER_FORM))

    run_once(config, NOW)

    teacher_case = _case_for(config, teacher["requester_email"])["reference"]
    head_case = _case_for(config, headteacher["requester_email"])["reference"]
    expected = {
        (teacher["requester_email"], teacher_case, "We have received your request"),
        (teacher["headteacher_email"], teacher_case, "Please endorse a PST visit request"),
        (BUSINESS_MANAGER, teacher_case, "New PST request"),
        (STRATEGIC_LEAD, teacher_case, "New PST request"),
        (headteacher["requester_email"], head_case, "We have received your request"),
        (BUSINESS_MANAGER, head_case, "New PST request"),
        (STRATEGIC_LEAD, head_case, "New PST request"),
        # A headteacher's own request goes straight to matching, so staff get its shortlist too.
        (BUSINESS_MANAGER, head_case, "PSTs for the request"),
        (STRATEGIC_LEAD, head_case, "PSTs for the request"),
    }
    received = set()
    for item in smtp_sink.messages:
        message = parsed(item)
        assert item.mail_from == BOT_ADDRESS
        assert len(item.rcpt_tos) == 1
        assert message["Auto-Submitted"] in {"auto-replied", "auto-generated"}
        reference = message["X-Mailbot-Case"]
        assert str(message["Subject"]).startswith(f"[{reference}] ")
        opening = str(message["Subject"]).removeprefix(f"[{reference}] ")
        received.add((item.rcpt_tos[0], reference, next(text for *_, text in expected if opening.startswith(text))))
    assert received == expected
    assert len(smtp_sink.messages) == len(expected)


def test_acknowledgement_summarises_request(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    fields = EXPECTED_FIELDS[TEACHER_FORM]
    append(imap_account, form_bytes(TEACHER_FORM))

    run_once(config, NOW)

    [acknowledgement] = emails_to(smtp_sink, fields["requester_email"])
    text = plain_body(acknowledgement)
    assert f"Dear {fields['requester_name']}," in text
    assert fields["school"] in text
    assert fields["headteacher_name"] in text
    assert "endorse" in text
    lines = text.splitlines()
    assert f"Headteacher:        {fields['headteacher_name']} <{fields['headteacher_email']}>" in lines
    assert f"Visiting teacher:   {fields['visiting_teacher_name']} <{fields['visiting_teacher_email']}>" in lines
    assert f"Initiated by:       {fields['initiated_by'].splitlines()[0]}" in lines
    html = parsed(acknowledgement).get_body(preferencelist=("html",))
    assert html is not None
    assert fields["school"] in html.get_content()


def test_message_ids_recorded_with_case(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    fields = EXPECTED_FIELDS[HEADTEACHER_FORM]
    append(imap_account, form_bytes(HEADTEACHER_FORM))

    run_once(config, NOW)

    document = _case_for(config, fields["requester_email"])
    recorded = {entry["message_id"]: entry for entry in document["emails"]}
    sent = {parsed(item)["Message-ID"] for item in smtp_sink.messages}
    assert set(recorded) == sent
    assert all(entry["status"] == "sent" for entry in recorded.values())
    assert all(message_id.endswith("@star-tsa.example>") for message_id in sent)
    sent_events = [entry for entry in document["history"] if entry["event"] == "email_sent"]
    assert {entry["message_id"] for entry in sent_events} == sent


def test_forms_end_in_processed(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    originals = [form_bytes(TEACHER_FORM), form_bytes(HEADTEACHER_FORM)]
    append(imap_account, *originals)

    run_once(config, NOW)

    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 2, "Needs attention": 0}
    kept = folder_messages(imap_account, "Processed")
    assert sorted(message.replace(b"\r\n", b"\n") for message in kept) == sorted(
        message.replace(b"\r\n", b"\n") for message in originals
    )


def test_second_pass_changes_nothing(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, form_bytes(TEACHER_FORM), form_bytes(HEADTEACHER_FORM))
    run_once(config, NOW)
    emails_after_first = len(smtp_sink.messages)
    listing = cases(config)
    documents = [case(config, row["reference"]) for row in listing]
    folders = folder_counts(imap_account)

    run_once(config, "2026-10-14T16:05")

    assert len(smtp_sink.messages) == emails_after_first
    assert cases(config) == listing
    assert [case(config, row["reference"]) for row in listing] == documents
    assert folder_counts(imap_account) == folders


def test_same_form_twice_opens_one_case(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    form = form_bytes(HEADTEACHER_FORM)
    append(imap_account, form, form)

    run_once(config, NOW)

    assert len(cases(config)) == 1
    assert len(smtp_sink.messages) == 5
    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 2, "Needs attention": 0}


def test_resubmitted_form_opens_no_case(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # The website sends a second submission with its own Message-ID but every answer the same.
    first = form_bytes(HEADTEACHER_FORM)
    second = first.replace(b"Message-ID: <", b"Message-ID: <again-", 1)
    append(imap_account, first, second)

    run_once(config, NOW)

    [row] = cases(config)
    history = case(config, row["reference"])["history"]
    assert [entry["event"] for entry in history if entry["event"] == "form_resubmitted"] == ["form_resubmitted"]
    assert len(smtp_sink.messages) == 5
    assert folder_counts(imap_account) == {"INBOX": 0, "Processed": 2, "Needs attention": 0}


def test_repeat_form_flagged_to_staff(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # The same requester and objectives, but another visiting teacher: perhaps a second visit, so staff decide.
    first = form_bytes(HEADTEACHER_FORM)
    second = first.replace(b"Message-ID: <", b"Message-ID: <again-", 1).replace(b"Rory McAllister", b"Rory McAlister")
    append(imap_account, first, second)

    run_once(config, NOW)

    references = sorted(row["reference"] for row in cases(config))
    assert len(references) == 2
    notices = [plain_body(item) for item in emails_to(smtp_sink, BUSINESS_MANAGER) if "New PST request" in parsed(item)["Subject"]]
    assert f"this looks like a repeat of {references[0]}" in notices[1]
    assert "repeat" not in notices[0]


def test_headteacher_given_requesters_address_set_aside(
    config: Path, imap_account: Account, smtp_sink: SmtpSink
) -> None:
    form = form_bytes(TEACHER_FORM).replace(
        b"Headteacher Email (if different to above): head@hollybank-ce.example",
        b"Headteacher Email (if different to above): m.webb@hollybank-ce.example",
    )
    append(imap_account, form)

    run_once(config, NOW)

    assert cases(config) == []
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert "gives the requester's own email address" in plain_body(notice)
    assert "Requester (from the form): Marcus Webb <m.webb@hollybank-ce.example>" in plain_body(notice)
