"""The daily purge: the daemon runs `mailbot purge` once a day at ``[data_protection] purge_time``.

Each day's purge is a row of due work whose key names the day, so however
often the daemon restarts, a day gets one purge, and a day missed while the
daemon was stopped is purged at the next start.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from mailbot.config import Settings
from mailbot.duework import Handler, schedule
from mailbot.retention import MailboxOpener, Purge
from mailbot.store.models import DueWork
from mailbot.timings import local_moment

log = logging.getLogger("mailbot.retention")

DATA_PROTECTION_PURGE = "data_protection_purge"


class DailyPurge:
    """Schedules the purge for each day and runs it when it falls due."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], open_mailbox: MailboxOpener | None = None) -> None:
        self.settings = settings
        self.purge = Purge(settings, sessions, open_mailbox)

    def handlers(self) -> dict[str, Handler]:
        return {DATA_PROTECTION_PURGE: self._run}

    def ensure_scheduled(self, session: Session, now: datetime) -> None:
        """Schedule the next purge, today's or tomorrow's, unless it already is; safe to call on every pass."""
        zone = self.settings.zone
        clock_time = self.settings.data_protection.purge_clock_time
        day = now.astimezone(zone).date()
        due_at = local_moment(day, clock_time, zone)
        if due_at <= now:
            day += timedelta(days=1)
            due_at = local_moment(day, clock_time, zone)
        schedule(session, kind=DATA_PROTECTION_PURGE, due_at=due_at, now=now, once_key=f"{DATA_PROTECTION_PURGE}:{day.isoformat()}")

    def _run(self, session: Session, work: DueWork, now: datetime) -> None:
        # The purge commits each case in a transaction of its own, so that a
        # long first purge does not hold the sweep's transaction open. The
        # sweep's session has only read its row so far, so on SQLite it holds
        # no write lock that those transactions would wait for.
        plan = self.purge.plan(now)
        report = self.purge.carry_out(plan)
        log.info(
            "PURGE done: %d case(s) anonymised, %d raw message(s) deleted, %d record(s) and %d email(s) about no case cleared, %d problem(s)",
            len(report.cases), report.raw_messages, report.caseless_records, report.caseless_emails, len(report.problems),
        )
        for problem in report.problems:
            log.warning("PURGE problem: %s", problem)
        self.ensure_scheduled(session, now)
