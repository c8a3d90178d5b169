"""The strategic lead's termly summary: its figures, its CSV, its schedule and its delivery by the real daemon.

The database is tests/report_world.py: nine visits held in the autumn term
2026 by four PSTs, seven of them rated, one more visit cancelled and one
held in the spring term 2027.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from harness import STRATEGIC_LEAD, attachments_of, emails_to, mailbot, parsed, plain_body, run_once, write_config
from report_world import create_world_database
from servers import Account
from sqlalchemy import select

from mailbot.config import load_settings
from mailbot.embedded import SmtpSink
from mailbot.errors import RulesError
from mailbot.outbox import Outbox
from mailbot.rates import uk_money
from mailbot.render import TemplateRenderer
from mailbot.reports import csv_attachment, spreadsheet_cell
from mailbot.resources import shipped_folder
from mailbot.ruleset import Rules, load_rules
from mailbot.schooldays import SchoolCalendar, Term
from mailbot.store.database import create_database_engine, session_factory
from mailbot.store.models import DueWork
from mailbot.termly_summary import TERMLY_SUMMARY, TermlySummary, adjacent_term_name
from mailbot.timings import load_timings

LONDON = ZoneInfo("Europe/London")
SUBJECT = "Termly PST summary for the autumn term 2026: 9 visits held, £1,800.00 charged"
CSV_HEADER = ["term", "section", "pst", "school", "visits_held", "rated", "not_rated", "average_rating", "charged", "reimbursed"]
# No server listens here: the preview and the unit tests never connect.
UNUSED_SERVER = Account(host="127.0.0.1", port=9, username="pst@star-tsa.example", password="unused", server="none")


@pytest.fixture
def rules() -> Rules:
    return load_rules(shipped_folder("rules"))


@pytest.fixture
def unit_config(tmp_path: Path, sqlite_url: str) -> Path:
    """A config file for the units that read settings and rules only."""
    return write_config(tmp_path, UNUSED_SERVER, UNUSED_SERVER, sqlite_url)


@pytest.fixture
def world_config(tmp_path: Path, store_url: str, rules: Rules) -> Path:
    """A config for the report world, whose autumn visits are all counted and charged; no server is needed."""
    config = write_config(tmp_path, UNUSED_SERVER, UNUSED_SERVER, store_url)
    create_world_database(store_url, rules)
    return config


@pytest.fixture
def daemon_config(tmp_path: Path, pymap_account: Account, smtp_sink: SmtpSink, store_url: str, rules: Rules) -> Path:
    """The report world with the termly summary switched on, and its last autumn visit still to be charged on 05/01/2027."""
    config = write_config(tmp_path, pymap_account, smtp_sink, store_url)
    config.write_text(config.read_text().replace("termly_summary = false", "termly_summary = true"))
    create_world_database(store_url, rules, last_visit_done=False)
    return config


def _preview(config: Path, *arguments: str) -> str:
    result = mailbot("report", "termly", "--config", str(config), *arguments)
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _summaries(sink: SmtpSink) -> list:
    return [item for item in emails_to(sink, STRATEGIC_LEAD) if "Termly PST summary" in str(parsed(item)["Subject"])]


def _summary(settings_path: Path, rules: Rules) -> TermlySummary:
    settings = load_settings(settings_path)
    return TermlySummary(settings, rules, Outbox(settings, TemplateRenderer(shipped_folder("templates"), settings.zone)))


# Figures, as the preview shows them


def test_preview_counts_visits_per_pst(world_config: Path) -> None:
    text = _preview(world_config, "--term", "autumn-2026")

    assert text.startswith(f"Subject: {SUBJECT}\nTo: {STRATEGIC_LEAD}\n")
    assert "- Amira Hassan (Riverside Primary School): 3 visits held; 2 rated, average 4.5; 1 without a rating yet\n" in text
    assert "- Daniel Osei (St Mary's Church of England Academy): 1 visit held; 1 rated, average 4.0\n" in text
    assert "- Priya Anand (Northgate High School): 3 visits held; 2 rated, average 4.5; 1 without a rating yet\n" in text
    assert "- Tom Reid (Willowbank Primary School): 2 visits held; 2 rated, average 4.0\n" in text


def test_preview_names_term_and_dates(world_config: Path) -> None:
    text = _preview(world_config, "--term", "Autumn-2026")

    assert "the summary of PST visits for the autumn term 2026 (01/09/2026 to 31/12/2026)" in text


def test_preview_totals_ratings(world_config: Path) -> None:
    text = _preview(world_config, "--term", "autumn-2026")

    assert "Visits held: 9\n" in text
    # Ratings 5, 4, 3, 4, 5, 4 and 5 average 4.29; two visits have none yet.
    assert "Feedback ratings: 7, average 4.3 out of 5; 2 visits without a rating yet\n" in text


def test_preview_totals_charges_per_school(world_config: Path) -> None:
    text = _preview(world_config, "--term", "autumn-2026")

    assert "Charged to schools: £1,800.00; reimbursed to PSTs' schools: £1,440.00\n" in text
    assert "- Brookside Junior School: charged £450.00, reimbursed £0.00\n" in text
    assert "- Northgate High School: charged £0.00, reimbursed £600.00\n" in text
    # Riverside both asked for a visit and hosted Amira Hassan's.
    assert "- Riverside Primary School: charged £150.00, reimbursed £360.00\n" in text
    assert "- All schools: charged £1,800.00, reimbursed £1,440.00\n" in text


def test_preview_leaves_out_cancelled_visit(world_config: Path) -> None:
    text = _preview(world_config, "--term", "autumn-2026")

    # Tom Reid's third visit, to Hollybank on 15/12/2026, was cancelled, so it is neither held nor charged.
    assert "Tom Reid (Willowbank Primary School): 2 visits held" in text
    assert "Hollybank" not in text


def test_preview_other_term_separate(world_config: Path) -> None:
    text = _preview(world_config, "--term", "spring-2027")

    assert "Visits held: 1\n" in text
    assert "Feedback ratings: none yet; 1 visit without a rating\n" in text
    assert "- Amira Hassan (Riverside Primary School): 1 visit held; no ratings; 1 without a rating yet\n" in text
    assert "- Oakfield Primary School: charged £150.00, reimbursed £0.00\n" in text


def test_preview_empty_term(world_config: Path) -> None:
    text = _preview(world_config, "--term", "summer-2026")

    assert "Visits held: 0\nFeedback ratings: none\n" in text
    assert "Visits and feedback ratings by PST:\n- none\n" in text
    assert "Charges and reimbursements by school:\n- none\n" in text
    assert "All schools" not in text


def test_preview_csv_rows(world_config: Path, tmp_path: Path) -> None:
    target = tmp_path / "summary.csv"

    _preview(world_config, "--term", "autumn-2026", "--csv", str(target))

    rows = _csv_rows(target.read_bytes())
    assert rows[0] == CSV_HEADER
    assert rows[1] == ["autumn-2026", "pst", "Amira Hassan", "Riverside Primary School", "3", "2", "1", "4.5", "", ""]
    assert rows[5] == ["autumn-2026", "pst_total", "All PSTs", "", "9", "7", "2", "4.3", "", ""]
    assert rows[6] == ["autumn-2026", "school", "", "Brookside Junior School", "", "", "", "", "450.00", "0.00"]
    assert rows[-1] == ["autumn-2026", "school_total", "", "All schools", "", "", "", "", "1800.00", "1440.00"]
    assert len(rows) == 1 + 4 + 1 + 9 + 1


def test_preview_writes_html(world_config: Path, tmp_path: Path) -> None:
    target = tmp_path / "summary.html"

    _preview(world_config, "--term", "autumn-2026", "--html", str(target))

    page = target.read_text(encoding="utf-8")
    assert "<title>Termly PST summary</title>" in page
    assert "St Mary&#39;s Church of England Academy" in page
    assert ">£1,800.00</td>" in page
    assert ">All PSTs</td>" in page


def test_preview_rejects_bad_term(world_config: Path) -> None:
    result = mailbot("report", "termly", "--config", str(world_config), "--term", "autum-2026")

    assert result.exit_code == 2
    assert "invalid term name 'autum-2026'" in result.output


def test_preview_term_only_for_termly(world_config: Path) -> None:
    result = mailbot("report", "digest", "--config", str(world_config), "--term", "autumn-2026")

    assert result.exit_code == 2
    assert "--term only works with `mailbot report termly`" in result.output


# Delivery by the daemon, through the real SMTP server


def test_summary_sent_after_term(daemon_config: Path, smtp_sink: SmtpSink) -> None:
    run_once(daemon_config, "2026-12-14T10:00")
    run_once(daemon_config, "2027-01-05T08:59")
    assert _summaries(smtp_sink) == []

    run_once(daemon_config, "2027-01-05T09:00")

    [summary] = _summaries(smtp_sink)
    assert str(parsed(summary)["Subject"]) == SUBJECT
    assert list(summary.rcpt_tos) == [STRATEGIC_LEAD]
    assert "Visits held: 9\n" in plain_body(summary).replace("\r\n", "\n")
    html = parsed(summary).get_body(preferencelist=("html",))
    assert html is not None
    assert ">£1,800.00</td>" in html.get_content()


def test_summary_counts_last_day_visit(daemon_config: Path, smtp_sink: SmtpSink) -> None:
    # The visit on 18/12/2026 is counted as done and charged at 8.00am on 05/01/2027, before the summary at 9.00am.
    run_once(daemon_config, "2026-12-14T10:00")

    run_once(daemon_config, "2027-01-05T09:00")

    [summary] = _summaries(smtp_sink)
    text = plain_body(summary).replace("\r\n", "\n")
    assert "- Meadowview Primary School: charged £300.00, reimbursed £0.00\n" in text
    assert "- Daniel Osei (St Mary's Church of England Academy): 1 visit held; no ratings; 1 without a rating yet\n" in text


def test_summary_attaches_csv(daemon_config: Path, smtp_sink: SmtpSink) -> None:
    run_once(daemon_config, "2026-12-14T10:00")

    run_once(daemon_config, "2027-01-05T09:00")

    [summary] = _summaries(smtp_sink)
    [(name, content_type, data)] = attachments_of(summary)
    assert name == "termly-summary-autumn-2026.csv"
    assert content_type == "text/csv"
    rows = _csv_rows(data)
    assert rows[0] == CSV_HEADER
    assert rows[-1] == ["autumn-2026", "school_total", "", "All schools", "", "", "", "", "1800.00", "1440.00"]


def test_summary_once_per_term(daemon_config: Path, smtp_sink: SmtpSink, store_url: str) -> None:
    # Each run_once is a new daemon, as after a restart.
    for moment in ("2026-12-14T10:00", "2027-01-05T09:00", "2027-01-05T09:30", "2027-01-06T09:00", "2027-02-01T09:00"):
        run_once(daemon_config, moment)

    assert len(_summaries(smtp_sink)) == 1
    engine = create_database_engine(store_url)
    with session_factory(engine)() as session:
        rows = list(session.scalars(select(DueWork).where(DueWork.kind == TERMLY_SUMMARY).order_by(DueWork.due_at)))
    engine.dispose()
    assert [row.once_key for row in rows] == ["termly_summary:autumn-2026", "termly_summary:spring-2027"]
    assert [row.status for row in rows] == ["done", "due"]
    # Spring 2027 ends on Easter Sunday; the Easter holidays run to 09/04, so 9.00am BST on Monday 12/04/2027.
    assert rows[1].due_at == datetime(2027, 4, 12, 8, 0, tzinfo=timezone.utc)


def test_summary_switched_off_after_scheduling(daemon_config: Path, smtp_sink: SmtpSink) -> None:
    run_once(daemon_config, "2026-12-14T10:00")
    daemon_config.write_text(daemon_config.read_text().replace("termly_summary = true", "termly_summary = false"))

    run_once(daemon_config, "2027-01-05T09:00")

    assert _summaries(smtp_sink) == []


def test_summary_off_never_scheduled(daemon_config: Path, smtp_sink: SmtpSink, store_url: str) -> None:
    daemon_config.write_text(daemon_config.read_text().replace("termly_summary = true", "termly_summary = false"))

    run_once(daemon_config, "2026-12-14T10:00")

    engine = create_database_engine(store_url)
    with session_factory(engine)() as session:
        kinds = list(session.scalars(select(DueWork.kind).where(DueWork.kind == TERMLY_SUMMARY)))
    engine.dispose()
    assert kinds == []


# When it is due


@pytest.mark.parametrize(
    ("now", "term", "due"),
    [
        pytest.param(datetime(2026, 10, 14, 16, 0, tzinfo=LONDON), "autumn-2026", datetime(2027, 1, 5, 9, 0, tzinfo=LONDON), id="mid-term"),
        pytest.param(datetime(2026, 12, 23, 12, 0, tzinfo=LONDON), "autumn-2026", datetime(2027, 1, 5, 9, 0, tzinfo=LONDON), id="christmas-holidays"),
        pytest.param(datetime(2027, 1, 5, 8, 30, tzinfo=LONDON), "autumn-2026", datetime(2027, 1, 5, 9, 0, tzinfo=LONDON), id="first-start-on-the-day"),
        pytest.param(datetime(2027, 1, 5, 9, 0, tzinfo=LONDON), "spring-2027", datetime(2027, 4, 12, 9, 0, tzinfo=LONDON), id="at-the-time"),
        pytest.param(datetime(2027, 6, 1, 9, 0, tzinfo=LONDON), "summer-2027", datetime(2027, 9, 1, 9, 0, tzinfo=LONDON), id="summer"),
    ],
)
def test_next_occasion(unit_config: Path, rules: Rules, now: datetime, term: str, due: datetime) -> None:
    summary = _summary(unit_config, rules)

    assert summary.next_occasion(now) == (term, due)


def test_send_day_after_set_term(unit_config: Path, rules: Rules) -> None:
    # A term the rules set that ends before the holidays: its last school day's visit is charged the next school day.
    calendar = SchoolCalendar(rules.calendar.closures, [Term("autumn-2026", date(2026, 9, 1), date(2026, 12, 18))])
    summary = _summary(unit_config, replace(rules, calendar=calendar))

    assert summary.send_day(calendar.term_named("autumn-2026")) == date(2027, 1, 5)


def test_send_day_follows_feedback_timing(unit_config: Path, rules: Rules) -> None:
    summary = _summary(unit_config, replace(rules, timings=replace(rules.timings, feedback_school_days_after=2)))

    # The visit of Friday 18/12/2026 is charged 2 school days later, on Wednesday 06/01/2027.
    assert summary.send_day(rules.calendar.term_named("autumn-2026")) == date(2027, 1, 6)


def test_set_terms_count_visits_with_charges(unit_config: Path, sqlite_url: str, rules: Rules) -> None:
    # Spring starts on 14/12/2026 here, so the visit of 18/12/2026 is charged in spring, although autumn's default dates hold it.
    terms = [Term("autumn-2026", date(2026, 9, 1), date(2026, 12, 11)), Term("spring-2027", date(2026, 12, 14), date(2027, 3, 25))]
    set_rules = replace(rules, calendar=SchoolCalendar(rules.calendar.closures, terms))
    create_world_database(sqlite_url, set_rules)
    summary = _summary(unit_config, set_rules)

    engine = create_database_engine(sqlite_url)
    with session_factory(engine)() as session:
        autumn = summary.build(session, "autumn-2026", datetime(2027, 1, 5, 9, 0, tzinfo=LONDON))
        spring = summary.build(session, "spring-2027", datetime(2027, 1, 5, 9, 0, tzinfo=LONDON))
    engine.dispose()

    assert (autumn["visits_held"], autumn["charged_pence"]) == (8, 150_000)
    assert (spring["visits_held"], spring["charged_pence"]) == (2, 45_000)


@pytest.mark.parametrize(
    ("name", "step", "expected"),
    [("autumn-2026", 1, "spring-2027"), ("spring-2027", 1, "summer-2027"), ("summer-2027", 1, "autumn-2027"), ("spring-2027", -1, "autumn-2026"), ("autumn-2026", -1, "summer-2026")],
)
def test_adjacent_term_name(name: str, step: int, expected: str) -> None:
    assert adjacent_term_name(name, step) == expected


def test_summary_time_after_send_time(tmp_path: Path) -> None:
    path = tmp_path / "timings.toml"
    text = (shipped_folder("rules") / "timings.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('termly_summary_time = "09:00"', 'termly_summary_time = "08:00"'), encoding="utf-8")

    with pytest.raises(RulesError) as caught:
        load_timings(path)

    assert "[reports] termly_summary_time must be later than send_time (08:00)" in str(caught.value)


# Pieces the reports share


def test_money_with_thousands() -> None:
    assert uk_money(180000, thousands=True) == "£1,800.00"
    assert uk_money(123456789, thousands=True) == "£1,234,567.89"
    assert uk_money(-150050, thousands=True) == "-£1,500.50"
    assert uk_money(123456) == "£1234.56"


def test_spreadsheet_cell_defuses_formula() -> None:
    assert spreadsheet_cell('=HYPERLINK("http://x.example","Oakfield")') == '\'=HYPERLINK("http://x.example","Oakfield")'
    assert spreadsheet_cell("+44 1632 960000") == "'+44 1632 960000"
    assert spreadsheet_cell("-20.00") == "-20.00"
    assert spreadsheet_cell("Oakfield Primary School") == "Oakfield Primary School"
    assert spreadsheet_cell(3) == 3


def test_csv_attachment_rows() -> None:
    attachment = csv_attachment("figures.csv", ("school", "charged"), [["@SUM(A1:A3)", "150.00"], ["Riverside", 0]])

    assert attachment.filename == "figures.csv"
    assert attachment.content_type == "text/csv"
    assert attachment.parameters == (("charset", "utf-8"),)
    assert _csv_rows(attachment.data) == [["school", "charged"], ["'@SUM(A1:A3)", "150.00"], ["Riverside", "0"]]
