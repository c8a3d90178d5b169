"""Wait for new mail with IMAP IDLE on a connection of its own, and wake the daemon.

The watcher only signals; the daemon's intake pass does the reading. Any
connection fault (including imapclient's "unterminated line" abort during
IDLE) closes the connection, waits with a growing delay and reconnects,
then wakes the daemon so that nothing that arrived meanwhile is missed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from mailbot.config import MailboxSettings
from mailbot.errors import LoginRejected, MailboxError
from mailbot.mailbox import CONNECTION_ERRORS, LOGIN_RETRY_SECONDS, Mailbox
from mailbot.oauth2 import TokenSource

log = logging.getLogger("mailbot.watcher")

FIRST_RECONNECT_DELAY_SECONDS = 1.0
MAX_RECONNECT_DELAY_SECONDS = 60.0


class IdleWatcher:
    """A background thread that calls ``wake`` whenever the inbox may have new mail."""

    def __init__(self, settings: MailboxSettings, wake: Callable[[], None], tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.wake = wake
        # The daemon's OAuth 2.0 token source, shared with its other connections; None with a password.
        self.tokens = tokens
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mailbot-idle", daemon=True)
        self.offered: bool | None = None
        # Set once IDLE is entered, so that a later drop reconnects quickly again.
        self.idling = False

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_seconds: float = 5.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout_seconds)

    def _run(self) -> None:
        delay = FIRST_RECONNECT_DELAY_SECONDS
        reconnecting = False
        while not self.stop_event.is_set():
            try:
                self._watch(reconnecting)
                return
            except (MailboxError, *CONNECTION_ERRORS) as exc:
                if self.idling:
                    delay = FIRST_RECONNECT_DELAY_SECONDS
                self.idling = False
                if isinstance(exc, LoginRejected):
                    delay = max(delay, LOGIN_RETRY_SECONDS)
                    log.warning("IDLE sign-in to %s:%s rejected: %s; trying again in %.0f s", self.settings.host, self.settings.port, exc, delay)
                else:
                    log.warning("IDLE connection to %s:%s lost: %s; reconnecting in %.0f s", self.settings.host, self.settings.port, exc, delay)
            if self.stop_event.wait(delay):
                return
            delay = min(delay * 2, MAX_RECONNECT_DELAY_SECONDS)
            reconnecting = True

    def _watch(self, reconnecting: bool) -> None:
        with Mailbox(self.settings, self.tokens) as mailbox:
            if b"IDLE" not in mailbox.capabilities:
                self.offered = False
                log.info("IDLE is not offered by %s; checking every %d s instead", mailbox.where, self.settings.poll_interval_seconds)
                return
            self.offered = True
            mailbox.open_inbox()
            log.info("IDLE on %s %s", mailbox.where, self.settings.folder)
            self.idling = True
            if reconnecting:
                # Mail may have arrived while the connection was down.
                self.wake()
            while not self.stop_event.is_set():
                if mailbox.wait_for_new_mail(self.stop_event):
                    log.debug("IDLE reported new mail")
                    self.wake()
