"""`mailbot attention`: the messages set aside for a person, and handling one of them again.

Every set-aside message has its reason recorded when it is moved to the
Needs attention folder, so the listing reads the database only and needs no
mailbox password. It lists what is still set aside, whether or not someone
has since moved the message out of that folder.

`mailbot attention replay ID` asks for one message to be handled again, for
instance after the PST register was fixed, or with `--case` as mail about a
case a person checked. A running daemon does it at its next pass; with none
running, the command does it at once itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from mailbot.cli_common import configure_logging, load_settings_or_exit, open_sessions, text_table
from mailbot.config import Settings
from mailbot.errors import MailbotError
from mailbot.references import find_reference
from mailbot.render import uk_date, uk_time
from mailbot.replay import ReplayRejected, request_replay
from mailbot.digest import FINISHED_STATES
from mailbot.store.models import Case, InboundMessage, Pst

# How long beyond one poll interval `replay` waits for a running daemon to report the result.
DAEMON_WAIT_MARGIN_SECONDS = 30

_config_path = click.option(
    "--config",
    "config_path",
    envvar="MAILBOT_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The TOML config file (or set MAILBOT_CONFIG).",
)


def _settings(ctx: click.Context, config_path: Path | None) -> Settings:
    # --config may come before the subcommand, after it, or from MAILBOT_CONFIG.
    path = config_path or (ctx.obj or {}).get("config_path")
    if path is None:
        raise click.UsageError("Missing option '--config' (or set MAILBOT_CONFIG).")
    return load_settings_or_exit(path)


@click.group(name="attention", invoke_without_command=True)
@_config_path
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True, help="How many days back to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def attention(ctx: click.Context, config_path: Path | None, days: int, as_json: bool) -> None:
    """List the messages set aside for a person in the last DAYS days: when, from, subject, reason, probable case.

    `mailbot attention replay ID` handles one of them again.
    """
    ctx.obj = {"config_path": config_path}
    if ctx.invoked_subcommand is not None:
        return

    settings = _settings(ctx, config_path)
    configure_logging("WARNING")
    since = datetime.now(timezone.utc) - timedelta(days=days)

    with open_sessions(settings)() as session:
        query = (
            select(InboundMessage)
            .where(InboundMessage.outcome == "set_aside", InboundMessage.recorded_at >= since)
            .options(selectinload(InboundMessage.case))
            .order_by(InboundMessage.recorded_at, InboundMessage.id)
        )
        rows = [_row(session, message, settings.zone) for message in session.scalars(query)]

    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(f"Nothing was set aside in the last {days} days.")
    else:
        click.echo(_text(rows))


@attention.command(name="replay")
@click.argument("message_number", metavar="ID", type=int)
@click.option("--case", "case_reference", metavar="REF", help="Handle it as mail about this case, such as PST-2026-0007.")
@click.option("--no-wait", is_flag=True, help="With a daemon running, ask it and return at once instead of waiting for the result.")
@_config_path
@click.pass_context
def replay(ctx: click.Context, message_number: int, case_reference: str | None, no_wait: bool, config_path: Path | None) -> None:
    """Handle the set-aside message ID again, as `mailbot attention` numbers it, and print what happened."""
    from mailbot.daemon import Daemon

    settings = _settings(ctx, config_path)
    configure_logging("WARNING")
    now = datetime.now(timezone.utc)

    sessions = open_sessions(settings)
    try:
        with sessions.begin() as session:
            request_replay(session, message_number, case_reference, "the command line", now)
    except ReplayRejected as exc:
        raise click.ClickException(str(exc)) from exc

    try:
        settings.require_sign_in_secrets()
        daemon = Daemon(settings)
        try:
            done_here = _replay_here(daemon)
        finally:
            daemon.close()
    except MailbotError as exc:
        raise click.ClickException(f"{exc}. The request stays recorded: the daemon acts on it at its next pass") from exc

    if not done_here:
        wait = settings.mailbox.poll_interval_seconds + DAEMON_WAIT_MARGIN_SECONDS
        click.echo(f"A mailbot daemon is running, so it will handle message #{message_number} at its next pass.")
        if no_wait or not _wait_for_daemon(sessions, message_number, wait):
            click.echo(f"`mailbot attention` shows whether it is set aside again.{'' if no_wait else f' It had not acted after {wait} seconds.'}")
            return
    text, still_set_aside = _result(sessions, message_number, settings)
    click.echo(text)
    if still_set_aside:
        raise SystemExit(1)


def _replay_here(daemon: Any) -> bool:
    """Carry out the request now and send what it queued, unless a running daemon holds the work lock."""
    from mailbot.daemon import utc_now
    from mailbot.mailbox import Mailbox

    if not daemon.work_lock.try_acquire():
        return False
    with Mailbox(daemon.settings.mailbox) as mailbox:
        daemon.intake.replays.run_requested(mailbox, utc_now)
    asyncio.run(daemon.sender.send_due(utc_now()))
    return True


def _wait_for_daemon(sessions: Any, message_number: int, seconds: int) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sessions() as session:
            if session.get(InboundMessage, message_number).replay_requested_at is None:
                return True
        time.sleep(1)
    return False


def _result(sessions: Any, message_number: int, settings: Settings) -> tuple[str, bool]:
    """Return what became of the message, and whether it is still set aside."""
    with sessions() as session:
        message = session.get(InboundMessage, message_number)
        about = f" about {message.case.reference}" if message.case is not None else ""
        if message.outcome == "set_aside":
            return f"Message #{message_number} is still set aside{about}: {message.reason}", True
        outcome = message.outcome.replace("_", " ")
        return f"Message #{message_number} was handled again{about} ({outcome}) and moved to {settings.mailbox.processed_folder}.", False


def _row(session: Session, message: InboundMessage, zone: Any) -> dict[str, Any]:
    # The case the message was filed under, else the reference its subject names, else the one open case its sender is part of.
    probable_case = message.case.reference if message.case is not None else find_reference(message.subject or "")
    if probable_case is None and message.sender:
        probable_case = _only_open_case_of(session, message.sender)
    return {
        "id": message.id,
        "when": message.recorded_at.astimezone(zone).isoformat(timespec="minutes"),
        "from": message.sender,
        "subject": message.subject,
        "reason": message.reason,
        "case": probable_case,
        "message_id": message.message_id,
    }


def _only_open_case_of(session: Session, address: str) -> str | None:
    """Return the reference of the one open case that ``address`` takes part in, or None when none or several do."""
    address = address.casefold()
    people = (Case.requester_email, Case.headteacher_email, Case.visiting_teacher_email, Case.host_headteacher_email)
    query = (
        select(Case.reference)
        .outerjoin(Pst, Case.pst_id == Pst.id)
        .where(Case.state.not_in(FINISHED_STATES), or_(*(func.lower(column) == address for column in (*people, Pst.email))))
        .limit(2)
    )
    references = session.scalars(query).all()
    return references[0] if len(references) == 1 else None


def _text(rows: list[dict[str, Any]]) -> str:
    lines = [("ID", "WHEN", "FROM", "CASE", "SUBJECT", "WHY")]
    for row in rows:
        moment = datetime.fromisoformat(row["when"])
        lines.append(
            (str(row["id"]), f"{uk_date(moment)} {uk_time(moment)}", row["from"] or "(unknown)", row["case"] or "-", row["subject"] or "(none)", row["reason"])
        )
    return text_table(lines, numeric_columns=frozenset({0}))
