"""OAuth 2.0 access tokens for signing in to IMAP and SMTP: one token source per provider, each with an in-memory cache.

Microsoft 365 tokens come from msal's client credentials flow; Google
Workspace tokens from google-auth, with a service account that has
domain-wide delegation or with a refresh token. A token is kept until
RENEWAL_MARGIN_SECONDS before it expires, and renewed at once when a server
rejects it. No log line or error message contains a token or a secret.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timezone
from collections.abc import Callable
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
import google.oauth2.credentials
import google.oauth2.service_account
import msal
import requests

from mailbot.config import MailboxSettings
from mailbot.errors import MailbotError
from mailbot.tls import ssl_error_in

log = logging.getLogger("mailbot.oauth2")

MICROSOFT_AUTHORITY_HOST = "https://login.microsoftonline.com"
MICROSOFT_SCOPE = "https://outlook.office365.com/.default"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_SCOPE = "https://mail.google.com/"
# A token is renewed this long before it expires, so that no sign-in presents a token that expires on the way.
RENEWAL_MARGIN_SECONDS = 300.0
# How long a token is kept when the service does not state its lifetime; both providers state it.
DEFAULT_LIFETIME_SECONDS = 3600.0
# Seconds to wait for the sign-in service to respond to one request.
SERVICE_TIMEOUT_SECONDS = 30.0


class OAuth2Error(MailbotError, ConnectionError):
    """No access token could be had; the message names the service, the cause and the setting to check.

    It is a ConnectionError, so the daemon retries it like an unreachable mail server.
    """


class ServiceSession(requests.Session):
    """A requests session for the sign-in service, with the timeout and the trusted CAs set on every request.

    requests lets the REQUESTS_CA_BUNDLE environment variable win over
    ``Session.verify``, so ``oauth2_ca_file`` is passed with each request,
    where it wins instead.
    """

    def __init__(self, ca_file: str) -> None:
        super().__init__()
        self._verify: str | bool = ca_file or True

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", SERVICE_TIMEOUT_SECONDS)
        kwargs.setdefault("verify", self._verify)
        return super().request(method, url, *args, **kwargs)


@dataclass(frozen=True)
class AccessToken:
    """An access token and when it expires, in seconds since the epoch."""

    value: str = field(repr=False)
    expires_at: float


class TokenSource(ABC):
    """Gets access tokens from one sign-in service and keeps the latest one in memory.

    Safe to share between threads: the IMAP watcher, the intake and the
    sender may ask at once, and only one of them fetches.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._token: AccessToken | None = None

    @property
    @abstractmethod
    def description(self) -> str:
        """Name the service and the identity it issues tokens for, for log lines and errors; never a secret."""

    @property
    @abstractmethod
    def rejection_advice(self) -> str:
        """Name what to check when a mail server rejects a token from this source."""

    @property
    def expires_at(self) -> float | None:
        """When the cached token expires, in seconds since the epoch; None before the first fetch."""
        token = self._token
        return token.expires_at if token is not None else None

    def access_token(self) -> str:
        """Return a token that is valid for at least RENEWAL_MARGIN_SECONDS, fetching one when the cached one is not.

        Raises OAuth2Error when the service cannot be reached or refuses.
        """
        with self._lock:
            if self._token is None:
                self._token = self._fetch_and_log("no token yet")
            elif self._token.expires_at - RENEWAL_MARGIN_SECONDS <= self._clock():
                self._token = self._fetch_and_log("the token expires within 5 minutes")
            return self._token.value

    def renew(self, rejected: str) -> str:
        """Replace the token that a server rejected, and return the new one.

        When another thread already replaced ``rejected``, its newer token is
        returned without asking the service again.
        """
        with self._lock:
            if self._token is None or self._token.value == rejected:
                self._token = self._fetch_and_log("a server rejected the token")
            return self._token.value

    def _fetch_and_log(self, reason: str) -> AccessToken:
        token = self._fetch()
        expires = datetime.fromtimestamp(token.expires_at, timezone.utc).isoformat(timespec="seconds")
        log.info("TOKEN obtained from %s because %s; it expires at %s", self.description, reason, expires)
        return token

    @abstractmethod
    def _fetch(self) -> AccessToken:
        """Ask the service for a new token."""

    def _token_from(self, value: str, lifetime_seconds: float | None) -> AccessToken:
        lifetime = DEFAULT_LIFETIME_SECONDS if lifetime_seconds is None else float(lifetime_seconds)
        return AccessToken(value, self._clock() + lifetime)


class MicrosoftTokenSource(TokenSource):
    """Microsoft 365 tokens for the app registration itself (client credentials), through msal."""

    def __init__(self, settings: MailboxSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock=clock)
        self._tenant_id = settings.oauth2_tenant_id
        self._client_id = settings.oauth2_client_id
        self._client_secret = settings.oauth2_client_secret
        self._authority = settings.oauth2_authority or f"{MICROSOFT_AUTHORITY_HOST}/{self._tenant_id}"
        self._ca_file = settings.oauth2_ca_file
        self._application: msal.ConfidentialClientApplication | None = None

    @property
    def description(self) -> str:
        return f"Microsoft ({self._authority}, client {self._client_id})"

    @property
    def rejection_advice(self) -> str:
        return (
            "Check that [mailbox] username is the mailbox's address, that the app registration has the "
            "Office 365 Exchange Online permissions IMAP.AccessAsApp and SMTP.SendAsApp with admin consent, "
            "and that the app's service principal in Exchange Online has access to this mailbox"
        )

    def _fetch(self) -> AccessToken:
        application = self._connected_application()

        # msal keeps tokens of its own; they are dropped so that this class's cache alone decides when to renew.
        cache = application.token_cache
        for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(item)

        try:
            result = application.acquire_token_for_client(scopes=[MICROSOFT_SCOPE])
        except requests.RequestException as exc:
            raise OAuth2Error(_unreachable(self._authority, exc, "oauth2_authority")) from exc
        if not result or "access_token" not in result:
            raise OAuth2Error(self._describe_refusal(result or {}))
        return self._token_from(result["access_token"], result.get("expires_in"))

    def _connected_application(self) -> msal.ConfidentialClientApplication:
        """Create the msal application on first use; msal reads the authority's OpenID configuration as it starts."""
        if self._application is not None:
            return self._application
        try:
            self._application = msal.ConfidentialClientApplication(
                self._client_id,
                client_credential=self._client_secret.get_secret_value(),
                authority=self._authority,
                # Instance discovery would ask login.microsoftonline.com about any other authority host.
                instance_discovery=False,
                http_client=ServiceSession(self._ca_file),
            )
        except requests.RequestException as exc:
            raise OAuth2Error(_unreachable(self._authority, exc, "oauth2_authority")) from exc
        except ValueError as exc:
            # msal's own message here is a generic list of authority formats, so it is left out.
            raise OAuth2Error(
                f"Microsoft's sign-in service has no tenant at {self._authority}: its OpenID configuration could not be read. "
                "Check [mailbox] oauth2_tenant_id (the directory ID of the app registration), and oauth2_authority if set"
            ) from exc
        return self._application

    def _describe_refusal(self, result: dict[str, Any]) -> str:
        error = result.get("error", "no error code")
        detail = _sentence(str(result.get("error_description", "")))
        client = f"client {self._client_id} in tenant {self._tenant_id}"
        if error == "invalid_client":
            return (
                f"Microsoft rejected the client secret of {client}: {detail} "
                "Check [mailbox] oauth2_client_secret (or oauth2_client_secret_file, or MAILBOT_MAILBOX__OAUTH2_CLIENT_SECRET); "
                "an expired secret must be replaced in the app registration"
            )
        if error == "unauthorized_client":
            return f"Microsoft does not know {client}: {detail} Check [mailbox] oauth2_client_id and oauth2_tenant_id"
        if error == "invalid_scope":
            return f"Microsoft refused the scope {MICROSOFT_SCOPE} for {client}: {detail} Check the app registration's API permissions"
        return f"Microsoft refused a token for {client}: {error}: {detail}"


class GoogleTokenSource(TokenSource):
    """Google Workspace tokens through google-auth, from credentials that a subclass builds."""

    def __init__(self, settings: MailboxSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock=clock)
        self._token_url = settings.oauth2_token_url
        # The token endpoint, for error messages; a service account's key file names its own.
        self._endpoint = settings.oauth2_token_url or GOOGLE_TOKEN_URL
        session = ServiceSession(settings.oauth2_ca_file)
        self._request = functools.partial(google.auth.transport.requests.Request(session), timeout=SERVICE_TIMEOUT_SECONDS)
        self._credentials: Any = None

    def _fetch(self) -> AccessToken:
        if self._credentials is None:
            self._credentials = self._build_credentials()
        credentials = self._credentials
        try:
            credentials.refresh(self._request)
        except google.auth.exceptions.TransportError as exc:
            raise OAuth2Error(_unreachable(self._endpoint, exc, "oauth2_token_url")) from exc
        except google.auth.exceptions.RefreshError as exc:
            raise OAuth2Error(self._describe_refusal(_google_error(exc))) from exc

        lifetime = None
        if credentials.expiry is not None:
            # google-auth keeps expiry as a naive UTC datetime.
            lifetime = credentials.expiry.replace(tzinfo=timezone.utc).timestamp() - time.time()
        return self._token_from(credentials.token, lifetime)

    @abstractmethod
    def _build_credentials(self) -> Any:
        """Create the google-auth credentials object; raise OAuth2Error when the settings cannot make one."""

    @abstractmethod
    def _describe_refusal(self, error: tuple[str, str]) -> str:
        """Describe the token endpoint's (error code, description) with the setting to check."""


class GoogleServiceAccountTokenSource(GoogleTokenSource):
    """Google Workspace tokens for the mailbox's user, from a service account with domain-wide delegation."""

    def __init__(self, settings: MailboxSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings, clock=clock)
        self._key_file = settings.oauth2_service_account_file
        self._subject = settings.username
        self._account = "service account"

    @property
    def description(self) -> str:
        return f"Google ({self._account} acting for {self._subject})"

    @property
    def rejection_advice(self) -> str:
        return "Check that IMAP is turned on for this user in the Google Workspace admin console"

    def _build_credentials(self) -> Any:
        try:
            with open(self._key_file, encoding="utf-8") as key_file:
                info = json.load(key_file)
            if self._token_url:
                info["token_uri"] = self._token_url
            self._endpoint = str(info.get("token_uri", ""))
            credentials = google.oauth2.service_account.Credentials.from_service_account_info(
                info, scopes=[GOOGLE_SCOPE], subject=self._subject
            )
        except (OSError, ValueError) as exc:
            raise OAuth2Error(
                f"the service account key {self._key_file} could not be used: {exc}. "
                "Check [mailbox] oauth2_service_account_file, or download a new JSON key"
            ) from exc
        self._account = f"service account {credentials.service_account_email}"
        return credentials

    def _describe_refusal(self, error: tuple[str, str]) -> str:
        code, detail = error
        if code == "unauthorized_client":
            return (
                f"Google did not let the {self._account} act for {self._subject}: {code}: {detail} "
                "In the Google Workspace admin console, give the service account's client ID domain-wide delegation "
                f"with the scope {GOOGLE_SCOPE}"
            )
        if code == "invalid_grant":
            return (
                f"Google rejected the signed request of the {self._account} for {self._subject}: {code}: {detail} "
                "Check [mailbox] oauth2_service_account_file (a key deleted in Google Cloud no longer works), "
                "and that [mailbox] username is a user of the Workspace domain"
            )
        return f"Google refused a token for the {self._account} acting for {self._subject}: {code}: {detail}"


class GoogleRefreshTokenSource(GoogleTokenSource):
    """Google Workspace tokens from a refresh token that a user granted to an OAuth client."""

    def __init__(self, settings: MailboxSettings, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings, clock=clock)
        self._client_id = settings.oauth2_client_id
        self._client_secret = settings.oauth2_client_secret
        self._refresh_token = settings.oauth2_refresh_token
        self._username = settings.username

    @property
    def description(self) -> str:
        return f"Google (client {self._client_id}, refresh token)"

    @property
    def rejection_advice(self) -> str:
        return (
            f"Check that the refresh token was granted by {self._username} for {GOOGLE_SCOPE}, "
            "and that IMAP is turned on for this user"
        )

    def _build_credentials(self) -> Any:
        return google.oauth2.credentials.Credentials(
            token=None,
            refresh_token=self._refresh_token.get_secret_value(),
            token_uri=self._token_url or GOOGLE_TOKEN_URL,
            client_id=self._client_id,
            client_secret=self._client_secret.get_secret_value(),
            scopes=[GOOGLE_SCOPE],
        )

    def _describe_refusal(self, error: tuple[str, str]) -> str:
        code, detail = error
        if code == "invalid_client":
            return (
                f"Google rejected the OAuth client {self._client_id}: {code}: {detail} "
                "Check [mailbox] oauth2_client_id and oauth2_client_secret (or oauth2_client_secret_file, "
                "or MAILBOT_MAILBOX__OAUTH2_CLIENT_SECRET)"
            )
        if code == "invalid_grant":
            return (
                f"Google rejected the refresh token of client {self._client_id}: {code}: {detail} "
                "Check [mailbox] oauth2_refresh_token (or oauth2_refresh_token_file, or MAILBOT_MAILBOX__OAUTH2_REFRESH_TOKEN); "
                "a revoked or expired refresh token must be granted again"
            )
        return f"Google refused a token for client {self._client_id}: {code}: {detail}"


def token_source_for(settings: MailboxSettings) -> TokenSource | None:
    """Create the token source that [mailbox] auth names; None for password sign-in. Nothing is fetched yet."""
    if settings.auth == "oauth2-microsoft":
        return MicrosoftTokenSource(settings)
    if settings.auth == "oauth2-google" and settings.oauth2_service_account_file:
        return GoogleServiceAccountTokenSource(settings)
    if settings.auth == "oauth2-google":
        return GoogleRefreshTokenSource(settings)
    return None


def _unreachable(url: str, exc: BaseException, key: str) -> str:
    if ssl_error_in(exc) is not None or isinstance(exc, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return (
            f"the sign-in service at {url} presented a TLS certificate that was not trusted. "
            "If it uses a private CA, set [mailbox] oauth2_ca_file to that CA certificate (a PEM file)"
        )
    return (
        f"the sign-in service at {url} could not be reached: {_reason(exc)}. "
        f"Check this machine's network and proxy, and [mailbox] {key} if set"
    )


def _google_error(exc: google.auth.exceptions.RefreshError) -> tuple[str, str]:
    """Return the (error code, description) of a refused Google token request, from the response or the message."""
    response = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(response, dict) and "error" in response:
        return str(response["error"]), _sentence(str(response.get("error_description", "")))
    code, _, detail = str(exc.args[0] if exc.args else exc).partition(": ")
    return code, _sentence(detail)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _sentence(text: str) -> str:
    """Return the first line of a service's error description, ending with a full stop, to go before the advice.

    Microsoft appends trace and correlation IDs on lines of their own.
    """
    line = _first_line(text)
    return line if not line or line.endswith((".", "!", "?")) else line + "."


def _reason(exc: BaseException) -> str:
    """Return the operating system's words for a failed connection (such as "Connection refused"), else the message.

    requests and urllib3 wrap the OSError in exceptions whose messages repeat object reprs.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        if isinstance(current, TimeoutError) or "timed out" in str(current).lower():
            return "timed out"
        current = current.__cause__ or current.__context__ or _urllib3_reason(current)
    return _first_line(str(exc))


def _urllib3_reason(exc: BaseException) -> BaseException | None:
    # urllib3's MaxRetryError keeps the failure in .reason, not in the exception chain.
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, BaseException) else None
