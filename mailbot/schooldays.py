"""School days and school terms in England, for reminders and per-term charges.

A school day is a weekday that is neither a bank holiday in England nor a
closure listed in rules/calendar.toml. Dates are plain ``datetime.date``
values: callers convert aware datetimes to Europe/London first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import holidays
from dateutil.easter import easter

from mailbot.errors import RulesError
from mailbot.tomlfile import check_keys, read_toml

CALENDAR_FILE = "calendar.toml"

DATE_FORMAT = "%d/%m/%Y"
DATE_EXAMPLE = '"21/12/2026"'

# The longest closure, the summer holidays, is about six weeks, so a year with
# no school day means the closures are wrong.
MAX_DAYS_WITHOUT_SCHOOL = 366

ONE_DAY = timedelta(days=1)

_TERM_NAME = re.compile(r"(autumn|spring|summer)-([1-9][0-9]{3})")
_DATE_TEXT = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")


@dataclass(frozen=True)
class Term:
    """A school term, such as "autumn-2026", from its first to its last day inclusive."""

    name: str
    first_day: date
    last_day: date

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Closure:
    """Days from first_day to last_day inclusive when schools are closed, such as a half term."""

    first_day: date
    last_day: date
    reason: str = ""


@functools.lru_cache(maxsize=64)
def bank_holidays_in_england(year: int) -> frozenset[date]:
    """Return England's bank holidays in ``year``, with substitute days and one-off holidays."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def parse_term_name(name: str) -> tuple[str, int]:
    """Split a term name such as "autumn-2026" into its season and year, or raise ValueError."""
    match = _TERM_NAME.fullmatch(name.strip().lower())
    if match is None:
        raise ValueError(
            f"invalid term name {name!r}: expected autumn-YYYY, spring-YYYY or summer-YYYY, "
            "such as autumn-2026, where YYYY is the year the term starts in"
        )
    return match.group(1), int(match.group(2))


def default_term(season: str, year: int) -> Term:
    """Return the term used when the rules set none: autumn from 1 September to 31 December,
    spring from 1 January to Easter Sunday, summer from Easter Monday to 31 August."""
    name = f"{season}-{year}"
    easter_sunday = easter(year)

    if season == "autumn":
        return Term(name, date(year, 9, 1), date(year, 12, 31))
    if season == "spring":
        return Term(name, date(year, 1, 1), easter_sunday)
    if season == "summer":
        return Term(name, easter_sunday + ONE_DAY, date(year, 8, 31))
    raise ValueError(f"invalid season {season!r}: expected autumn, spring or summer")


def _default_term_name(day: date) -> str:
    if day.month >= 9:
        return f"autumn-{day.year}"
    if day <= easter(day.year):
        return f"spring-{day.year}"
    return f"summer-{day.year}"


def _days(first_day: date, last_day: date) -> Iterator[date]:
    day = first_day
    while day <= last_day:
        yield day
        day += ONE_DAY


class SchoolCalendar:
    """The school days and school terms in England, given the alliance's closures and any terms it sets.

    Terms that are not given take their dates from ``default_term``.
    """

    def __init__(self, closures: Iterable[Closure] = (), terms: Iterable[Term] = ()) -> None:
        """Raise ValueError for a closure or term that ends before it starts, or for invalid terms."""
        self.closures = tuple(closures)
        self.terms = tuple(sorted(terms, key=lambda term: term.first_day))

        for closure in self.closures:
            if closure.last_day < closure.first_day:
                raise ValueError(f"closure {_format_range(closure.first_day, closure.last_day)} ends before it starts")
        _check_terms(self.terms)

        self._closed_days = frozenset(
            day for closure in self.closures for day in _days(closure.first_day, closure.last_day)
        )
        self._terms_by_name = {term.name: term for term in self.terms}

    def is_school_day(self, day: date) -> bool:
        # A datetime never equals a date, so it would slip past the bank holidays and closures.
        if isinstance(day, datetime):
            raise TypeError(f"expected a date, got the datetime {day!r}; convert it to a Europe/London date first")

        if day.weekday() >= 5:
            return False
        if day in self._closed_days:
            return False
        return day not in bank_holidays_in_england(day.year)

    def closed_because(self, day: date) -> str | None:
        """Return why ``day`` is not a school day, such as "a Saturday" or "a bank holiday (Early May Bank Holiday)"; None for a school day."""
        if day.weekday() >= 5:
            return f"a {day.strftime('%A')}"
        holiday = holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)
        if holiday:
            return f"a bank holiday ({holiday})"
        for closure in self.closures:
            if closure.first_day <= day <= closure.last_day:
                return f"a closure in rules/calendar.toml ({closure.reason})" if closure.reason else "a closure in rules/calendar.toml"
        return None

    def next_school_day(self, day: date) -> date:
        """Return the first school day after ``day``."""
        return self._find_school_day(day, ONE_DAY)

    def previous_school_day(self, day: date) -> date:
        """Return the last school day before ``day``."""
        return self._find_school_day(day, -ONE_DAY)

    def _find_school_day(self, day: date, step: timedelta) -> date:
        candidate = day
        for _ in range(MAX_DAYS_WITHOUT_SCHOOL):
            candidate += step
            if self.is_school_day(candidate):
                return candidate

        direction = "after" if step > timedelta(0) else "before"
        raise ValueError(
            f"no school day in the {MAX_DAYS_WITHOUT_SCHOOL} days {direction} {day:{DATE_FORMAT}}; "
            f"check the closures in {CALENDAR_FILE}"
        )

    def add_school_days(self, day: date, count: int) -> date:
        """Move ``count`` school days on from ``day``, or back when ``count`` is negative.

        Counting starts at the next (or previous) school day, so one school day
        after a Friday is the Monday when that Monday is a school day, and 5
        school days before a Monday visit is the Monday a week earlier. A count
        of 0 returns ``day`` itself and raises ValueError unless it is a school day.
        """
        if count == 0:
            if not self.is_school_day(day):
                raise ValueError(f"{day:{DATE_FORMAT}} is not a school day, so it is not 0 school days from itself")
            return day

        step = self.next_school_day if count > 0 else self.previous_school_day
        result = day
        for _ in range(abs(count)):
            result = step(result)
        return result

    def school_days_between(self, start: date, end: date) -> int:
        """Count the school days after ``start`` up to and including ``end``.

        When ``end`` is before ``start``, return minus the school days from
        ``end`` up to but not including ``start``. Either way, if
        ``add_school_days(start, n)`` is ``end`` then this returns ``n``.
        """
        if end < start:
            return -sum(1 for day in _days(end, start - ONE_DAY) if self.is_school_day(day))
        return sum(1 for day in _days(start + ONE_DAY, end) if self.is_school_day(day))

    def term_of(self, day: date) -> Term:
        """Return the term that ``day`` falls in.

        A day outside every term the rules set, such as a day in the Christmas
        holidays, belongs to the term whose default dates contain it. If the
        rules set a term of that name, that term is returned even though it
        does not contain the day, so the holidays count towards a named term.
        """
        for term in self.terms:
            if day in term:
                return term
        return self.term_named(_default_term_name(day))

    def term_named(self, name: str) -> Term:
        """Return the term called ``name``, such as "spring-2027", or raise ValueError for an invalid name.

        NOTE: a default term is not shortened where a term from the rules
        overlaps it, so set all three terms of a school year or none.
        """
        season, year = parse_term_name(name)
        canonical_name = f"{season}-{year}"

        term = self._terms_by_name.get(canonical_name)
        if term is not None:
            return term
        return default_term(season, year)


def _check_terms(terms: tuple[Term, ...]) -> None:
    """Raise ValueError for an invalid term, a name used twice, or terms that overlap.

    ``terms`` must be sorted by first day.
    """
    seen_names: set[str] = set()
    for term in terms:
        _check_term(term)
        if term.name in seen_names:
            raise ValueError(f"term {term.name} appears twice; keep one [[terms]] table for it")
        seen_names.add(term.name)

    for earlier, later in zip(terms, terms[1:]):
        if later.first_day <= earlier.last_day:
            raise ValueError(
                f"terms {earlier.name} ({_format_range(earlier.first_day, earlier.last_day)}) and "
                f"{later.name} ({_format_range(later.first_day, later.last_day)}) overlap"
            )


def _check_term(term: Term) -> None:
    season, year = parse_term_name(term.name)
    if term.name != f"{season}-{year}":
        raise ValueError(f"term name {term.name!r} must be written like {season}-{year}")

    if term.last_day < term.first_day:
        raise ValueError(f"term {term.name} ({_format_range(term.first_day, term.last_day)}) ends before it starts")

    # A term with no day in common with its default is almost surely a typo in its name or its dates.
    usual = default_term(season, year)
    if term.last_day < usual.first_day or term.first_day > usual.last_day:
        raise ValueError(
            f"term {term.name} ({_format_range(term.first_day, term.last_day)}) has no day in common with "
            f"the usual {term.name} ({_format_range(usual.first_day, usual.last_day)}); check its name and dates"
        )


def _format_range(first_day: date, last_day: date) -> str:
    return f"{first_day:{DATE_FORMAT}} to {last_day:{DATE_FORMAT}}"


def load_calendar(path: Path) -> SchoolCalendar:
    """Read the closures and terms in the calendar rules file at ``path``.

    Raise RulesError naming the file and the entry at fault for invalid TOML,
    unknown keys, dates not written as DD/MM/YYYY, ranges that end before they
    start, and terms that overlap.
    """
    data = read_toml(path, "calendar rules file", RulesError)
    check_keys(data, required=set(), optional={"closures", "terms"}, where=str(path))

    closures = _read_closures(path, data.get("closures", []))
    terms = _read_terms(path, data.get("terms", []))

    try:
        return SchoolCalendar(closures, terms)
    except ValueError as exc:
        raise RulesError(f"{path}: {exc}") from exc


def _read_closures(path: Path, entries: Any) -> list[Closure]:
    if not isinstance(entries, list):
        raise RulesError(f"{path}: closures must be a list in square brackets, such as closures = [{DATE_EXAMPLE}]")
    return [_read_closure(path, index, entry) for index, entry in enumerate(entries, start=1)]


def _read_closure(path: Path, index: int, entry: Any) -> Closure:
    where = f"{path}: closures entry {index}"

    # _parse_date rejects an unquoted TOML date with a message that shows how to write it.
    if isinstance(entry, (str, date)):
        day = _parse_date(entry, where)
        return Closure(day, day)

    if not isinstance(entry, dict):
        raise RulesError(
            f"{where} ({entry!r}) must be a date in quotes, such as {DATE_EXAMPLE}, or a table such as "
            '{ from = "21/12/2026", to = "01/01/2027", reason = "Christmas holidays" }'
        )

    check_keys(entry, required={"from"}, optional={"to", "reason"}, where=where)
    reason = entry.get("reason", "")
    if not isinstance(reason, str):
        raise RulesError(f'{where}: reason must be text in quotes, such as reason = "INSET day"')
    if reason:
        where = f"{where} ({reason})"

    first_day = _parse_date(entry["from"], f"{where}, from")
    last_day = _parse_date(entry["to"], f"{where}, to") if "to" in entry else first_day
    if last_day < first_day:
        raise RulesError(f"{where}: to = \"{entry['to']}\" is before from = \"{entry['from']}\"")
    return Closure(first_day, last_day, reason)


def _read_terms(path: Path, entries: Any) -> list[Term]:
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise RulesError(f"{path}: terms must be [[terms]] tables, each with name, from and to")
    return [_read_term(path, index, entry) for index, entry in enumerate(entries, start=1)]


def _read_term(path: Path, index: int, entry: dict[str, Any]) -> Term:
    where = f"{path}: [[terms]] table {index}"
    check_keys(entry, required={"name", "from", "to"}, optional=set(), where=where)

    name = entry["name"]
    if not isinstance(name, str):
        raise RulesError(f'{where}: name must be text in quotes, such as name = "autumn-2026"')
    try:
        season, year = parse_term_name(name)
    except ValueError as exc:
        raise RulesError(f"{where}: {exc}") from exc
    where = f"{where} ({name})"

    first_day = _parse_date(entry["from"], f"{where}, from")
    last_day = _parse_date(entry["to"], f"{where}, to")
    if last_day < first_day:
        raise RulesError(f"{where}: to = \"{entry['to']}\" is before from = \"{entry['from']}\"")
    return Term(f"{season}-{year}", first_day, last_day)


def _parse_date(value: Any, where: str) -> date:
    # TOML has its own unquoted dates (2026-12-21), but the rules files write every date day first.
    if isinstance(value, date):
        raise RulesError(f'{where}: write the date {value.isoformat()} as "{value:{DATE_FORMAT}}", DD/MM/YYYY in quotes')
    if not isinstance(value, str):
        raise RulesError(f"{where}: {value!r} is not a date; write dates as DD/MM/YYYY in quotes, such as {DATE_EXAMPLE}")

    text = value.strip()
    if _DATE_TEXT.fullmatch(text) is None:
        raise RulesError(f"{where}: {value!r} is not a DD/MM/YYYY date; write the day first, such as {DATE_EXAMPLE}")
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError as exc:
        raise RulesError(
            f"{where}: {value!r} is not a valid date; dates are DD/MM/YYYY, day first, such as {DATE_EXAMPLE}"
        ) from exc


