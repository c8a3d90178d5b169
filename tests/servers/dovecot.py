"""A private Dovecot instance on 127.0.0.1, started and stopped by the tests.

Each DovecotServer writes its own configuration into a fresh temporary
directory, so it never reads /etc/dovecot and never touches a system instance.
Tested with Dovecot 2.3.19.1 from Debian 12.
"""

from __future__ import annotations

import itertools
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from mailbot.embedded import free_port

from . import Account

HOST = "127.0.0.1"

# Dovecot rejects uid 0 for mail users, so mail files belong to nobody:nogroup.
MAIL_UID = 65534
MAIL_GID = 65534

LMTP_BINARY = Path("/usr/lib/dovecot/lmtp")

log = logging.getLogger(__name__)

CONFIG_TEMPLATE = """\
protocols = {protocols}
listen = {host}
base_dir = {directory}/run
state_dir = {directory}/state
instance_name = {instance_name}
log_path = {directory}/dovecot.log
info_log_path = {directory}/dovecot.log

{ssl_settings}
disable_plaintext_auth = no
auth_mechanisms = plain login
# Dovecot replies to a failed login after 2 s by default. With 0 the reply
# comes after about 0.5 s, the interval at which Dovecot 2.3 flushes queued
# failures (AUTH_FAILURE_DELAY_CHECK_MSECS).
auth_failure_delay = 0

first_valid_uid = {mail_uid}
last_valid_uid = {mail_uid}
mail_location = maildir:~/Maildir
mail_fsync = never
# IDLE is woken by inotify, and this interval is the fallback when inotify
# is unavailable.
mailbox_idle_check_interval = 1 secs

# One passwd-file per user, because Dovecot checks a passwd-file for changes
# at most once per second. A user added to a shared file right after another
# login would be unknown for up to a second. The file of a new user has never
# been read, so Dovecot opens it on the first login.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd.d/%u
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={directory}/mail/%d/%n
}}

namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = subscribe
  }}
}}

# Anvil's authentication penalty delays each failed login from one IP by up
# to 15 s, and every test connects from 127.0.0.1. Mode 0 on its socket is
# Dovecot's documented way to turn the penalty off.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}

service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
  }}
}}
"""

# Port 0 disables a Dovecot listener, so a real free port is always filled in.
LMTP_SERVICE_TEMPLATE = """
service lmtp {{
  inet_listener lmtp {{
    address = {host}
    port = {lmtp_port}
  }}
}}
"""


class DovecotServer:
    """Dovecot serving IMAP (and LMTP when installed) from a temporary directory.

    Each account has its own passwd-file with a PLAIN password, so
    ``add_account()`` works while the server runs and the new login succeeds
    at once.
    """

    def __init__(
        self,
        *,
        domain: str = "alliance.test",
        start_timeout_seconds: float = 10.0,
        ssl_cert: Path | None = None,
        ssl_key: Path | None = None,
    ) -> None:
        """Prepare a server; with ``ssl_cert`` and ``ssl_key`` (PEM files) it also offers STARTTLS and IMAPS.

        The IMAPS port is then ``imaps_port``; without TLS it is 0, meaning no listener.
        """
        if (ssl_cert is None) != (ssl_key is None):
            raise ValueError("give both ssl_cert and ssl_key, or neither")
        self.host = HOST
        self.domain = domain
        self.start_timeout_seconds = start_timeout_seconds
        self.ssl_cert = ssl_cert
        self.ssl_key = ssl_key
        self.imap_port = free_port()
        self.imaps_port = free_port() if ssl_cert is not None else 0
        self.lmtp_port: int | None = free_port() if LMTP_BINARY.exists() else None

        self.directory = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-"))
        self.config_path = self.directory / "dovecot.conf"
        self.passwd_directory = self.directory / "passwd.d"
        self.log_path = self.directory / "dovecot.log"
        self._stderr_path = self.directory / "stderr.log"

        self._process: subprocess.Popen[bytes] | None = None
        self._account_numbers = itertools.count(1)
        self._accounts_lock = threading.Lock()

    def start(self) -> Self:
        """Write the configuration, start ``dovecot -F`` and wait for the IMAP greeting.

        If Dovecot fails to start, it is stopped and the error includes its log.
        The directory is kept for inspection until ``cleanup()``.
        """
        if self._process is not None:
            raise RuntimeError(f"Dovecot on {self.host}:{self.imap_port} is already started")

        self._prepare_directory()
        self.config_path.write_text(self._render_config())

        with self._stderr_path.open("wb") as stderr:
            self._process = subprocess.Popen(
                ["dovecot", "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )

        try:
            self._wait_for_greeting()
        except BaseException:
            self.stop()
            raise

        log.info("Dovecot started on %s:%d (pid %d)", self.host, self.imap_port, self._process.pid)
        return self

    def stop(self, timeout_seconds: float = 15.0) -> None:
        """Send SIGTERM to the master process, and SIGKILL if it outlives the timeout.

        Dovecot takes about one second to exit after SIGTERM. Does nothing if the
        server is not running.
        """
        process = self._process
        if process is None:
            return

        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout_seconds)
            except subprocess.TimeoutExpired:
                log.error(
                    "Dovecot (pid %d) ignored SIGTERM for %s s, killing it", process.pid, timeout_seconds
                )
                process.kill()
                process.wait()

        self._process = None
        log.info("Dovecot stopped on %s:%d (exit code %s)", self.host, self.imap_port, process.returncode)

    def cleanup(self) -> None:
        """Delete the temporary directory with the configuration, logs and mail."""
        if self._process is not None:
            raise RuntimeError("stop() Dovecot before cleanup() deletes its directory")
        shutil.rmtree(self.directory, ignore_errors=True)

    def add_account(self, password: str | None = None) -> Account:
        """Create a new user with ``password``, or a random one, and an empty mailbox.

        Usernames are ``userN@<domain>`` with N counting up from 1, so every
        account of one server is new and its Maildir does not exist yet.
        """
        with self._accounts_lock:
            username = f"user{next(self._account_numbers)}@{self.domain}"
        password = password or secrets.token_urlsafe(16)
        self._write_passwd_file(username, password)

        return Account(
            host=self.host,
            port=self.imap_port,
            username=username,
            password=password,
            server="dovecot",
        )

    def read_log(self) -> str:
        """Return Dovecot's log and anything it wrote to stderr, for error messages."""
        parts = []
        for path in (self._stderr_path, self.log_path):
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self.cleanup()

    def _prepare_directory(self) -> None:
        # mkdtemp creates the directory with mode 0700, but Dovecot's
        # unprivileged processes need to reach the files under it.
        os.chmod(self.directory, 0o755)

        self.passwd_directory.mkdir(mode=0o755, exist_ok=True)

        mail_root = self.directory / "mail"
        mail_root.mkdir(exist_ok=True)
        os.chown(mail_root, MAIL_UID, MAIL_GID)

    def _render_config(self) -> str:
        protocols = "imap" if self.lmtp_port is None else "imap lmtp"
        if self.ssl_cert is None:
            ssl_settings = "ssl = no"
        else:
            # "<" makes Dovecot read the file's content. ssl = yes still allows
            # plain-text logins here, because disable_plaintext_auth = no.
            ssl_settings = f"ssl = yes\nssl_cert = <{self.ssl_cert}\nssl_key = <{self.ssl_key}"
        config = CONFIG_TEMPLATE.format(
            protocols=protocols,
            ssl_settings=ssl_settings,
            imaps_port=self.imaps_port,
            host=self.host,
            directory=self.directory,
            instance_name=f"mailbot-test-{self.directory.name}",
            mail_uid=MAIL_UID,
            mail_gid=MAIL_GID,
            imap_port=self.imap_port,
        )
        if self.lmtp_port is not None:
            config += LMTP_SERVICE_TEMPLATE.format(host=self.host, lmtp_port=self.lmtp_port)
        return config

    def _write_passwd_file(self, username: str, password: str) -> None:
        # The file is written under another name and renamed into place, so a
        # login that races with add_account() never reads half of it.
        passwd_path = self.passwd_directory / username
        staging_path = passwd_path.with_name(f".{username}.new")
        staging_path.write_text(f"{username}:{{PLAIN}}{password}\n")
        os.chmod(staging_path, 0o644)
        os.replace(staging_path, passwd_path)

    def _wait_for_greeting(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout_seconds

        while True:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"Dovecot exited with code {self._process.returncode} during startup, "
                    f"config {self.config_path}:\n{self.read_log()}"
                )

            if self._greeting_received():
                return

            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Dovecot sent no IMAP greeting on {self.host}:{self.imap_port} "
                    f"within {self.start_timeout_seconds} s:\n{self.read_log()}"
                )
            time.sleep(0.02)

    def _greeting_received(self) -> bool:
        try:
            with socket.create_connection((self.host, self.imap_port), timeout=1.0) as connection:
                return connection.recv(512).startswith(b"* OK")
        except OSError:
            return False
