"""The OAuth 2.0 steps of `mailbot check`: getting a token, and signing in with it to IMAP and SMTP.

Each step prints one line, like the other checks. No line shows a token or a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import aiosmtplib
from imapclient import IMAPClient

from mailbot.config import MailboxSettings
from mailbot.errors import MailboxError
from mailbot.mailbox import imap_oauth2_login
from mailbot.oauth2 import OAuth2Error, TokenSource
from mailbot.sender import smtp_oauth2_login

if TYPE_CHECKING:
    from mailbot.cli_check import CheckReport

NOT_TRIED = "not tried without an OAuth 2.0 token; see the OAuth 2.0 token line above"


@dataclass(frozen=True)
class OAuth2Login:
    """An OAuth 2.0 sign-in to check: the login name, the token source, and whether a token could be had."""

    username: str
    tokens: TokenSource
    token_ready: bool


def check_token(tokens: TokenSource, report: CheckReport) -> bool:
    """Get a token from the sign-in service and report it; return whether one could be had."""
    try:
        tokens.access_token()
    except OAuth2Error as exc:
        report.failed("OAuth 2.0 token", str(exc))
        return False
    expires = tokens.expires_at
    until = datetime.fromtimestamp(expires, timezone.utc).strftime("%H:%M UTC") if expires is not None else "an unknown time"
    report.ok("OAuth 2.0 token", f"obtained from {tokens.description}, valid until {until}")
    return True


def log_in_imap(client: IMAPClient, settings: MailboxSettings, login: OAuth2Login, report: CheckReport) -> bool:
    if not login.token_ready:
        report.failed("IMAP login", NOT_TRIED)
        return False
    try:
        mechanism = imap_oauth2_login(client, settings, login.tokens)
    except (MailboxError, OAuth2Error) as exc:
        report.failed("IMAP login", str(exc))
        return False
    report.ok("IMAP login", f"signed in as {settings.username} with an OAuth 2.0 token ({mechanism})")
    return True


async def log_in_smtp(smtp: aiosmtplib.SMTP, where: str, login: OAuth2Login, report: CheckReport) -> None:
    if not login.token_ready:
        report.failed("SMTP AUTH", NOT_TRIED)
        return
    try:
        mechanism = await smtp_oauth2_login(smtp, where, login.username, login.tokens)
    except aiosmtplib.SMTPAuthenticationError as exc:
        report.failed("SMTP AUTH", f"{exc.code} {exc.message}")
        return
    except (aiosmtplib.SMTPException, OAuth2Error) as exc:
        report.failed("SMTP AUTH", str(exc))
        return
    report.ok("SMTP AUTH", f"signed in as {login.username} with the OAuth 2.0 token of [mailbox] ({mechanism})")
