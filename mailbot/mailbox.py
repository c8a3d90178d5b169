"""The IMAP session: sign in, list and fetch new messages, move them, wait with IDLE.

This module deals in folders and UIDs, never in cases.
"""

from __future__ import annotations

import ast
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from email.parser import BytesHeaderParser

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailbot import sasl
from mailbot.config import MailboxSettings
from mailbot.errors import LoginRejected, MailboxError
from mailbot.oauth2 import TokenSource, token_source_for
from mailbot.tls import client_context, describe_tls_failure

log = logging.getLogger("mailbot.mailbox")

# How long a rejected login waits before the next try, in the inbox job and the IDLE watcher alike.
LOGIN_RETRY_SECONDS = 300

# Failures that mean the connection is unusable and must be opened again.
CONNECTION_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError)

NEW_MAIL_RESPONSES = {b"EXISTS", b"RECENT"}
IDLE_POLL_MILLISECONDS = 1000
# One readable poll with nothing parsed can be a TLS record without data; three in a row is end-of-file.
CLOSED_AFTER_EMPTY_READS = 3
# Message-IDs are fetched for this many messages per FETCH command, to keep each reply a manageable size.
FETCH_BATCH_SIZE = 500
MESSAGE_ID_REQUEST = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
# imaplib logs each response line from debug level 4, and from level 5 also formats the repr() of whole responses.
IMAPLIB_DEBUG_LEVEL = 4


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    size_bytes: int


class Mailbox:
    """One signed-in IMAP connection to the alliance's mailbox.

    With OAuth 2.0 sign-in, pass the daemon's ``tokens`` so that every
    connection shares one cached token; without it the mailbox makes its own.
    """

    def __init__(self, settings: MailboxSettings, tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.tokens = tokens if tokens is not None else token_source_for(settings)
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None

    def __enter__(self) -> Mailbox:
        self.connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def connect(self) -> None:
        """Open the connection, set up TLS and sign in, or raise MailboxError with the host and the reason.

        TLS, implicit or by STARTTLS, verifies the certificate chain and the
        host name against the system's CAs, or against ``ca_file`` alone when set.
        """
        settings = self.settings
        context = client_context(settings.ca_file) if settings.security != "none" else None
        client: IMAPClient | None = None
        try:
            client = new_imap_client(settings, context)
            if settings.security == "starttls":
                client.starttls(context)
        except CONNECTION_ERRORS as exc:
            if client is not None:
                _shut_down_quietly(client)
            tls_problem = describe_tls_failure(exc, "mailbox")
            if tls_problem is not None:
                raise MailboxError(f"TLS with the IMAP server {self.where} failed: {tls_problem}") from exc
            raise MailboxError(f"could not connect to the IMAP server {self.where}: {exc}") from exc

        try:
            if self.tokens is None:
                password_login(client, settings.username, settings.password.get_secret_value())
                method = "password"
            else:
                method = imap_oauth2_login(client, settings, self.tokens)
        except LoginError as exc:
            _close_quietly(client)
            raise LoginRejected(
                f"the IMAP server {self.where} rejected the login for {settings.username!r}: {_server_text(exc)}"
            ) from exc
        except MailboxError:
            _close_quietly(client)
            raise
        except CONNECTION_ERRORS as exc:
            # OAuth2Error is a ConnectionError too, and its message already names the service and the setting.
            _close_quietly(client)
            raise MailboxError(f"signing in to the IMAP server {self.where} failed: {exc}") from exc

        _lower_imaplib_debug_level(client)
        self.client = client
        log.info("CONNECTED to %s as %s (%s)", self.where, settings.username, method)

    def close(self) -> None:
        if self.client is not None:
            _close_quietly(self.client)
            self.client = None

    @property
    def capabilities(self) -> set[bytes]:
        return set(self._client.capabilities())

    def ensure_folders(self, *names: str) -> None:
        """Create each folder that does not exist yet."""
        for name in names:
            if not self._client.folder_exists(name):
                self._client.create_folder(name)
                log.info("CREATED folder %r on %s", name, self.where)

    def open_inbox(self) -> int:
        """Select the inbox folder and return its UIDVALIDITY."""
        return self.open_folder(self.settings.folder)

    def open_folder(self, name: str) -> int:
        """Select ``name`` and return its UIDVALIDITY."""
        try:
            status = self._client.select_folder(name)
        except IMAPClientError as exc:
            raise MailboxError(f"the folder {name!r} could not be opened on {self.where}: {exc}") from exc
        self.uidvalidity = int(status[b"UIDVALIDITY"])
        return self.uidvalidity

    def find(self, message_id: str | None, sender: str | None) -> list[int]:
        """Return the UIDs in the selected folder with this Message-ID, or else from this sender, oldest first."""
        if message_id:
            criteria: list[str] = ["HEADER", "Message-ID", message_id]
        elif sender:
            criteria = ["FROM", sender]
        else:
            return []
        return sorted(int(uid) for uid in self._client.search(criteria))

    def list_uids(self) -> list[int]:
        """Return the UIDs of every message in the selected folder, oldest first."""
        return sorted(int(uid) for uid in self._client.search(["ALL"]))

    def size_of(self, uid: int) -> int | None:
        """Return the message's size in bytes as the server reports it; None when it has gone."""
        data = self._client.fetch([uid], [b"RFC822.SIZE"]).get(uid)
        if not data or b"RFC822.SIZE" not in data:
            return None
        return int(data[b"RFC822.SIZE"])

    def fetch(self, uid: int) -> FetchedMessage | None:
        """Fetch one message without setting \\Seen; None when it has gone from the folder."""
        return self._fetch_part(uid, b"BODY.PEEK[]", b"BODY[]")

    def fetch_header(self, uid: int) -> FetchedMessage | None:
        """Fetch only the header of one message, for describing a message too large to download."""
        return self._fetch_part(uid, b"BODY.PEEK[HEADER]", b"BODY[HEADER]")

    def _fetch_part(self, uid: int, request: bytes, response_key: bytes) -> FetchedMessage | None:
        data = self._client.fetch([uid], [b"RFC822.SIZE", request]).get(uid)
        if not data or response_key not in data:
            return None
        raw = bytes(data[response_key])
        return FetchedMessage(uid=uid, raw=raw, size_bytes=int(data.get(b"RFC822.SIZE", len(raw))))

    def move(self, uid: int, folder: str) -> None:
        """Move one message to ``folder``; COPY, flag and expunge where the server lacks MOVE."""
        self.move_many([uid], folder)

    def move_many(self, uids: Collection[int], folder: str) -> None:
        """Move the messages ``uids`` of the selected folder to ``folder`` with one UID MOVE.

        Where the server lacks MOVE, they are copied, flagged \\Deleted and expunged instead, each step one command for all of them.
        """
        chosen = sorted(uids)
        if not chosen:
            return
        if b"MOVE" in self.capabilities:
            self._client.move(chosen, folder)
            return

        self._client.copy(chosen, folder)
        self._client.add_flags(chosen, [b"\\Deleted"])
        if b"UIDPLUS" in self.capabilities:
            self._client.uid_expunge(chosen)
        else:
            # NOTE: without UIDPLUS a plain EXPUNGE also removes other messages someone flagged \Deleted.
            self._client.expunge()

    def message_ids_in(self, folder: str) -> dict[int, str | None]:
        """Return the Message-ID of every message in ``folder`` by UID, None for a message without one.

        A folder that does not exist contains nothing. Raises MailboxError when it cannot be opened.
        """
        if not self._client.folder_exists(folder):
            return {}
        self._select(folder)
        uids = self.list_uids()
        found: dict[int, str | None] = {}
        for start in range(0, len(uids), FETCH_BATCH_SIZE):
            batch = uids[start : start + FETCH_BATCH_SIZE]
            for uid, data in self._client.fetch(batch, [MESSAGE_ID_REQUEST]).items():
                header = next((bytes(value) for key, value in data.items() if key.startswith(b"BODY[HEADER")), b"")
                found[int(uid)] = _message_id(header)
        return found

    def fetch_from(self, folder: str, uid: int) -> FetchedMessage | None:
        """Fetch one message from ``folder`` without setting \\Seen; None when it has gone."""
        self._select(folder)
        return self.fetch(uid)

    def delete_from(self, folder: str, uids: Iterable[int]) -> None:
        """Delete the messages ``uids`` from ``folder`` for good: flag them \\Deleted and expunge them."""
        chosen = sorted(uids)
        if not chosen:
            return
        self._select(folder)
        self._client.add_flags(chosen, [b"\\Deleted"])
        if b"UIDPLUS" in self.capabilities:
            self._client.uid_expunge(chosen)
        else:
            # NOTE: without UIDPLUS a plain EXPUNGE also removes other messages someone flagged \Deleted.
            self._client.expunge()
        log.info("DELETED %d message(s) from %r on %s", len(chosen), folder, self.where)

    def _select(self, folder: str) -> None:
        try:
            self._client.select_folder(folder)
        except IMAPClientError as exc:
            raise MailboxError(f"the folder {folder!r} could not be opened on {self.where}: {exc}") from exc

    def wait_for_new_mail(self, stop: threading.Event) -> bool:
        """IDLE until the server reports new mail, the renewal time passes or ``stop`` is set.

        Returns True when new mail was reported. Connection faults, a server
        that closed the connection included, raise to the caller, which
        reconnects.
        """
        client = self._client
        client.idle()
        poller = select.poll()
        poller.register(client.socket().fileno(), select.POLLIN)
        deadline = time.monotonic() + self.settings.idle_renew_seconds
        empty_reads = 0

        while not stop.is_set() and time.monotonic() < deadline:
            if not poller.poll(IDLE_POLL_MILLISECONDS):
                continue

            # imapclient's idle_check() swallows end-of-file and returns nothing,
            # so a socket that keeps polling readable with nothing to read is closed.
            responses = client.idle_check(timeout=0)
            if not responses:
                empty_reads += 1
                if empty_reads >= CLOSED_AFTER_EMPTY_READS:
                    raise MailboxError(f"the IMAP server {self.where} closed the connection during IDLE")
                continue

            empty_reads = 0
            if any(len(item) > 1 and item[1] in NEW_MAIL_RESPONSES for item in responses):
                client.idle_done()
                return True

        client.idle_done()
        return False

    @property
    def _client(self) -> IMAPClient:
        if self.client is None:
            raise MailboxError(f"not connected to the IMAP server {self.where}")
        return self.client


def imap_oauth2_login(client: IMAPClient, settings: MailboxSettings, tokens: TokenSource) -> str:
    """Sign in with an OAuth 2.0 access token over OAUTHBEARER or XOAUTH2, whichever the server offers; return the mechanism.

    A token the server rejects is renewed once and the login tried again,
    because a server may end a token's life before the time that the sign-in
    service stated. Raises MailboxError naming the server and the user, or
    OAuth2Error when no token could be had.
    """
    where = f"{settings.host}:{settings.port}"
    offered = [item.decode(errors="replace")[len("AUTH="):] for item in client.capabilities() if item.upper().startswith(b"AUTH=")]
    mechanism = sasl.choose_mechanism(offered)
    if mechanism is None:
        raise MailboxError(
            f"the IMAP server {where} offers neither OAUTHBEARER nor XOAUTH2 (it offers {', '.join(offered) or 'no AUTH mechanism'}), "
            'so it cannot take an OAuth 2.0 token. Check [mailbox] host, or set [mailbox] auth = "password"'
        )

    token = tokens.access_token()
    try:
        _authenticate(client, mechanism, settings, token)
        return mechanism
    except LoginError as exc:
        log.warning("REJECTED token for %s by %s (%s): %s; getting a new token", settings.username, where, mechanism, _server_text(exc))

    token = tokens.renew(token)
    try:
        _authenticate(client, mechanism, settings, token)
    except LoginError as exc:
        raise MailboxError(
            f"the IMAP server {where} rejected the OAuth 2.0 token for {settings.username!r} ({mechanism}) twice, "
            f"the second time a new one: {_server_text(exc)}. {tokens.rejection_advice}"
        ) from exc
    return mechanism


def _authenticate(client: IMAPClient, mechanism: str, settings: MailboxSettings, token: str) -> None:
    assert settings.port is not None
    first = sasl.initial_response(mechanism, settings.username, token, settings.host, settings.port)
    client.sasl_login(mechanism, sasl.responder(mechanism, first))


def _message_id(header: bytes) -> str | None:
    """Return the Message-ID in a fetched header block, unfolded, or None when there is none."""
    value = BytesHeaderParser().parsebytes(header).get("Message-ID")
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _lower_imaplib_debug_level(client: IMAPClient) -> None:
    """Lower imaplib's debug level from the 5 that imapclient sets to IMAPLIB_DEBUG_LEVEL.

    At level 5 imaplib formats the repr() of each response for a debug log
    line, a fetched message included, even when the logger then drops the
    line. For a 34 MB message that took twice the message's size in memory
    during the fetch (imapclient 4.1.0, Python 3.11.7).
    """
    # NOTE: imapclient has no public setting for this, so its imaplib connection is reached through a private attribute.
    imap = getattr(client, "_imap", None)
    if imap is not None and getattr(imap, "debug", 0) > IMAPLIB_DEBUG_LEVEL:
        imap.debug = IMAPLIB_DEBUG_LEVEL


def _server_text(exc: Exception) -> str:
    """Return the server's reply in an exception as plain text.

    imaplib keeps the reply as bytes, and imapclient 4.1's login() wraps it
    with str(), which leaves the b'...' of its repr around the text.
    """
    reply = exc.args[0] if exc.args else str(exc)
    if isinstance(reply, str) and reply[:2] in ("b'", 'b"'):
        try:
            reply = ast.literal_eval(reply)
        except (ValueError, SyntaxError):
            pass
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    # The callers add their own sentence after the server's, which often ends with a full stop already.
    return text.rstrip(". ")


def new_imap_client(settings: MailboxSettings, context: ssl.SSLContext | None) -> IMAPClient:
    """Open a connection to the IMAP server, with implicit TLS when the settings ask for it; STARTTLS is the caller's step."""
    return IMAPClient(
        settings.host,
        port=settings.port,
        ssl=settings.security == "ssl",
        ssl_context=context,
        timeout=settings.timeout_seconds,
    )


def password_login(client: IMAPClient, username: str, password: str) -> None:
    """Sign in with a username and password, as LOGIN, or as AUTHENTICATE PLAIN when either is not ASCII.

    LOGIN sends its arguments as ASCII only, while PLAIN carries UTF-8, so a
    password such as "Café£2027" needs the latter. Raises LoginError when refused.
    """
    if username.isascii() and password.isascii():
        client.login(username, password)
    else:
        client.plain_login(username, password)


def _shut_down_quietly(client: IMAPClient) -> None:
    # A failed STARTTLS leaves the connection unusable, so LOGOUT is not even tried.
    try:
        client.shutdown()
    except CONNECTION_ERRORS:
        pass


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except CONNECTION_ERRORS:
        try:
            client.shutdown()
        except CONNECTION_ERRORS:
            pass
