"""The business manager's Monday digest, sent once each Monday from the real daemon, and its preview."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from harness import BUSINESS_MANAGER, append, attachments_of, emails_to, form_bytes, mailbot, parsed, plain_body, run_once, write_config
from report_world import create_world_database
from servers import Account

from mailbot.embedded import SmtpSink
from mailbot.resources import shipped_folder
from mailbot.ruleset import load_rules

# No server listens here: the preview never connects.
UNUSED_SERVER = Account(host="127.0.0.1", port=9, username="pst@star-tsa.example", password="unused", server="none")


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


def test_digest_switched_off_after_scheduling(config: Path, smtp_sink: SmtpSink) -> None:
    config.write_text(config.read_text().replace("weekly_digest = true", "weekly_digest = false"))

    run_once(config, "2026-10-19T08:00")

    assert _digests(smtp_sink) == []


# The preview, from the database of tests/report_world.py as it is on Monday 11/01/2027


@pytest.fixture
def world_config(tmp_path: Path, store_url: str) -> Path:
    config = write_config(tmp_path, UNUSED_SERVER, UNUSED_SERVER, store_url)
    create_world_database(store_url, load_rules(shipped_folder("rules")))
    return config


def _preview(config: Path, *arguments: str) -> str:
    result = mailbot("report", "digest", "--config", str(config), "--date", "11/01/2027", *arguments)
    assert result.exit_code == 0, result.output
    return result.stdout.replace("\r\n", "\n")


def test_preview_states_in_workflow_order(world_config: Path) -> None:
    text = _preview(world_config)

    assert text.startswith(f"Subject: Weekly PST digest for 11/01/2027: 7 open, 2 stuck, 2 visits soon\nTo: {BUSINESS_MANAGER}\n")
    assert (
        "Open cases: 7\n"
        "- Waiting for the requesting headteacher to endorse the request: 1\n"
        "- Waiting for a PST to be matched: 1\n"
        "- Waiting for the PST's headteacher to consent: 1\n"
        "- Waiting for a visit date to be agreed: 1\n"
        "- Visit arranged: 2\n"
        "- Visit held; waiting for feedback and charges: 1\n"
    ) in text


def test_preview_lists_stuck_and_coming(world_config: Path) -> None:
    text = _preview(world_config)

    # PST-2026-0014 has waited 9 school days since 14/12/2026, one short of stuck.
    assert (
        "Stuck (no change for 10 school days or more):\n"
        "- PST-2026-0013 Hollybank Church of England Primary School: Waiting for a PST to be matched, 24 school days\n"
        "- PST-2026-0015 Meadowview Primary School: Waiting for a visit date to be agreed, 19 school days\n"
    ) in text
    assert "- 14/01/2027 am: PST-2026-0016 Brookside Junior School to Daniel Osei; session plan received\n" in text
    assert "- 20/01/2027 pm: PST-2026-0017 Castlegate Academy to Helen Carter; session plan not yet received\n" in text
    assert "- Daniel Osei (St Mary's Church of England Academy): 20/02/2027\n" in text
    assert "- to head@castlegate-academy.example: [PST-2027-0002] Please endorse" in text


def test_preview_digest_csv_and_html(world_config: Path, tmp_path: Path) -> None:
    html_file, csv_file = tmp_path / "digest.html", tmp_path / "digest.csv"

    _preview(world_config, "--html", str(html_file), "--csv", str(csv_file))

    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    assert len(rows) == 1 + 7
    assert rows[4] == ["PST-2026-0016", "Brookside Junior School", "Visit arranged", "b.turner@brookside-junior-school.example", "Daniel Osei", "14/01/2027", "yes"]
    page = html_file.read_text(encoding="utf-8")
    assert "<title>Weekly PST digest</title>" in page
    assert ">PST-2026-0013</td>" in page


def test_preview_date_only_for_digest(world_config: Path) -> None:
    result = mailbot("report", "termly", "--config", str(world_config), "--date", "11/01/2027")

    assert result.exit_code == 2
    assert "--date only works with `mailbot report digest`" in result.output
