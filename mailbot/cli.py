"""The `mailbot` command line."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from mailbot.cli_attention import attention
from mailbot.cli_check import check
from mailbot.cli_ledger import ledger
from mailbot.cli_person import person
from mailbot.cli_pst import pst
from mailbot.cli_purge import purge
from mailbot.cli_report import report
from mailbot.cli_status import status
from mailbot.cli_upcoming import upcoming
from mailbot.cli_common import (
    config_option,
    configure_logging,
    database_problem,
    echo_listing,
    load_settings_or_exit,
    open_sessions,
    parse_now,
    terminal_progress,
    text_table,
)
from mailbot.errors import MailbotError
from mailbot.render import uk_date, uk_time
from mailbot.resources import configured_folder
from mailbot.ruleset import load_rules
from mailbot.store.models import Case


@click.group()
@click.version_option(package_name="mailbot")
def main() -> None:
    """mailbot: brokers Peer Support Teacher visits from the alliance's shared inbox."""


@main.command()
@config_option
@click.option("--once", is_flag=True, help="Do one full pass (read the inbox, send the outbox) and exit.")
@click.option("--now", "now_text", metavar="DATETIME", help="With --once: the clock for the pass, e.g. 2027-01-12T08:00 (Europe/London unless an offset is given).")
@click.option("--json", "as_json", is_flag=True, help="With --once: print what the pass did as JSON for scripts (the log still goes to standard error).")
def run(config_path: Path, once: bool, now_text: str | None, as_json: bool) -> None:
    """Run the daemon until SIGTERM or Ctrl-C, or for one pass with --once."""
    from mailbot.daemon import Daemon

    settings = load_settings_or_exit(config_path)
    configure_logging(settings.logging.level, settings.logging.format)
    if now_text and not once:
        raise click.UsageError("--now only works with --once")
    if as_json and not once:
        raise click.UsageError("--json only works with --once")
    now = parse_now(now_text, settings)
    exit_code = 0

    try:
        settings.require_sign_in_secrets()
        daemon = Daemon(settings)
        try:
            if once:
                with terminal_progress("Reading the inbox") as progress:
                    report = daemon.run_once(now, progress)
                if as_json:
                    click.echo(json.dumps(dataclasses.asdict(report), indent=2))
                if report.sending.server_problem is not None:
                    # The pass did its work, but the operator must hear that nothing could be sent.
                    raise MailbotError(f"{report.sending.server_problem}. {report.sending.deferred} email(s) stay queued and are retried at the next pass")
            else:
                exit_code = daemon.run_forever()
        finally:
            daemon.close()
    except MailbotError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        # The daemon retries a database that fails while it runs; one that cannot be opened at start is the operator's to fix.
        raise click.ClickException(database_problem(settings, exc)) from exc
    if exit_code:
        raise SystemExit(exit_code)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def cases(config_path: Path, as_json: bool) -> None:
    """List every case: reference, state, school, requester and when it last changed."""
    from mailbot.case_view import case_row

    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    with open_sessions(settings)() as session:
        rows = [case_row(case, settings.zone) for case in session.scalars(select(Case).order_by(Case.id))]

    echo_listing(rows, as_json, "No cases yet.", _table)


@main.command()
@click.argument("reference")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def case(reference: str, config_path: Path, as_json: bool) -> None:
    """Show one case whole, with its history."""
    from mailbot.case_view import case_document, case_text

    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    with open_sessions(settings)() as session:
        found = session.scalars(
            select(Case)
            .where(Case.reference == reference.strip().upper())
            .options(selectinload(Case.events), selectinload(Case.emails))
        ).one_or_none()
        if found is None:
            raise click.ClickException(f"no case has the reference {reference!r}; `mailbot cases` lists them")

        if as_json:
            click.echo(json.dumps(case_document(found, settings.zone), indent=2, ensure_ascii=False))
        else:
            rules = load_rules(configured_folder(settings.workflow.rules_dir, "rules"))
            click.echo(case_text(found, settings.zone, rules.state_label(found.state)))


main.add_command(pst)
main.add_command(ledger)
main.add_command(status)
main.add_command(upcoming)
main.add_command(attention)
main.add_command(check)
main.add_command(report)
main.add_command(purge)
main.add_command(person)


@main.command()
@click.option("--keep", "keep_folder", type=click.Path(file_okay=False, path_type=Path), help="Keep the demo's config and database in this folder instead of a temporary one.")
def demo(keep_folder: Path | None) -> None:
    """Run mailbot against IMAP and SMTP servers started in this process, with sample forms."""
    from mailbot.demo import run_demo

    configure_logging("WARNING")
    try:
        run_demo(keep_folder)
    except MailbotError as exc:
        raise click.ClickException(str(exc)) from exc


def _table(rows: list[dict]) -> str:
    lines = [("REFERENCE", "STATE", "SCHOOL", "REQUESTER", "UPDATED")]
    for row in rows:
        requester = row["requester"] or {}
        moment = datetime.fromisoformat(row["updated"])
        updated = f"{uk_date(moment)} {uk_time(moment)}"
        lines.append((row["reference"], row["state"], row["school"], requester.get("name") or "", updated))
    return text_table(lines)
