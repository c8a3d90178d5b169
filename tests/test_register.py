"""The PST register: reading and checking the CSV file, storing it, designation dates and `mailbot pst`."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from harness import mailbot, write_config
from servers import Account
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.register import (
    ACTIVE,
    EXPIRING,
    LAPSED,
    PstNotFound,
    RegisterError,
    designation_status,
    expiry_date,
    import_register,
    read_register_csv,
    redesignate,
)
from mailbot.resources import shipped_folder
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from mailbot.store.models import Pst
from mailbot.timings import Timings, load_timings

REGISTER = Path(__file__).parent / "data" / "pst-register.csv"
LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

HEADER = "name,email,school,headteacher_name,headteacher_email,phase,subjects,expertise,designated_on,max_visits_per_term"
GOOD_ROW = "Nadia Price,n.price@oakfield.example,Oakfield Primary,Ms Jo Hart,head@oakfield.example,primary,maths,questioning,14/09/2025,2"
SECOND_ROW = "Lewis Carr,l.carr@oakfield.example,Oakfield Primary,Ms Jo Hart,head@oakfield.example,primary,science,practical work,01/10/2025,1"


@pytest.fixture
def timings() -> Timings:
    return load_timings(shipped_folder("rules") / "timings.toml")


def write_csv(folder: Path, text: str, encoding: str = "utf-8", name: str = "register.csv") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def row_with(**cells: str) -> str:
    """Return GOOD_ROW with the named cells replaced, quoting each replaced cell for CSV."""
    columns = HEADER.split(",")
    values = dict(zip(columns, GOOD_ROW.split(",")))
    for name, value in cells.items():
        values[name] = '"' + value.replace('"', '""') + '"'
    return ",".join(values[column] for column in columns)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RegisterError) as caught:
        read_register_csv(path, today=TODAY)
    return caught.value.problems or [caught.value.summary]


# Reading the file


def test_fixture_register_read() -> None:
    records = read_register_csv(REGISTER, today=TODAY)

    assert len(records) == 6
    amira = records[0]
    assert amira.email == "a.haddad@brookfield-primary.example"
    assert amira.expertise == ("questioning", "mastery maths", "assessment for learning")
    assert amira.designated_on == date(2024, 9, 14)
    assert amira.max_visits_per_term == 3
    assert records[1].phase == "primary"
    assert records[2].subjects == ("maths", "science")
    tomasz = records[5]
    assert tomasz.phase == "all-through"
    assert tomasz.subjects == ()
    assert tomasz.headteacher_name is None


BAD_FILES = [
    pytest.param(
        "name,email,school,headteacher_name,headteacher_email,subjects,expertise,max_visits_per_term\n" + GOOD_ROW,
        ["row 1: missing column(s): phase, designated_on"],
        id="missing-columns",
    ),
    pytest.param(
        HEADER.replace("designated_on", "designated") + "\n" + GOOD_ROW,
        ["row 1: missing column(s): designated_on; columns not used by mailbot, perhaps misspelt: designated"],
        id="misspelt-column",
    ),
    pytest.param(
        HEADER + ",email\n" + GOOD_ROW + ",x@y.example",
        ["row 1: the column email appears twice, in columns 2 and 11"],
        id="duplicate-column",
    ),
    pytest.param(
        HEADER + "\n" + row_with(email="n.price at oakfield.example"),
        ["row 2: email 'n.price at oakfield.example' is not a valid email address"],
        id="email-without-at",
    ),
    pytest.param(
        HEADER + "\n" + row_with(email="Nadia Price <n.price@oakfield.example>"),
        ["row 2: email 'Nadia Price <n.price@oakfield.example>' is not a valid email address: it must be the address alone"],
        id="email-with-name",
    ),
    pytest.param(
        HEADER + "\n" + row_with(email="n.price@oakfield"),
        ["row 2: email 'n.price@oakfield' is not a valid email address: it has a domain"],
        id="email-without-dot-in-domain",
    ),
    pytest.param(
        HEADER + "\n" + row_with(headteacher_email="head@@oakfield.example"),
        ["row 2: headteacher_email 'head@@oakfield.example' is not a valid email address"],
        id="bad-headteacher-email",
    ),
    pytest.param(
        HEADER + "\n" + row_with(designated_on="31/02/2025"),
        ["row 2: designated_on '31/02/2025' is not a real date"],
        id="date-not-real",
    ),
    pytest.param(
        HEADER + "\n" + row_with(designated_on="2025-09-14"),
        ["row 2: designated_on '2025-09-14' is not a date written day first as DD/MM/YYYY"],
        id="date-iso",
    ),
    pytest.param(
        HEADER + "\n" + row_with(designated_on="14/09/25"),
        ["row 2: designated_on '14/09/25' is not a date written day first as DD/MM/YYYY"],
        id="date-two-digit-year",
    ),
    pytest.param(
        HEADER + "\n" + row_with(designated_on="02/03/2026"),
        ["row 2: designated_on 02/03/2026 is in the future"],
        id="date-in-future",
    ),
    pytest.param(
        HEADER + "\n" + row_with(designated_on=""),
        ["row 2: designated_on is empty"],
        id="date-empty",
    ),
    pytest.param(
        HEADER + "\n" + row_with(max_visits_per_term="0"),
        ["row 2: max_visits_per_term '0' is not a whole number of at least 1"],
        id="visits-zero",
    ),
    pytest.param(
        HEADER + "\n" + row_with(max_visits_per_term="-2"),
        ["row 2: max_visits_per_term '-2' is not a whole number of at least 1"],
        id="visits-negative",
    ),
    pytest.param(
        HEADER + "\n" + row_with(max_visits_per_term="2.5"),
        ["row 2: max_visits_per_term '2.5' is not a whole number of at least 1"],
        id="visits-fraction",
    ),
    pytest.param(
        HEADER + "\n" + row_with(max_visits_per_term="two"),
        ["row 2: max_visits_per_term 'two' is not a whole number of at least 1"],
        id="visits-words",
    ),
    pytest.param(
        HEADER + "\n" + row_with(phase="infant"),
        ["row 2: phase 'infant' is not one of primary, secondary, special, all-through"],
        id="phase-unknown",
    ),
    pytest.param(
        HEADER + "\n" + row_with(name="", school="", expertise=""),
        ["row 2: name is empty", "row 2: school is empty", "row 2: expertise is empty"],
        id="required-cells-empty",
    ),
    pytest.param(
        HEADER + "\n" + row_with(subjects="maths, science"),
        ["row 2: subjects 'maths, science' contains a comma; separate the items with ; instead"],
        id="list-with-commas",
    ),
    pytest.param(
        HEADER + "\n" + GOOD_ROW + "\n" + row_with(email="N.Price@Oakfield.example", name="Nadia Price again"),
        ["row 3: email n.price@oakfield.example is also on row 2; each PST must appear once"],
        id="duplicate-email",
    ),
    pytest.param(
        HEADER + "\n" + GOOD_ROW.replace("maths", "maths,science"),
        ["row 2: has 11 cells but the header has 10 columns"],
        id="unquoted-comma",
    ),
    pytest.param(
        HEADER + "\n" + ",".join(GOOD_ROW.split(",")[:8]),
        ["row 2: has 8 cells but the header has 10 columns"],
        id="short-row",
    ),
    pytest.param("", ["is empty; its first row must be the column names"], id="empty-file"),
    pytest.param("\n" + HEADER + "\n" + GOOD_ROW, ["has a blank first row; it must be the column names"], id="blank-first-row"),
    pytest.param(HEADER + "\n", ["has a header row but no PSTs under it"], id="header-only"),
    pytest.param(
        HEADER.replace(",", ";") + "\n" + GOOD_ROW.replace(",", ";"),
        ["separates its columns with semicolons, not commas"],
        id="semicolon-separated",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_bad_file_rejected(tmp_path: Path, text: str, expected: list[str]) -> None:
    problems = problems_of(write_csv(tmp_path, text))

    assert len(problems) == len(expected), problems
    for problem, expected_part in zip(problems, expected):
        assert expected_part in problem, problems


def test_every_problem_listed(tmp_path: Path) -> None:
    text = "\n".join(
        [
            HEADER,
            GOOD_ROW,
            row_with(email="n.carr@oakfield.example", phase="nursery", max_visits_per_term="0"),
            SECOND_ROW,
            row_with(email="bad-address", designated_on="30/02/2024"),
        ]
    )

    with pytest.raises(RegisterError) as caught:
        read_register_csv(write_csv(tmp_path, text), today=TODAY)

    assert caught.value.problems == [
        "row 3: phase 'nursery' is not one of primary, secondary, special, all-through",
        "row 3: max_visits_per_term '0' is not a whole number of at least 1",
        "row 5: email 'bad-address' is not a valid email address: it has no @ between a name and a domain",
        "row 5: designated_on '30/02/2024' is not a real date; dates are written day first, DD/MM/YYYY",
    ]
    assert str(caught.value).startswith(f"{tmp_path / 'register.csv'} has 4 problem(s):\n  row 3: ")


def test_utf8_with_bom_read(tmp_path: Path) -> None:
    text = HEADER + "\n" + row_with(name="Zoë Ellis-Brontë", school="Ysgol Gymraeg Pen-y-Bryn")
    path = write_csv(tmp_path, text, encoding="utf-8-sig")

    [record] = read_register_csv(path, today=TODAY)

    assert record.name == "Zoë Ellis-Brontë"
    assert record.school == "Ysgol Gymraeg Pen-y-Bryn"


def test_windows_1252_read(tmp_path: Path) -> None:
    text = HEADER + "\r\n" + row_with(name="Siobhán Ó Ceallaigh", school="St Mary’s C of E Primary") + "\r\n"
    path = write_csv(tmp_path, text, encoding="cp1252")

    [record] = read_register_csv(path, today=TODAY)

    assert record.name == "Siobhán Ó Ceallaigh"
    assert record.school == "St Mary’s C of E Primary"


def test_undecodable_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(HEADER.encode() + b"\n\x81\x8d\x8f\x90\x9d")

    problems = problems_of(path)

    assert "neither UTF-8 nor Windows-1252" in problems[0]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(b"\xff\xfe", "saved as UTF-16", id="utf-16"),
        pytest.param(b"PK\x03\x04", "is an Excel workbook", id="xlsx"),
    ],
)
def test_not_csv_rejected(tmp_path: Path, start: bytes, expected: str) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(start + b"rest of the file")

    problems = problems_of(path)

    assert expected in problems[0]
    assert "CSV UTF-8 (Comma delimited)" in problems[0]


def test_header_variants_accepted(tmp_path: Path) -> None:
    header = "Name, EMAIL ,School,Headteacher Name,headteacher-email,Phase,Subjects,Expertise,Designated On,Max Visits Per Term,Notes"
    text = "\n".join([header, GOOD_ROW + ",prefers mornings", ",,,,,,,,,,", SECOND_ROW + ","])

    records = read_register_csv(write_csv(tmp_path, text), today=TODAY)

    assert [record.email for record in records] == ["n.price@oakfield.example", "l.carr@oakfield.example"]


def test_cell_spelling_normalised(tmp_path: Path) -> None:
    row = row_with(
        name="  Nadia   Price ",
        phase="All Through",
        subjects="Maths;  maths ; ;science",
        designated_on="1/9/2025",
        email=" N.Price@Oakfield.EXAMPLE ",
    )

    [record] = read_register_csv(write_csv(tmp_path, HEADER + "\n" + row), today=TODAY)

    assert record.name == "Nadia Price"
    assert record.phase == "all-through"
    assert record.subjects == ("Maths", "science")
    assert record.designated_on == date(2025, 9, 1)
    assert record.email == "n.price@oakfield.example"


def test_designation_today_accepted(tmp_path: Path) -> None:
    text = HEADER + "\n" + row_with(designated_on="01/03/2026")

    [record] = read_register_csv(write_csv(tmp_path, text), today=TODAY)

    assert record.designated_on == TODAY


# Designation dates


def test_expiry_after_two_years(timings: Timings) -> None:
    [record] = [r for r in read_register_csv(REGISTER, today=TODAY) if r.name == "Amira Haddad"]

    assert expiry_date(record, timings) == date(2026, 9, 14)


def test_leap_day_expiry(timings: Timings) -> None:
    [helena] = [r for r in read_register_csv(REGISTER, today=TODAY) if r.name == "Helena Nowak"]
    four_years = replace(timings, designation_years=4)

    assert helena.designated_on == date(2024, 2, 29)
    assert expiry_date(helena, timings) == date(2026, 2, 28)
    assert expiry_date(helena, four_years) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2024, 9, 14), ACTIVE, id="designation-day"),
        pytest.param(date(2026, 6, 15), ACTIVE, id="91-days-before"),
        pytest.param(date(2026, 6, 16), EXPIRING, id="90-days-before"),
        pytest.param(date(2026, 8, 15), EXPIRING, id="30-days-before"),
        pytest.param(date(2026, 9, 13), EXPIRING, id="day-before-expiry"),
        pytest.param(date(2026, 9, 14), LAPSED, id="expiry-day"),
        pytest.param(date(2027, 1, 1), LAPSED, id="months-after"),
    ],
)
def test_status_edges(timings: Timings, today: date, expected: str) -> None:
    [amira] = [r for r in read_register_csv(REGISTER, today=TODAY) if r.name == "Amira Haddad"]

    assert designation_status(amira, today, timings) == expected


def test_status_leap_day_expiry(timings: Timings) -> None:
    [helena] = [r for r in read_register_csv(REGISTER, today=TODAY) if r.name == "Helena Nowak"]

    assert designation_status(helena, date(2026, 2, 27), timings) == EXPIRING
    assert designation_status(helena, date(2026, 2, 28), timings) == LAPSED


# Storing the register


def stored_psts(sessions: sessionmaker[Session]) -> dict[str, Pst]:
    with sessions() as session:
        return {pst.email: pst for pst in session.scalars(select(Pst))}


def test_import_adds_every_pst(sessions: sessionmaker[Session], timings: Timings) -> None:
    records = read_register_csv(REGISTER, today=TODAY)

    with sessions.begin() as session:
        report = import_register(session, records, NOW, timings, LONDON)

    assert (report.added, report.updated, report.unchanged) == (6, 0, 0)
    assert report.not_in_file == ()
    psts = stored_psts(sessions)
    assert len(psts) == 6
    amira = psts["a.haddad@brookfield-primary.example"]
    assert amira.subjects == ["maths"]
    assert amira.expertise == ["questioning", "mastery maths", "assessment for learning"]
    assert amira.created_at == NOW


def test_import_updates_by_email(tmp_path: Path, sessions: sessionmaker[Session], timings: Timings) -> None:
    with sessions.begin() as session:
        import_register(session, read_register_csv(REGISTER, today=TODAY), NOW, timings, LONDON)
    text = REGISTER.read_text(encoding="utf-8")
    changed = text.replace("A.Haddad@brookfield-primary.example", "a.haddad@BROOKFIELD-primary.example")
    changed = changed.replace("Isla Robertson,i.robertson@riverside-high.example,Riverside High School", "Isla Robertson,I.Robertson@riverside-high.example,Riverside Academy")
    later = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    with sessions.begin() as session:
        report = import_register(session, read_register_csv(write_csv(tmp_path, changed), today=TODAY), later, timings, LONDON)

    assert (report.added, report.updated, report.unchanged) == (0, 1, 5)
    psts = stored_psts(sessions)
    assert len(psts) == 6
    isla = psts["i.robertson@riverside-high.example"]
    assert isla.school == "Riverside Academy"
    assert isla.updated_at == later
    assert psts["a.haddad@brookfield-primary.example"].updated_at == NOW


def test_missing_pst_kept(tmp_path: Path, sessions: sessionmaker[Session], timings: Timings) -> None:
    with sessions.begin() as session:
        import_register(session, read_register_csv(REGISTER, today=TODAY), NOW, timings, LONDON)
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    without_ciaran = "\n".join(line for line in lines if "Ciaran" not in line)

    with sessions.begin() as session:
        report = import_register(session, read_register_csv(write_csv(tmp_path, without_ciaran), today=TODAY), NOW, timings, LONDON)

    assert (report.added, report.updated, report.unchanged) == (0, 0, 5)
    assert [(entry.name, entry.email) for entry in report.not_in_file] == [("Ciaran Doyle", "c.doyle@brookfield-primary.example")]
    assert "c.doyle@brookfield-primary.example" in stored_psts(sessions)


def test_import_keeps_later_designation(sessions: sessionmaker[Session], timings: Timings) -> None:
    records = read_register_csv(REGISTER, today=TODAY)
    with sessions.begin() as session:
        import_register(session, records, NOW, timings, LONDON)
        redesignate(session, "k.boateng@riverside-high.example", date(2026, 1, 5), NOW, timings, LONDON, actor="lead@star-tsa.example")

    with sessions.begin() as session:
        report = import_register(session, records, NOW, timings, LONDON)

    assert [entry.email for entry in report.kept_later_date] == ["k.boateng@riverside-high.example"]
    assert (report.added, report.updated, report.unchanged) == (0, 0, 6)
    assert stored_psts(sessions)["k.boateng@riverside-high.example"].designated_on == date(2026, 1, 5)


def test_redesignate_sets_date(sessions: sessionmaker[Session], timings: Timings) -> None:
    with sessions.begin() as session:
        import_register(session, read_register_csv(REGISTER, today=TODAY), NOW, timings, LONDON)

    with sessions.begin() as session:
        pst = redesignate(session, "K.Boateng@Riverside-High.example", date(2026, 3, 1), NOW, timings, LONDON, actor="lead@star-tsa.example")
        assert pst.email == "k.boateng@riverside-high.example"

    kwame = stored_psts(sessions)["k.boateng@riverside-high.example"]
    assert kwame.designated_on == date(2026, 3, 1)
    assert designation_status(kwame, TODAY, timings) == ACTIVE


def test_redesignate_unknown_pst(sessions: sessionmaker[Session], timings: Timings) -> None:
    with sessions.begin() as session, pytest.raises(PstNotFound, match="no PST on the register has the email address nobody@school.example"):
        redesignate(session, "nobody@school.example", date(2026, 1, 5), NOW, timings, LONDON, actor="cli")


def test_redesignate_future_date(sessions: sessionmaker[Session], timings: Timings) -> None:
    with sessions.begin() as session:
        import_register(session, read_register_csv(REGISTER, today=TODAY), NOW, timings, LONDON)

    with sessions.begin() as session, pytest.raises(RegisterError, match="02/03/2026 for k.boateng@riverside-high.example is in the future"):
        redesignate(session, "k.boateng@riverside-high.example", date(2026, 3, 2), NOW, timings, LONDON, actor="cli")

    assert stored_psts(sessions)["k.boateng@riverside-high.example"].designated_on == date(2023, 12, 5)


# The command line


@pytest.fixture
def config(tmp_path: Path, store_url: str) -> Path:
    # The pst commands never connect to the mailbox or the SMTP server, so these ports are never used.
    account = Account(host="127.0.0.1", port=1143, username="bot", password="unused", server="none")
    return write_config(tmp_path, account, Account("127.0.0.1", 1025, "", "", "none"), store_url)


def count_psts(store_url: str) -> int:
    engine = create_database_engine(store_url)
    try:
        upgrade_schema(engine)
        with session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Pst)) or 0
    finally:
        engine.dispose()


def test_cli_import_reports_counts(config: Path, tmp_path: Path) -> None:
    first = mailbot("pst", "import", str(REGISTER), "--config", str(config))
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    shorter = write_csv(tmp_path, "\n".join(line for line in lines if "Tomasz" not in line), name="shorter.csv")
    second = mailbot("pst", "import", str(shorter), "--config", str(config))

    assert first.exit_code == 0, first.output
    assert first.output.startswith("Imported pst-register.csv: 6 added, 0 updated, 0 unchanged;")
    assert second.exit_code == 0, second.output
    assert second.output.startswith("Imported shorter.csv: 0 added, 0 updated, 5 unchanged; 0 designation notice(s) scheduled.")
    assert "Not in this file, kept on the register (1):\n  Tomasz Zielinski <t.zielinski@elmwood-academy.example>" in second.output


def test_cli_bad_file_imports_nothing(config: Path, tmp_path: Path, store_url: str) -> None:
    text = "\n".join([HEADER, GOOD_ROW, row_with(email="n.carr@oakfield.example", phase="infant"), row_with(email="x@y.example", designated_on="31/02/2025")])
    path = write_csv(tmp_path, text)

    result = mailbot("pst", "import", str(path), "--config", str(config))

    assert result.exit_code == 1
    assert "has 2 problem(s):" in result.output
    assert "row 3: phase 'infant' is not one of primary, secondary, special, all-through" in result.output
    assert "row 4: designated_on '31/02/2025' is not a real date" in result.output
    assert "Nothing was imported" in result.output
    assert count_psts(store_url) == 0


def test_cli_list_table(config: Path) -> None:
    mailbot("pst", "import", str(REGISTER), "--config", str(config))

    result = mailbot("pst", "list", "--config", str(config))

    assert result.exit_code == 0, result.output
    header, *rows = result.output.strip().splitlines()
    assert header.split() == ["NAME", "EMAIL", "SCHOOL", "PHASE", "DESIGNATED", "EXPIRES", "STATUS"]
    assert len(rows) == 6
    [helena] = [re.split(r"\s{2,}", row) for row in rows if row.startswith("Helena Nowak")]
    assert helena == ["Helena Nowak", "h.nowak@st-bedes-rc.example", "St Bede's RC Primary", "primary", "29/02/2024", "28/02/2026", LAPSED]


def test_cli_list_json(config: Path) -> None:
    mailbot("pst", "import", str(REGISTER), "--config", str(config))
    today = datetime.now(LONDON).date()

    result = mailbot("pst", "list", "--config", str(config), "--json")

    assert result.exit_code == 0, result.output
    documents = {document["email"]: document for document in json.loads(result.stdout)}
    tomasz = documents["t.zielinski@elmwood-academy.example"]
    assert tomasz["designated_on"] == "2025-06-30"
    assert tomasz["expires_on"] == "2027-06-30"
    assert tomasz["phase"] == "all-through"
    assert tomasz["headteacher_name"] is None
    if today < date(2027, 4, 1):
        expected_status = ACTIVE
    elif today < date(2027, 6, 30):
        expected_status = EXPIRING
    else:
        expected_status = LAPSED
    assert tomasz["status"] == expected_status
    assert documents["k.boateng@riverside-high.example"]["status"] == LAPSED


def test_cli_list_empty(config: Path) -> None:
    result = mailbot("pst", "list", "--config", str(config))

    assert result.exit_code == 0
    assert result.output.strip() == "No PSTs yet; add them with `mailbot pst import FILE`."


def test_cli_redesignate(config: Path) -> None:
    mailbot("pst", "import", str(REGISTER), "--config", str(config))

    result = mailbot("pst", "redesignate", "K.Boateng@riverside-high.example", "05/01/2026", "--config", str(config))
    listing = mailbot("pst", "list", "--config", str(config), "--json")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Re-designated Kwame Boateng <k.boateng@riverside-high.example> on 05/01/2026 (previously 05/12/2023); "
        "the designation now ends on 05/01/2028."
    )
    assert "Notices fall due on 07/10/2027, 06/12/2027, 05/01/2028." in result.output
    [kwame] = [document for document in json.loads(listing.stdout) if document["name"] == "Kwame Boateng"]
    assert kwame["designated_on"] == "2026-01-05"


@pytest.mark.parametrize(
    ("email", "day", "expected"),
    [
        pytest.param("nobody@school.example", "05/01/2026", "no PST on the register has the email address nobody@school.example", id="unknown"),
        pytest.param("k.boateng@riverside-high.example", "01/01/2099", "is in the future", id="future"),
        pytest.param("k.boateng@riverside-high.example", "2026-01-05", "is not a date written day first as DD/MM/YYYY", id="bad-date"),
    ],
)
def test_cli_redesignate_rejected(config: Path, email: str, day: str, expected: str) -> None:
    mailbot("pst", "import", str(REGISTER), "--config", str(config))

    result = mailbot("pst", "redesignate", email, day, "--config", str(config))

    assert result.exit_code != 0
    assert expected in result.output
