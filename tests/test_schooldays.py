"""School days and terms: weekends, bank holidays in England, closures from the rules file, and terms."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from mailbot.errors import RulesError
from mailbot.resources import shipped_folder
from mailbot.schooldays import CALENDAR_FILE, Closure, SchoolCalendar, Term, load_calendar

# Weekends and bank holidays only, so each case shows the bank holiday rules alone.
PLAIN = SchoolCalendar()

THREE_TERMS = """
[[terms]]
name = "autumn-2026"
from = "01/09/2026"
to = "18/12/2026"

[[terms]]
name = "spring-2027"
from = "04/01/2027"
to = "25/03/2027"

[[terms]]
name = "summer-2027"
from = "12/04/2027"
to = "21/07/2027"
"""


@pytest.fixture
def shipped() -> SchoolCalendar:
    return load_calendar(shipped_folder("rules") / CALENDAR_FILE)


def write_rules(folder: Path, text: str) -> Path:
    path = folder / CALENDAR_FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_weekend_is_skipped() -> None:
    friday = date(2026, 10, 16)

    assert PLAIN.is_school_day(date(2026, 10, 17)) is False
    assert PLAIN.is_school_day(date(2026, 10, 18)) is False
    assert PLAIN.add_school_days(friday, 1) == date(2026, 10, 19)
    assert PLAIN.add_school_days(friday, 3) == date(2026, 10, 21)
    assert PLAIN.add_school_days(date(2026, 10, 17), 1) == date(2026, 10, 19)


def test_spring_bank_holiday_is_skipped() -> None:
    # The Spring bank holiday is the last Monday in May: 25/05/2026 and 31/05/2027.
    assert PLAIN.is_school_day(date(2026, 5, 25)) is False
    assert PLAIN.is_school_day(date(2027, 5, 31)) is False
    assert PLAIN.add_school_days(date(2027, 5, 28), 1) == date(2027, 6, 1)
    assert PLAIN.add_school_days(date(2027, 5, 27), 3) == date(2027, 6, 2)


def test_easter_2027_is_skipped() -> None:
    good_friday = date(2027, 3, 26)
    easter_monday = date(2027, 3, 29)

    assert PLAIN.is_school_day(good_friday) is False
    assert PLAIN.is_school_day(easter_monday) is False
    assert PLAIN.is_school_day(date(2027, 3, 25)) is True
    assert PLAIN.add_school_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert PLAIN.add_school_days(date(2027, 3, 30), -1) == date(2027, 3, 25)


def test_christmas_2026_substitute_day() -> None:
    # Christmas Day 2026 is a Friday and Boxing Day a Saturday, so Monday 28/12 is the substitute day.
    assert PLAIN.is_school_day(date(2026, 12, 25)) is False
    assert PLAIN.is_school_day(date(2026, 12, 28)) is False
    assert PLAIN.is_school_day(date(2026, 12, 29)) is True
    assert PLAIN.add_school_days(date(2026, 12, 24), 1) == date(2026, 12, 29)

    # New Year's Day 2027 is a Friday.
    assert PLAIN.add_school_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_one_off_bank_holidays() -> None:
    # The state funeral of Queen Elizabeth II and the coronation of King Charles III.
    assert PLAIN.is_school_day(date(2022, 9, 19)) is False
    assert PLAIN.is_school_day(date(2023, 5, 8)) is False
    assert PLAIN.is_school_day(date(2023, 5, 9)) is True


def test_shipped_closures_are_skipped(shipped: SchoolCalendar) -> None:
    # The shipped Christmas holidays run 21/12/2026 to 01/01/2027, then 04/01/2027 is an INSET day.
    assert shipped.is_school_day(date(2026, 12, 21)) is False
    assert shipped.is_school_day(date(2026, 12, 30)) is False
    assert shipped.is_school_day(date(2027, 1, 4)) is False
    assert shipped.add_school_days(date(2026, 12, 18), 1) == date(2027, 1, 5)

    # October half term is 26/10/2026 to 30/10/2026.
    assert shipped.add_school_days(date(2026, 10, 23), 1) == date(2026, 11, 2)
    assert PLAIN.add_school_days(date(2026, 10, 23), 1) == date(2026, 10, 26)


def test_closure_range_from_rules_file(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        """
        closures = [
            "12/10/2026",
            { from = "14/10/2026", to = "16/10/2026", reason = "Trust training days" },
            { from = "20/10/2026", reason = "INSET day" },
        ]
        """,
    )

    calendar = load_calendar(path)

    assert calendar.closures == (
        Closure(date(2026, 10, 12), date(2026, 10, 12)),
        Closure(date(2026, 10, 14), date(2026, 10, 16), "Trust training days"),
        Closure(date(2026, 10, 20), date(2026, 10, 20), "INSET day"),
    )
    assert calendar.add_school_days(date(2026, 10, 9), 1) == date(2026, 10, 13)
    assert calendar.add_school_days(date(2026, 10, 13), 1) == date(2026, 10, 19)
    assert calendar.add_school_days(date(2026, 10, 13), 2) == date(2026, 10, 21)
    assert calendar.school_days_between(date(2026, 10, 9), date(2026, 10, 23)) == 5


def test_negative_counts_move_back() -> None:
    monday_visit = date(2026, 10, 12)

    assert PLAIN.add_school_days(monday_visit, -5) == date(2026, 10, 5)
    assert PLAIN.add_school_days(monday_visit, -2) == date(2026, 10, 8)
    assert PLAIN.add_school_days(monday_visit, -1) == date(2026, 10, 9)

    # Across Easter 2027: the visit is on Thursday 01/04/2027.
    assert PLAIN.add_school_days(date(2027, 4, 1), -3) == date(2027, 3, 25)
    assert PLAIN.add_school_days(date(2027, 4, 1), -5) == date(2027, 3, 23)


def test_negative_counts_skip_half_term(shipped: SchoolCalendar) -> None:
    # A visit on Monday 02/11/2026, straight after October half term.
    visit = date(2026, 11, 2)

    assert shipped.add_school_days(visit, -1) == date(2026, 10, 23)
    assert shipped.add_school_days(visit, -2) == date(2026, 10, 22)
    assert shipped.add_school_days(visit, -5) == date(2026, 10, 19)


def test_zero_count() -> None:
    assert PLAIN.add_school_days(date(2026, 10, 14), 0) == date(2026, 10, 14)

    with pytest.raises(ValueError, match="17/10/2026 is not a school day"):
        PLAIN.add_school_days(date(2026, 10, 17), 0)


def test_next_and_previous_school_day() -> None:
    assert PLAIN.next_school_day(date(2026, 10, 14)) == date(2026, 10, 15)
    assert PLAIN.next_school_day(date(2026, 10, 16)) == date(2026, 10, 19)
    assert PLAIN.next_school_day(date(2026, 10, 17)) == date(2026, 10, 19)
    assert PLAIN.next_school_day(date(2026, 12, 24)) == date(2026, 12, 29)

    assert PLAIN.previous_school_day(date(2026, 10, 15)) == date(2026, 10, 14)
    assert PLAIN.previous_school_day(date(2026, 10, 19)) == date(2026, 10, 16)
    assert PLAIN.previous_school_day(date(2026, 12, 29)) == date(2026, 12, 24)
    assert PLAIN.previous_school_day(date(2027, 1, 4)) == date(2026, 12, 31)


def test_no_school_day_within_a_year() -> None:
    closed = SchoolCalendar([Closure(date(2026, 9, 1), date(2028, 8, 31))])

    with pytest.raises(ValueError, match="no school day in the 366 days after 01/09/2026"):
        closed.next_school_day(date(2026, 9, 1))


def test_school_days_between() -> None:
    assert PLAIN.school_days_between(date(2026, 10, 16), date(2026, 10, 19)) == 1
    assert PLAIN.school_days_between(date(2026, 10, 12), date(2026, 10, 19)) == 5
    assert PLAIN.school_days_between(date(2026, 10, 12), date(2026, 10, 12)) == 0
    assert PLAIN.school_days_between(date(2026, 10, 17), date(2026, 10, 18)) == 0
    assert PLAIN.school_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4
    assert PLAIN.school_days_between(date(2026, 10, 19), date(2026, 10, 12)) == -5


@pytest.mark.parametrize(
    ("start", "count"),
    [
        (date(2026, 10, 16), 1),
        (date(2026, 10, 17), 1),
        (date(2026, 12, 24), 3),
        (date(2027, 3, 25), 4),
        (date(2026, 10, 12), -5),
        (date(2026, 10, 18), -1),
        (date(2027, 4, 6), -6),
    ],
)
def test_between_inverts_add(start: date, count: int) -> None:
    end = PLAIN.add_school_days(start, count)

    assert PLAIN.school_days_between(start, end) == count


def test_datetime_is_rejected() -> None:
    with pytest.raises(TypeError, match="Europe/London"):
        PLAIN.is_school_day(datetime(2026, 12, 25, 9, 0))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 9, 1), "autumn-2026"),
        (date(2026, 12, 31), "autumn-2026"),
        (date(2027, 1, 1), "spring-2027"),
        (date(2027, 3, 26), "spring-2027"),
        (date(2027, 3, 28), "spring-2027"),
        (date(2027, 3, 29), "summer-2027"),
        (date(2027, 8, 31), "summer-2027"),
        (date(2027, 9, 1), "autumn-2027"),
        (date(2026, 4, 5), "spring-2026"),
        (date(2026, 4, 6), "summer-2026"),
    ],
)
def test_term_of_default_terms(day: date, name: str) -> None:
    assert PLAIN.term_of(day).name == name


def test_default_term_dates() -> None:
    assert PLAIN.term_named("autumn-2026") == Term("autumn-2026", date(2026, 9, 1), date(2026, 12, 31))
    assert PLAIN.term_named("spring-2027") == Term("spring-2027", date(2027, 1, 1), date(2027, 3, 28))
    assert PLAIN.term_named("summer-2027") == Term("summer-2027", date(2027, 3, 29), date(2027, 8, 31))


def test_explicit_terms_override(tmp_path: Path) -> None:
    calendar = load_calendar(write_rules(tmp_path, THREE_TERMS))
    autumn = Term("autumn-2026", date(2026, 9, 1), date(2026, 12, 18))
    spring = Term("spring-2027", date(2027, 1, 4), date(2027, 3, 25))
    summer = Term("summer-2027", date(2027, 4, 12), date(2027, 7, 21))

    assert calendar.term_of(date(2026, 12, 18)) == autumn
    assert calendar.term_of(date(2027, 1, 4)) == spring
    assert calendar.term_of(date(2027, 4, 12)) == summer
    assert calendar.term_named("spring-2027") == spring


def test_days_between_explicit_terms(tmp_path: Path) -> None:
    calendar = load_calendar(write_rules(tmp_path, THREE_TERMS))

    # Holidays count towards the term of their season, up to Easter Sunday for spring.
    assert calendar.term_of(date(2026, 12, 25)).name == "autumn-2026"
    assert calendar.term_of(date(2027, 1, 2)).last_day == date(2027, 3, 25)
    assert calendar.term_of(date(2027, 3, 28)).name == "spring-2027"
    assert calendar.term_of(date(2027, 3, 29)).first_day == date(2027, 4, 12)
    assert calendar.term_of(date(2027, 8, 1)).name == "summer-2027"

    # A term the rules do not set keeps its default dates.
    assert calendar.term_of(date(2027, 9, 1)) == Term("autumn-2027", date(2027, 9, 1), date(2027, 12, 31))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("autumn-2026", "autumn-2026"),
        ("spring-2027", "spring-2027"),
        ("summer-2027", "summer-2027"),
        (" Summer-2027 ", "summer-2027"),
    ],
)
def test_term_named_parses(text: str, name: str) -> None:
    assert PLAIN.term_named(text).name == name


@pytest.mark.parametrize("text", ["winter-2026", "autumn 2026", "autumn-26", "autumn-2026-27", "2026", ""])
def test_term_named_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="expected autumn-YYYY, spring-YYYY or summer-YYYY"):
        PLAIN.term_named(text)


def test_shipped_rules_file(shipped: SchoolCalendar) -> None:
    assert len(shipped.closures) == 10
    assert shipped.terms == ()
    assert Closure(date(2027, 3, 29), date(2027, 4, 9), "Easter holidays") in shipped.closures


def test_empty_rules_file(tmp_path: Path) -> None:
    calendar = load_calendar(write_rules(tmp_path, "# nothing yet\n"))

    assert calendar.closures == ()
    assert calendar.terms == ()
    assert calendar.is_school_day(date(2026, 10, 14)) is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('closures = ["2026-12-21"]', r"closures entry 1: '2026-12-21' is not a DD/MM/YYYY date"),
        ('closures = ["21/12/26"]', r"closures entry 1: '21/12/26' is not a DD/MM/YYYY date"),
        ('closures = ["12/21/2026"]', r"closures entry 1: '12/21/2026' is not a valid date; dates are DD/MM/YYYY"),
        ('closures = ["01/09/2026", "31/02/2027"]', r"closures entry 2: '31/02/2027' is not a valid date"),
        ("closures = [2026-12-21]", r'write the date 2026-12-21 as "21/12/2026", DD/MM/YYYY in quotes'),
        ("closures = [20261221]", r"closures entry 1 \(20261221\) must be a date in quotes"),
        ('closures = "21/12/2026"', r"closures must be a list in square brackets"),
        (
            'closures = [{ from = "01/01/2027", to = "21/12/2026", reason = "Christmas" }]',
            r'closures entry 1 \(Christmas\): to = "21/12/2026" is before from = "01/01/2027"',
        ),
        (
            'closures = [{ from = "21/12/2026", to = "2027-01-01" }]',
            r"closures entry 1, to: '2027-01-01' is not a DD/MM/YYYY date",
        ),
        (
            'closures = [{ from = "21/12/2026", until = "01/01/2027" }]',
            r"closures entry 1: unknown key\(s\) until; the allowed keys are from, reason, to",
        ),
        ('closures = [{ to = "01/01/2027" }]', r"closures entry 1: missing from"),
        ('closures = [{ from = "21/12/2026", reason = 5 }]', r"reason must be text in quotes"),
        ('closure = ["21/12/2026"]', r"unknown key\(s\) closure; the allowed keys are closures, terms"),
        ('[[term]]\nname = "autumn-2026"', r"unknown key\(s\) term; the allowed keys are closures, terms"),
        (
            '[[terms]]\nname = "autumn-2026"\nfrom = "01/09/2026"\nto = "18/12/2026"\nreason = "x"',
            r"\[\[terms\]\] table 1: unknown key\(s\) reason; the allowed keys are from, name, to",
        ),
        ('[[terms]]\nname = "autumn-2026"\nfrom = "01/09/2026"', r"\[\[terms\]\] table 1: missing to"),
        (
            '[[terms]]\nname = "winter-2026"\nfrom = "01/09/2026"\nto = "18/12/2026"',
            r"\[\[terms\]\] table 1: invalid term name 'winter-2026'",
        ),
        (
            '[[terms]]\nname = "autumn-2026"\nfrom = "18/12/2026"\nto = "01/09/2026"',
            r'\[\[terms\]\] table 1 \(autumn-2026\): to = "01/09/2026" is before from = "18/12/2026"',
        ),
        (
            '[[terms]]\nname = "autumn-2026"\nfrom = "01/09/2027"\nto = "17/12/2027"',
            r"term autumn-2026 \(01/09/2027 to 17/12/2027\) has no day in common with the usual autumn-2026",
        ),
        (
            '[[terms]]\nname = "autumn-2026"\nfrom = "01/09/2026"\nto = "18/12/2026"\n'
            '[[terms]]\nname = "spring-2027"\nfrom = "18/12/2026"\nto = "25/03/2027"',
            r"terms autumn-2026 \(01/09/2026 to 18/12/2026\) and spring-2027 \(18/12/2026 to 25/03/2027\) overlap",
        ),
        (
            '[[terms]]\nname = "autumn-2026"\nfrom = "01/09/2026"\nto = "30/10/2026"\n'
            '[[terms]]\nname = "autumn-2026"\nfrom = "02/11/2026"\nto = "18/12/2026"',
            r"term autumn-2026 appears twice",
        ),
        ("terms = 3", r"terms must be \[\[terms\]\] tables, each with name, from and to"),
        ("closures = [", r"is not valid TOML"),
    ],
)
def test_malformed_rules_file(tmp_path: Path, text: str, message: str) -> None:
    path = write_rules(tmp_path, text)

    with pytest.raises(RulesError, match=message) as caught:
        load_calendar(path)

    assert str(path) in str(caught.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    path = tmp_path / CALENDAR_FILE

    with pytest.raises(RulesError, match="calendar rules file not found") as caught:
        load_calendar(path)

    assert str(path) in str(caught.value)


def test_constructor_rejects_reversed_closure() -> None:
    with pytest.raises(ValueError, match="closure 01/01/2027 to 21/12/2026 ends before it starts"):
        SchoolCalendar([Closure(date(2027, 1, 1), date(2026, 12, 21))])
