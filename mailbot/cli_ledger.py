"""`mailbot ledger`: the charges and reimbursements for PST visits, by school term."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

import click

from mailbot.cli_common import config_option, configure_logging, load_settings_or_exit, open_sessions, text_table
from mailbot.errors import MailbotError
from mailbot.ledger import ledger_rows, totals_by_school
from mailbot.rates import format_pounds, uk_money
from mailbot.render import uk_date
from mailbot.resources import configured_folder
from mailbot.ruleset import Rules, load_rules
from mailbot.schooldays import SchoolCalendar

CSV_HEADER = ("term", "visit_date", "case_reference", "school", "entry_type", "half_days", "rate", "amount")

# A spreadsheet runs a cell that starts with one of these as a formula. School
# names come from request forms, so a name starting with one is written with a
# leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@click.command(name="ledger")
@config_option
@click.option("--term", "term_name", metavar="TERM", help="Only this school term, such as autumn-2026 (the season and the year the term starts in).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV for a finance system: one row per entry, dates as DD/MM/YYYY, amounts in pounds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts: one object per entry, ISO 8601 dates, amounts in pence.")
def ledger(config_path: Path, term_name: str | None, as_csv: bool, as_json: bool) -> None:
    """List what each visit charged the requesting school and reimbursed the PST's school.

    The table groups the entries by school term and ends each term with every
    school's total charges and reimbursements.
    """
    settings = load_settings_or_exit(config_path)
    configure_logging("WARNING")
    calendar = _load_rules(settings.workflow.rules_dir).calendar
    if term_name is not None:
        term_name = _checked_term_name(calendar, term_name)

    with open_sessions(settings)() as session:
        rows = ledger_rows(session, calendar, term_name)

    if as_csv and as_json:
        raise click.UsageError("--csv and --json cannot be used together; choose one")
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif as_csv:
        click.echo(_csv_text(rows), nl=False)
    elif not rows:
        click.echo(f"No ledger entries for {term_name}." if term_name else "No ledger entries yet.")
    else:
        click.echo(_table_text(rows, calendar))


def _load_rules(rules_dir: str) -> Rules:
    try:
        return load_rules(configured_folder(rules_dir, "rules"))
    except (MailbotError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


def _checked_term_name(calendar: SchoolCalendar, term_name: str) -> str:
    """Return the term's name as the ledger stores it, such as "autumn-2026", or raise click.BadParameter."""
    try:
        return calendar.term_named(term_name).name
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--term") from exc


def _csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            (
                row["term"],
                uk_date(date.fromisoformat(row["visit_date"])),
                row["case_reference"],
                _spreadsheet_text(row["school"]),
                row["entry_type"],
                row["half_days"],
                format_pounds(row["rate_pence"]),
                format_pounds(row["amount_pence"]),
            )
        )
    return buffer.getvalue()


def _spreadsheet_text(text: str) -> str:
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _table_text(rows: list[dict[str, Any]], calendar: SchoolCalendar) -> str:
    sections = []
    for term_name, term_rows in groupby(rows, key=lambda row: row["term"]):
        term_rows = list(term_rows)
        term = calendar.term_named(term_name)
        heading = f"Term {term_name} ({uk_date(term.first_day)} to {uk_date(term.last_day)})"
        sections.append("\n".join([heading, _entries_table(term_rows), "", f"Totals for {term_name}", _totals_table(term_rows)]))
    return "\n\n".join(sections)


def _entries_table(rows: list[dict[str, Any]]) -> str:
    lines = [("VISIT DATE", "CASE", "SCHOOL", "ENTRY", "HALF-DAYS", "RATE", "AMOUNT")]
    for row in rows:
        lines.append(
            (
                uk_date(date.fromisoformat(row["visit_date"])),
                row["case_reference"],
                row["school"],
                row["entry_type"],
                str(row["half_days"]),
                uk_money(row["rate_pence"]),
                uk_money(row["amount_pence"]),
            )
        )
    return text_table(lines, numeric_columns=frozenset({4, 5, 6}))


def _totals_table(rows: list[dict[str, Any]]) -> str:
    totals = totals_by_school(rows)
    lines = [("SCHOOL", "CHARGED", "REIMBURSED")]
    for total in totals:
        lines.append((total.school, uk_money(total.charged_pence), uk_money(total.reimbursed_pence)))
    lines.append(
        (
            "All schools",
            uk_money(sum(total.charged_pence for total in totals)),
            uk_money(sum(total.reimbursed_pence for total in totals)),
        )
    )
    return text_table(lines, numeric_columns=frozenset({1, 2}))

