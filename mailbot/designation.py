"""PST designations: when they end, and the notices sent before and on that day.

A PST is designated for ``[designation] years`` (rules/timings.toml) from
``Pst.designated_on``. Notices go out ``notice_days_before_expiry`` days
before the expiry day, at ``send_time`` in the alliance's time zone, to the
PST, their headteacher and the strategic lead. Each notice is a ``DueWork``
row whose ``once_key`` names the PST, the designation date and the number of
days, so it is sent at most once per designation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.duework import CANCELLED, DUE, Handler, schedule
from mailbot.outbox import Outbox, Recipient
from mailbot.store.models import DueWork, Pst
from mailbot.timings import Timings, local_moment

log = logging.getLogger("mailbot.designation")

DESIGNATION_NOTICE = "designation_notice"
STAFF_NOTICE = "designation_staff_notice"

ACTIVE = "active"
EXPIRING = "expiring"
LAPSED = "lapsed"

# A notice found late is still sent up to this many days after the expiry day.
LATE_NOTICE_LIMIT_DAYS = 30

KEY_PREFIX = "designation"


class Designated(Protocol):
    """Anything with a designation date: a ``Pst`` row or a record read from the register."""

    @property
    def designated_on(self) -> date: ...


def expiry_date(pst: Designated, timings: Timings) -> date:
    """Return the day the designation lapses: ``designated_on`` plus ``[designation] years``.

    A designation made on 29 February expires on 28 February when the expiry year is not a leap year.
    """
    return pst.designated_on + relativedelta(years=timings.designation_years)


def designation_status(pst: Designated, today: date, timings: Timings) -> str:
    """Return ``active``, ``expiring`` or ``lapsed`` for the designation on ``today``.

    ``expiring`` starts on the day of the earliest notice (90 days before
    expiry with the shipped rules). ``lapsed`` starts on the expiry day itself.
    """
    expires = expiry_date(pst, timings)
    if today >= expires:
        return LAPSED
    window = max(timings.designation_notice_days, default=0)
    if today >= expires - timedelta(days=window):
        return EXPIRING
    return ACTIVE


def notice_key(pst: Pst, days_before: int) -> str:
    """Return the ``once_key`` of one notice: the PST's email, designation date and days before expiry."""
    # NOTE: DueWork.once_key is limited to 255 characters, so an email address
    # longer than about 225 characters would not fit in the key.
    return f"{KEY_PREFIX}:{pst.email}:{pst.designated_on.isoformat()}:{days_before}"


@dataclass(frozen=True)
class NoticeKey:
    """The parts of a designation notice's ``once_key``."""

    email: str
    designated_on: date
    days_before: int


def parse_notice_key(once_key: str) -> NoticeKey:
    """Split a key made by ``notice_key`` into its parts, or raise ValueError for any other text."""
    prefix, _, rest = once_key.partition(":")
    email, _, tail = rest.partition(":")
    designated_text, _, days_text = tail.partition(":")
    if prefix != KEY_PREFIX or not email or not days_text.isdigit():
        raise ValueError(f"{once_key!r} is not a designation notice key")
    return NoticeKey(email, date.fromisoformat(designated_text), int(days_text))


def notice_moments(pst: Designated, timings: Timings, zone: ZoneInfo) -> list[tuple[int, datetime]]:
    """Return (days before expiry, due time) for each notice of the current designation, earliest first."""
    expires = expiry_date(pst, timings)
    moments = [
        (days, local_moment(expires - timedelta(days=days), timings.send_time, zone))
        for days in timings.designation_notice_days
    ]
    return sorted(moments, key=lambda moment: moment[1])


def lapsed_too_long_ago(pst: Designated, now: datetime, timings: Timings, zone: ZoneInfo) -> bool:
    """Return whether the designation lapsed more than LATE_NOTICE_LIMIT_DAYS before ``now``."""
    today = now.astimezone(zone).date()
    return (today - expiry_date(pst, timings)).days > LATE_NOTICE_LIMIT_DAYS


def schedule_designation_notices(
    session: Session, pst: Pst, now: datetime, timings: Timings, zone: ZoneInfo
) -> list[DueWork]:
    """Schedule the notices of the PST's current designation and return the rows added or scheduled again.

    Running this again for the same designation adds nothing, and notices of
    an earlier designation date that are still due are cancelled first.
    """
    cancel_outdated_notices(session, pst, now)

    moments = notice_moments(pst, timings, zone)
    upcoming = [(days, due_at) for days, due_at in moments if due_at > now]
    passed = [days for days, due_at in moments if due_at <= now]

    # A PST imported or re-designated late gets only the most recent missed
    # notice, due now, rather than every missed one at once. It gets none once
    # the designation lapsed more than LATE_NOTICE_LIMIT_DAYS ago.
    if passed and not lapsed_too_long_ago(pst, now, timings, zone):
        upcoming.insert(0, (passed[-1], now))

    added = []
    for days, due_at in upcoming:
        work = _schedule_notice(session, pst, days, due_at, now)
        if work is not None:
            added.append(work)
    return added


def cancel_outdated_notices(session: Session, pst: Pst, now: datetime) -> int:
    """Cancel the PST's due notices that belong to a designation date other than the current one."""
    query = select(DueWork).where(
        DueWork.pst_id == pst.id, DueWork.kind == DESIGNATION_NOTICE, DueWork.status == DUE
    )
    cancelled = 0
    for work in session.scalars(query):
        if work.once_key is not None and parse_notice_key(work.once_key).designated_on == pst.designated_on:
            continue
        work.status = CANCELLED
        work.finished_at = now
        cancelled += 1
    if cancelled:
        log.info("CANCEL %d designation notice(s) of an earlier designation of %s", cancelled, pst.email)
    return cancelled


def _schedule_notice(session: Session, pst: Pst, days: int, due_at: datetime, now: datetime) -> DueWork | None:
    key = notice_key(pst, days)
    existing = session.scalars(select(DueWork).where(DueWork.once_key == key)).one_or_none()
    if existing is None:
        return schedule(session, kind=DESIGNATION_NOTICE, due_at=due_at, now=now, pst=pst, once_key=key)

    # A notice cancelled by a re-designation was never sent, so returning to
    # that designation date schedules it again. A sent notice stays sent.
    if existing.status != CANCELLED:
        return None
    existing.status = DUE
    existing.due_at = due_at
    existing.finished_at = None
    log.info("SCHEDULE again %s at %s", key, due_at.isoformat(timespec="minutes"))
    return existing


class DesignationNotices:
    """Sends the designation notices that fall due, as handlers for the due-work sweep."""

    def __init__(self, settings: Settings, outbox: Outbox, timings: Timings) -> None:
        self.settings = settings
        self.outbox = outbox
        self.timings = timings

    def handlers(self) -> dict[str, Handler]:
        return {DESIGNATION_NOTICE: self.send_notice}

    def send_notice(self, session: Session, work: DueWork, now: datetime) -> None:
        """Queue one notice to the PST, their headteacher and the strategic lead, unless it no longer applies."""
        pst = work.pst
        if pst is None:
            log.warning("SKIP designation notice %s: it names no PST", work.id)
            return

        designated_on, days_before = self._notice_of(work, pst)
        if designated_on != pst.designated_on:
            log.info(
                "SKIP designation notice for %s: re-designated on %s after this notice was scheduled",
                pst.email, pst.designated_on.isoformat(),
            )
            return
        if self._is_superseded(pst, days_before, now):
            log.info("SKIP %d-day designation notice for %s: a later notice is already due", days_before, pst.email)
            return
        if lapsed_too_long_ago(pst, now, self.timings, self.settings.zone):
            log.info("SKIP %d-day designation notice for %s: the designation lapsed too long ago", days_before, pst.email)
            return

        self._queue_emails(session, pst, days_before, now)

    def _notice_of(self, work: DueWork, pst: Pst) -> tuple[date, int]:
        """Return the designation date and days before expiry that the row was scheduled for."""
        if work.once_key is not None:
            key = parse_notice_key(work.once_key)
            return key.designated_on, key.days_before
        due_day = work.due_at.astimezone(self.settings.zone).date()
        return pst.designated_on, (expiry_date(pst, self.timings) - due_day).days

    def _is_superseded(self, pst: Pst, days_before: int, now: datetime) -> bool:
        """Return whether a notice closer to expiry than this one is already due, such as after downtime."""
        return any(
            days < days_before and due_at <= now
            for days, due_at in notice_moments(pst, self.timings, self.settings.zone)
        )

    def _queue_emails(self, session: Session, pst: Pst, days_before: int, now: datetime) -> None:
        # A notice sent late counts the days from when it is sent, not from when it was due.
        today = now.astimezone(self.settings.zone).date()
        expires = expiry_date(pst, self.timings)
        context: dict[str, Any] = {
            "pst": pst,
            "expires_on": expires,
            "days_left": max((expires - today).days, 0),
            "lapsed": today >= expires,
            "years": self.timings.designation_years,
            "notice_date": today,
        }
        self.outbox.queue(
            session,
            purpose=DESIGNATION_NOTICE,
            recipient=Recipient(pst.email, pst.name),
            context={**context, "for_headteacher": False},
            now=now,
        )
        if pst.headteacher_email.casefold() != pst.email.casefold():
            self.outbox.queue(
                session,
                purpose=DESIGNATION_NOTICE,
                recipient=Recipient(pst.headteacher_email, pst.headteacher_name),
                context={**context, "for_headteacher": True},
                now=now,
            )
        self.outbox.queue(
            session,
            purpose=STAFF_NOTICE,
            recipient=Recipient(self.settings.alliance.strategic_lead),
            context=context,
            now=now,
        )
        log.info("NOTICE %d-day designation notice for %s, expiring %s", days_before, pst.email, expires.isoformat())
