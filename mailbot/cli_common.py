"""Pieces every `mailbot` command shares: the --config option, logging, settings and the database."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailbot.config import Settings, load_settings
from mailbot.errors import MailbotError
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

config_option = click.option(
    "--config",
    "config_path",
    required=True,
    envvar="MAILBOT_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The TOML config file (or set MAILBOT_CONFIG).",
)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    if level != "DEBUG":
        # Alembic narrates each migration step and APScheduler each job run at INFO,
        # several lines a minute; mailbot logs its own decisions instead.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # mail-parser logs dozens of lines per message at DEBUG, none of them about mailbot's decisions.
    logging.getLogger("mailparser").setLevel(max(logging.INFO, logging.getLevelName(level)))


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
        where = engine.url.render_as_string(hide_password=True)
        raise click.ClickException(f"the database {where} could not be opened: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    return session_factory(engine)


def echo_listing(rows: list[dict[str, Any]], as_json: bool, empty_message: str, table: Callable[[list[dict[str, Any]]], str]) -> None:
    """Print ``rows`` as JSON for scripts, as a table for people, or ``empty_message`` when there are none."""
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(empty_message)
    else:
        click.echo(table(rows))
