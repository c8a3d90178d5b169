"""`mailbot attention`: the messages set aside for a person, with why and the case each probably belongs to.

Every set-aside message has its reason recorded when it is moved to the
Needs attention folder, so this listing reads the database only and needs
no mailbox password. It lists what was set aside, whether or not someone
has since moved the message out of that folder.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions
from mailbot.references import find_reference
from mailbot.render import uk_date, uk_time
from mailbot.store.models import InboundMessage


@click.command(name="attention")
@config_option
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True, help="How many days back to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def attention(config_path: Path, days: int, as_json: bool) -> None:
    """List the messages set aside for a person in the last DAYS days: when, from, subject, reason, probable case."""
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    since = datetime.now(timezone.utc) - timedelta(days=days)

    with open_sessions(settings)() as session:
        query = (
            select(InboundMessage)
            .where(InboundMessage.outcome == "set_aside", InboundMessage.recorded_at >= since)
            .options(selectinload(InboundMessage.case))
            .order_by(InboundMessage.recorded_at, InboundMessage.id)
        )
        rows = [_row(message, settings.zone) for message in session.scalars(query)]

    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(f"Nothing was set aside in the last {days} days.")
    else:
        click.echo(_text(rows))


def _row(message: InboundMessage, zone: Any) -> dict[str, Any]:
    # The case the message was filed under, or else the reference its subject names.
    probable_case = message.case.reference if message.case is not None else find_reference(message.subject or "")
    return {
        "id": message.id,
        "when": message.recorded_at.astimezone(zone).isoformat(timespec="minutes"),
        "from": message.sender,
        "subject": message.subject,
        "reason": message.reason,
        "case": probable_case,
        "message_id": message.message_id,
    }


def _text(rows: list[dict[str, Any]]) -> str:
    blocks = []
    for row in rows:
        moment = datetime.fromisoformat(row["when"])
        blocks.append(
            f"#{row['id']}  {uk_date(moment)} {uk_time(moment)}  from {row['from'] or '(unknown)'}"
            + (f"  case {row['case']}" if row["case"] else "")
            + f"\n    Subject: {row['subject'] or '(none)'}\n    Why: {row['reason']}"
        )
    return "\n\n".join(blocks)
