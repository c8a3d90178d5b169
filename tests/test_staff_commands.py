"""Staff commands by email: applied together or not at all, answered, and ignored from anyone else."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    STRATEGIC_LEAD,
    append,
    case_email,
    case,
    cases,
    emails_to,
    folder_counts,
    form_bytes,
    mailbot,
    parsed,
    plain_body,
    run_once,
    subjects_to,
    write_config,
)
from servers import Account

from form_samples import EXPECTED_FIELDS
from mailbot.embedded import SmtpSink

OPENED = "2026-10-14T16:00"
REQUESTER = EXPECTED_FIELDS["plain-cf7.eml"]["requester_email"]
HEADTEACHER = EXPECTED_FIELDS["plain-cf7.eml"]["headteacher_email"]


@pytest.fixture
def config(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    path = write_config(tmp_path, imap_account, smtp_sink, store_url)
    append(imap_account, form_bytes("plain-cf7.eml"))
    run_once(path, OPENED)
    smtp_sink.clear()
    return path


def _reference(config: Path) -> str:
    [row] = cases(config)
    return row["reference"]


def _send(config: Path, account: Account, body: str, sender: str = BUSINESS_MANAGER, number: int = 1) -> dict:
    reference = _reference(config)
    append(account, case_email(reference, sender, body, tag=f"{number}-{abs(hash(body))}"))
    run_once(config, f"2026-10-15T09:0{number}")
    return case(config, reference)


def _result(sink: SmtpSink, sender: str = BUSINESS_MANAGER) -> str:
    replies = [item for item in emails_to(sink, sender) if "your commands for" in str(parsed(item)["Subject"])]
    assert len(replies) == 1, f"expected one reply to the commands, got {len(replies)}"
    return plain_body(replies[0])


def test_endorse_recorded_for_headteacher(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "endorse: yes")

    assert document["state"] == "awaiting_match"
    endorsed = [entry for entry in document["history"] if entry["event"] == "endorsed"]
    assert endorsed[0]["by"] == BUSINESS_MANAGER
    commands = [entry for entry in document["history"] if entry["event"] == "command"]
    assert commands[0]["line"] == "endorse: yes"
    assert "recorded the headteacher's YES to endorse the request" in _result(smtp_sink)
    assert folder_counts(imap_account)["Processed"] == 2


def test_endorse_no_declines(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "endorse: no")

    assert document["state"] == "declined"
    assert len(emails_to(smtp_sink, REQUESTER)) == 1


def test_note_added_to_history(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "note: Phoned the school; the head is away until Friday.")

    notes = [entry for entry in document["history"] if entry["event"] == "note"]
    assert notes[0]["text"] == "Phoned the school; the head is away until Friday."
    assert document["state"] == "awaiting_endorsement"


def test_cancel_tells_requester(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "cancel: the school withdrew the request")

    assert document["state"] == "cancelled"
    cancelled = [entry for entry in document["history"] if entry["event"] == "cancelled"]
    assert cancelled[0]["reason"] == "the school withdrew the request"
    [letter] = emails_to(smtp_sink, REQUESTER)
    assert "has been cancelled" in plain_body(letter)

    smtp_sink.clear()
    run_once(config, "2026-10-22T09:00")
    assert smtp_sink.messages == []  # no endorsement reminder for a cancelled case


def test_hold_stops_reminders_until_resume(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    held = _send(config, imap_account, "hold: waiting for the school's Ofsted visit")
    assert held["state"] == "on_hold"
    smtp_sink.clear()
    run_once(config, "2026-10-22T09:00")
    assert emails_to(smtp_sink, HEADTEACHER) == []

    resumed = _send(config, imap_account, "resume", number=2)
    smtp_sink.clear()
    # Resumed on Thursday 15/10 in the test clock; 3 school days later is Tuesday 20/10.
    run_once(config, "2026-10-20T08:00")

    assert resumed["state"] == "awaiting_endorsement"
    assert len(emails_to(smtp_sink, HEADTEACHER)) == 1


def test_bad_value_changes_nothing(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "note: call back\nendorse: maybe")

    assert document["state"] == "awaiting_endorsement"
    assert [entry for entry in document["history"] if entry["event"] == "note"] == []
    result = _result(smtp_sink)
    assert "Nothing was changed" in result
    assert 'line 2' in result
    assert "endorse: maybe" in result


def test_unknown_command_named(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "endorce: yes")

    assert document["state"] == "awaiting_endorsement"
    result = _result(smtp_sink)
    assert 'unknown command "endorce"' in result
    assert 'did you mean "endorse"?' in result


def test_command_wrong_for_state_rejected(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "note: first\nresume")

    assert [entry for entry in document["history"] if entry["event"] == "note"] == []
    assert "is not on hold" in _result(smtp_sink)


def test_half_days_before_visit_rejected(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "half-days: 2")

    assert "has no visit to charge (it is awaiting_endorsement)" in _result(smtp_sink)
    assert [entry for entry in document["history"] if entry["event"] == "half_days_set"] == []


def test_same_lines_from_non_staff_ignored(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "endorse: yes\ncancel: please", sender=REQUESTER)

    assert document["state"] == "awaiting_endorsement"
    assert [entry for entry in document["history"] if entry["event"] in ("command", "endorsed", "cancelled")] == []
    assert folder_counts(imap_account)["Needs attention"] == 1
    assert emails_to(smtp_sink, REQUESTER) == []


def test_staff_command_without_case_set_aside(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    append(imap_account, b"From: lead@star-tsa.example\r\nTo: pst@star-tsa.example\r\nSubject: hello\r\nMessage-ID: <nocase@star-tsa.example>\r\n\r\nnote: hello\r\n")

    run_once(config, "2026-10-15T09:00")

    assert folder_counts(imap_account)["Needs attention"] == 1
    assert "does not name a case" in plain_body(emails_to(smtp_sink, BUSINESS_MANAGER)[0])
    assert emails_to(smtp_sink, STRATEGIC_LEAD) == []
    assert subjects_to(smtp_sink, BUSINESS_MANAGER)[0].startswith("A message needs your attention")


def _import_register(config: Path) -> None:
    result = mailbot("pst", "import", str(Path(__file__).parent / "data" / "pst-register.csv"), "--config", str(config))
    assert result.exit_code == 0, result.output


def _designation(config: Path, email: str) -> str:
    result = mailbot("pst", "list", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    [entry] = [row for row in json.loads(result.stdout) if row["email"] == email]
    return entry["designated_on"]


def _pst_email() -> str:
    with (Path(__file__).parent / "data" / "pst-register.csv").open(encoding="utf-8") as stream:
        return next(csv.DictReader(stream))["email"].lower()


def test_redesignate_without_case(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    _import_register(config)
    email = _pst_email()
    message = (
        "From: lead@star-tsa.example\r\nTo: pst@star-tsa.example\r\nSubject: Re-designation\r\n"
        f"Message-ID: <redesignate-1@star-tsa.example>\r\n\r\nredesignate: {email} 01/10/2026\r\n"
    ).encode()
    append(imap_account, message)

    run_once(config, "2026-10-15T09:00")

    assert _designation(config, email) == "2026-10-01"
    [reply] = emails_to(smtp_sink, STRATEGIC_LEAD)
    assert "re-designation from 01/10/2026" in plain_body(reply)
    assert folder_counts(imap_account)["Processed"] == 2


def test_redesignate_unknown_pst_rejected(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    _import_register(config)

    _send(config, imap_account, "redesignate: nobody@nowhere.example 01/10/2026")

    result = _result(smtp_sink)
    assert "Nothing was changed" in result
    assert "nobody@nowhere.example" in result


def test_redesignate_from_non_staff_ignored(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    _import_register(config)
    email = _pst_email()
    before = _designation(config, email)

    _send(config, imap_account, f"redesignate: {email} 01/10/2026", sender=REQUESTER)

    assert _designation(config, email) == before


def test_bare_hold_names_missing_reason(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "hold")

    assert document["state"] == "awaiting_endorsement"
    assert 'line 1: "hold" is missing the reason' in _result(smtp_sink)


def test_commands_below_greeting_explained(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _send(config, imap_account, "Hi all,\nhold: the PST is on a course")

    assert document["state"] == "awaiting_endorsement"
    assert "line 2: commands count only at the very top of the email" in _result(smtp_sink)
    assert folder_counts(imap_account)["Needs attention"] == 0


def test_command_reply_threaded_under_command(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    _send(config, imap_account, "note: phoned the school", number=2)

    [reply] = [item for item in emails_to(smtp_sink, BUSINESS_MANAGER) if "your commands for" in str(parsed(item)["Subject"])]
    assert str(parsed(reply)["In-Reply-To"]).startswith("<case-email-2-")
