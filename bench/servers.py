"""The real servers the benchmarks run against, all on 127.0.0.1, and the config files that point mailbot at them.

Dovecot is the tests' own throwaway instance (tests/servers/dovecot.py), the
SMTP server is bench/sink.py in a process of its own, and each PostgreSQL
database is created for one benchmark and dropped after it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy

from mailbot.embedded import free_port

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tests"))

from servers import Account  # noqa: E402  (tests/ is only importable once it is on sys.path)
from servers.dovecot import DovecotServer  # noqa: E402

POSTGRES_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
BOT_ADDRESS = "pst@star-tsa.example"
BUSINESS_MANAGER = "bm@star-tsa.example"
STRATEGIC_LEAD = "lead@star-tsa.example"
TRUSTED_MAIL_HOST = "mx.star-tsa.example"
# The hourly cap per recipient would hold back most of a backlog's emails to staff,
# and the benchmarks measure speed, not that cap, so it is set out of reach.
MAX_PER_RECIPIENT_PER_HOUR = 1_000_000
SINK_START_TIMEOUT_SECONDS = 20.0

__all__ = ["Account", "DovecotServer", "SinkProcess", "postgres_database", "sqlite_url", "write_config"]


@dataclass(frozen=True)
class SinkMessage:
    """One message the sink accepted: its arrival time (time.monotonic), recipients, size and case reference."""

    at: float
    to: tuple[str, ...]
    size_bytes: int
    case: str | None


class SinkProcess:
    """bench/sink.py running as a child process, with every message it reports collected here."""

    def __init__(self, log_folder: Path) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.log_path = log_folder / "sink.log"
        self.messages: list[SinkMessage] = []
        self._arrived = threading.Condition()
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> SinkProcess:
        with self.log_path.open("w") as stderr:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bench.sink", "--port", str(self.port)],
                cwd=REPOSITORY,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        assert self._process.stdout is not None
        ready = _read_line_with_timeout(self._process, SINK_START_TIMEOUT_SECONDS)
        if ready.strip() != "READY":
            self.stop()
            raise RuntimeError(f"the SMTP sink on port {self.port} failed to start; see {self.log_path}")
        self._reader = threading.Thread(target=self._read_reports, name="sink-reader", daemon=True)
        self._reader.start()
        return self

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._process = None
        if self._reader is not None:
            self._reader.join(5)

    def count(self) -> int:
        with self._arrived:
            return len(self.messages)

    def first(self, predicate: Callable[[SinkMessage], bool]) -> SinkMessage | None:
        """Return the earliest message received so far for which ``predicate`` holds, or None."""
        with self._arrived:
            return next((message for message in self.messages if predicate(message)), None)

    def wait_for(self, predicate: Callable[[list[SinkMessage]], bool], timeout_seconds: float) -> bool:
        """Wait until ``predicate`` holds for the messages received so far; return False on time-out."""
        with self._arrived:
            return self._arrived.wait_for(lambda: predicate(self.messages), timeout_seconds)

    def wait_until_quiet(self, quiet_seconds: float = 1.0, timeout_seconds: float = 600.0) -> int:
        """Wait until no message has arrived for ``quiet_seconds``; return how many arrived in all."""
        deadline = time.monotonic() + timeout_seconds
        last_count = -1
        while time.monotonic() < deadline:
            count = self.count()
            if count == last_count:
                return count
            last_count = count
            time.sleep(quiet_seconds)
        return self.count()

    def _read_reports(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            record = json.loads(line)
            message = SinkMessage(record["at"], tuple(record["to"]), record["bytes"], record["case"])
            with self._arrived:
                self.messages.append(message)
                self._arrived.notify_all()

    def __enter__(self) -> SinkProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _read_line_with_timeout(process: subprocess.Popen[str], timeout_seconds: float) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout_seconds)
    return lines[0] if lines else ""


@contextmanager
def dovecot() -> Iterator[DovecotServer]:
    """Start a throwaway Dovecot on 127.0.0.1 for the whole run, and stop and delete it afterwards; each benchmark adds its own account."""
    server = DovecotServer().start()
    try:
        yield server
    finally:
        server.stop()
        server.cleanup()


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database on 127.0.0.1:5432, yield its URL, and drop it afterwards."""
    admin = sqlalchemy.create_engine(f"{POSTGRES_SERVER_URL}/postgres", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"mailbot_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    except sqlalchemy.exc.OperationalError as exc:
        admin.dispose()
        raise RuntimeError(
            f"PostgreSQL at {POSTGRES_SERVER_URL} is not available ({exc.orig}); start it, or pass --databases sqlite"
        ) from exc
    try:
        yield f"{POSTGRES_SERVER_URL}/{name}"
    finally:
        # FORCE ends connections that a benchmark's engine left open in its pool.
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'mailbot.sqlite3'}"


def write_config(
    folder: Path,
    database_url: str,
    *,
    account: Account | None = None,
    smtp_port: int = 25,
    mailbox_options: dict[str, int] | None = None,
) -> Path:
    """Write a mailbot config file into ``folder`` and return its path.

    Without ``account`` the [mailbox] section names a server that is never
    contacted, for benchmarks that only touch the database.
    ``mailbox_options`` adds [mailbox] settings, such as max_message_bytes.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mailbox = account or Account(host="127.0.0.1", port=1, username="unused", password="unused", server="none")
    path = folder / "mailbot.toml"
    path.write_text(
        f"""
[mailbox]
host = "{mailbox.host}"
port = {mailbox.port}
security = "none"
username = "{mailbox.username}"
password = "{mailbox.password}"
trusted_authserv_id = "{TRUSTED_MAIL_HOST}"
{_toml_lines(mailbox_options or {})}

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"

[database]
url = "{database_url}"

[alliance]
name = "STAR Teaching School Alliance"
address = "{BOT_ADDRESS}"
business_manager = "{BUSINESS_MANAGER}"
strategic_lead = "{STRATEGIC_LEAD}"
staff = ["{BUSINESS_MANAGER}", "{STRATEGIC_LEAD}"]

[outbox]
max_per_recipient_per_hour = {MAX_PER_RECIPIENT_PER_HOUR}
""",
        encoding="utf-8",
    )
    return path


def _toml_lines(options: dict[str, int]) -> str:
    return "\n".join(f"{key} = {value}" for key, value in options.items())


def child_environment() -> dict[str, str]:
    """The environment for child processes: this one, with the repository importable as the bench package's home."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), environment.get("PYTHONPATH", "")]))
    return environment
