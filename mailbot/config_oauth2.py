"""Checks of the OAuth 2.0 sign-in settings in [mailbox]: which keys each kind of sign-in needs and allows.

The client secret and the refresh token are checked only by commands that
sign in (see ``Settings.require_sign_in_secrets``), like the password.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from mailbot.config import MailboxSettings

OAUTH2_KEYS = (
    "oauth2_tenant_id",
    "oauth2_client_id",
    "oauth2_client_secret",
    "oauth2_client_secret_file",
    "oauth2_refresh_token",
    "oauth2_refresh_token_file",
    "oauth2_service_account_file",
    "oauth2_authority",
    "oauth2_token_url",
    "oauth2_ca_file",
)
MICROSOFT_KEYS = {"oauth2_tenant_id", "oauth2_client_id", "oauth2_client_secret", "oauth2_client_secret_file", "oauth2_authority", "oauth2_ca_file"}
GOOGLE_SERVICE_ACCOUNT_KEYS = {"oauth2_service_account_file", "oauth2_token_url", "oauth2_ca_file"}
GOOGLE_REFRESH_TOKEN_KEYS = {
    "oauth2_client_id",
    "oauth2_client_secret",
    "oauth2_client_secret_file",
    "oauth2_refresh_token",
    "oauth2_refresh_token_file",
    "oauth2_token_url",
    "oauth2_ca_file",
}
# The fields of a service account key file that the JWT grant needs.
SERVICE_ACCOUNT_FIELDS = ("client_email", "private_key", "token_uri")


def check_oauth2_keys(mailbox: MailboxSettings) -> None:
    """Raise ValueError naming the key when [mailbox] mixes password and OAuth 2.0 keys or lacks one its auth needs."""
    given = [key for key in OAUTH2_KEYS if _is_set(getattr(mailbox, key))]
    if mailbox.auth == "password":
        if given:
            raise ValueError(
                f'{given[0]} is set, but auth = "password" signs in without OAuth 2.0. '
                'Set auth = "oauth2-microsoft" or "oauth2-google", or remove the oauth2_ settings'
            )
        return

    if mailbox.password.get_secret_value() or mailbox.password_file:
        raise ValueError(f'password is set, but auth = "{mailbox.auth}" signs in with an OAuth 2.0 token. Remove password and password_file')

    if mailbox.auth == "oauth2-microsoft":
        _check_allowed(mailbox.auth, given, MICROSOFT_KEYS)
        for key in ("oauth2_tenant_id", "oauth2_client_id"):
            if not getattr(mailbox, key):
                raise ValueError(f'auth = "oauth2-microsoft" needs {key}; copy it from the app registration in Microsoft Entra')
        _check_https(mailbox.oauth2_authority, "oauth2_authority")
        return

    if mailbox.oauth2_service_account_file:
        _check_allowed("oauth2-google with oauth2_service_account_file", given, GOOGLE_SERVICE_ACCOUNT_KEYS)
    elif mailbox.oauth2_client_id:
        _check_allowed("oauth2-google with a refresh token", given, GOOGLE_REFRESH_TOKEN_KEYS)
    else:
        raise ValueError(
            'auth = "oauth2-google" needs oauth2_service_account_file, '
            "or oauth2_client_id with oauth2_client_secret and oauth2_refresh_token"
        )
    _check_https(mailbox.oauth2_token_url, "oauth2_token_url")


def missing_oauth2_secret(mailbox: MailboxSettings) -> str | None:
    """Return which secret an OAuth 2.0 sign-in still lacks, as a message naming the keys; None when none is missing."""
    if mailbox.auth == "oauth2-google" and mailbox.oauth2_service_account_file:
        return None
    if not mailbox.oauth2_client_secret.get_secret_value():
        return (
            "[mailbox] oauth2_client_secret is missing. Set oauth2_client_secret_file, "
            "or oauth2_client_secret in the config file or in MAILBOT_MAILBOX__OAUTH2_CLIENT_SECRET"
        )
    if mailbox.auth == "oauth2-google" and not mailbox.oauth2_refresh_token.get_secret_value():
        return (
            "[mailbox] oauth2_refresh_token is missing. Set oauth2_refresh_token_file, "
            "or oauth2_refresh_token in the config file or in MAILBOT_MAILBOX__OAUTH2_REFRESH_TOKEN"
        )
    return None


def check_service_account_file(path: Path) -> None:
    """Raise ValueError unless ``path`` is a readable Google service account key file in JSON."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"file not found: {path}") from exc
    except OSError as exc:
        raise ValueError(f"{path} could not be read: {exc.strerror}. Check the path, and that mailbot's user may read it") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a JSON key file. Download the service account's key again, in JSON") from exc

    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ValueError(f'{path} is not a service account key: its "type" is not "service_account"')
    missing = [field for field in SERVICE_ACCOUNT_FIELDS if not info.get(field)]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}. Download the service account's key again, in JSON")


def _check_allowed(kind: str, given: list[str], allowed: set[str]) -> None:
    extra = [key for key in given if key not in allowed]
    if extra:
        raise ValueError(f"{extra[0]} is not used by {kind}; remove it")


def _check_https(url: str, key: str) -> None:
    if url and not url.startswith("https://"):
        raise ValueError(f"{key} must be an https:// URL, because the client secret or signed assertion is sent to it")


def _is_set(value: str | SecretStr) -> bool:
    return bool(value.get_secret_value() if isinstance(value, SecretStr) else value)
