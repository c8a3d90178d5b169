"""`mailbot status`: whether the daemon is alive and what waits, for people and for monitoring.

It reads only the database, so it needs no mailbox password and is quick
enough for a monitoring system to call every minute. It exits with 1 when
the daemon has not finished a poll recently, so monitoring can alert.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions
from mailbot.config import Settings
from mailbot.duework import DUE
from mailbot.duework import FAILED as DUE_WORK_FAILED
from mailbot.intake import LAST_POLL_MARK
from mailbot.outbox import FAILED, WAITING
from mailbot.render import uk_date, uk_time
from mailbot.store.models import DaemonMark, DueWork, InboundMessage, OutboxEmail

# Failed sends and set-aside messages are counted over this many days back.
RECENT_DAYS = 30
# A poll older than this many poll intervals means the daemon is stuck or stopped.
STALE_INTERVALS = 3
MINIMUM_STALE = timedelta(minutes=10)
EXIT_STALE = 1


@click.command(name="status")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for monitoring scripts.")
@click.option(
    "--stale-minutes",
    type=click.IntRange(min=1),
    help="Minutes since the last successful poll after which the daemon counts as stale; default 3 poll intervals, at least 10.",
)
def status(config_path: Path, as_json: bool, stale_minutes: int | None) -> None:
    """Show the last successful poll, the outbox backlog, failed sends and messages set aside; exit 1 when stale."""
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    now = datetime.now(timezone.utc)
    stale_after = timedelta(minutes=stale_minutes) if stale_minutes else max(MINIMUM_STALE, STALE_INTERVALS * timedelta(seconds=settings.mailbox.poll_interval_seconds))

    with open_sessions(settings)() as session:
        report = _status_report(session, settings, now, stale_after)

    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(_status_text(report, settings))
    if report["stale"]:
        raise SystemExit(EXIT_STALE)


def _status_report(session: Session, settings: Settings, now: datetime, stale_after: timedelta) -> dict[str, Any]:
    recent = now - timedelta(days=RECENT_DAYS)
    last_poll = session.scalars(select(DaemonMark.at).where(DaemonMark.name == LAST_POLL_MARK)).first()
    oldest_queued = session.scalar(select(func.min(OutboxEmail.created_at)).where(OutboxEmail.status.in_(WAITING)))
    failed = list(
        session.scalars(select(OutboxEmail).where(OutboxEmail.status == FAILED, OutboxEmail.created_at >= recent).order_by(OutboxEmail.id.desc()).limit(5))
    )
    return {
        "last_successful_poll": _local_iso(last_poll, settings),
        "minutes_since_poll": round((now - last_poll).total_seconds() / 60, 1) if last_poll else None,
        "stale": last_poll is None or now - last_poll > stale_after,
        "stale_after_minutes": round(stale_after.total_seconds() / 60, 1),
        "outbox_queued": _count(session, select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status.in_(WAITING))),
        "outbox_oldest_queued": _local_iso(oldest_queued, settings),
        "failed_sends_recent": _count(session, select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status == FAILED, OutboxEmail.created_at >= recent)),
        "failed_sends_latest": [{"to": email.recipient, "subject": email.subject, "error": email.last_error} for email in failed],
        "set_aside_recent": _count(
            session, select(func.count()).select_from(InboundMessage).where(InboundMessage.outcome == "set_aside", InboundMessage.recorded_at >= recent)
        ),
        "due_work_waiting": _count(session, select(func.count()).select_from(DueWork).where(DueWork.status == DUE)),
        "due_work_overdue": _count(session, select(func.count()).select_from(DueWork).where(DueWork.status == DUE, DueWork.due_at < now - stale_after)),
        "due_work_failed_recent": _count(
            session, select(func.count()).select_from(DueWork).where(DueWork.status == DUE_WORK_FAILED, DueWork.finished_at >= recent)
        ),
        "recent_days": RECENT_DAYS,
    }


def _status_text(report: dict[str, Any], settings: Settings) -> str:
    if report["last_successful_poll"] is None:
        poll = "never: the daemon has not finished a pass on this database"
    else:
        moment = datetime.fromisoformat(report["last_successful_poll"])
        poll = f"{uk_date(moment)} {uk_time(moment)} ({report['minutes_since_poll']} minutes ago)"
    health = f"STALE: no successful poll for over {report['stale_after_minutes']:g} minutes" if report["stale"] else "OK"

    lines = [
        f"mailbot status: {health}",
        f"Last successful poll:        {poll}",
        f"Emails waiting to be sent:   {report['outbox_queued']}" + (f" (oldest queued {_shown(report['outbox_oldest_queued'])})" if report["outbox_oldest_queued"] else ""),
        f"Failed sends, {report['recent_days']} days:       {report['failed_sends_recent']}",
    ]
    lines += [f"  to {failure['to']}: {failure['subject']} ({failure['error']})" for failure in report["failed_sends_latest"]]
    lines += [
        f"Set aside, {report['recent_days']} days:          {report['set_aside_recent']} (in the \"{settings.mailbox.attention_folder}\" folder unless someone moved them)",
        f"Reminders waiting:           {report['due_work_waiting']}, of which overdue: {report['due_work_overdue']}",
        f"Reminders failed, {report['recent_days']} days:   {report['due_work_failed_recent']}",
    ]
    return "\n".join(lines)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _local_iso(moment: datetime | None, settings: Settings) -> str | None:
    return moment.astimezone(settings.zone).isoformat(timespec="seconds") if moment else None


def _shown(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{uk_date(moment)} {uk_time(moment)}"
