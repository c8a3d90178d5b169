"""The command line as an operator meets it: tables, pages, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from harness import REGISTER, append, form_bytes, mailbot, run_once, write_config
from servers import Account
from sqlalchemy import update

from mailbot.cli import main
from mailbot.config import load_settings
from mailbot.embedded import SmtpSink, free_port
from mailbot.duework import schedule
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from mailbot.store.models import DaemonMark


@pytest.fixture
def config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> Path:
    return write_config(tmp_path, pymap_account, smtp_sink, store_url)


def test_cases_table_lists_case(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("html-table.eml"))
    run_once(config, "2026-10-14T16:00")

    result = mailbot("cases", "--config", str(config))

    assert result.exit_code == 0
    header, row = result.output.strip().splitlines()
    assert header.split() == ["REFERENCE", "STATE", "SCHOOL", "REQUESTER", "UPDATED"]
    assert row.startswith("PST-2026-0001  awaiting_match  Fernhill Community School")
    assert row.endswith("14/10/2026 4.00pm")


def test_cases_empty_says_so(config: Path) -> None:
    result = mailbot("cases", "--config", str(config))

    assert result.exit_code == 0
    assert result.output.strip() == "No cases yet."


def test_case_page_shows_history(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("plain-cf7.eml"))
    run_once(config, "2026-10-14T16:00")

    result = mailbot("case", "pst-2026-0001", "--config", str(config))

    assert result.exit_code == 0
    assert "Waiting for the requesting headteacher to endorse the request (awaiting_endorsement)" in result.output
    assert "14/10/2026 4.00pm  case opened from a form" in result.output
    assert "email sent: request_acknowledgement to m.webb@hollybank-ce.example" in result.output


def test_unknown_case_reported(config: Path) -> None:
    result = mailbot("case", "PST-2099-0001", "--config", str(config))

    assert result.exit_code == 1
    assert "no case has the reference 'PST-2099-0001'" in result.output


def test_now_needs_once(config: Path) -> None:
    result = mailbot("run", "--config", str(config), "--now", "2027-01-12T08:00")

    assert result.exit_code == 2
    assert "--now only works with --once" in result.output


def test_bad_now_reported(config: Path) -> None:
    result = mailbot("run", "--config", str(config), "--once", "--now", "12/01/2027")

    assert result.exit_code == 2
    assert "is not a date and time such as 2027-01-12T08:00" in result.output


def test_bad_config_reported(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text("[mailbox]\nhost = 'x'\n", encoding="utf-8")

    result = mailbot("cases", "--config", str(path))

    assert result.exit_code == 1
    assert "[mailbox] username: missing" in result.output
    assert "[alliance]: missing" in result.output


def test_unreachable_imap_reported(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    closed_port = free_port()
    config = write_config(tmp_path, replace(pymap_account, port=closed_port), smtp_sink, store_url)

    result = mailbot("run", "--config", str(config), "--once")

    assert result.exit_code == 1
    assert f"could not connect to the IMAP server 127.0.0.1:{closed_port}" in result.output


def test_wrong_imap_password_reported(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    config = write_config(tmp_path, replace(pymap_account, password="not-the-password"), smtp_sink, store_url)

    result = mailbot("run", "--config", str(config), "--once")

    assert result.exit_code == 1
    assert f"rejected the login for '{pymap_account.username}'" in result.output
    assert ": b'" not in result.output
    assert "not-the-password" not in result.output


def test_cases_listed_without_imap_password(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    config = write_config(tmp_path, replace(pymap_account, password=""), smtp_sink, store_url)

    listing = mailbot("cases", "--config", str(config))
    running = mailbot("run", "--config", str(config), "--once")

    assert listing.exit_code == 0
    assert running.exit_code == 1
    assert "[mailbox] password is missing" in running.output


def test_status_never_polled_is_stale(config: Path) -> None:
    result = mailbot("status", "--config", str(config))

    assert result.exit_code == 1
    assert "STALE" in result.output
    assert "never: the daemon has not finished a pass" in result.output


def test_status_after_pass_is_ok(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("not-a-form.eml"))
    run_once(config)

    result = mailbot("status", "--config", str(config), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stale"] is False
    assert report["minutes_since_poll"] < 5
    assert report["outbox_queued"] == 0
    assert report["set_aside_recent"] == 1
    assert report["due_work_waiting"] >= 0


def test_status_old_poll_is_stale(config: Path) -> None:
    run_once(config)
    # As if the daemon had stopped on 14/10/2026 at 4.00pm.
    engine = create_database_engine(load_settings(config).database.url)
    with engine.begin() as connection:
        connection.execute(update(DaemonMark).values(at=datetime(2026, 10, 14, 15, 0, tzinfo=timezone.utc)))
    engine.dispose()

    result = mailbot("status", "--config", str(config), "--stale-minutes", "60")

    assert result.exit_code == 1
    assert "STALE: no successful poll for over 60 minutes" in result.output
    assert "14/10/2026 4.00pm" in result.output


def test_status_ignores_pass_with_future_clock(config: Path) -> None:
    # A pass by hand with --now in the future must not make a stopped daemon look alive.
    run_once(config, "2027-01-12T08:00")

    result = mailbot("status", "--config", str(config), "--json")

    assert json.loads(result.output)["minutes_since_poll"] >= 0


@pytest.mark.parametrize("command", [("status",), ("run", "--once")])
def test_unreachable_database_reported(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, command: tuple[str, ...]) -> None:
    closed = free_port()
    config = write_config(tmp_path, pymap_account, smtp_sink, f"postgresql+psycopg://postgres@127.0.0.1:{closed}/mailbot")

    result = CliRunner().invoke(main, [*command, "--config", str(config)])

    assert result.exit_code == 1
    assert f"the database postgresql+psycopg://postgres@127.0.0.1:{closed}/mailbot could not be opened" in result.output
    assert "Traceback" not in result.output


def test_upcoming_lists_reminders(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("plain-cf7.eml"))
    run_once(config, "2026-10-14T16:00")

    table = mailbot("upcoming", "--config", str(config), "--from", "15/10/2026", "--days", "7")
    listed = mailbot("upcoming", "--config", str(config), "--from", "15/10/2026", "--days", "7", "--json")

    assert table.exit_code == 0, table.output
    rows = json.loads(listed.output)
    assert [(row["kind"], row["to"], row["due"]) for row in rows] == [
        ("endorsement_reminder", ["head@hollybank-ce.example"], "2026-10-19T08:00+01:00"),
        ("endorsement_escalation", ["bm@star-tsa.example"], "2026-10-21T08:00+01:00"),
    ]
    assert "19/10/2026 8.00am  PST-2026-0001  head@hollybank-ce.example  reminder to endorse the request" in table.output


def test_upcoming_empty_says_so(config: Path) -> None:
    result = mailbot("upcoming", "--config", str(config), "--from", "15/10/2026")

    assert result.exit_code == 0
    assert result.output.strip() == "Nothing is due in the next 14 days."


def test_attention_lists_set_aside(config: Path, pymap_account: Account) -> None:
    append(pymap_account, form_bytes("not-a-form.eml"), form_bytes("missing-email.eml"))
    run_once(config)

    listed = mailbot("attention", "--config", str(config), "--json")
    shown = mailbot("attention", "--config", str(config))

    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert len(rows) == 2
    assert "is not a PST request form" in rows[0]["reason"]
    assert '"Your Email"' in rows[1]["reason"]
    assert all(row["id"] and row["when"] for row in rows)
    assert "WHY" in shown.output.splitlines()[0]
    assert "The message is not a PST request form" in shown.output.splitlines()[1]


def test_attention_empty_says_so(config: Path) -> None:
    result = mailbot("attention", "--config", str(config))

    assert result.exit_code == 0
    assert result.output.strip() == "Nothing was set aside in the last 30 days."


def test_json_log_lines_parse(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str) -> None:
    config = write_config(tmp_path, pymap_account, smtp_sink, store_url, extra='[logging]\nformat = "json"\n')
    append(pymap_account, form_bytes("html-table.eml"))

    result = CliRunner().invoke(main, ["run", "--config", str(config), "--once"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert entries
    assert all(set(entry) >= {"time", "level", "logger", "message"} for entry in entries)
    assert any(entry["logger"] == "mailbot.intake" and entry["message"].startswith("FOUND 1 message") for entry in entries)
    assert all(datetime.fromisoformat(entry["time"]).tzinfo is not None for entry in entries)


def test_upcoming_names_report_recipients(config: Path) -> None:
    settings = load_settings(config)
    engine = create_database_engine(settings.database.url)
    upgrade_schema(engine)
    with session_factory(engine).begin() as session:
        for kind, due in (("weekly_digest", "2026-10-19T07:00"), ("termly_summary", "2026-11-02T09:00")):
            schedule(session, kind=kind, due_at=datetime.fromisoformat(due).replace(tzinfo=timezone.utc), now=datetime.now(timezone.utc))
    engine.dispose()

    listed = mailbot("upcoming", "--config", str(config), "--from", "15/10/2026", "--days", "30", "--json")

    rows = json.loads(listed.output)
    assert [(row["kind"], row["to"]) for row in rows] == [
        ("weekly_digest", ["bm@star-tsa.example"]),
        ("termly_summary", ["lead@star-tsa.example"]),
    ]
    assert [row["why"] for row in rows] == ["weekly digest of cases, visits and designations", "termly summary of visits, ratings and charges"]


def test_run_once_json_reports_pass(config: Path, pymap_account: Account, smtp_sink: SmtpSink) -> None:
    append(pymap_account, form_bytes("html-table.eml"), form_bytes("not-a-form.eml"))

    result = mailbot("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["intake"]["handled"] == 2
    assert report["intake"]["cases_opened"] == 1
    assert report["intake"]["set_aside"] == 1
    assert report["sending"]["sent"] == len(smtp_sink.messages)


def test_pst_import_json(config: Path, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")

    first = json.loads(mailbot("pst", "import", str(register), "--config", str(config), "--json").stdout)
    again = json.loads(mailbot("pst", "import", str(register), "--config", str(config), "--json").stdout)

    assert (first["added"], first["updated"], first["unchanged"]) == (1, 0, 0)
    assert (again["added"], again["unchanged"]) == (0, 1)
    assert again["not_in_file"] == []


def test_run_once_reports_unreachable_smtp(tmp_path: Path, pymap_account: Account, store_url: str) -> None:
    nowhere = SimpleNamespace(host="127.0.0.1", port=free_port())
    config = write_config(tmp_path, pymap_account, nowhere, store_url)
    append(pymap_account, form_bytes("html-table.eml"))

    result = mailbot("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00")

    assert result.exit_code == 1
    assert f"cannot reach the SMTP server 127.0.0.1:{nowhere.port}" in result.output
    assert "email(s) stay queued and are retried at the next pass" in result.output
    assert len(json.loads(mailbot("cases", "--config", str(config), "--json").output)) == 1
