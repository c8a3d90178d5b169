"""`mailbot person`: export or erase everything held about one person, for UK GDPR requests."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import click

from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions
from mailbot.config import Settings, checked_address
from mailbot.erasure import Erasure, ErasurePlan, ErasureResult
from mailbot.errors import MailbotError
from mailbot.mailbox import CONNECTION_ERRORS
from mailbot.person_record import PersonRecord, export_document, find_person

# The export contains personal data, so only mailbot's own user may read the file.
EXPORT_FILE_MODE = 0o600


@click.group(name="person")
def person() -> None:
    """Export or erase what mailbot stores about one person, found by their email address."""


def _email_argument(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return checked_address(value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; give the address as it appears in the emails, such as j.patel@oakfield.example") from exc


@person.command(name="export")
@click.argument("address", metavar="EMAIL", callback=_email_argument)
@config_option
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON to this file (readable by its owner only) instead of printing it.")
def export_command(address: str, config_path: Path, output_path: Path | None) -> None:
    """Write everything mailbot's database stores about EMAIL as JSON.

    That is every case they are part of, whole, with their roles there, the
    records of messages from them or naming them, the emails to them (headers,
    text, and attachments by name and size), emails to staff that name them,
    their register entry and the ledger lines of their cases. The cases name
    other people too: remove those before sending the export to the person.
    """
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")

    with open_sessions(settings)() as session:
        record = find_person(session, address, settings)
        text = json.dumps(export_document(session, record, settings, datetime.now(timezone.utc)), indent=2, ensure_ascii=False)

    if output_path is None:
        click.echo(text)
        return
    _write_private(output_path, text + "\n")
    click.echo(f"Wrote {output_path}: {_summary(record)}.", err=True)


@person.command(name="erase")
@click.argument("address", metavar="EMAIL", callback=_email_argument)
@config_option
@click.option("--yes", is_flag=True, help="Erase without asking for confirmation.")
def erase_command(address: str, config_path: Path, yes: bool) -> None:
    """Anonymise EMAIL wherever no retention rule needs it kept, and list what is held back and why.

    Every finished case they are part of is anonymised whole, their raw mail
    is deleted from the mailbox, and their PST register entry is removed. An
    open case, and what it needs, is held back. Exits with 1 when anything
    was held back or the erasure was refused.
    """
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    sessions = open_sessions(settings)
    erasure = Erasure(settings, sessions)

    plan = erasure.preview(address)
    if plan.refusal is not None:
        raise click.ClickException(plan.refusal)
    click.echo(_plan_text(plan, settings))
    if plan.nothing_to_do:
        click.echo("Nothing to erase.")
        raise SystemExit(1 if plan.held else 0)

    if not yes:
        click.confirm(f"Erase {plan.address} as listed above?", abort=True)
    try:
        if plan.cases or plan.messages:
            settings.require_sign_in_secrets()
        result = erasure.carry_out(address, datetime.now(timezone.utc))
    except (MailbotError, *CONNECTION_ERRORS) as exc:
        raise click.ClickException(f"{exc}\nNothing was erased from the database; run the command again once this is fixed.") from exc

    click.echo(_result_text(result))
    if result.plan.held:
        raise SystemExit(1)


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, EXPORT_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as output:
        output.write(text)
    # os.open leaves the mode of a file that already existed as it was.
    os.chmod(path, EXPORT_FILE_MODE)


def _summary(record: PersonRecord) -> str:
    return (
        f"{len(record.cases)} case(s), {len(record.messages)} message record(s), {len(record.emails_to)} email(s) to them, "
        f"{len(record.emails_naming)} email(s) naming them, register entry: {'yes' if record.pst is not None else 'no'}"
    )


def _plan_text(plan: ErasurePlan, settings: Settings) -> str:
    record = plan.record
    if record.empty:
        return f"mailbot holds nothing about {plan.address}."

    lines = [f"Held about {plan.address}: {_summary(record)}."]
    for case in record.cases:
        lines.append(f"  {case.reference} ({case.state}): {', '.join(record.case_roles[case.id])}")

    if not plan.nothing_to_do:
        lines.append("Erasing it:")
        if plan.cases:
            lines.append(
                f"  anonymises {len(plan.cases)} finished case(s) whole, everyone on them included, because their history "
                f"and emails name their people together: {', '.join(case.reference for case in plan.cases)}"
            )
        if plan.cases or plan.messages:
            lines.append(
                f"  deletes their raw mail from the mailbox folders {settings.mailbox.processed_folder!r} and {settings.mailbox.attention_folder!r}"
            )
        if plan.messages:
            lines.append(f"  anonymises {len(plan.messages)} message record(s) about no case")
        if plan.emails:
            lines.append(f"  clears {len(plan.emails)} email(s) about no case, such as notices to staff")
        if plan.pst is not None:
            lines.append(f"  removes their PST register entry ({plan.pst.name}, {plan.pst.school}) and its designation notices")

    if plan.held:
        lines.append("Held back:")
        lines.extend(f"  {item.what}: {item.why}" for item in plan.held)
    if plan.ledger:
        references = sorted({line["case_reference"] for line in plan.ledger})
        lines.append(
            f"Kept: {len(plan.ledger)} ledger entries of {', '.join(references)} (amounts, schools, terms and visit dates, "
            "no names), because they are financial records."
        )
    if plan.cases:
        lines.append("Kept: each case's reference, state, dates and requesting school, and the Message-IDs of its messages.")
    return "\n".join(lines)


def _result_text(result: ErasureResult) -> str:
    plan = result.plan
    lines = [
        f"Erased {plan.address}: {len(plan.cases)} case(s) anonymised ({result.footprint.history_entries} history entries, "
        f"{result.footprint.message_records} message record(s), {result.footprint.emails} email(s)), "
        f"{len(plan.messages)} message record(s) and {len(plan.emails)} email(s) about no case cleared, "
        f"{result.raw_messages} raw message(s) deleted from the mailbox, "
        f"register entry {'removed' if plan.pst is not None else 'none'}."
    ]
    if plan.held:
        lines.append(f"{len(plan.held)} item(s) were held back, as listed above; erase again once they are settled.")
    return "\n".join(lines)
