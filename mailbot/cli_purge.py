"""`mailbot purge`: anonymise what has passed the retention period and delete its raw mail."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from mailbot.case_view import local_iso, local_text
from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions, parse_now, terminal_progress
from mailbot.config import Settings
from mailbot.errors import MailbotError
from mailbot.retention import Purge, PurgePlan, PurgeReport


@click.command(name="purge")
@config_option
@click.option("--dry-run", is_flag=True, help="List what would be anonymised and deleted, and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--now",
    "now_text",
    metavar="DATETIME",
    help="The clock for this purge, such as 2027-01-12T08:00 (Europe/London unless an offset is given); with --dry-run, shows what a later purge would do.",
)
def purge(config_path: Path, dry_run: bool, as_json: bool, now_text: str | None) -> None:
    """Anonymise the finished cases, and the messages and emails about no case, older than [data_protection] retention_months.

    Their raw mail is deleted from the Processed and Needs attention folders
    of the mailbox. Exits with 1 when something could not be purged; the rest
    is done.
    """
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    now = parse_now(now_text, settings) or datetime.now(timezone.utc)

    try:
        settings.require_sign_in_secrets()
        worker = Purge(settings, open_sessions(settings))
        plan = worker.plan(now)
        with terminal_progress("Checking" if dry_run else "Purging") as progress:
            report = worker.carry_out(plan, dry_run=dry_run, progress=None if as_json else progress)
    except MailbotError as exc:
        raise click.ClickException(str(exc)) from exc

    if as_json:
        click.echo(json.dumps(_document(plan, report, settings), indent=2, ensure_ascii=False))
    else:
        click.echo(_text(plan, report, settings))
    if report.problems:
        raise SystemExit(1)


def _document(plan: PurgePlan, report: PurgeReport, settings: Settings) -> dict[str, Any]:
    zone = settings.zone
    return {
        "dry_run": report.dry_run,
        "now": local_iso(plan.now, zone),
        "retention_months": settings.data_protection.retention_months,
        "cutoff": local_iso(plan.cutoff, zone),
        "cases": [{"reference": due.reference, "state": due.state, "finished": local_iso(due.finished_at, zone)} for due in report.cases],
        "counts": {
            "cases": len(report.cases),
            "history_entries": report.footprint.history_entries,
            "message_records": report.footprint.message_records,
            "emails_cleared": report.footprint.emails,
            "raw_messages_deleted": report.raw_messages,
            "caseless_message_records": report.caseless_records,
            "caseless_emails_cleared": report.caseless_emails,
        },
        "problems": report.problems,
    }


def _text(plan: PurgePlan, report: PurgeReport, settings: Settings) -> str:
    zone = settings.zone
    months = settings.data_protection.retention_months
    lines = [f"Retention period: {months} months, so what finished before {local_text(plan.cutoff, zone)} is purged."]
    if not report.cases and not report.caseless_records and not report.caseless_emails and not report.problems:
        lines.append("Nothing has passed the retention period." if report.dry_run else "Nothing has passed the retention period; nothing was changed.")
        return "\n".join(lines)

    verb = "Would anonymise" if report.dry_run else "Anonymised"
    raw_verb = "would be deleted" if report.dry_run else "deleted"
    footprint = report.footprint
    lines.append(f"{verb} {len(report.cases)} finished case(s):")
    lines.extend(f"  {due.reference}  {due.state} on {local_text(due.finished_at, zone)}" for due in report.cases)
    lines.append(
        f"  with {footprint.history_entries} history entries, {footprint.message_records} message record(s) "
        f"and {footprint.emails} email(s) whose content is cleared"
    )
    lines.append(f"{verb} {report.caseless_records} message record(s) about no case, such as set-aside mail.")
    lines.append(f"{'Would clear' if report.dry_run else 'Cleared'} {report.caseless_emails} email(s) about no case, such as notices to staff.")
    lines.append(f"Raw messages {raw_verb} from the mailbox folders {settings.mailbox.processed_folder!r} and {settings.mailbox.attention_folder!r}: {report.raw_messages}.")
    if report.problems:
        lines.append("Not done:")
        lines.extend(f"  {problem}" for problem in report.problems)
    if report.dry_run:
        lines.append("Nothing was changed (--dry-run).")
    return "\n".join(lines)
