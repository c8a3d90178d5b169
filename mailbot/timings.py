"""The timings in rules/timings.toml: when reminders, notices and deadlines fall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.errors import RulesError
from mailbot.tomlfile import read_toml, whole_number

TIMINGS_FILE = "timings.toml"


@dataclass(frozen=True)
class ChaseTimings:
    """The school days a person asked for a YES or NO has before a reminder, and before staff are notified."""

    reminder_after_school_days: int
    escalate_after_school_days: int


@dataclass(frozen=True)
class Timings:
    send_time: time
    endorsement: ChaseTimings
    consent: ChaseTimings
    plan_request_school_days_before: int
    plan_deadline_school_days_before: int
    plan_deadline_time: time
    visit_reminder_school_days_before: int
    feedback_school_days_after: int
    close_school_days_after: int
    default_half_days: int
    designation_years: int
    designation_notice_days: tuple[int, ...]
    digest_time: time
    stuck_after_school_days: int
    termly_summary_time: time


def local_moment(day: date, clock_time: time, zone: ZoneInfo) -> datetime:
    """Return ``clock_time`` on ``day`` in ``zone`` as an aware datetime, so clock changes are respected."""
    return datetime.combine(day, clock_time, tzinfo=zone)


def load_timings(path: Path) -> Timings:
    """Read and check rules/timings.toml; raise RulesError naming the file and key at fault."""
    data = read_toml(path, "rules file", RulesError)
    reader = _Reader(path, data)
    timings = Timings(
        send_time=reader.clock_time("send_time"),
        endorsement=ChaseTimings(
            reader.count("endorsement", "reminder_after_school_days"),
            reader.count("endorsement", "escalate_after_school_days"),
        ),
        consent=ChaseTimings(
            reader.count("consent", "reminder_after_school_days"),
            reader.count("consent", "escalate_after_school_days"),
        ),
        plan_request_school_days_before=reader.count("session_plan", "request_school_days_before"),
        plan_deadline_school_days_before=reader.count("session_plan", "deadline_school_days_before"),
        plan_deadline_time=reader.clock_time("session_plan", "deadline_time"),
        visit_reminder_school_days_before=reader.count("visit", "reminder_school_days_before"),
        feedback_school_days_after=reader.count("visit", "feedback_school_days_after", minimum=1),
        close_school_days_after=reader.count("visit", "close_school_days_after", minimum=1),
        default_half_days=reader.count("visit", "default_half_days", minimum=1),
        designation_years=reader.count("designation", "years", minimum=1),
        designation_notice_days=reader.counts("designation", "notice_days_before_expiry"),
        digest_time=reader.clock_time("reports", "digest_time"),
        stuck_after_school_days=reader.count("reports", "stuck_after_school_days", minimum=1),
        termly_summary_time=reader.clock_time("reports", "termly_summary_time"),
    )

    for name, chase in (("endorsement", timings.endorsement), ("consent", timings.consent)):
        if chase.escalate_after_school_days <= chase.reminder_after_school_days:
            raise RulesError(f"{path}: [{name}] escalate_after_school_days must be more than reminder_after_school_days")
    if timings.plan_deadline_school_days_before >= timings.plan_request_school_days_before:
        raise RulesError(f"{path}: [session_plan] deadline_school_days_before must be less than request_school_days_before")
    if timings.close_school_days_after < timings.feedback_school_days_after:
        raise RulesError(f"{path}: [visit] close_school_days_after must be at least feedback_school_days_after")
    # The summary falls on the day the term's last visits are charged, at send_time, and must count them.
    if timings.termly_summary_time <= timings.send_time:
        raise RulesError(
            f"{path}: [reports] termly_summary_time must be later than send_time ({timings.send_time:%H:%M}), "
            "so that the term's last visits are charged before the summary counts them"
        )
    return timings


class _Reader:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def _value(self, *keys: str) -> Any:
        table: Any = self.data
        for key in keys:
            if not isinstance(table, dict) or key not in table:
                raise RulesError(f"{self.path}: {self._name(keys)} is missing")
            table = table[key]
        return table

    def _name(self, keys: tuple[str, ...]) -> str:
        return f"[{keys[0]}] {keys[1]}" if len(keys) == 2 else keys[0]

    def count(self, *keys: str, minimum: int = 0) -> int:
        return whole_number(self._value(*keys), minimum, f"{self.path}: {self._name(keys)}")

    def counts(self, *keys: str) -> tuple[int, ...]:
        values = self._value(*keys)
        if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
            raise RulesError(f"{self.path}: {self._name(keys)} must be a list of whole numbers such as [90, 30, 0]")
        return tuple(sorted(set(values), reverse=True))

    def clock_time(self, *keys: str) -> time:
        value = self._value(*keys)
        try:
            hours, minutes = (int(part) for part in str(value).split(":"))
            return time(hours, minutes)
        except ValueError as exc:
            raise RulesError(f"{self.path}: {self._name(keys)} must be a 24-hour time such as \"08:00\", not {value!r}") from exc
