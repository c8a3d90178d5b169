"""Case references such as PST-2026-0007: numbered from 1 in each calendar year."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.store.models import ReferenceCounter

REFERENCE_PATTERN = re.compile(r"\bPST-(\d{4})-(\d{4,})\b", re.IGNORECASE)


def format_reference(year: int, number: int) -> str:
    return f"PST-{year}-{number:04d}"


def next_reference(session: Session, year: int) -> str:
    """Allocate the next reference for ``year`` inside the caller's transaction.

    The counter row is locked (SELECT ... FOR UPDATE, a no-op on SQLite whose
    writers are serialised anyway), so two writers never get the same number.
    """
    counter = session.scalars(
        select(ReferenceCounter).where(ReferenceCounter.year == year).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = ReferenceCounter(year=year, last_number=0)
        session.add(counter)

    counter.last_number += 1
    session.flush()
    return format_reference(year, counter.last_number)


def find_reference(text: str) -> str | None:
    """Return the first case reference in ``text``, normalised to upper case, or None."""
    match = REFERENCE_PATTERN.search(text or "")
    return match.group(0).upper() if match else None
