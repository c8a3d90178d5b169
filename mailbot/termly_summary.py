"""The termly summary to the strategic lead: each term's visits, feedback ratings and charges.

It goes once a term, at ``[reports] termly_summary_time`` on the school day
the term's last visits are counted as done and charged, which with the
shipped timings is the first school day after the term. The last day of
term would be too early: a visit is only counted and charged the school day
after it, so a summary sent then would leave out the visits of the term's
last day. Each summary is a row of due work whose key names its term, such
as ``termly_summary:autumn-2026``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.ledger import ledger_rows, totals_by_school
from mailbot.outbox import Recipient
from mailbot.rates import format_pounds, uk_money
from mailbot.reports import CsvCell, ScheduledReport
from mailbot.schooldays import Term, default_term, parse_term_name
from mailbot.store.models import Pst, Visit
from mailbot.timings import local_moment
from mailbot.visits import VISITED

TERMLY_SUMMARY = "termly_summary"
# The seasons in the order their terms start within a calendar year; a term's name carries the year it starts in.
SEASONS_IN_YEAR_ORDER = ("spring", "summer", "autumn")
NO_PST = "No PST recorded"


@dataclass(frozen=True)
class PstFigures:
    """The visits one PST held in a term and the ratings the visiting teachers gave them."""

    name: str
    school: str
    visits_held: int
    ratings: tuple[int, ...]

    @property
    def rated(self) -> int:
        return len(self.ratings)

    @property
    def unrated(self) -> int:
        return self.visits_held - self.rated

    @property
    def average_rating(self) -> float | None:
        """The mean rating to one decimal place, or None when no visit has a rating yet."""
        return average(self.ratings)


class TermlySummary(ScheduledReport):
    """The strategic lead's summary after each term; each occasion is a term, named such as autumn-2026."""

    kind = TERMLY_SUMMARY
    switch = "termly_summary"
    csv_header = ("term", "section", "pst", "school", "visits_held", "rated", "not_rated", "average_rating", "charged", "reimbursed")

    def next_occasion(self, now: datetime) -> tuple[str, datetime]:
        # The term just ended may still be waiting for its summary in the first days of the next term.
        current = self.rules.calendar.term_of(now.astimezone(self.settings.zone).date())
        term = self.rules.calendar.term_named(adjacent_term_name(current.name, -1))
        due_at = self.due_at(term)
        while due_at <= now:
            term = self.rules.calendar.term_named(adjacent_term_name(term.name, 1))
            due_at = self.due_at(term)
        return term.name, due_at

    def due_at(self, term: Term) -> datetime:
        """Return when the summary of ``term`` is sent, in the alliance's time zone."""
        return local_moment(self.send_day(term), self.rules.timings.termly_summary_time, self.settings.zone)

    def send_day(self, term: Term) -> date:
        """Return the school day on which the visits of the term's last school day are counted as done and charged."""
        calendar = self.rules.calendar
        last_day = term_span(term)[1]
        last_school_day = last_day if calendar.is_school_day(last_day) else calendar.previous_school_day(last_day)
        return calendar.add_school_days(last_school_day, self.rules.timings.feedback_school_days_after)

    def recipient(self) -> Recipient:
        return Recipient(self.settings.alliance.strategic_lead)

    def build(self, session: Session, occasion: str, now: datetime) -> dict[str, Any]:
        """Return the figures of the term named ``occasion``, such as autumn-2026, as they are in the database.

        Raise ValueError for an invalid term name.
        """
        calendar = self.rules.calendar
        term = calendar.term_named(occasion)
        season, year = parse_term_name(term.name)

        visits = self._visits_held(session, term)
        psts = _figures_by_pst(visits)
        ratings = tuple(visit.feedback_rating for visit in visits if visit.feedback_rating is not None)

        schools = totals_by_school(ledger_rows(session, calendar, term.name))
        return {
            "term": term,
            "term_title": f"{season} term {year}",
            "psts": psts,
            "visits_held": len(visits),
            "rated": len(ratings),
            "unrated": len(visits) - len(ratings),
            "average_rating": average(ratings),
            "schools": schools,
            "charged_pence": sum(school.charged_pence for school in schools),
            "reimbursed_pence": sum(school.reimbursed_pence for school in schools),
        }

    def _visits_held(self, session: Session, term: Term) -> list[Visit]:
        """Return the visits done in ``term``, in the same term as their charges; cancelled and future visits are not held."""
        first_day, last_day = term_span(term)
        query = select(Visit).where(Visit.status == VISITED, Visit.date >= first_day, Visit.date <= last_day).order_by(Visit.date, Visit.id)
        return [visit for visit in session.scalars(query) if self.rules.calendar.term_of(visit.date).name == term.name]

    def csv_rows(self, figures: dict[str, Any]) -> Iterator[list[CsvCell]]:
        """Yield a row per PST and per school, each list followed by its total row."""
        term_name = figures["term"].name
        for pst in figures["psts"]:
            yield [term_name, "pst", pst.name, pst.school, pst.visits_held, pst.rated, pst.unrated, _rating_text(pst.average_rating), "", ""]
        yield [
            term_name, "pst_total", "All PSTs", "", figures["visits_held"], figures["rated"], figures["unrated"],
            _rating_text(figures["average_rating"]), "", "",
        ]

        for school in figures["schools"]:
            yield [term_name, "school", "", school.school, "", "", "", "", format_pounds(school.charged_pence), format_pounds(school.reimbursed_pence)]
        yield [term_name, "school_total", "", "All schools", "", "", "", "", format_pounds(figures["charged_pence"]), format_pounds(figures["reimbursed_pence"])]

    def csv_filename(self, figures: dict[str, Any]) -> str:
        return f"termly-summary-{figures['term'].name}.csv"

    def describe(self, figures: dict[str, Any]) -> str:
        return (
            f"{figures['term'].name}, {figures['visits_held']} visit(s) held, {figures['rated']} rated, "
            f"{uk_money(figures['charged_pence'], thousands=True)} charged, {uk_money(figures['reimbursed_pence'], thousands=True)} reimbursed"
        )


def adjacent_term_name(name: str, step: int) -> str:
    """Return the name of the term ``step`` terms after ``name`` (before it when negative): autumn-2026 and 1 give spring-2027."""
    season, year = parse_term_name(name)
    index = SEASONS_IN_YEAR_ORDER.index(season) + step
    return f"{SEASONS_IN_YEAR_ORDER[index % 3]}-{year + index // 3}"


def term_span(term: Term) -> tuple[date, date]:
    """Return the first and last day that may count towards ``term``.

    Those are the term's own days and its default dates, because
    SchoolCalendar.term_of gives a day outside every term the rules set to the
    term of its season, such as a school day in the Christmas holidays.
    """
    usual = default_term(*parse_term_name(term.name))
    return min(term.first_day, usual.first_day), max(term.last_day, usual.last_day)


def average(ratings: tuple[int, ...]) -> float | None:
    """Return the mean of ``ratings`` to one decimal place, or None for no ratings."""
    if not ratings:
        return None
    return round(sum(ratings) / len(ratings), 1)


def _figures_by_pst(visits: list[Visit]) -> list[PstFigures]:
    """Group ``visits`` by the PST of their case, in order of the PST's name."""
    grouped: dict[int | None, list[Visit]] = {}
    for visit in visits:
        grouped.setdefault(visit.case.pst_id, []).append(visit)

    figures = []
    for pst_visits in grouped.values():
        pst: Pst | None = pst_visits[0].case.pst
        ratings = tuple(visit.feedback_rating for visit in pst_visits if visit.feedback_rating is not None)
        figures.append(PstFigures(pst.name if pst else NO_PST, pst.school if pst else "", len(pst_visits), ratings))
    return sorted(figures, key=lambda item: item.name.casefold())


def _rating_text(rating: float | None) -> str:
    return "" if rating is None else f"{rating:.1f}"
