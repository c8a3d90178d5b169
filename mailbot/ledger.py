"""The charges ledger: what each visit charges the requesting school and reimburses the PST's school.

Amounts are whole pence. Each visit has at most one ``charge`` and one
``reimbursement`` entry, because recording a visit again replaces them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mailbot.rates import uk_money
from mailbot.render import uk_date
from mailbot.ruleset import Rules
from mailbot.schooldays import SchoolCalendar
from mailbot.store.models import Case, LedgerEntry, Visit

log = logging.getLogger("mailbot.ledger")

CHARGE = "charge"
REIMBURSEMENT = "reimbursement"


@dataclass(frozen=True)
class SchoolTotal:
    """The total charges and reimbursements of one school over a set of entries, in pence."""

    school: str
    charged_pence: int
    reimbursed_pence: int


def record_charges(session: Session, case: Case, visit: Visit, rules: Rules, now: datetime) -> list[LedgerEntry]:
    """Replace the ledger entries of ``visit`` with its charge and reimbursement, and return them.

    The charge is against ``case.school``, the requesting school. The
    reimbursement is to ``case.pst.school``. Each is ``visit.half_days`` times
    the rate in rules/rates.toml, in the term of the visit's date. Raise
    ValueError when the case has no PST, the visit belongs to another case or
    it has no half-day sessions.
    """
    pst = case.pst
    if pst is None:
        raise ValueError(f"case {case.reference} has no PST, so no school can be reimbursed; assign a PST before charging its visits")
    if visit.half_days < 1:
        raise ValueError(f"the visit of case {case.reference} on {uk_date(visit.date)} has {visit.half_days} half-day sessions; it needs at least 1")

    # Flushing gives a new case or visit its id, which the entries refer to.
    session.flush()
    if visit.case_id is None or visit.case_id != case.id:
        raise ValueError(f"the visit on {uk_date(visit.date)} is not a visit of case {case.reference}")

    # Lock the visit row so that two transactions recording the same visit at
    # once run one after the other. Otherwise on PostgreSQL both could delete
    # the old entries and both insert new ones. SQLite ignores FOR UPDATE, but
    # it allows only one writing transaction at a time.
    session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())
    replaced = session.execute(delete(LedgerEntry).where(LedgerEntry.visit_id == visit.id)).rowcount

    term = rules.calendar.term_of(visit.date).name
    entries = [
        _entry(case, visit, term, case.school, CHARGE, rules.rates.charge_pence, now),
        _entry(case, visit, term, pst.school, REIMBURSEMENT, rules.rates.reimbursement_pence, now),
    ]
    session.add_all(entries)
    session.flush()

    charge, reimbursement = entries
    log.info(
        "CHARGE %s visit on %s (%s): %d half-day(s), %s charged to %s, %s reimbursed to %s, %d earlier entries replaced",
        case.reference,
        uk_date(visit.date),
        term,
        visit.half_days,
        uk_money(charge.amount_pence),
        charge.school,
        uk_money(reimbursement.amount_pence),
        reimbursement.school,
        replaced,
    )
    return entries


def _entry(case: Case, visit: Visit, term: str, school: str, entry_type: str, rate_pence: int, now: datetime) -> LedgerEntry:
    return LedgerEntry(
        case_id=case.id,
        visit_id=visit.id,
        term=term,
        school=school,
        entry_type=entry_type,
        half_days=visit.half_days,
        rate_pence=rate_pence,
        amount_pence=visit.half_days * rate_pence,
        created_at=now,
    )


def ledger_rows(session: Session, calendar: SchoolCalendar, term_name: str | None = None) -> list[dict[str, Any]]:
    """Return the ledger entries, or only those of the term ``term_name``, as plain dicts.

    Rows are in order of term (earliest first), visit date, case reference and
    entry type. Each has ``term``, ``visit_date`` (ISO 8601), ``case_reference``,
    ``school``, ``entry_type``, ``half_days``, ``rate_pence`` and
    ``amount_pence``. Raise ValueError for an invalid term name such as
    "autum-2026".
    """
    query = (
        select(LedgerEntry, Case.reference, Visit.date)
        .join(Case, LedgerEntry.case_id == Case.id)
        .join(Visit, LedgerEntry.visit_id == Visit.id)
        .order_by(Visit.date, Case.reference, LedgerEntry.entry_type, LedgerEntry.id)
    )
    if term_name is not None:
        query = query.where(LedgerEntry.term == calendar.term_named(term_name).name)

    rows = [_row(entry, reference, visit_date) for entry, reference, visit_date in session.execute(query)]

    # Each entry keeps the term it was charged in, so after the term dates in
    # calendar.toml change, visit dates can interleave terms. A stable sort by
    # each term's first day groups them again and keeps date order within a term.
    first_days = {name: calendar.term_named(name).first_day for name in {row["term"] for row in rows}}
    rows.sort(key=lambda row: first_days[row["term"]])
    return rows


def _row(entry: LedgerEntry, reference: str, visit_date: date) -> dict[str, Any]:
    return {
        "term": entry.term,
        "visit_date": visit_date.isoformat(),
        "case_reference": reference,
        "school": entry.school,
        "entry_type": entry.entry_type,
        "half_days": entry.half_days,
        "rate_pence": entry.rate_pence,
        "amount_pence": entry.amount_pence,
    }


def totals_by_school(rows: Iterable[dict[str, Any]]) -> list[SchoolTotal]:
    """Add up the charges and the reimbursements of each school in ``rows``, in order of school name."""
    charged: dict[str, int] = {}
    reimbursed: dict[str, int] = {}
    for row in rows:
        if row["entry_type"] == CHARGE:
            totals = charged
        elif row["entry_type"] == REIMBURSEMENT:
            totals = reimbursed
        else:
            raise ValueError(f"unknown ledger entry type {row['entry_type']!r}; expected {CHARGE} or {REIMBURSEMENT}")
        totals[row["school"]] = totals.get(row["school"], 0) + row["amount_pence"]

    schools = sorted(set(charged) | set(reimbursed), key=str.casefold)
    return [SchoolTotal(school, charged.get(school, 0), reimbursed.get(school, 0)) for school in schools]
