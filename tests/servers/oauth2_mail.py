"""IMAP (pymap) and SMTP (aiosmtpd) servers on loopback that sign clients in only with OAuth 2.0 tokens.

Both offer XOAUTH2, and OAUTHBEARER when asked, and check each token with
the TokenService that issued it. A rejected token gets the error challenge
that Gmail and Exchange send, and the server notes in ``protocol_errors``
a client that does not acknowledge it as the mechanism requires. Passwords
are refused: pymap offers no PLAIN, so LOGIN is disabled, and aiosmtpd's
PLAIN and LOGIN are turned off.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, Session
from imapclient import IMAPClient
from pymap.backend.dict import Config as DictConfig
from pymap.backend.dict import DictBackend, Identity, Login
from pymap.concurrent import Subsystem
from pymap.exceptions import InvalidAuth, UserNotFound
from pysasl import SASLAuth
from pysasl.creds.external import ExternalCredentials
from pysasl.creds.server import ServerCredentials
from pysasl.exception import InvalidResponse
from pysasl.hashing import Cleartext
from pysasl.mechanism import ChallengeResponse, ServerChallenge, ServerMechanism

from mailbot.embedded import EmbeddedImapServer, ReceivedEmail, SmtpSink

from .dovecot import DovecotServer
from .oauth2 import TokenService

XOAUTH2 = "XOAUTH2"
OAUTHBEARER = "OAUTHBEARER"
# The error challenge that Gmail sends for a rejected token (JSON, then base64 on the wire).
ERROR_CHALLENGE = json.dumps({"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"}).encode()
# The acknowledgement a client must send to the error challenge: RFC 7628 section 3.2.3 for OAUTHBEARER,
# an empty line for XOAUTH2.
ACKNOWLEDGEMENTS = {OAUTHBEARER: b"\x01", XOAUTH2: b""}


@dataclass(frozen=True)
class SignIn:
    """One successful sign-in: the mechanism and the user."""

    mechanism: str
    user: str


class TokenLog:
    """What the server saw: successful sign-ins, rejected tokens and protocol errors."""

    def __init__(self) -> None:
        self.logins: list[SignIn] = []
        self.rejected: list[SignIn] = []
        self.protocol_errors: list[str] = []


def parse_bearer(mechanism: str, message: bytes) -> tuple[str, str] | None:
    """Return (user, token) from a client's XOAUTH2 or OAUTHBEARER message, or None when it is malformed."""
    text = message.decode("utf-8", "replace")
    if mechanism == XOAUTH2:
        fields, _, rest = text.partition("\x01\x01")
        pairs = dict(part.split("=", 1) for part in fields.split("\x01") if "=" in part)
        user = pairs.get("user")
    else:
        header, _, kvpairs = text.partition("\x01")
        if not header.startswith("n,a=") or not kvpairs.endswith("\x01\x01"):
            return None
        user = header[len("n,a="):].rstrip(",").replace("=2C", ",").replace("=3D", "=")
        pairs = dict(part.split("=", 1) for part in kvpairs.split("\x01") if "=" in part)
        if "host" not in pairs or "port" not in pairs:
            return None
    auth = pairs.get("auth", "")
    if not user or not auth.startswith("Bearer "):
        return None
    return user, auth[len("Bearer "):]


class _BearerMechanism(ServerMechanism):
    """A pysasl server mechanism that checks the bearer token itself and sends the error challenge on rejection."""

    def __init__(self, name: str, tokens: TokenService, log: TokenLog) -> None:
        super().__init__(name.encode())
        self._mechanism = name
        self._tokens = tokens
        self._log = log

    def server_attempt(self, responses: Sequence[ChallengeResponse]) -> tuple[ServerCredentials, None]:
        if not responses:
            raise ServerChallenge(b"")
        if len(responses) > 1:
            acknowledgement = responses[-1].response
            if acknowledgement != ACKNOWLEDGEMENTS[self._mechanism]:
                self._log.protocol_errors.append(f"IMAP {self._mechanism}: error challenge answered with {acknowledgement!r}")
            raise InvalidAuth("Invalid credentials (failure)")

        parsed = parse_bearer(self._mechanism, responses[0].response)
        if parsed is None:
            self._log.protocol_errors.append(f"IMAP {self._mechanism}: malformed message")
            raise InvalidResponse()
        user, token = parsed
        if not self._tokens.accepts(token, user):
            self._log.rejected.append(SignIn(self._mechanism, user))
            raise ServerChallenge(ERROR_CHALLENGE)
        self._log.logins.append(SignIn(self._mechanism, user))
        return ExternalCredentials(user, token), None


class _TokenConfig(DictConfig):
    """The dict backend's config, with the bearer mechanisms as the only way to sign in."""

    def __init__(self, args: argparse.Namespace, *, sasl_mechanisms: Sequence[ServerMechanism], **options: Any) -> None:
        super().__init__(args, **options)
        self._sasl = SASLAuth(list(sasl_mechanisms))

    @property
    def tls_auth(self) -> SASLAuth:
        return self._sasl


class _TokenLogin(Login):
    """Trusts credentials that a bearer mechanism verified, for an existing user; refuses everything else."""

    async def authenticate(self, credentials: ServerCredentials) -> Identity:
        if not isinstance(credentials, ExternalCredentials):
            raise InvalidAuth()
        identity = Identity(credentials.authzid, self, None, frozenset())
        try:
            await identity.get()
        except UserNotFound:
            raise InvalidAuth() from None
        return identity


class OAuth2ImapServer(EmbeddedImapServer):
    """A pymap server whose one account signs in only with tokens that ``tokens`` issued for it."""

    def __init__(self, tokens: TokenService, username: str, *, mechanisms: Sequence[str] = (XOAUTH2,), port: int | None = None) -> None:
        super().__init__(username, secrets.token_urlsafe(12), port=port)
        self.tokens = tokens
        self.mechanisms = tuple(mechanisms)
        self.log = TokenLog()

    async def _create_backend(self, arguments: argparse.Namespace) -> tuple[DictBackend, DictConfig]:
        mechanisms = [_BearerMechanism(name, self.tokens, self.log) for name in self.mechanisms]
        config = _TokenConfig.from_args(arguments, hash_context=Cleartext(), cpu_subsystem=Subsystem.for_asyncio(), sasl_mechanisms=mechanisms)
        login = _TokenLogin(config)
        # The same first user that DictBackend.init() adds, which creates the account's INBOX.
        await DictBackend._add_demo_user(config, login)
        return DictBackend(login, config), config

    def client(self) -> IMAPClient:
        """Open a client signed in with a token minted for the account, for a test to deliver or read mail."""
        client = IMAPClient(self.host, port=self.port, ssl=False)
        client.oauth2_login(self.username, self.tokens.mint(self.username))
        return client

    def deliver(self, *messages: bytes) -> None:
        with self.client() as client:
            for message in messages:
                client.append("INBOX", message)


class _BearerHandler:
    """aiosmtpd handler that stores accepted messages and signs clients in with bearer tokens."""

    def __init__(self, sink: OAuth2SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self._sink._record(ReceivedEmail(envelope.mail_from or "", tuple(envelope.rcpt_tos), envelope.original_content or b""))
        return "250 Message accepted for delivery"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._check(server, args, XOAUTH2)

    async def auth_OAUTHBEARER(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._check(server, args, OAUTHBEARER)

    async def _check(self, server: SMTP, args: list[str], mechanism: str) -> AuthResult:
        log = self._sink.log
        if len(args) == 2:
            try:
                message: Any = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                message = None
        else:
            message = await server.challenge_auth("")
        parsed = parse_bearer(mechanism, message) if isinstance(message, bytes) else None
        if parsed is None:
            log.protocol_errors.append(f"SMTP {mechanism}: malformed message")
            return AuthResult(success=False, handled=False, message="501 5.5.2 Malformed authentication message")

        user, token = parsed
        if self._sink.tokens.accepts(token, user):
            log.logins.append(SignIn(mechanism, user))
            return AuthResult(success=True, auth_data=user)

        log.rejected.append(SignIn(mechanism, user))
        acknowledgement = await server.challenge_auth(ERROR_CHALLENGE)
        if acknowledgement is MISSING or acknowledgement != ACKNOWLEDGEMENTS[mechanism]:
            log.protocol_errors.append(f"SMTP {mechanism}: error challenge answered with {acknowledgement!r}")
        return AuthResult(success=False, handled=False, message="535 5.7.8 Username and token not accepted")


class OAuth2SmtpSink(SmtpSink):
    """An SMTP sink that takes mail only after AUTH with a token that ``tokens`` issued for the sender's account."""

    def __init__(self, tokens: TokenService, *, mechanisms: Sequence[str] = (XOAUTH2,), port: int | None = None) -> None:
        super().__init__(port=port)
        self.tokens = tokens
        self.mechanisms = tuple(mechanisms)
        self.log = TokenLog()

    def start(self) -> Self:
        excluded = ["PLAIN", "LOGIN", *(name for name in (XOAUTH2, OAUTHBEARER) if name not in self.mechanisms)]
        controller = Controller(
            _BearerHandler(self),
            hostname=self.host,
            port=self.port,
            server_hostname="localhost",
            auth_required=True,
            # The tests talk plain SMTP on loopback; mailbot itself refuses that for any other host.
            auth_require_tls=False,
            auth_exclude_mechanism=excluded,
        )
        controller.start()
        self._controller = controller
        return self


class OAuth2DovecotServer(DovecotServer):
    """Dovecot that also signs users in with XOAUTH2 and OAUTHBEARER, checking each token at ``introspection_url``.

    Its oauth2 passdb posts the token to the URL (RFC 7662 style) and takes
    the user from the reply's "username", as Dovecot 2.3 documents for
    introspection_mode = post. Passwords keep working for the tests' own
    clients, through the passwd-file passdb.
    """

    def __init__(self, introspection_url: str, ca_file: Path) -> None:
        super().__init__()
        self.introspection_url = introspection_url
        self.ca_file = ca_file

    def _render_config(self) -> str:
        config = super()._render_config()
        config = _replace_once(config, "auth_mechanisms = plain login", "auth_mechanisms = plain login xoauth2 oauthbearer")
        config = _replace_once(config, "  driver = passwd-file\n", "  driver = passwd-file\n  mechanisms = plain login\n")
        # Dovecot's auth process runs as an unprivileged user, who cannot read a test's tmp_path.
        ca_copy = self.directory / "oauth2-ca.pem"
        ca_copy.write_bytes(self.ca_file.read_bytes())
        ca_copy.chmod(0o644)
        oauth2_file = self.directory / "dovecot-oauth2.conf.ext"
        oauth2_file.write_text(
            "introspection_mode = post\n"
            f"introspection_url = {self.introspection_url}\n"
            "force_introspection = yes\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
            f"tls_ca_cert_file = {ca_copy}\n",
            encoding="utf-8",
        )
        return config + f"\npassdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {oauth2_file}\n}}\n"


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"the Dovecot config template changed: {old!r} is not in it once")
    return text.replace(old, new)
