"""`mailbot pst`: the register of Peer Support Teachers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from mailbot.cli_common import config_option, configure_logging, echo_listing, load_settings_or_exit, open_sessions, terminal_progress, text_table
from mailbot.config import Settings
from mailbot.designation import designation_status, expiry_date, notice_moments
from mailbot.errors import MailbotError
from mailbot.register import ImportReport, PstRecord, find_pst, import_register, parse_uk_date, pst_entry, read_register_csv, redesignate
from mailbot.render import uk_date
from mailbot.resources import configured_folder
from mailbot.ruleset import load_rules
from mailbot.store.models import Pst
from mailbot.timings import Timings

COMMAND_LINE_ACTOR = "command line"


@click.group(name="pst")
def pst() -> None:
    """Import, list and re-designate Peer Support Teachers."""


@pst.command(name="import")
@click.argument("csv_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print what the import did as JSON for scripts.")
def import_command(csv_path: Path, config_path: Path, as_json: bool) -> None:
    """Add or update the PSTs in the register FILE (CSV) and schedule their designation notices.

    A file with any problem imports nothing, and every problem is listed.
    PSTs missing from the file are kept and listed.
    """
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    timings = _load_timings(settings)
    now = datetime.now(timezone.utc)

    try:
        records = read_register_csv(csv_path, today=_today(settings, now))
    except MailbotError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported; correct the file and run the import again.") from exc

    with open_sessions(settings).begin() as session, terminal_progress("Importing PSTs") as progress:
        report = import_register(session, _counted(records, progress), now, timings, settings.zone)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(report), indent=2, ensure_ascii=False))
    else:
        click.echo(_describe_import(csv_path, report))


def _counted(records: list[PstRecord], progress: Callable[[int, int], None] | None) -> Iterator[PstRecord]:
    for number, record in enumerate(records, start=1):
        yield record
        if progress is not None:
            progress(number, len(records))


@pst.command(name="list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts, with ISO 8601 dates.")
def list_command(config_path: Path, as_json: bool) -> None:
    """List every PST: name, email, school, phase, designation date, expiry date and status."""
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    timings = _load_timings(settings)
    today = _today(settings, datetime.now(timezone.utc))

    with open_sessions(settings)() as session:
        psts = list(session.scalars(select(Pst).order_by(Pst.name, Pst.email)))
        documents = [_pst_document(pst, today, timings) for pst in psts]

    echo_listing(documents, as_json, "No PSTs yet; add them with `mailbot pst import FILE`.", _table)


@pst.command(name="redesignate")
@click.argument("email")
@click.argument("designated_text", metavar="DATE")
@config_option
def redesignate_command(email: str, designated_text: str, config_path: Path) -> None:
    """Record that the PST with EMAIL was re-designated on DATE (DD/MM/YYYY, not in the future).

    The PST's pending designation notices are cancelled and new ones are
    scheduled for the end of the new designation.
    """
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    timings = _load_timings(settings)
    now = datetime.now(timezone.utc)
    try:
        designated_on = parse_uk_date(designated_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="DATE") from exc

    try:
        with open_sessions(settings).begin() as session:
            previous = find_pst(session, email).designated_on
            updated = redesignate(session, email, designated_on, now, timings, settings.zone, actor=COMMAND_LINE_ACTOR)
            notice_days = [moment.astimezone(settings.zone).date() for _, moment in notice_moments(updated, timings, settings.zone)]
            name, address = updated.name, updated.email
    except MailbotError as exc:
        raise click.ClickException(str(exc)) from exc

    click.echo(
        f"Re-designated {name} <{address}> on {uk_date(designated_on)} (previously {uk_date(previous)}); "
        f"the designation now ends on {uk_date(expiry_date(updated, timings))}."
    )
    if notice_days:
        click.echo(f"Notices fall due on {', '.join(uk_date(day) for day in notice_days)}.")


def _load_timings(settings: Settings) -> Timings:
    try:
        return load_rules(configured_folder(settings.workflow.rules_dir, "rules")).timings
    except (MailbotError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


def _today(settings: Settings, now: datetime) -> date:
    return now.astimezone(settings.zone).date()


def _describe_import(csv_path: Path, report: ImportReport) -> str:
    lines = [
        f"Imported {csv_path.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.notices_scheduled} designation notice(s) scheduled."
    ]
    if report.not_in_file:
        lines.append(f"Not in this file, kept on the register ({len(report.not_in_file)}):")
        lines.extend(f"  {entry.name} <{entry.email}>" for entry in report.not_in_file)
    if report.kept_later_date:
        lines.append(
            "Kept the later designation date already recorded, because the file has an earlier one "
            "(use `mailbot pst redesignate EMAIL DATE` to set an earlier date on purpose):"
        )
        lines.extend(f"  {entry.name} <{entry.email}>" for entry in report.kept_later_date)
    return "\n".join(lines)


def _pst_document(pst: Pst, today: date, timings: Timings) -> dict[str, Any]:
    return {
        **pst_entry(pst),
        "expires_on": expiry_date(pst, timings).isoformat(),
        "status": designation_status(pst, today, timings),
    }


def _table(documents: list[dict[str, Any]]) -> str:
    lines = [("NAME", "EMAIL", "SCHOOL", "PHASE", "DESIGNATED", "EXPIRES", "STATUS")]
    for document in documents:
        lines.append(
            (
                document["name"],
                document["email"],
                document["school"],
                document["phase"],
                uk_date(date.fromisoformat(document["designated_on"])),
                uk_date(date.fromisoformat(document["expires_on"])),
                document["status"],
            )
        )
    return text_table(lines)
