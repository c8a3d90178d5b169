"""One working daemon per database: a lock that a second daemon waits on as a standby.

Two daemons on one database and one mailbox, whether a deliberate standby or
an accident, would otherwise read the same messages and send the same
reminders at the same moment. The lock makes one of them do all the work
while the other waits, and the operating system or the database server
releases it when its holder dies, even by SIGKILL, so the standby takes over:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held
  on one connection for the daemon's life. The server drops it when that
  connection closes.
- SQLite: an exclusive ``flock`` on a file beside the database file. The
  kernel drops it when the process exits.

The row-level guards stay as a second line: the unique mailbox position of
each inbound message, ``FOR UPDATE`` on due work, and the claim of each
outbox row before it is sent.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("mailbot.daemon")

# An arbitrary 64-bit key that names mailbot's lock among the database's advisory locks.
ADVISORY_LOCK_KEY = 0x6D61696C626F74


class WorkLock:
    """The right to do the work on one database; only one holder at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._file: int | None = None
        self._path: Path | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; return whether this daemon now holds it."""
        if self.held:
            return True
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return self._try_advisory_lock()
        if dialect == "sqlite":
            return self._try_file_lock()
        # NOTE: other databases have no lock here, so two daemons on one of them rely on the row-level guards alone.
        log.warning("LOCK not available on %s; run only one mailbot on this database", dialect)
        return True

    def still_held(self) -> bool:
        """Return whether the lock is still this daemon's; drop it when its connection or file is gone.

        A PostgreSQL restart, or a terminated connection, ends the session
        and with it the advisory lock, without telling the daemon. A lock
        file deleted by hand no longer excludes a second daemon either.
        """
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                return True
            except SQLAlchemyError as exc:
                log.error("LOCK connection to the database lost: %s", str(exc).splitlines()[0])
                self._connection.invalidate()
                self._connection = None
                return False
        if self._file is not None:
            try:
                same_file = os.fstat(self._file).st_ino == os.stat(self._path).st_ino
            except OSError:
                same_file = False
            if not same_file:
                log.error("LOCK file %s was removed or replaced", self._path)
                os.close(self._file)
                self._file = None
            return same_file
        return self.engine.dialect.name not in ("postgresql", "sqlite")

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            except SQLAlchemyError as exc:
                # The session, and the lock with it, ended already.
                log.warning("LOCK release found the database connection closed: %s", str(exc).splitlines()[0])
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            os.close(self._file)
            self._file = None

    def _try_advisory_lock(self) -> bool:
        connection = self.engine.connect()
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar())
        # The advisory lock belongs to the session, not to a transaction, so end the transaction and keep the connection.
        connection.commit()
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def _try_file_lock(self) -> bool:
        database = self.engine.url.database
        if not database or database == ":memory:":
            return True
        path = Path(database).with_name(Path(database).name + ".lock")
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._file = descriptor
        self._path = path
        return True
