"""The charges ledger: rules/rates.toml, recording a visit's charge and reimbursement, and `mailbot ledger`."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from harness import mailbot
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.errors import RulesError
from mailbot.ledger import CHARGE, REIMBURSEMENT, ledger_rows, record_charges, totals_by_school
from mailbot.rates import Rates, format_pounds, load_rates, parse_pounds, uk_money
from mailbot.resources import shipped_folder
from mailbot.ruleset import Rules, load_rules
from mailbot.schooldays import SchoolCalendar, Term
from mailbot.store.database import create_database_engine, session_factory
from mailbot.store.models import Case, LedgerEntry, Pst, Visit

NOW = datetime(2027, 1, 20, 9, 0, tzinfo=timezone.utc)
AUTUMN_DAY = date(2026, 12, 14)
SPRING_DAY = date(2027, 1, 14)

REQUESTING_SCHOOL = "Oakfield Primary School"
PST_SCHOOL = "Northgate High School"

RATES_TEXT = """\
[half_day]
charge = "150.00"
reimbursement = "120.00"
"""

CONFIG_WITHOUT_PASSWORD = """\
[mailbox]
host = "imap.alliance.test"
username = "pst@alliance.test"

[smtp]
host = "smtp.alliance.test"

[database]
url = "{database_url}"

[alliance]
name = "Test Alliance"
address = "pst@alliance.test"
business_manager = "bm@alliance.test"
strategic_lead = "lead@alliance.test"
"""

CSV_HEADER = ["term", "visit_date", "case_reference", "school", "entry_type", "half_days", "rate", "amount"]


@pytest.fixture
def rules() -> Rules:
    return load_rules(shipped_folder("rules"))


def add_case(
    session: Session,
    visit_day: date,
    *,
    school: str = REQUESTING_SCHOOL,
    pst_school: str | None = PST_SCHOOL,
    half_days: int = 1,
    reference: str | None = None,
) -> tuple[Case, Visit]:
    """Add a case with one visit on ``visit_day`` and, unless ``pst_school`` is None, a PST from that school."""
    number = session.scalar(select(func.count()).select_from(Case)) + 1
    pst = None
    if pst_school is not None:
        pst = Pst(
            name=f"PST {number}",
            email=f"pst{number}@pst.example",
            school=pst_school,
            headteacher_email=f"head{number}@pst.example",
            phase="primary",
            designated_on=date(2025, 9, 1),
            max_visits_per_term=3,
            created_at=NOW,
            updated_at=NOW,
        )
    case = Case(
        reference=reference or f"PST-2026-{number:04d}",
        state="scheduled",
        school=school,
        requester_name="Requester",
        requester_email=f"requester{number}@school.example",
        headteacher_email=f"head{number}@school.example",
        created_at=NOW,
        updated_at=NOW,
        pst=pst,
    )
    visit = Visit(
        date=visit_day,
        session="am",
        status="scheduled",
        calendar_uid=f"visit-{number}@mailbot.example",
        half_days=half_days,
        created_at=NOW,
        updated_at=NOW,
    )
    case.visits.append(visit)
    session.add(case)
    session.flush()
    return case, visit


def entries_of(session: Session, visit: Visit) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.visit_id == visit.id).order_by(LedgerEntry.entry_type)))


# Rates file


def write_rates(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rates_loaded(rules: Rules) -> None:
    assert rules.rates == Rates(charge_pence=15000, reimbursement_pence=12000)


def test_rates_file_read_in_pence(tmp_path: Path) -> None:
    path = write_rates(tmp_path, '[half_day]\ncharge = "£99.5"\nreimbursement = " 0 "\n')

    rates = load_rates(path)

    assert rates.charge_pence == 9950
    assert rates.reimbursement_pence == 0


@pytest.mark.parametrize(
    ("text", "pence"),
    [("150.00", 15000), ("150", 15000), ("£150.00", 15000), ("0.05", 5), ("10000.00", 1_000_000), ("-0", 0)],
)
def test_parse_pounds_valid(text: str, pence: int) -> None:
    assert parse_pounds(text, "test") == pence


BAD_AMOUNTS = [
    pytest.param("charge = 150.0", "must be an amount in pounds in quotes", id="float"),
    pytest.param("charge = 150", "must be an amount in pounds in quotes", id="integer"),
    pytest.param('charge = "one fifty"', "is not an amount in pounds", id="words"),
    pytest.param('charge = ""', "is not an amount in pounds", id="empty"),
    pytest.param('charge = "1e2"', "is not an amount in pounds", id="exponent"),
    pytest.param('charge = "NaN"', "is not an amount in pounds", id="nan"),
    pytest.param('charge = "1,500.00"', "is not an amount in pounds", id="thousands-comma"),
    pytest.param('charge = "-5.00"', "must not be negative", id="negative"),
    pytest.param('charge = "150.005"', "has more than two decimal places", id="three-decimals"),
    pytest.param('charge = "15000"', "is more than the maximum of £10000.00 per half-day", id="above-maximum"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_AMOUNTS)
def test_invalid_rate_named(tmp_path: Path, line: str, expected: str) -> None:
    path = write_rates(tmp_path, RATES_TEXT.replace('charge = "150.00"', line))

    with pytest.raises(RulesError) as caught:
        load_rates(path)

    message = str(caught.value)
    assert expected in message
    assert f"{path}: [half_day] charge" in message
    assert '"150.00"' in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('reimbursement = "120.00"\n', "", '[half_day] reimbursement is missing; add a line such as reimbursement = "150.00"'),
        ("[half_day]", "[half_days]", "unknown key(s) half_days"),
        ("charge =", "charges =", "[half_day]: unknown key(s) charges; the allowed keys are charge, reimbursement"),
    ],
    ids=["missing-key", "misspelt-table", "misspelt-key"],
)
def test_rates_file_keys_checked(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write_rates(tmp_path, RATES_TEXT.replace(old, new))

    with pytest.raises(RulesError) as caught:
        load_rates(path)

    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_rates_table_missing(tmp_path: Path) -> None:
    path = write_rates(tmp_path, "# no amounts yet\n")

    with pytest.raises(RulesError) as caught:
        load_rates(path)

    assert f"{path}: the [half_day] table is missing" in str(caught.value)


def test_load_rules_needs_rates_file(tmp_path: Path) -> None:
    for source in shipped_folder("rules").glob("*.toml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "rates.toml").unlink()

    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path)

    assert f"rules file not found: {tmp_path / 'rates.toml'}" in str(caught.value)


def test_money_formats() -> None:
    assert format_pounds(15000) == "150.00"
    assert format_pounds(5) == "0.05"
    assert uk_money(123456) == "£1234.56"
    assert uk_money(-2000) == "-£20.00"


# Recording a visit's charges


def test_one_half_day_charged(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions.begin() as session:
        case, visit = add_case(session, SPRING_DAY, half_days=1)

        returned = record_charges(session, case, visit, rules, NOW)
        stored = entries_of(session, visit)

    assert [entry.id for entry in returned] == [entry.id for entry in stored]
    charge, reimbursement = stored
    assert charge.entry_type == CHARGE
    assert charge.school == REQUESTING_SCHOOL
    assert charge.half_days == 1
    assert charge.rate_pence == 15000
    assert charge.amount_pence == 15000
    assert reimbursement.entry_type == REIMBURSEMENT
    assert reimbursement.school == PST_SCHOOL
    assert reimbursement.half_days == 1
    assert reimbursement.rate_pence == 12000
    assert reimbursement.amount_pence == 12000
    assert charge.created_at == NOW


def test_two_half_days_charged(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions.begin() as session:
        case, visit = add_case(session, SPRING_DAY, half_days=2)

        record_charges(session, case, visit, rules, NOW)
        charge, reimbursement = entries_of(session, visit)

    assert charge.half_days == 2
    assert charge.amount_pence == 30000
    assert reimbursement.half_days == 2
    assert reimbursement.amount_pence == 24000


def test_record_again_replaces_entries(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions.begin() as session:
        case, visit = add_case(session, SPRING_DAY, half_days=1)
        other_case, other_visit = add_case(session, SPRING_DAY, school="Fernhill Community School")
        record_charges(session, case, visit, rules, NOW)
        record_charges(session, other_case, other_visit, rules, NOW)

    with sessions.begin() as session:
        case = session.get(Case, case.id)
        visit = session.get(Visit, visit.id)
        visit.half_days = 2
        record_charges(session, case, visit, rules, NOW)
        record_charges(session, case, visit, rules, NOW)

    with sessions() as session:
        entries = entries_of(session, visit)
        total_entries = session.scalar(select(func.count()).select_from(LedgerEntry))
    assert [(entry.entry_type, entry.amount_pence) for entry in entries] == [(CHARGE, 30000), (REIMBURSEMENT, 24000)]
    assert total_entries == 4


def test_term_named_across_boundary(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions.begin() as session:
        autumn_case, autumn_visit = add_case(session, AUTUMN_DAY)
        spring_case, spring_visit = add_case(session, SPRING_DAY)

        autumn_entries = record_charges(session, autumn_case, autumn_visit, rules, NOW)
        spring_entries = record_charges(session, spring_case, spring_visit, rules, NOW)

    assert {entry.term for entry in autumn_entries} == {"autumn-2026"}
    assert {entry.term for entry in spring_entries} == {"spring-2027"}


def test_record_without_pst_rejected(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions.begin() as session:
        case, visit = add_case(session, SPRING_DAY, pst_school=None)

        with pytest.raises(ValueError) as caught:
            record_charges(session, case, visit, rules, NOW)
        stored = entries_of(session, visit)

    assert f"case {case.reference} has no PST" in str(caught.value)
    assert stored == []


def test_record_other_case_visit_rejected(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions.begin() as session:
        case, _ = add_case(session, SPRING_DAY)
        _, other_visit = add_case(session, AUTUMN_DAY)

        with pytest.raises(ValueError) as caught:
            record_charges(session, case, other_visit, rules, NOW)

    assert f"is not a visit of case {case.reference}" in str(caught.value)


def test_record_logs_one_line(sessions: sessionmaker[Session], rules: Rules, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mailbot.ledger")
    with sessions.begin() as session:
        case, visit = add_case(session, SPRING_DAY, half_days=2)
        record_charges(session, case, visit, rules, NOW)

    [record] = [record for record in caplog.records if record.name == "mailbot.ledger"]
    message = record.getMessage()
    assert record.levelno == logging.INFO
    assert message.startswith(f"CHARGE {case.reference} visit on 14/01/2027 (spring-2027): 2 half-day(s)")
    assert f"£300.00 charged to {REQUESTING_SCHOOL}" in message
    assert f"£240.00 reimbursed to {PST_SCHOOL}" in message


# Listing the ledger


def test_rows_ordered_by_term_start(sessions: sessionmaker[Session], rules: Rules) -> None:
    # autumn-2027 comes before spring-2027 in alphabetical order, but starts after it.
    with sessions.begin() as session:
        for day, reference in [(date(2027, 10, 5), "PST-2027-0002"), (date(2027, 2, 3), "PST-2027-0001"), (AUTUMN_DAY, "PST-2026-0001")]:
            case, visit = add_case(session, day, reference=reference)
            record_charges(session, case, visit, rules, NOW)

    with sessions() as session:
        rows = ledger_rows(session, rules.calendar)

    assert [(row["term"], row["entry_type"]) for row in rows] == [
        ("autumn-2026", CHARGE),
        ("autumn-2026", REIMBURSEMENT),
        ("spring-2027", CHARGE),
        ("spring-2027", REIMBURSEMENT),
        ("autumn-2027", CHARGE),
        ("autumn-2027", REIMBURSEMENT),
    ]
    assert rows[0] == {
        "term": "autumn-2026",
        "visit_date": "2026-12-14",
        "case_reference": "PST-2026-0001",
        "school": REQUESTING_SCHOOL,
        "entry_type": CHARGE,
        "half_days": 1,
        "rate_pence": 15000,
        "amount_pence": 15000,
    }


def test_rows_grouped_after_term_dates_change(sessions: sessionmaker[Session], rules: Rules) -> None:
    early_spring = replace(rules, calendar=SchoolCalendar(terms=[Term("spring-2027", date(2026, 12, 15), date(2027, 3, 28))]))
    with sessions.begin() as session:
        for day, reference, charged_with in [
            (date(2026, 12, 10), "PST-2026-0001", rules),
            (date(2026, 12, 16), "PST-2026-0002", early_spring),
            (date(2026, 12, 18), "PST-2026-0003", rules),
        ]:
            case, visit = add_case(session, day, reference=reference)
            record_charges(session, case, visit, charged_with, NOW)

    with sessions() as session:
        rows = ledger_rows(session, rules.calendar)

    assert [(row["term"], row["case_reference"]) for row in rows if row["entry_type"] == CHARGE] == [
        ("autumn-2026", "PST-2026-0001"),
        ("autumn-2026", "PST-2026-0003"),
        ("spring-2027", "PST-2026-0002"),
    ]


def test_rows_invalid_term_rejected(sessions: sessionmaker[Session], rules: Rules) -> None:
    with sessions() as session, pytest.raises(ValueError, match="invalid term name 'autum-2026'"):
        ledger_rows(session, rules.calendar, "autum-2026")


def test_totals_by_school_separate() -> None:
    rows = [
        {"school": "B School", "entry_type": CHARGE, "amount_pence": 100},
        {"school": "a school", "entry_type": REIMBURSEMENT, "amount_pence": 40},
        {"school": "B School", "entry_type": CHARGE, "amount_pence": 200},
        {"school": "B School", "entry_type": REIMBURSEMENT, "amount_pence": 5},
    ]

    totals = totals_by_school(rows)

    assert [(total.school, total.charged_pence, total.reimbursed_pence) for total in totals] == [
        ("a school", 0, 40),
        ("B School", 300, 5),
    ]


# `mailbot ledger`


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    """A config file with no IMAP password, so the ledger is shown to need none."""
    path = tmp_path / "mailbot.toml"
    path.write_text(CONFIG_WITHOUT_PASSWORD.format(database_url=database_url), encoding="utf-8")
    return path


@pytest.fixture
def charged(config: Path, database_url: str, rules: Rules) -> Path:
    """The config of a database, set up by mailbot itself, with visits charged in autumn 2026 and spring 2027."""
    assert ledger("--config", str(config)) == "No ledger entries yet.\n"

    engine = create_database_engine(database_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        visits = [
            add_case(session, AUTUMN_DAY, half_days=2, reference="PST-2026-0001"),
            add_case(session, SPRING_DAY, school="Fernhill Community School", reference="PST-2027-0001"),
            add_case(session, date(2027, 1, 20), half_days=2, pst_school="Brookfield Primary School", reference="PST-2027-0002"),
        ]
        for case, visit in visits:
            record_charges(session, case, visit, rules, NOW)
    engine.dispose()
    return config


def ledger(*arguments: str, exit_code: int = 0) -> str:
    result = mailbot("ledger", *arguments)
    assert result.exit_code == exit_code, result.output
    return result.stdout


def cells(line: str) -> list[str]:
    """Split a table line into its cells, which are at least two spaces apart."""
    return re.split(r" {2,}", line.strip())


def test_ledger_table_grouped_by_term(charged: Path) -> None:
    lines = ledger("--config", str(charged)).splitlines()

    assert lines[0] == "Term autumn-2026 (01/09/2026 to 31/12/2026)"
    assert cells(lines[1]) == ["VISIT DATE", "CASE", "SCHOOL", "ENTRY", "HALF-DAYS", "RATE", "AMOUNT"]
    assert cells(lines[2]) == ["14/12/2026", "PST-2026-0001", REQUESTING_SCHOOL, "charge", "2", "£150.00", "£300.00"]
    assert cells(lines[3]) == ["14/12/2026", "PST-2026-0001", PST_SCHOOL, "reimbursement", "2", "£120.00", "£240.00"]

    autumn_totals = lines.index("Totals for autumn-2026")
    assert [cells(line) for line in lines[autumn_totals + 1 : autumn_totals + 5]] == [
        ["SCHOOL", "CHARGED", "REIMBURSED"],
        [PST_SCHOOL, "£0.00", "£240.00"],
        [REQUESTING_SCHOOL, "£300.00", "£0.00"],
        ["All schools", "£300.00", "£240.00"],
    ]

    spring_heading = lines.index("Term spring-2027 (01/01/2027 to 28/03/2027)")
    assert spring_heading > autumn_totals
    spring_totals = lines.index("Totals for spring-2027")
    assert [cells(line) for line in lines[spring_totals + 1 :]] == [
        ["SCHOOL", "CHARGED", "REIMBURSED"],
        ["Brookfield Primary School", "£0.00", "£240.00"],
        ["Fernhill Community School", "£150.00", "£0.00"],
        [PST_SCHOOL, "£0.00", "£120.00"],
        [REQUESTING_SCHOOL, "£300.00", "£0.00"],
        ["All schools", "£450.00", "£360.00"],
    ]


def test_ledger_term_filter(charged: Path) -> None:
    output = ledger("--config", str(charged), "--term", "Spring-2027")

    assert "Term spring-2027" in output
    assert "autumn-2026" not in output
    assert "14/12/2026" not in output
    assert "PST-2027-0001" in output
    assert "PST-2027-0002" in output


def test_ledger_term_without_entries(charged: Path) -> None:
    assert ledger("--config", str(charged), "--term", "summer-2027") == "No ledger entries for summer-2027.\n"


def test_ledger_csv_exact(charged: Path) -> None:
    output = ledger("--config", str(charged), "--csv", "--term", "autumn-2026")

    assert list(csv.reader(io.StringIO(output))) == [
        CSV_HEADER,
        ["autumn-2026", "14/12/2026", "PST-2026-0001", REQUESTING_SCHOOL, "charge", "2", "150.00", "300.00"],
        ["autumn-2026", "14/12/2026", "PST-2026-0001", PST_SCHOOL, "reimbursement", "2", "120.00", "240.00"],
    ]


def test_ledger_csv_all_terms(charged: Path) -> None:
    rows = list(csv.reader(io.StringIO(ledger("--config", str(charged), "--csv"))))

    assert rows[0] == CSV_HEADER
    assert [(row[0], row[1], row[2], row[4]) for row in rows[1:]] == [
        ("autumn-2026", "14/12/2026", "PST-2026-0001", "charge"),
        ("autumn-2026", "14/12/2026", "PST-2026-0001", "reimbursement"),
        ("spring-2027", "14/01/2027", "PST-2027-0001", "charge"),
        ("spring-2027", "14/01/2027", "PST-2027-0001", "reimbursement"),
        ("spring-2027", "20/01/2027", "PST-2027-0002", "charge"),
        ("spring-2027", "20/01/2027", "PST-2027-0002", "reimbursement"),
    ]


def test_ledger_json_in_pence(charged: Path) -> None:
    rows = json.loads(ledger("--config", str(charged), "--json", "--term", "autumn-2026"))

    assert rows == [
        {"term": "autumn-2026", "visit_date": "2026-12-14", "case_reference": "PST-2026-0001", "school": REQUESTING_SCHOOL,
         "entry_type": "charge", "half_days": 2, "rate_pence": 15000, "amount_pence": 30000},
        {"term": "autumn-2026", "visit_date": "2026-12-14", "case_reference": "PST-2026-0001", "school": PST_SCHOOL,
         "entry_type": "reimbursement", "half_days": 2, "rate_pence": 12000, "amount_pence": 24000},
    ]


def test_ledger_csv_and_json_exclusive(charged: Path) -> None:
    result = mailbot("ledger", "--config", str(charged), "--json", "--csv")

    assert result.exit_code == 2
    assert "--csv and --json cannot be used together" in result.output


def test_ledger_csv_empty_has_header(config: Path) -> None:
    output = ledger("--config", str(config), "--csv")

    assert list(csv.reader(io.StringIO(output))) == [CSV_HEADER]


def test_ledger_csv_formula_school_quoted(config: Path, database_url: str, rules: Rules) -> None:
    ledger("--config", str(config))
    engine = create_database_engine(database_url)
    with session_factory(engine).begin() as session:
        case, visit = add_case(session, SPRING_DAY, school="=HYPERLINK(\"http://example.invalid\")")
        record_charges(session, case, visit, rules, NOW)
    engine.dispose()

    rows = list(csv.reader(io.StringIO(ledger("--config", str(config), "--csv"))))

    assert rows[1][3] == "'=HYPERLINK(\"http://example.invalid\")"


def test_ledger_invalid_term_exit_2(config: Path) -> None:
    result = mailbot("ledger", "--config", str(config), "--term", "autum-2026")

    assert result.exit_code == 2
    assert "--term" in result.stderr
    assert "invalid term name 'autum-2026'" in result.stderr
    assert "such as autumn-2026" in result.stderr
    assert result.stdout == ""
