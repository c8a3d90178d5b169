"""Pieces every `mailbot` command shares: the --config option, logging, settings and the database."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailbot.config import Settings, load_settings
from mailbot.errors import MailbotError
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_LOG_FIELDS = ["asctime", "levelname", "name", "message"]
JSON_LOG_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}
JSON_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

config_option = click.option(
    "--config",
    "config_path",
    required=True,
    envvar="MAILBOT_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The TOML config file (or set MAILBOT_CONFIG).",
)


def text_table(lines: list[tuple[str, ...]], numeric_columns: frozenset[int] = frozenset()) -> str:
    """Lay out ``lines``, the header first, in columns two spaces apart, with the numeric columns right-aligned."""
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    text_lines = []
    for line in lines:
        cells = [
            cell.rjust(width) if column in numeric_columns else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(line, widths))
        ]
        text_lines.append("  ".join(cells).rstrip())
    return "\n".join(text_lines)


@contextmanager
def terminal_progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a callback that draws a progress bar from (done, total) when standard output is a terminal, else None.

    Scripts and log files then get no bar lines, only the command's own output.
    """
    if not sys.stdout.isatty():
        yield None
        return

    bar: Any = None
    clearing = _ClearBarLine()

    def advance(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stdout)
            bar.__enter__()
            for handler in logging.getLogger().handlers:
                handler.addFilter(clearing)
        bar.update(done - bar.pos)

    try:
        yield advance
    finally:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(clearing)
        if bar is not None:
            bar.__exit__(None, None, None)


class _ClearBarLine(logging.Filter):
    """Clears the progress bar's line before a log line is written to the same terminal; the bar redraws below it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if sys.stderr.isatty():
            sys.stdout.write("\r\x1b[K")
            sys.stdout.flush()
        return True


def configure_logging(level: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        # One object per line with fixed keys, so a log collector needs no pattern to read the time, level or logger.
        handler.setFormatter(JsonFormatter(JSON_LOG_FIELDS, rename_fields=JSON_LOG_NAMES, datefmt=JSON_TIME_FORMAT))
    else:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    if level != "DEBUG":
        # Alembic narrates each migration step and APScheduler each job run at INFO,
        # several lines a minute; mailbot logs its own decisions instead.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # mail-parser logs dozens of lines per message at DEBUG, none of them about mailbot's decisions.
    logging.getLogger("mailparser").setLevel(max(logging.INFO, logging.getLevelName(level)))


def parse_now(value: str | None, settings: Settings) -> datetime | None:
    """Read --now as a local time in the alliance's time zone, unless it carries an offset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date and time such as 2027-01-12T08:00", param_hint="--now") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.zone)
    return moment


def load_settings_or_exit(config_path: Path) -> Settings:
    """Load the settings, turning a configuration error into a clean command-line error."""
    try:
        return load_settings(config_path)
    except MailbotError as exc:
        raise click.ClickException(str(exc)) from exc


def open_sessions(settings: Settings) -> sessionmaker[Session]:
    """Open the configured database, bringing its schema up to date first."""
    try:
        engine = create_database_engine(settings.database.url)
        upgrade_schema(engine)
    except MailbotError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(database_problem(settings, exc)) from exc
    return session_factory(engine)


def database_problem(settings: Settings, exc: SQLAlchemyError) -> str:
    """Describe a database that could not be opened in one line, its password masked."""
    where = make_url(settings.database.url).render_as_string(hide_password=True)
    return f"the database {where} could not be opened: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"


def echo_listing(rows: list[dict[str, Any]], as_json: bool, empty_message: str, table: Callable[[list[dict[str, Any]]], str]) -> None:
    """Print ``rows`` as JSON for scripts, as a table for people, or ``empty_message`` when there are none."""
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(empty_message)
    else:
        click.echo(table(rows))
