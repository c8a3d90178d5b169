"""An OAuth 2.0 token service on loopback that plays Microsoft's and Google's parts, over HTTPS.

It serves the OpenID configuration and token endpoint that msal reads for a
tenant (client credentials), Google's token endpoint (the JWT grant of a
service account and the refresh token grant), and a token introspection
endpoint for Dovecot. It remembers every access token it issued, for whom
and until when, so that the test mail servers can check a token with
``accepts()``; ``expire_all()`` ends every token early, as a real service
does when it revokes tokens or a mail server ends a session.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mailbot.embedded import free_port

from .tls import ServerCertificate

MICROSOFT_SCOPE = "https://outlook.office365.com/.default"
GOOGLE_SCOPE = "https://mail.google.com/"
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_PATH = "/google/token"
INTROSPECTION_PATH = "/introspect"


@dataclass
class IssuedToken:
    """An access token the service issued: the mailboxes it opens and when it expires (seconds since the epoch)."""

    mailboxes: frozenset[str]
    expires_at: float
    revoked: bool = False


@dataclass
class MicrosoftApp:
    secret: str
    mailboxes: set[str]


@dataclass
class ServiceAccount:
    public_key: rsa.RSAPublicKey
    delegated: bool


@dataclass
class RefreshGrant:
    client_id: str
    mailbox: str


@dataclass
class TokenService:
    """The service's registrations and issued tokens, shared by the HTTP handler threads and the tests."""

    certificate: ServerCertificate
    lifetime_seconds: int = 3600
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    microsoft_apps: dict[tuple[str, str], MicrosoftApp] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    google_clients: dict[str, str] = field(default_factory=dict)
    refresh_grants: dict[str, RefreshGrant] = field(default_factory=dict)
    # Each token request as (grant type, outcome), for counting what the clients asked.
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def google_token_url(self) -> str:
        return self.url + GOOGLE_TOKEN_PATH

    @property
    def introspection_url(self) -> str:
        return self.url + INTROSPECTION_PATH

    def microsoft_authority(self, tenant: str) -> str:
        return f"{self.url}/{tenant}"

    def start(self) -> TokenService:
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        server.socket = self.certificate.server_context().wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, name=f"token-service-{self.port}", daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # Registrations

    def register_microsoft_app(self, tenant: str, client_id: str, secret: str, mailboxes: set[str]) -> None:
        """Register an app whose service principal may open ``mailboxes``, as Exchange Online's permissions would allow."""
        self.microsoft_apps[(tenant, client_id)] = MicrosoftApp(secret, mailboxes)

    def register_service_account(self, folder: Path, client_email: str, *, delegated: bool = True) -> Path:
        """Create a service account key, write its JSON key file into ``folder`` and return the file's path.

        Without ``delegated`` the account lacks domain-wide delegation, so every request to act for a user is refused.
        """
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.service_accounts[client_email] = ServiceAccount(key.public_key(), delegated)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        info = {
            "type": "service_account",
            "project_id": "mailbot-test",
            "private_key_id": secrets.token_hex(8),
            "private_key": pem.decode(),
            "client_email": client_email,
            "client_id": "1234567890",
            "token_uri": self.google_token_url,
        }
        path = folder / "service-account.json"
        path.write_text(json.dumps(info), encoding="utf-8")
        return path

    def register_refresh_token(self, client_id: str, client_secret: str, mailbox: str) -> str:
        """Register an OAuth client and a refresh token that ``mailbox``'s user granted to it; return the refresh token."""
        self.google_clients[client_id] = client_secret
        refresh_token = "refresh-" + secrets.token_urlsafe(16)
        self.refresh_grants[refresh_token] = RefreshGrant(client_id, mailbox)
        return refresh_token

    # Tokens

    def mint(self, mailbox: str) -> str:
        """Issue a token for ``mailbox`` directly, for a test's own IMAP client."""
        return self._issue({mailbox})["access_token"]

    def accepts(self, token: str, mailbox: str) -> bool:
        """Return whether ``token`` is one this service issued for ``mailbox`` and it has not expired."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None or issued.revoked or issued.expires_at <= time.time():
            return False
        return mailbox.casefold() in issued.mailboxes

    def expire_all(self) -> None:
        """End every token issued so far, though each client still believes its token valid."""
        with self._lock:
            for issued in self._tokens.values():
                issued.revoked = True

    def issued_values(self) -> list[str]:
        with self._lock:
            return list(self._tokens)

    def count(self, outcome: str = "issued") -> int:
        """Return how many token requests ended with ``outcome`` ("issued", or an OAuth error code)."""
        return sum(1 for _, result in self.requests if result == outcome)

    def _issue(self, mailboxes: set[str]) -> dict[str, Any]:
        token = "at-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = IssuedToken(frozenset(name.casefold() for name in mailboxes), time.time() + self.lifetime_seconds)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime_seconds}

    # Grants, each returning (HTTP status, JSON body)

    def microsoft_client_credentials(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        app = self.microsoft_apps.get((tenant, form.get("client_id", "")))
        if app is None:
            return 400, _error("unauthorized_client", "AADSTS700016: no application with this client ID in the test tenant")
        if form.get("client_secret") != app.secret:
            return 401, _error("invalid_client", "AADSTS7000215: the client secret does not match (test service)\r\nTrace ID: 0")
        if MICROSOFT_SCOPE not in form.get("scope", "").split():
            return 400, _error("invalid_scope", f"only {MICROSOFT_SCOPE} is offered by the test service")
        # A client credentials token is the app's, so it opens every mailbox that the app has access to.
        return 200, self._issue(app.mailboxes)

    def google_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") == JWT_BEARER_GRANT:
            return self._jwt_grant(form.get("assertion", ""))
        if form.get("grant_type") == "refresh_token":
            return self._refresh_grant(form)
        return 400, _error("unsupported_grant_type", "the test service knows the JWT and refresh token grants")

    def _jwt_grant(self, assertion: str) -> tuple[int, dict[str, Any]]:
        try:
            header_part, claims_part, signature_part = assertion.split(".")
            claims = json.loads(_unbase64url(claims_part))
        except ValueError:
            return 400, _error("invalid_grant", "the assertion is not a JWT")

        account = self.service_accounts.get(claims.get("iss", ""))
        if account is None:
            return 400, _error("invalid_grant", "Invalid issuer: no such service account")
        try:
            signed = f"{header_part}.{claims_part}".encode()
            account.public_key.verify(_unbase64url(signature_part), signed, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return 400, _error("invalid_grant", "Invalid JWT Signature.")
        # google-auth puts Google's own token endpoint in "aud", whatever token_uri the key file names.
        if claims.get("aud") != GOOGLE_AUDIENCE or claims.get("exp", 0) < time.time():
            return 400, _error("invalid_grant", "Invalid JWT: audience or expiry")
        if GOOGLE_SCOPE not in claims.get("scope", "").split() or not claims.get("sub"):
            return 400, _error("invalid_scope", "the test service needs the Gmail scope and a subject")
        if not account.delegated:
            return 401, _error("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method (test service)")
        return 200, self._issue({claims["sub"]})

    def _refresh_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        client_id = form.get("client_id", "")
        if self.google_clients.get(client_id) != form.get("client_secret") or not client_id:
            return 401, _error("invalid_client", "The OAuth client was not found.")
        grant = self.refresh_grants.get(form.get("refresh_token", ""))
        if grant is None or grant.client_id != client_id:
            return 400, _error("invalid_grant", "Token has been expired or revoked.")
        return 200, {**self._issue({grant.mailbox}), "scope": GOOGLE_SCOPE}

    def introspect(self, form: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            issued = self._tokens.get(form.get("token", ""))
        if issued is None or issued.revoked or issued.expires_at <= time.time():
            return {"active": False}
        return {"active": True, "username": sorted(issued.mailboxes)[0]}


def _error(code: str, description: str) -> dict[str, str]:
    return {"error": code, "error_description": description}


def _unbase64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _handler_for(service: TokenService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            parts = self.path.split("?")[0].strip("/").split("/")
            # msal reads <authority>/v2.0/.well-known/openid-configuration for the tenant's endpoints.
            if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
                tenant = parts[0]
                if not any(known == tenant for known, _ in service.microsoft_apps):
                    self._reply(400, _error("invalid_tenant", f"AADSTS90002: Tenant '{tenant}' not found (test service)"))
                    return
                base = service.microsoft_authority(tenant)
                self._reply(200, {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                })
                return
            self._reply(404, _error("not_found", self.path))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            parts = self.path.split("?")[0].strip("/").split("/")

            if self.path == INTROSPECTION_PATH:
                self._reply(200, service.introspect(form))
                return
            if self.path == GOOGLE_TOKEN_PATH:
                status, reply = service.google_token(form)
            elif len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
                status, reply = service.microsoft_client_credentials(parts[0], form)
            else:
                self._reply(404, _error("not_found", self.path))
                return
            service.requests.append((form.get("grant_type", ""), "issued" if status == 200 else reply["error"]))
            self._reply(status, reply)

        def _reply(self, status: int, reply: dict[str, Any]) -> None:
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            # Requests are counted in TokenService.requests; the default would print each to stderr.
            pass

    return Handler
