"""The business manager's Monday digest, sent once each Monday from the real daemon."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from harness import BUSINESS_MANAGER, append, attachments_of, emails_to, form_bytes, parsed, plain_body, run_once, write_config
from servers import Account

from mailbot.embedded import SmtpSink


@pytest.fixture
def config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    """A teacher's request opened on Wednesday 14/10/2026, with the digest switched on."""
    path = write_config(tmp_path, pymap_account, smtp_sink, store_url)
    path.write_text(path.read_text().replace("weekly_digest = false", "weekly_digest = true"))
    append(pymap_account, form_bytes("plain-cf7.eml"))
    run_once(path, "2026-10-14T16:00")
    return path


def _digests(sink: SmtpSink) -> list:
    return [item for item in emails_to(sink, BUSINESS_MANAGER) if "Weekly PST digest" in str(parsed(item)["Subject"])]


def test_digest_sent_monday_morning(config: Path, smtp_sink: SmtpSink) -> None:
    run_once(config, "2026-10-19T07:59")
    assert _digests(smtp_sink) == []

    run_once(config, "2026-10-19T08:00")

    [digest] = _digests(smtp_sink)
    assert str(parsed(digest)["Subject"]) == "Weekly PST digest for 19/10/2026: 1 open, 0 stuck, 0 visits soon"
    text = plain_body(digest)
    assert "- Waiting for the requesting headteacher to endorse the request: 1" in text
    [(name, content_type, data)] = attachments_of(digest)
    assert name == "digest-2026-10-19.csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["reference", "school", "state", "requester", "pst", "next_visit", "plan_received"]
    assert rows[1][:2] == ["PST-2026-0001", "Hollybank Church of England Primary School"]


def test_digest_once_per_monday(config: Path, smtp_sink: SmtpSink) -> None:
    for moment in ("2026-10-19T08:00", "2026-10-19T09:00", "2026-10-23T12:00", "2026-10-26T08:00", "2026-10-26T08:30"):
        run_once(config, moment)

    subjects = [str(parsed(item)["Subject"]).split(":")[0] for item in _digests(smtp_sink)]
    assert subjects == ["Weekly PST digest for 19/10/2026", "Weekly PST digest for 26/10/2026"]


def test_digest_names_stuck_case(config: Path, smtp_sink: SmtpSink) -> None:
    # Ten school days after Wednesday 14/10, with half term between, is Thursday 05/11.
    run_once(config, "2026-11-09T08:00")

    [digest] = _digests(smtp_sink)
    assert "Stuck (no change for 10 school days or more):\n- PST-2026-0001 Hollybank Church of England Primary School:" in plain_body(digest).replace("\r\n", "\n")
