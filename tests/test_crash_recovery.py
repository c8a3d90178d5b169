"""SIGKILL at random moments while the daemon works: nothing lost, nothing applied or queued twice.

The daemon runs as a real process against pymap and an SMTP sink. Messages
arrive in batches. After each batch the daemon is started and killed with
SIGKILL after a random delay, and at the end it is left to finish.
Then every message must be in Processed or Needs attention and recorded
once, every case opened once and answered at most once, and every email
queued once. An email may reach the SMTP server twice only when a kill
fell between the server accepting it and the database recording that; the
copy then has the same Message-ID, so it is recognised, and the test counts
those copies and reports them.

The CI size is small; MAILBOT_CRASH_MESSAGES and MAILBOT_CRASH_KILLS set the
full size (200 messages and 20 kills at least, for a run by hand).
"""

from __future__ import annotations

import collections
import os
import random
import signal
import time
from pathlib import Path

import pytest
from harness import BUSINESS_MANAGER, append, case_email, folder_counts, form_bytes, parsed, reply_to, start_daemon, write_config
from servers import Account
from sqlalchemy import func, select

from mailbot.config import load_settings
from mailbot.embedded import SmtpSink
from mailbot.store.database import create_database_engine, session_factory
from mailbot.store.models import Case, CaseEvent, InboundMessage, OutboxEmail

MESSAGES = int(os.environ.get("MAILBOT_CRASH_MESSAGES", "40"))
KILLS = int(os.environ.get("MAILBOT_CRASH_KILLS", "8"))
SEED = int(os.environ.get("MAILBOT_CRASH_SEED", "20261204"))
DRAIN_TIMEOUT_SECONDS = 120


def _form(number: int) -> bytes:
    """Return a teacher's request form whose people and school are numbered, so each opens its own case."""
    text = form_bytes("plain-cf7.eml")
    return (
        text.replace(b"m.webb@hollybank-ce.example", f"teacher{number}@school{number}.example".encode())
        .replace(b"head@hollybank-ce.example", f"head@school{number}.example".encode())
        .replace(b"Hollybank Church of England Primary School", f"School Number {number}".encode())
        .replace(b"<c7a1d09e55f24b31@www.star-tsa.example>", f"<crash-form-{number}@www.star-tsa.example>".encode())
    )


def _kill_during_work(config: Path, log_file: Path, chance: random.Random, kills: int) -> int:
    """Start the daemon and SIGKILL it after a random delay, ``kills`` times; return how many kills landed."""
    landed = 0
    for _ in range(kills):
        process = start_daemon(config, log_file)
        # The daemon takes about a second to import and sign in, so delays spread kills over start-up and work.
        time.sleep(chance.uniform(0.3, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            landed += 1
        process.wait()
    return landed


def _finish(config: Path, log_file: Path, account: Account, sessions, expected_in_folders: int) -> None:
    """Run the daemon until the inbox is empty and the outbox drained, then stop it with SIGTERM."""
    process = start_daemon(config, log_file)
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    try:
        while time.monotonic() < deadline:
            counts = folder_counts(account)
            with sessions() as session:
                waiting = session.scalar(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status.in_(("queued", "sending"))))
            if counts["INBOX"] == 0 and counts["Processed"] + counts["Needs attention"] == expected_in_folders and waiting == 0:
                return
            time.sleep(0.5)
        pytest.fail(f"the daemon did not finish within {DRAIN_TIMEOUT_SECONDS} s: folders {folder_counts(account)}; log {log_file}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_sigkill_loses_and_repeats_nothing(
    tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Staff get a notice for every form, more than the hourly ceiling at the full size; this test is about crashes.
    monkeypatch.setenv("MAILBOT_OUTBOX__MAX_PER_RECIPIENT_PER_HOUR", "100000")
    chance = random.Random(SEED)
    config = write_config(tmp_path, pymap_account, smtp_sink, database_url)
    log_file = tmp_path / "daemon.log"
    sessions = session_factory(create_database_engine(load_settings(config).database.url))
    forms = MESSAGES // 2
    kills_per_phase = KILLS // 2

    # Phase one: the forms arrive in batches, and the daemon is killed while it works on each batch.
    delivered = 0
    landed = 0
    for start in range(0, forms, max(1, forms // kills_per_phase)):
        batch = [_form(number) for number in range(start, min(forms, start + max(1, forms // kills_per_phase)))]
        append(pymap_account, *batch)
        delivered += len(batch)
        landed += _kill_during_work(config, log_file, chance, 1)
    _finish(config, log_file, pymap_account, sessions, delivered)

    # Phase two: each headteacher answers the endorsement request, and staff add a note to every other case.
    # A second copy sent after a kill has the same Message-ID; a headteacher answers the request once.
    requests = list({str(parsed(item)["Message-ID"]): item for item in smtp_sink.messages if "Please endorse" in str(parsed(item)["Subject"])}.values())
    answers = []
    for number, request in enumerate(requests):
        answers.append(reply_to(request, "Yes, happy to support this." if number % 2 else "No, sorry, not this term."))
        if number % 2:
            reference = str(parsed(request)["Subject"]).split("]")[0].lstrip("[")
            answers.append(case_email(reference, BUSINESS_MANAGER, f"note: called school {number}", tag=f"crash-note-{number}"))
    for start in range(0, len(answers), max(1, len(answers) // kills_per_phase)):
        batch = answers[start : start + max(1, len(answers) // kills_per_phase)]
        append(pymap_account, *batch)
        delivered += len(batch)
        landed += _kill_during_work(config, log_file, chance, 1)
    _finish(config, log_file, pymap_account, sessions, delivered)

    with sessions() as session:
        inbound = list(session.scalars(select(InboundMessage)))
        cases = list(session.scalars(select(Case)))
        events = list(session.scalars(select(CaseEvent)))
        emails = list(session.scalars(select(OutboxEmail)))

    # Nothing lost: every message left the inbox and is recorded once.
    counts = folder_counts(pymap_account)
    assert counts["INBOX"] == 0
    assert counts["Processed"] + counts["Needs attention"] == delivered
    recorded_ids = collections.Counter(row.message_id for row in inbound)
    assert len(recorded_ids) == delivered, "a message was never recorded"
    assert max(recorded_ids.values()) == 1, f"a message was recorded twice: {recorded_ids.most_common(3)}"

    # Nothing applied twice: one case per form, one answer per case, one note per note command.
    assert len(cases) == forms
    per_case = collections.Counter((event.case_id, event.event) for event in events)
    for case in cases:
        assert per_case[(case.id, "case_opened")] == 1
        assert per_case[(case.id, "endorsed")] + per_case[(case.id, "endorsement_declined")] == 1
    notes = sum(per_case[(case.id, "note")] for case in cases)
    assert notes == len(requests) // 2, "every note command is applied exactly once"
    assert counts["Needs attention"] == 0
    assert sum(1 for case in cases if case.state == "declined") == (len(requests) + 1) // 2

    # Nothing queued twice: each kind of email goes once to each person of each case.
    queued = collections.Counter((email.case_id, email.purpose, email.recipient) for email in emails)
    assert max(queued.values()) == 1, f"an email was queued twice: {queued.most_common(3)}"
    assert all(email.status == "sent" for email in emails)
    # Each form brings 4 emails (acknowledgement, request, two staff notices); each answer 2 to 5 more; each note 1 reply.
    assert len([email for email in emails if email.purpose == "endorsement_request"]) == forms
    assert len([email for email in emails if email.purpose == "command_result"]) == len(requests) // 2

    # Nothing lost in sending, and any second copy is recognisable by its Message-ID.
    sink_ids = collections.Counter(str(parsed(item)["Message-ID"]) for item in smtp_sink.messages)
    assert {email.message_id for email in emails} == set(sink_ids)
    copies = sum(count - 1 for count in sink_ids.values())
    assert copies <= landed, f"{copies} second copies from only {landed} kills"
    print(f"crash test: {delivered} messages, {landed} kills landed, {len(emails)} emails, {copies} second copies by Message-ID")
    assert landed >= KILLS * 3 // 4, f"only {landed} of {KILLS} kills landed while the daemon ran"
