"""Data protection: the retention purge, a person's export and their erasure, on real mailboxes and databases.

The world every test starts from, built through the daemon as mail would
build it:

- case A (html-table form, 14/10/2026): consented, with a visit on 18/01/2027;
- case B (plain-cf7 form, 19/10/2026): cancelled by staff on 20/10/2026;
- case C (html-only form, 21/10/2026): open, waiting for endorsement;
- an ordinary email set aside on 19/10/2026, with no case.

The default retention period is 24 months, so a purge on 01/11/2028 finds
B and the set-aside email past it, and A, once closed on 20/01/2027, stays
inside it until 20/01/2029.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from harness import (
    BUSINESS_MANAGER,
    HOST,
    PST,
    VISITOR,
    append,
    case,
    case_email,
    cases,
    consented_case,
    emails_to,
    folder_messages,
    form_bytes,
    mailbot,
    parsed,
    reply_to,
    reply_with_files,
    run_once,
)
from servers import Account
from sqlalchemy import select

from mailbot.anonymise import MARKER, anonymise_event
from mailbot.cli import main
from mailbot.config import load_settings
from mailbot.embedded import SmtpSink
from mailbot.person_record import address_pattern
from mailbot.retention import Purge
from mailbot.store.database import create_database_engine, session_factory
from mailbot.store.models import Case, CaseEvent, DueWork, OutboxEmail, Pst

FORM_B_ID = "<c7a1d09e55f24b31@www.star-tsa.example>"
CANCEL_B_ID = "<case-email-cancel-b@school.example>"
FORM_A_ID = "<wpforms-20261105100312-4471@star-tsa.example>"
FORM_C_ID = "<20270118075109.a81c@forms.star-tsa.example>"
SET_ASIDE_ID = "<CAF8xq2+p1R@mail.ashgrove-primary.example>"

REQUESTER_B = "m.webb@hollybank-ce.example"
PLAN_FILE = ("lesson-plan.pdf", "application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8)
FEEDBACK = "4 - Really useful; the hinge questions were excellent."

# B finished on 20/10/2026 and the email was set aside on 19/10/2026; A closes on 20/01/2027.
PURGE_B = "2028-11-01T09:00"
PURGE_A = "2029-02-01T09:00"


@dataclass
class World:
    config: Path
    url: str
    account: Account
    a: str
    b: str
    c: str


def _build_world(folder: Path, account: Account, sink: SmtpSink, url: str) -> World:
    config = consented_case(folder, account, sink, url)
    a = cases(config)[0]["reference"]

    append(account, form_bytes("plain-cf7.eml"), form_bytes("not-a-form.eml"))
    run_once(config, "2026-10-19T09:00")
    b = cases(config)[1]["reference"]
    append(account, case_email(b, BUSINESS_MANAGER, "cancel: The school has withdrawn the request", tag="cancel-b"))
    run_once(config, "2026-10-20T09:00")

    append(account, form_bytes("html-only.eml"))
    run_once(config, "2026-10-21T09:00")
    c = cases(config)[2]["reference"]

    append(account, case_email(a, PST, "visit: 18/01/2027", tag="date-a"))
    run_once(config, "2026-10-22T10:00")
    world = World(config, url, account, a, b, c)
    assert [case(config, reference)["state"] for reference in (a, b, c)] == ["scheduled", "cancelled", "awaiting_endorsement"]
    return world


def _close_case_a(world: World, sink: SmtpSink) -> None:
    """Have the PST send the plan, the visit happen and the visiting teacher's feedback close case A on 20/01/2027."""
    sink.clear()
    run_once(world.config, "2027-01-11T08:00")
    [request] = [item for item in emails_to(sink, PST) if "session plan" in str(parsed(item)["Subject"]).lower()]
    append(world.account, reply_with_files(request, "Here is the plan. Priya", [PLAN_FILE], tag="plan-a"))
    run_once(world.config, "2027-01-11T10:00")

    sink.clear()
    run_once(world.config, "2027-01-19T08:00")
    [feedback_request] = [item for item in emails_to(sink, VISITOR) if "How was your visit" in str(parsed(item)["Subject"])]
    append(world.account, reply_to(feedback_request, FEEDBACK))
    run_once(world.config, "2027-01-20T16:00")
    assert case(world.config, world.a)["state"] == "closed"


@pytest.fixture
def world(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> World:
    return _build_world(tmp_path, pymap_account, smtp_sink, store_url)


@pytest.fixture
def closed_world(world: World, smtp_sink: SmtpSink) -> World:
    _close_case_a(world, smtp_sink)
    return world


def _purge(world: World, now: str, *options: str) -> dict:
    result = mailbot("purge", "--config", str(world.config), "--now", now, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _message_ids(account: Account, folder: str) -> list[str]:
    return [str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]) for raw in folder_messages(account, folder)]


def _emails_of(world: World, reference: str) -> list[OutboxEmail]:
    engine = create_database_engine(world.url)
    try:
        with session_factory(engine)() as session:
            found = session.scalars(select(Case).where(Case.reference == reference)).one()
            return list(session.scalars(select(OutboxEmail).where(OutboxEmail.case_id == found.id)))
    finally:
        engine.dispose()


def _set_status(world: World, reference: str, status: str) -> None:
    """Mark the latest email of case ``reference`` with ``status``, such as "queued" for one still waiting to be sent."""
    engine = create_database_engine(world.url)
    try:
        with session_factory(engine).begin() as session:
            found = session.scalars(select(Case).where(Case.reference == reference)).one()
            latest = session.scalars(select(OutboxEmail).where(OutboxEmail.case_id == found.id).order_by(OutboxEmail.id.desc())).first()
            latest.status = status
    finally:
        engine.dispose()


def _ledger(world: World) -> str:
    result = mailbot("ledger", "--config", str(world.config), "--csv")
    assert result.exit_code == 0, result.output
    return result.stdout


def _export(world: World, address: str) -> dict:
    result = mailbot("person", "export", address, "--config", str(world.config))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _erase(world: World, address: str, *options: str, answer: str | None = None):
    return CliRunner().invoke(main, ["person", "erase", address, "--config", str(world.config), *options], input=answer, catch_exceptions=False)


# The purge


def test_purge_dry_run_changes_nothing(world: World) -> None:
    before = case(world.config, world.b)
    processed = _message_ids(world.account, "Processed")

    report = _purge(world, PURGE_B, "--dry-run")

    assert report["dry_run"] is True
    assert [item["reference"] for item in report["cases"]] == [world.b]
    assert report["cases"][0]["state"] == "cancelled"
    assert report["cases"][0]["finished"] == "2026-10-20T09:00:00+01:00"
    assert report["counts"]["raw_messages_deleted"] == 3
    assert report["counts"]["caseless_message_records"] == 1
    assert report["counts"]["emails_cleared"] >= 1
    assert case(world.config, world.b) == before
    assert _message_ids(world.account, "Processed") == processed
    assert SET_ASIDE_ID in _message_ids(world.account, "Needs attention")


def test_purge_anonymises_finished_case(world: World) -> None:
    report = _purge(world, PURGE_B)

    assert [item["reference"] for item in report["cases"]] == [world.b]
    document = case(world.config, world.b)
    assert document["state"] == "cancelled"
    assert document["school"] == "Hollybank Church of England Primary School"
    assert document["requester"] == {"name": MARKER, "email": MARKER}
    assert document["requesting_headteacher"] == {"name": MARKER, "email": MARKER}
    assert document["context"] == MARKER
    assert document["history"][-1]["event"] == "anonymised"
    assert document["history"][-1]["reason"] == "retention period ended"
    assert all(entry.get("by") in (None, MARKER) for entry in document["history"])
    assert REQUESTER_B not in json.dumps(document)
    assert "Marcus Webb" not in json.dumps(document)


def test_purge_clears_outbox_content(world: World) -> None:
    assert all(item.content for item in _emails_of(world, world.b))

    _purge(world, PURGE_B)

    emails = _emails_of(world, world.b)
    assert emails
    assert all(item.content == b"" for item in emails)
    assert all(item.recipient == MARKER for item in emails)
    assert all(item.message_id for item in emails)


def test_purge_deletes_raw_mail(world: World) -> None:
    _purge(world, PURGE_B)

    processed = _message_ids(world.account, "Processed")
    assert FORM_B_ID not in processed
    assert CANCEL_B_ID not in processed
    assert SET_ASIDE_ID not in _message_ids(world.account, "Needs attention")
    assert FORM_A_ID in processed
    assert FORM_C_ID in processed


def test_purge_leaves_open_and_recent_cases(world: World) -> None:
    a_before = case(world.config, world.a)
    c_before = case(world.config, world.c)

    _purge(world, PURGE_B)

    assert case(world.config, world.a) == a_before
    assert case(world.config, world.c) == c_before


@pytest.mark.parametrize("account_kind", ["pymap", pytest.param("dovecot", marks=pytest.mark.dovecot)])
def test_purge_deletes_raw_mail_on_server(account_kind: str, request: pytest.FixtureRequest, tmp_path: Path, smtp_sink: SmtpSink, store_url: str) -> None:
    account = request.getfixturevalue("pymap_account") if account_kind == "pymap" else request.getfixturevalue("dovecot").add_account()
    world = _build_world(tmp_path, account, smtp_sink, store_url)

    _purge(world, PURGE_B)

    assert FORM_B_ID not in _message_ids(account, "Processed")
    assert FORM_A_ID in _message_ids(account, "Processed")
    assert _message_ids(account, "Needs attention") == []


def test_closed_case_kept_until_retention_ends(closed_world: World) -> None:
    before = case(closed_world.config, closed_world.a)

    _purge(closed_world, "2029-01-19T09:00")

    assert case(closed_world.config, closed_world.a) == before


def test_purge_keeps_ledger_amounts(closed_world: World) -> None:
    ledger = _ledger(closed_world)
    assert closed_world.a in ledger

    report = _purge(closed_world, PURGE_A)

    assert [item["reference"] for item in report["cases"]] == [closed_world.b, closed_world.a]
    assert _ledger(closed_world) == ledger
    document = case(closed_world.config, closed_world.a)
    assert document["pst"]["email"] == PST
    [visit] = document["visits"]
    assert visit["date"] == "2027-01-18"
    assert visit["half_days"] == 1
    assert visit["feedback"]["rating"] == 4
    assert visit["feedback"]["comments"] == MARKER
    assert visit["plan"]["file_name"] == MARKER
    assert document["visiting_teacher"] == {"name": MARKER, "email": MARKER}


def test_purge_twice_changes_nothing(world: World) -> None:
    _purge(world, PURGE_B)
    after_first = case(world.config, world.b)

    report = _purge(world, PURGE_B)

    assert report["cases"] == []
    assert report["counts"]["caseless_message_records"] == 0
    assert report["counts"]["caseless_emails_cleared"] == 0
    assert case(world.config, world.b) == after_first


def test_purge_anonymises_later_note_again(world: World) -> None:
    _purge(world, PURGE_B)
    append(world.account, case_email(world.b, BUSINESS_MANAGER, "note: Marcus Webb phoned to ask again", tag="late-note"))
    run_once(world.config, "2028-11-02T09:00")
    assert "Marcus Webb" in json.dumps(case(world.config, world.b))

    report = _purge(world, "2028-11-03T09:00")

    assert [item["reference"] for item in report["cases"]] == [world.b]
    assert "Marcus Webb" not in json.dumps(case(world.config, world.b))
    assert "<case-email-late-note@school.example>" not in _message_ids(world.account, "Processed")


def test_purge_keeps_copy_live_case_uses(world: World) -> None:
    # A second copy of case C's form is recorded with no case; its raw mail shares C's Message-ID.
    append(world.account, form_bytes("html-only.eml"))
    run_once(world.config, "2026-10-23T09:00")
    assert _message_ids(world.account, "Processed").count(FORM_C_ID) == 2

    report = _purge(world, PURGE_B)

    assert report["counts"]["caseless_message_records"] == 2
    assert _message_ids(world.account, "Processed").count(FORM_C_ID) == 2


def test_purge_deletes_mail_without_message_id(world: World) -> None:
    unnamed = b"From: someone@elsewhere.example\r\nTo: pst@star-tsa.example\r\nSubject: A question\r\n\r\nIs there a visit in May?\r\n"
    append(world.account, unnamed)
    run_once(world.config, "2026-10-24T09:00")
    assert len(folder_messages(world.account, "Needs attention")) == 2

    report = _purge(world, PURGE_B)

    assert report["counts"]["caseless_message_records"] == 2
    assert folder_messages(world.account, "Needs attention") == []


def test_purge_skips_case_with_email_waiting(world: World) -> None:
    _set_status(world, world.b, "queued")

    result = mailbot("purge", "--config", str(world.config), "--now", PURGE_B)

    assert result.exit_code == 1
    assert f"{world.b} was left for the next run: 1 email(s) of {world.b} are still waiting to be sent" in result.stdout
    assert case(world.config, world.b)["requester"]["email"] == REQUESTER_B
    assert FORM_B_ID in _message_ids(world.account, "Processed")


def test_purge_reports_progress(world: World) -> None:
    settings = load_settings(world.config)
    engine = create_database_engine(world.url)
    worker = Purge(settings, session_factory(engine))
    plan = worker.plan(datetime(2028, 11, 1, 9, tzinfo=timezone.utc))
    calls: list[tuple[int, int]] = []

    worker.carry_out(plan, dry_run=True, progress=lambda done, total: calls.append((done, total)))
    engine.dispose()

    assert plan.size == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_purge_mailbox_down_anonymises_nothing(world: World) -> None:
    text = world.config.read_text()
    world.config.write_text(text.replace(f"port = {world.account.port}", "port = 9"))
    before = case(world.config, world.b)

    result = mailbot("purge", "--config", str(world.config), "--now", PURGE_B)

    assert result.exit_code == 1
    assert "the mailbox failed" in result.stdout
    assert case(world.config, world.b) == before


def test_purge_text_lists_cases(world: World) -> None:
    result = mailbot("purge", "--config", str(world.config), "--now", PURGE_B, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Retention period: 24 months, so what finished before 01/11/2026" in result.stdout
    assert f"Would anonymise 1 finished case(s):\n  {world.b}  cancelled on 20/10/2026" in result.stdout
    assert "Nothing was changed (--dry-run)." in result.stdout


def test_daily_purge_run_by_daemon(world: World) -> None:
    world.config.write_text(world.config.read_text().replace("daily_purge = false", 'daily_purge = true\npurge_time = "02:00"'))
    run_once(world.config, "2028-11-01T01:00")
    assert case(world.config, world.b)["requester"]["email"] == REQUESTER_B

    run_once(world.config, "2028-11-01T02:00")

    assert case(world.config, world.b)["requester"]["email"] == MARKER
    assert FORM_B_ID not in _message_ids(world.account, "Processed")
    assert case(world.config, world.c)["requester"]["email"] != MARKER
    upcoming = mailbot("upcoming", "--config", str(world.config), "--from", "01/11/2028", "--days", "2", "--json")
    purges = [row for row in json.loads(upcoming.stdout) if row["kind"] == "data_protection_purge"]
    assert [row["due"] for row in purges] == ["2028-11-02T02:00+00:00"]


def test_daily_purge_once_per_day(world: World) -> None:
    world.config.write_text(world.config.read_text().replace("daily_purge = false", "daily_purge = true"))

    for moment in ("2028-11-01T01:00", "2028-11-01T02:30", "2028-11-01T09:00", "2028-11-02T03:00"):
        run_once(world.config, moment)

    engine = create_database_engine(world.url)
    with session_factory(engine)() as session:
        purges = session.scalars(select(DueWork).where(DueWork.kind == "data_protection_purge").order_by(DueWork.due_at)).all()
        keys = [(work.once_key, work.status) for work in purges]
    engine.dispose()
    assert keys == [
        ("data_protection_purge:2028-11-01", "done"),
        ("data_protection_purge:2028-11-02", "done"),
        ("data_protection_purge:2028-11-03", "due"),
    ]


# The export


def test_export_lists_cases_and_emails(closed_world: World) -> None:
    document = _export(closed_world, VISITOR.upper())

    assert document["address"] == VISITOR.upper()
    [visitor_case] = document["cases"]
    assert visitor_case["reference"] == closed_world.a
    assert visitor_case["roles"] == [
        "visiting teacher",
        "named in the case's history",
        "sender of messages about the case",
        "recipient of emails about the case",
    ]
    assert visitor_case["visits"][0]["feedback"]["comments"] == FEEDBACK.removeprefix("4 - ")
    [message] = document["messages"]
    assert message["sender"] == VISITOR
    assert message["case"] == closed_world.a
    assert {item["to"] for item in document["emails_to_them"]} == {VISITOR}
    [forward] = [item for item in document["emails_to_them"] if item["purpose"] == "plan_forward"]
    assert forward["attachments"] == [{"file_name": "lesson-plan.pdf", "content_type": "application/pdf", "size_bytes": len(PLAN_FILE[2])}]
    assert forward["headers"]["To"].endswith(f"<{VISITOR}>")
    assert "18/01/2027" in forward["text"]
    assert {line["entry_type"] for line in document["ledger"]} == {"charge", "reimbursement"}
    assert document["register_entry"] is None


def test_export_register_entry_of_pst(closed_world: World) -> None:
    document = _export(closed_world, PST)

    assert document["register_entry"]["name"] == "Priya Anand"
    assert [item["reference"] for item in document["cases"]] == [closed_world.a]
    assert "PST" in document["cases"][0]["roles"]


def test_export_finds_set_aside_sender(world: World) -> None:
    document = _export(world, "l.petrov@ashgrove-primary.example")

    assert document["cases"] == []
    [message] = document["messages"]
    assert message["outcome"] == "set_aside"
    assert message["case"] is None
    # The business manager's notice about the set-aside email names its sender.
    assert [item["purpose"] for item in document["emails_naming_them"]] == ["attention_notice"]


def test_export_to_private_file(world: World, tmp_path: Path) -> None:
    output = tmp_path / "export.json"

    result = mailbot("person", "export", REQUESTER_B, "--config", str(world.config), "--output", str(output))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    assert [item["reference"] for item in json.loads(output.read_text())["cases"]] == [world.b]


# The erasure


def test_erase_pst_with_open_case_held_back(world: World) -> None:
    before = case(world.config, world.a)

    result = _erase(world, PST, "--yes")

    assert result.exit_code == 1
    assert f"{world.a}: the case is still open (scheduled) and they are its PST" in result.stdout
    assert f"their PST register entry: they are the PST of {world.a}" in result.stdout
    assert case(world.config, world.a) == before
    assert PST in mailbot("pst", "list", "--config", str(world.config)).stdout


def test_erase_staff_address_refused(world: World) -> None:
    result = _erase(world, BUSINESS_MANAGER, "--yes")

    assert result.exit_code == 1
    assert "is set in the config as [alliance] business_manager, [alliance] staff" in result.output
    assert any(entry.get("by") == BUSINESS_MANAGER for entry in case(world.config, world.b)["history"])


def test_erase_requester_of_finished_case(world: World) -> None:
    result = _erase(world, REQUESTER_B.upper(), "--yes")

    assert result.exit_code == 0, result.output
    assert f"anonymises 1 finished case(s) whole" in result.stdout
    document = case(world.config, world.b)
    assert document["requester"]["email"] == MARKER
    assert document["history"][-1]["reason"] == "erasure requested"
    assert FORM_B_ID not in _message_ids(world.account, "Processed")
    assert all(item.content == b"" for item in _emails_of(world, world.b))
    assert _export(world, REQUESTER_B)["cases"] == []


def test_erase_asks_before_changing(world: World) -> None:
    result = _erase(world, REQUESTER_B, answer="n\n")

    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert case(world.config, world.b)["requester"]["email"] == REQUESTER_B


def test_erase_pst_after_case_closed(closed_world: World) -> None:
    ledger = _ledger(closed_world)

    result = _erase(closed_world, PST, "--yes")

    assert result.exit_code == 0, result.output
    assert "Kept: 2 ledger entries of" in result.stdout
    assert PST not in mailbot("pst", "list", "--config", str(closed_world.config)).stdout
    assert _ledger(closed_world) == ledger
    document = case(closed_world.config, closed_world.a)
    assert document["pst"] is None
    assert PST not in json.dumps(document)
    engine = create_database_engine(closed_world.url)
    with session_factory(engine)() as session:
        assert session.scalars(select(Pst)).all() == []
        assert [work.once_key for work in session.scalars(select(DueWork)) if work.once_key and PST in work.once_key] == []
    engine.dispose()


def test_erase_headteacher_of_pst_holds_register(closed_world: World) -> None:
    result = _erase(closed_world, HOST, "--yes")

    assert result.exit_code == 1
    assert "the register entry of the PST Priya Anand <p.anand@northgate-high.example>: it names them as that PST's headteacher" in result.stdout
    assert case(closed_world.config, closed_world.a)["host_headteacher"] == {"name": MARKER, "email": MARKER}
    assert HOST in mailbot("pst", "list", "--config", str(closed_world.config), "--json").stdout


def test_erase_case_with_email_waiting_held(world: World) -> None:
    _set_status(world, world.b, "queued")

    result = _erase(world, REQUESTER_B, "--yes")

    assert result.exit_code == 1
    assert f"{world.b}: emails of the case are still waiting to be sent" in result.stdout
    assert case(world.config, world.b)["requester"]["email"] == REQUESTER_B


def test_erase_set_aside_sender(world: World) -> None:
    result = _erase(world, "l.petrov@ashgrove-primary.example", "--yes")

    assert result.exit_code == 0, result.output
    assert SET_ASIDE_ID not in _message_ids(world.account, "Needs attention")
    assert _export(world, "l.petrov@ashgrove-primary.example")["messages"] == []
    assert _export(world, "l.petrov@ashgrove-primary.example")["emails_naming_them"] == []


def test_erase_unknown_address(world: World) -> None:
    result = _erase(world, "nobody@nowhere.example", "--yes")

    assert result.exit_code == 0
    assert "mailbot holds nothing about nobody@nowhere.example." in result.stdout


# Units


def test_address_pattern_whole_address() -> None:
    pattern = address_pattern("jo@school.example")

    assert pattern.search("to JO@School.Example today")
    assert pattern.search('"to": "jo@school.example"')
    assert not pattern.search("mojo@school.example")
    assert not pattern.search("jo@school.example.org")
    assert not pattern.search("jo.smith@school.example")


def test_anonymise_event_keeps_states_and_dates() -> None:
    event = CaseEvent(
        event="visit_set", actor="p.anand@northgate-high.example", at=datetime(2026, 10, 16, tzinfo=timezone.utc),
        details={"from_state": "awaiting_date", "state": "scheduled", "date": "2027-01-18", "words": "Yes, Priya", "to": "x@y.example", "note": None},
    )

    anonymise_event(event)

    assert event.actor == MARKER
    assert event.details == {"from_state": "awaiting_date", "state": "scheduled", "date": "2027-01-18", "words": MARKER, "to": MARKER, "note": None}


@pytest.mark.parametrize("command", ["export", "erase"])
def test_person_needs_an_address(tmp_path: Path, command: str) -> None:
    result = mailbot("person", command, "not an address", "--config", str(tmp_path / "unused.toml"))

    assert result.exit_code == 2
    assert "'not an address' is not an email address" in result.output
