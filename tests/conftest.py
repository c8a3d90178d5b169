"""Shared fixtures: real IMAP, SMTP and database servers on loopback.

Dovecot runs once per session. pymap and the SMTP sink run in process and are
started fresh for each test. Set MAILBOT_REQUIRE_DOVECOT=1 or
MAILBOT_REQUIRE_POSTGRES=1 to turn a missing server into a failure instead
of a skip. Tests that need one database take ``store_url``: SQLite, or
PostgreSQL when MAILBOT_TEST_DATABASE=postgresql; tests that take
``database_url`` run on both.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailbot.embedded import EmbeddedImapServer, SmtpSink
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from servers import Account
from servers.dovecot import DovecotServer

POSTGRES_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, keep only the tests whose database the setting changes."""
    if os.environ.get("MAILBOT_TEST_DATABASE") != "postgresql":
        return
    kept = [item for item in items if "store_url" in getattr(item, "fixturenames", ())]
    deselected = [item for item in items if "store_url" not in getattr(item, "fixturenames", ())]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _required(variable: str) -> bool:
    return os.environ.get(variable) == "1"


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot server for the whole session. Each test takes its own account."""
    if shutil.which("dovecot") is None:
        reason = "dovecot is not installed: run apt-get install -y dovecot-imapd dovecot-lmtpd"
        if _required("MAILBOT_REQUIRE_DOVECOT"):
            pytest.fail(f"{reason} (MAILBOT_REQUIRE_DOVECOT=1 is set)", pytrace=False)
        pytest.skip(reason)

    server = DovecotServer().start()
    yield server

    server.stop()
    server.cleanup()


@pytest.fixture
def pymap_account() -> Iterator[Account]:
    """An account on a new pymap server whose INBOX is empty."""
    with EmbeddedImapServer() as server:
        yield Account(
            host=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            server="pymap",
        )


@pytest.fixture(
    params=[
        pytest.param("pymap", id="pymap"),
        pytest.param("dovecot", id="dovecot", marks=pytest.mark.dovecot),
    ]
)
def imap_account(request: pytest.FixtureRequest) -> Account:
    """An account with an empty mailbox, once on pymap and once on Dovecot."""
    if request.param == "pymap":
        account: Account = request.getfixturevalue("pymap_account")
        return account

    server: DovecotServer = request.getfixturevalue("dovecot")
    return server.add_account()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A started SMTP sink that stores every message sent to it."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a new SQLite database file in the test's tmp_path."""
    return f"sqlite:///{tmp_path}/mailbot.sqlite3"


def _create_postgres_database() -> tuple[sqlalchemy.Engine, str]:
    """Create an empty database with a unique name and return the admin engine and that name."""
    admin_engine = sqlalchemy.create_engine(
        f"{POSTGRES_SERVER_URL}/postgres",
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    name = f"mailbot_test_{uuid.uuid4().hex[:16]}"

    try:
        with admin_engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as error:
        admin_engine.dispose()
        reason = f"PostgreSQL at {POSTGRES_SERVER_URL} is not available: {error}"
        if _required("MAILBOT_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason} (MAILBOT_REQUIRE_POSTGRES=1 is set)", pytrace=False)
        pytest.skip(reason)

    return admin_engine, name


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    admin_engine, name = _create_postgres_database()
    yield f"{POSTGRES_SERVER_URL}/{name}"

    # FORCE ends connections that the test's engine left open in its pool.
    with admin_engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture
def store_url(request: pytest.FixtureRequest) -> str:
    """The database of a test that runs on one: a new SQLite file, or PostgreSQL with MAILBOT_TEST_DATABASE=postgresql."""
    if os.environ.get("MAILBOT_TEST_DATABASE") == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    url = request.getfixturevalue("sqlite_url")
    return url


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a new database, once on SQLite and once on PostgreSQL, with mailbot's schema."""
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database, once on SQLite and once on PostgreSQL."""
    fixture_name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture_name)
    return url
