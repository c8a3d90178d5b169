"""Due work: reminders, notices and deadlines stored as rows with a due time.

A row is handled once: the sweep locks it, runs its handler and marks it
done in the same commit as the emails the handler queued. Work that fell due
while the daemon was stopped is done at the next sweep, oldest first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.store.models import Case, DueWork, Pst, Visit

log = logging.getLogger("mailbot.duework")

DUE = "due"
DONE = "done"
CANCELLED = "cancelled"
FAILED = "failed"

# A handler does the work of one row inside the sweep's transaction.
Handler = Callable[[Session, DueWork, datetime], None]

SWEEP_BATCH_SIZE = 500


def schedule(
    session: Session,
    *,
    kind: str,
    due_at: datetime,
    now: datetime,
    case: Case | None = None,
    visit: Visit | None = None,
    pst: Pst | None = None,
    once_key: str | None = None,
) -> DueWork | None:
    """Add a row of due work; with ``once_key``, do nothing if that key was ever scheduled.

    Returns the new row, or None when ``once_key`` was already used.
    """
    if once_key is not None:
        existing = session.scalars(select(DueWork.id).where(DueWork.once_key == once_key)).first()
        if existing is not None:
            return None

    work = DueWork(
        kind=kind, due_at=due_at, status=DUE, case=case, visit=visit, pst=pst, once_key=once_key, created_at=now
    )
    session.add(work)
    session.flush()
    log.info("SCHEDULE %s for %s at %s", kind, _subject(work), due_at.isoformat(timespec="minutes"))
    return work


def cancel(
    session: Session,
    now: datetime,
    *,
    case: Case | None = None,
    visit: Visit | None = None,
    pst: Pst | None = None,
    kinds: Iterable[str] | None = None,
) -> int:
    """Cancel the due rows of a case, visit or PST, optionally only of some kinds; return how many."""
    query = select(DueWork).where(DueWork.status == DUE)
    if case is not None:
        query = query.where(DueWork.case_id == case.id)
    if visit is not None:
        query = query.where(DueWork.visit_id == visit.id)
    if pst is not None:
        query = query.where(DueWork.pst_id == pst.id)
    if kinds is not None:
        query = query.where(DueWork.kind.in_(list(kinds)))

    rows = list(session.scalars(query))
    for work in rows:
        work.status = CANCELLED
        work.finished_at = now
    if rows:
        log.info("CANCEL %d due item(s): %s", len(rows), ", ".join(sorted({work.kind for work in rows})))
    return len(rows)


@dataclass
class SweepReport:
    done: int = 0
    failed: int = 0


class DueWorkSweep:
    """Runs every due row whose time has come, each in its own transaction."""

    def __init__(self, sessions: sessionmaker[Session], handlers: dict[str, Handler]) -> None:
        self.sessions = sessions
        self.handlers = handlers

    def run(self, now: datetime) -> SweepReport:
        report = SweepReport()
        for work_id in self._due_ids(now):
            self._run_one(work_id, now, report)
        return report

    def _due_ids(self, now: datetime) -> list[int]:
        with self.sessions() as session:
            query = (
                select(DueWork.id)
                .where(DueWork.status == DUE, DueWork.due_at <= now)
                .order_by(DueWork.due_at, DueWork.id)
                .limit(SWEEP_BATCH_SIZE)
            )
            return list(session.scalars(query))

    def _run_one(self, work_id: int, now: datetime, report: SweepReport) -> None:
        try:
            with self.sessions.begin() as session:
                # The row lock keeps a second daemon on the same database from doing it too.
                work = session.scalars(select(DueWork).where(DueWork.id == work_id).with_for_update()).one()
                if work.status != DUE:
                    return
                handler = self.handlers.get(work.kind)
                if handler is None:
                    raise LookupError(f"no handler for due work of kind {work.kind!r}")
                handler(session, work, now)
                work.status = DONE
                work.finished_at = now
                # Named while the session is open, because the row's relations cannot load afterwards.
                done = f"{work.kind} for {_subject(work)}"
            report.done += 1
            log.info("DONE %s", done)
        except Exception:  # one broken row must not stop the others
            log.exception("ERROR doing due work %s; marking it failed", work_id)
            self._mark_failed(work_id, now)
            report.failed += 1

    def _mark_failed(self, work_id: int, now: datetime) -> None:
        with self.sessions.begin() as session:
            work = session.get_one(DueWork, work_id)
            work.status = FAILED
            work.finished_at = now


def _subject(work: DueWork) -> str:
    if work.case is not None:
        return work.case.reference
    if work.pst is not None:
        return work.pst.email
    return f"due work {work.id}"
