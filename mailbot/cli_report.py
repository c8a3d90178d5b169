"""`mailbot report`: preview the weekly digest or the termly summary from the database, without sending it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import click

from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions
from mailbot.config import Settings
from mailbot.digest import WeeklyDigest
from mailbot.errors import MailbotError
from mailbot.outbox import Outbox
from mailbot.render import TemplateRenderer
from mailbot.reports import ScheduledReport
from mailbot.resources import configured_folder
from mailbot.ruleset import Rules, load_rules
from mailbot.termly_summary import TermlySummary
from mailbot.timings import local_moment

DIGEST = "digest"
TERMLY = "termly"


@click.command(name="report")
@click.argument("name", type=click.Choice([DIGEST, TERMLY]))
@config_option
@click.option("--term", "term_name", metavar="TERM", help="termly only: the school term, such as autumn-2026 (the season and the year the term starts in); default: the term of today.")
@click.option("--date", "date_text", metavar="DATE", help="digest only: show the digest as sent on this day at its time in rules/timings.toml, as DD/MM/YYYY; default: now.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML part to this file.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the CSV attachment to this file.")
def report(name: str, config_path: Path, term_name: str | None, date_text: str | None, html_path: Path | None, csv_path: Path | None) -> None:
    """Print the subject and plain-text part of the weekly digest or the termly summary from the database as it is now; send nothing."""
    if term_name is not None and name != TERMLY:
        raise click.UsageError("--term only works with `mailbot report termly`")
    if date_text is not None and name != DIGEST:
        raise click.UsageError("--date only works with `mailbot report digest`")

    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    rules, renderer = _load_rules_and_templates(settings)
    outbox = Outbox(settings, renderer)
    chosen: ScheduledReport = WeeklyDigest(settings, rules, outbox) if name == DIGEST else TermlySummary(settings, rules, outbox)

    now = datetime.now(timezone.utc)
    if name == DIGEST:
        if date_text is not None:
            now = local_moment(_parse_day(date_text), rules.timings.digest_time, settings.zone)
        occasion = now.astimezone(settings.zone).date().isoformat()
    else:
        occasion = _term_name(rules, term_name, now, settings)

    with open_sessions(settings)() as session:
        rendered, attachment = chosen.preview(session, occasion, now)

    click.echo(f"Subject: {rendered.subject}\nTo: {chosen.recipient().address}\n")
    click.echo(rendered.text, nl=False)
    if html_path is not None:
        html_path.write_text(rendered.html, encoding="utf-8")
        click.echo(f"HTML part written to {html_path}", err=True)
    if csv_path is not None:
        csv_path.write_bytes(attachment.data)
        click.echo(f"CSV attachment {attachment.filename} written to {csv_path}", err=True)


def _load_rules_and_templates(settings: Settings) -> tuple[Rules, TemplateRenderer]:
    try:
        rules = load_rules(configured_folder(settings.workflow.rules_dir, "rules"))
        templates = configured_folder(settings.workflow.templates_dir, "templates")
    except (MailbotError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    return rules, TemplateRenderer(templates, settings.zone)


def _parse_day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a date such as 11/01/2027", param_hint="--date") from exc


def _term_name(rules: Rules, term_name: str | None, now: datetime, settings: Settings) -> str:
    """Return the canonical name of ``term_name``, or of the term of today when it is None."""
    if term_name is None:
        return rules.calendar.term_of(now.astimezone(settings.zone).date()).name
    try:
        return rules.calendar.term_named(term_name).name
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--term") from exc
