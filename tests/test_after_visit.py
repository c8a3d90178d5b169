"""After the visit: feedback by reply, half-day sessions, charges in the ledger, and closing the case."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    PST,
    STRATEGIC_LEAD,
    VISITOR,
    append,
    case,
    case_email,
    cases,
    consented_case,
    emails_to,
    folder_counts,
    mailbot,
    parsed,
    plain_body,
    reply_to,
    run_once,
)
from servers import Account

from mailbot.embedded import SmtpSink

REQUESTING_SCHOOL = "Fernhill Community School"
PST_SCHOOL = "Northgate High School"


@pytest.fixture
def visited(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, database_url: str) -> Path:
    """A case whose only visit, on Monday 18/01/2027, was followed up on Tuesday 19/01 with a feedback request."""
    config = consented_case(tmp_path, pymap_account, smtp_sink, database_url)
    append(pymap_account, case_email(_reference(config), PST, "visit: 18/01/2027", tag="date"))
    run_once(config, "2026-10-16T10:00")
    smtp_sink.clear()
    run_once(config, "2027-01-19T08:00")
    assert case(config, _reference(config))["state"] == "visited"
    return config


def _reference(config: Path) -> str:
    return cases(config)[0]["reference"]


def _feedback_request(sink: SmtpSink):
    [request] = [item for item in emails_to(sink, VISITOR) if "How was your visit" in str(parsed(item)["Subject"])]
    return request


def _ledger(config: Path, *arguments: str) -> list[list[str]]:
    result = mailbot("ledger", "--config", str(config), "--csv", *arguments)
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def test_visit_done_charges_and_asks_feedback(visited: Path, smtp_sink: SmtpSink) -> None:
    request = _feedback_request(smtp_sink)

    assert "a rating from 1 to 5" in plain_body(request)
    document = case(visited, _reference(visited))
    assert document["visit"] is None
    assert document["half_days"] == 1
    assert [visit["status"] for visit in document["visits"]] == ["visited"]
    header, *rows = _ledger(visited)
    assert header == ["term", "visit_date", "case_reference", "school", "entry_type", "half_days", "rate", "amount"]
    assert sorted(rows) == sorted([
        ["spring-2027", "18/01/2027", _reference(visited), REQUESTING_SCHOOL, "charge", "1", "150.00", "150.00"],
        ["spring-2027", "18/01/2027", _reference(visited), PST_SCHOOL, "reimbursement", "1", "120.00", "120.00"],
    ])


def test_feedback_reply_stored_and_case_closed(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, reply_to(_feedback_request(smtp_sink), "4 - Really useful; the hinge questions were excellent."))
    smtp_sink.clear()

    run_once(visited, "2027-01-20T16:00")

    document = case(visited, _reference(visited))
    assert document["feedback"] == {
        "rating": 4,
        "comments": "Really useful; the hinge questions were excellent.",
        "received": "2027-01-20T16:00:00+00:00",
    }
    assert document["state"] == "closed"
    assert smtp_sink.messages == []
    assert folder_counts(pymap_account)["Needs attention"] == 0


def test_feedback_without_rating_told_to_staff(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, reply_to(_feedback_request(smtp_sink), "Thank you, it was a good morning."))
    smtp_sink.clear()

    run_once(visited, "2027-01-20T16:00")

    document = case(visited, _reference(visited))
    assert document["feedback"]["rating"] is None
    assert document["feedback"]["comments"] == "Thank you, it was a good morning."
    assert document["state"] == "visited"
    [notice] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert "without a rating" in str(parsed(notice)["Subject"])
    assert "Thank you, it was a good morning." in plain_body(notice)


def test_second_feedback_reply_adds_rating(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    request = _feedback_request(smtp_sink)
    append(pymap_account, reply_to(request, "Thank you, it was a good morning."))
    run_once(visited, "2027-01-20T16:00")
    append(pymap_account, reply_to(request, "Sorry, forgot: 4 out of 5"))

    run_once(visited, "2027-01-21T09:00")

    document = case(visited, _reference(visited))
    assert document["feedback"]["rating"] == 4
    assert document["feedback"]["comments"] == "Thank you, it was a good morning.\n\nSorry, forgot: 4 out of 5"
    assert document["state"] == "closed"


def test_later_unrated_reply_keeps_rating(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    request = _feedback_request(smtp_sink)
    append(pymap_account, reply_to(request, "5/5 - superb"))
    run_once(visited, "2027-01-20T16:00")
    append(pymap_account, reply_to(request, "One more thing: the parking was tricky."))

    run_once(visited, "2027-01-21T09:00")

    feedback = case(visited, _reference(visited))["feedback"]
    assert feedback["rating"] == 5
    assert feedback["comments"] == "superb\n\nOne more thing: the parking was tricky."


def test_silence_closes_after_ten_school_days(visited: Path, smtp_sink: SmtpSink) -> None:
    # Ten school days after Monday 18/01/2027 is Monday 01/02.
    run_once(visited, "2027-01-29T17:00")
    assert case(visited, _reference(visited))["state"] == "visited"

    run_once(visited, "2027-02-01T08:00")

    document = case(visited, _reference(visited))
    assert document["state"] == "closed"
    assert document["feedback"] is None
    [closing] = [entry for entry in document["history"] if entry["event"] == "closed"]
    assert "10 school days" in closing["reason"]


def test_half_days_command_updates_charges(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, case_email(_reference(visited), BUSINESS_MANAGER, "half-days: 2", tag="half-days"))

    run_once(visited, "2027-01-20T09:00")

    document = case(visited, _reference(visited))
    assert document["half_days"] == 2
    [reply] = [item for item in emails_to(smtp_sink, BUSINESS_MANAGER) if "half-day" in plain_body(item)]
    assert "recorded 2 half-day session(s) for the visit on 18/01/2027 (was 1) and updated its charges" in plain_body(reply)
    _, *rows = _ledger(visited)
    assert sorted((row[4], row[5], row[7]) for row in rows) == [("charge", "2", "300.00"), ("reimbursement", "2", "240.00")]


def test_half_days_bad_value_changes_nothing(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, case_email(_reference(visited), BUSINESS_MANAGER, "half-days: lots", tag="half-days-bad"))
    smtp_sink.clear()

    run_once(visited, "2027-01-20T09:00")

    assert case(visited, _reference(visited))["half_days"] == 1
    [reply] = emails_to(smtp_sink, BUSINESS_MANAGER)
    assert 'line 1: "half-days: lots"' in plain_body(reply)
    _, *rows = _ledger(visited)
    assert sorted(row[7] for row in rows) == ["120.00", "150.00"]


def test_second_visit_keeps_case_open(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    config = consented_case(tmp_path, pymap_account, smtp_sink, store_url)
    reference = _reference(config)
    append(pymap_account, case_email(reference, PST, "visit: 18/01/2027", tag="first"))
    run_once(config, "2026-10-16T10:00")
    append(pymap_account, case_email(reference, STRATEGIC_LEAD, "add-visit: 04/02/2027 pm\nhalf-days: 1", tag="second"))
    run_once(config, "2026-10-20T10:00")

    run_once(config, "2027-01-19T08:00")
    document = case(config, reference)
    assert document["state"] == "scheduled"
    assert document["visit"]["date"] == "2027-02-04"
    assert [visit["status"] for visit in document["visits"]] == ["visited", "scheduled"]

    run_once(config, "2027-02-05T08:00")
    assert case(config, reference)["state"] == "visited"
    requests = [item for item in emails_to(smtp_sink, VISITOR) if "How was your visit" in str(parsed(item)["Subject"])]
    assert len(requests) == 2
    append(pymap_account, reply_to(requests[0], "5/5 superb", sender=VISITOR))
    run_once(config, "2027-02-05T12:00")
    assert case(config, reference)["state"] == "visited"
    append(pymap_account, reply_to(requests[1], "Rating: 3. The afternoon was rushed.", sender=VISITOR))
    run_once(config, "2027-02-05T13:00")

    document = case(config, reference)
    assert document["state"] == "closed"
    assert [visit["feedback"]["rating"] for visit in document["visits"]] == [5, 3]
    assert len(_ledger(config)) == 1 + 4


def test_added_visit_reopens_visited_case(visited: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, case_email(_reference(visited), STRATEGIC_LEAD, "add-visit: 04/02/2027", tag="follow-on"))

    run_once(visited, "2027-01-20T09:00")
    run_once(visited, "2027-02-01T08:00")

    document = case(visited, _reference(visited))
    assert document["state"] == "scheduled"
    assert document["visit"]["date"] == "2027-02-04"
