"""OAuth 2.0 sign-in for IMAP and SMTP, against a token service, pymap and aiosmtpd on loopback.

The token service (tests/servers/oauth2.py) plays Microsoft's authority and
Google's token endpoint over HTTPS with a test CA; the mail servers
(tests/servers/oauth2_mail.py) take only tokens it issued, for the mailbox
they were issued for.
"""

from __future__ import annotations

import asyncio
import base64
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from harness import BUSINESS_MANAGER, form_bytes, mailbot, run_once
from servers import Account
from servers.oauth2 import TokenService
from servers.oauth2_mail import OAUTHBEARER, XOAUTH2, OAuth2DovecotServer, OAuth2ImapServer, OAuth2SmtpSink
from servers.tls import CertificateAuthority, require_dovecot, write_config

from mailbot.config import MailboxSettings, load_settings
from mailbot.embedded import EmbeddedImapServer, free_port
from mailbot.errors import ConfigError, MailboxError
from mailbot.mailbox import Mailbox
from mailbot.oauth2 import RENEWAL_MARGIN_SECONDS, MicrosoftTokenSource, OAuth2Error, token_source_for
from mailbot.sender import smtp_oauth2_login

BOT = "pst@star-tsa.example"
TENANT = "3f2b7c1e-tenant"
CLIENT_ID = "6a1d-mailbot-app"
CLIENT_SECRET = "Client-Secret-9f8e7d"
GOOGLE_CLIENT_ID = "mailbot.apps.googleusercontent.test"
GOOGLE_CLIENT_SECRET = "Google-Client-Secret-4c3b"
WRONG_SECRET = "Wrong-Secret-123"
REVOKED_TOKEN = "Revoked-Refresh-456"
SERVICE_ACCOUNT = "mailbot@alliance-project.iam.gserviceaccount.test"
PROVIDERS = ["microsoft", "google-service-account", "google-refresh-token"]
# The test SMTP servers take AUTH over plain TCP on loopback, which aiosmtpd warns about.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
NO_DIGEST = "\n[workflow]\nweekly_digest = false\n"


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path)


@pytest.fixture
def token_service(ca: CertificateAuthority) -> Iterator[TokenService]:
    service = TokenService(ca.issue("token-service")).start()
    service.register_microsoft_app(TENANT, CLIENT_ID, CLIENT_SECRET, {BOT})
    yield service
    service.stop()


@pytest.fixture
def imap_server(token_service: TokenService) -> Iterator[OAuth2ImapServer]:
    with OAuth2ImapServer(token_service, BOT) as server:
        yield server


@pytest.fixture
def smtp_server(token_service: TokenService) -> Iterator[OAuth2SmtpSink]:
    with OAuth2SmtpSink(token_service) as sink:
        yield sink


def oauth2_keys(provider: str, service: TokenService, ca: CertificateAuthority, folder: Path, mailbox: str = BOT) -> dict[str, object]:
    """Return the [mailbox] keys that sign in to ``mailbox`` through ``provider`` at the test token service."""
    if provider == "microsoft":
        secret_file = folder / "client-secret"
        secret_file.write_text(CLIENT_SECRET + "\n", encoding="utf-8")
        return {
            "auth": "oauth2-microsoft",
            "oauth2_tenant_id": TENANT,
            "oauth2_client_id": CLIENT_ID,
            "oauth2_client_secret_file": str(secret_file),
            "oauth2_authority": service.microsoft_authority(TENANT),
            "oauth2_ca_file": str(ca.cert_path),
        }
    if provider == "google-service-account":
        key_file = service.register_service_account(folder, SERVICE_ACCOUNT)
        return {"auth": "oauth2-google", "oauth2_service_account_file": str(key_file), "oauth2_ca_file": str(ca.cert_path)}
    refresh_token = service.register_refresh_token(GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, mailbox)
    return {
        "auth": "oauth2-google",
        "oauth2_client_id": GOOGLE_CLIENT_ID,
        "oauth2_client_secret": GOOGLE_CLIENT_SECRET,
        "oauth2_refresh_token": refresh_token,
        "oauth2_token_url": service.google_token_url,
        "oauth2_ca_file": str(ca.cert_path),
    }


def mailbox_keys(imap: EmbeddedImapServer | Account, oauth2: dict[str, object], username: str = BOT) -> dict[str, object]:
    return {"host": imap.host, "port": imap.port, "security": "none", "username": username, "poll_interval_seconds": 5, **oauth2}


def write_oauth2_config(
    folder: Path, imap: EmbeddedImapServer, smtp: OAuth2SmtpSink, oauth2: dict[str, object], extra: str = ""
) -> Path:
    smtp_keys = {"host": smtp.host, "port": smtp.port, "security": "none"}
    return write_config(folder / "mailbot.toml", mailbox_keys(imap, oauth2), smtp_keys, f"sqlite:///{folder}/mailbot.sqlite3", NO_DIGEST + extra)


def settings_for(folder: Path, imap: EmbeddedImapServer | Account, oauth2: dict[str, object], username: str = BOT) -> MailboxSettings:
    path = write_config(folder / "settings.toml", mailbox_keys(imap, oauth2, username), {"host": "127.0.0.1", "security": "none"}, "sqlite://")
    return load_settings(path).mailbox


def minimal_config(folder: Path, mailbox: dict[str, object], smtp: dict[str, object] | None = None) -> Path:
    mailbox = {"host": "imap.alliance.example", "username": BOT, **mailbox}
    return write_config(folder / "mailbot.toml", mailbox, smtp or {"host": "smtp.alliance.example"}, "sqlite://")


# Settings


@pytest.mark.parametrize(
    ("mailbox", "expected"),
    [
        pytest.param({"password": "pw", "oauth2_client_id": "x"}, "oauth2_client_id is set, but auth = \"password\"", id="oauth2-key-with-password-auth"),
        pytest.param({"auth": "oauth2-microsoft", "oauth2_client_id": "x", "password": "pw"}, "Remove password", id="password-with-oauth2"),
        pytest.param({"auth": "oauth2-microsoft", "oauth2_client_id": "x"}, "needs oauth2_tenant_id", id="no-tenant"),
        pytest.param({"auth": "oauth2-microsoft", "oauth2_tenant_id": "t"}, "needs oauth2_client_id", id="no-client"),
        pytest.param({"auth": "oauth2-google"}, "needs oauth2_service_account_file", id="google-without-credentials"),
        pytest.param(
            {"auth": "oauth2-microsoft", "oauth2_tenant_id": "t", "oauth2_client_id": "c", "oauth2_refresh_token": "r"},
            "oauth2_refresh_token is not used by oauth2-microsoft",
            id="google-key-for-microsoft",
        ),
        pytest.param(
            {"auth": "oauth2-microsoft", "oauth2_tenant_id": "t", "oauth2_client_id": "c", "oauth2_authority": "http://login.example/t"},
            "oauth2_authority must be an https:// URL",
            id="plain-http-authority",
        ),
        pytest.param(
            {"auth": "oauth2-microsoft", "oauth2_tenant_id": "t", "oauth2_client_id": "c", "oauth2_client_secret": "a", "oauth2_client_secret_file": "f"},
            "oauth2_client_secret and oauth2_client_secret_file are both set",
            id="secret-twice",
        ),
    ],
)
def test_mailbox_auth_settings_rejected(tmp_path: Path, mailbox: dict[str, object], expected: str) -> None:
    path = minimal_config(tmp_path, mailbox)

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert expected in str(raised.value)


def test_smtp_mailbox_auth_needs_oauth2_mailbox(tmp_path: Path) -> None:
    path = minimal_config(tmp_path, {"password": "pw"}, {"host": "smtp.alliance.example", "auth": "mailbox"})

    with pytest.raises(ConfigError, match=r'\[smtp\] auth: "mailbox" signs in with the OAuth 2.0 token of \[mailbox\]'):
        load_settings(path)


def test_smtp_follows_mailbox_oauth2_by_default(tmp_path: Path) -> None:
    microsoft = {"auth": "oauth2-microsoft", "oauth2_tenant_id": TENANT, "oauth2_client_id": CLIENT_ID}

    settings = load_settings(minimal_config(tmp_path, microsoft))

    assert settings.smtp_auth == "mailbox"
    assert settings.smtp_username == BOT


def test_smtp_password_kept_beside_mailbox_password(tmp_path: Path) -> None:
    settings = load_settings(minimal_config(tmp_path, {"password": "pw"}, {"host": "smtp.alliance.example", "username": "relay"}))

    assert settings.smtp_auth == "password"
    assert settings.smtp_username == "relay"


def test_client_secret_read_from_file(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text(CLIENT_SECRET + "\n", encoding="utf-8")
    keys = {"auth": "oauth2-microsoft", "oauth2_tenant_id": TENANT, "oauth2_client_id": CLIENT_ID, "oauth2_client_secret_file": "secret"}

    settings = load_settings(minimal_config(tmp_path, keys))

    assert settings.mailbox.oauth2_client_secret.get_secret_value() == CLIENT_SECRET
    assert CLIENT_SECRET not in repr(settings)


def test_client_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__OAUTH2_CLIENT_SECRET", CLIENT_SECRET)
    keys = {"auth": "oauth2-microsoft", "oauth2_tenant_id": TENANT, "oauth2_client_id": CLIENT_ID}

    settings = load_settings(minimal_config(tmp_path, keys))

    assert settings.mailbox.oauth2_client_secret.get_secret_value() == CLIENT_SECRET


def test_missing_client_secret_reported_at_sign_in(tmp_path: Path) -> None:
    keys = {"auth": "oauth2-microsoft", "oauth2_tenant_id": TENANT, "oauth2_client_id": CLIENT_ID}
    settings = load_settings(minimal_config(tmp_path, keys))

    with pytest.raises(ConfigError, match=r"\[mailbox\] oauth2_client_secret is missing"):
        settings.require_sign_in_secrets()


def test_service_account_file_checked(tmp_path: Path) -> None:
    (tmp_path / "key.json").write_text('{"type": "authorized_user"}', encoding="utf-8")

    with pytest.raises(ConfigError, match=r'\[mailbox\] oauth2_service_account_file: .* is not a service account key'):
        load_settings(minimal_config(tmp_path, {"auth": "oauth2-google", "oauth2_service_account_file": "key.json"}))


# Token sources


def test_token_kept_until_renewal_margin(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer) -> None:
    clock = FakeClock()
    token_service.lifetime_seconds = 3600
    settings = settings_for(tmp_path, imap_server, oauth2_keys("microsoft", token_service, ca, tmp_path))
    source = MicrosoftTokenSource(settings, clock=clock)

    first = source.access_token()
    clock.now += 3600 - RENEWAL_MARGIN_SECONDS - 60
    second = source.access_token()
    clock.now += 120
    third = source.access_token()

    assert second == first
    assert third != first
    assert token_service.count() == 2


def test_renew_keeps_token_another_thread_renewed(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer) -> None:
    settings = settings_for(tmp_path, imap_server, oauth2_keys("microsoft", token_service, ca, tmp_path))
    source = token_source_for(settings)
    assert source is not None
    rejected = source.access_token()

    renewed = source.renew(rejected)
    again = source.renew(rejected)

    assert renewed != rejected
    assert again == renewed
    assert token_service.count() == 2


@pytest.mark.parametrize(
    ("provider", "change", "expected"),
    [
        pytest.param("microsoft", {"oauth2_client_secret_file": None, "oauth2_client_secret": WRONG_SECRET}, "Check [mailbox] oauth2_client_secret", id="microsoft-wrong-secret"),
        pytest.param("microsoft", {"oauth2_client_id": "unknown-app"}, "Check [mailbox] oauth2_client_id", id="microsoft-unknown-client"),
        pytest.param("microsoft", {"oauth2_tenant_id": "other", "oauth2_authority": "tenant:other"}, "Check [mailbox] oauth2_tenant_id", id="microsoft-unknown-tenant"),
        pytest.param("google-service-account", {"delegated": False}, "domain-wide delegation", id="google-no-delegation"),
        pytest.param("google-refresh-token", {"oauth2_refresh_token": REVOKED_TOKEN}, "Check [mailbox] oauth2_refresh_token", id="google-revoked-refresh-token"),
        pytest.param("google-refresh-token", {"oauth2_client_secret": WRONG_SECRET}, "Check [mailbox] oauth2_client_id and oauth2_client_secret", id="google-wrong-secret"),
    ],
)
def test_refused_token_request_names_setting(
    tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer,
    provider: str, change: dict[str, Any], expected: str,
) -> None:
    keys = oauth2_keys(provider, token_service, ca, tmp_path)
    if change.pop("delegated", True) is False:
        token_service.service_accounts[SERVICE_ACCOUNT].delegated = False
    for key, value in change.items():
        if value is None:
            keys.pop(key)
        elif isinstance(value, str) and value.startswith("tenant:"):
            keys[key] = token_service.microsoft_authority(value.removeprefix("tenant:"))
        else:
            keys[key] = value
    source = token_source_for(settings_for(tmp_path, imap_server, keys))
    assert source is not None

    with pytest.raises(OAuth2Error) as raised:
        source.access_token()

    message = str(raised.value)
    assert expected in message
    for secret in (CLIENT_SECRET, GOOGLE_CLIENT_SECRET, WRONG_SECRET, REVOKED_TOKEN):
        assert secret not in message


def test_unreachable_token_endpoint_named(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer) -> None:
    keys = oauth2_keys("microsoft", token_service, ca, tmp_path)
    keys["oauth2_authority"] = f"https://127.0.0.1:{free_port()}/{TENANT}"
    source = token_source_for(settings_for(tmp_path, imap_server, keys))
    assert source is not None

    with pytest.raises(OAuth2Error, match=r"could not be reached: Connection refused\. .*oauth2_authority"):
        source.access_token()


def test_untrusted_token_service_names_ca_setting(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer) -> None:
    keys = oauth2_keys("google-refresh-token", token_service, ca, tmp_path)
    del keys["oauth2_ca_file"]
    source = token_source_for(settings_for(tmp_path, imap_server, keys))
    assert source is not None

    with pytest.raises(OAuth2Error, match=r"TLS certificate that was not trusted.*set \[mailbox\] oauth2_ca_file"):
        source.access_token()


# Signing in


@pytest.mark.parametrize("provider", PROVIDERS)
def test_pass_signs_in_with_token(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, smtp_server: OAuth2SmtpSink, provider: str) -> None:
    config = write_oauth2_config(tmp_path, imap_server, smtp_server, oauth2_keys(provider, token_service, ca, tmp_path))
    imap_server.deliver(form_bytes("html-table.eml"))

    run_once(config, "2026-10-14T16:00")

    assert any(BUSINESS_MANAGER in email.rcpt_tos for email in smtp_server.messages)
    assert {(login.mechanism, login.user) for login in imap_server.log.logins} >= {(XOAUTH2, BOT)}
    assert {(login.mechanism, login.user) for login in smtp_server.log.logins} == {(XOAUTH2, BOT)}
    # IMAP and SMTP share the pass's one token.
    assert token_service.count() == 1


def test_oauthbearer_preferred_when_offered(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority) -> None:
    both = (XOAUTH2, OAUTHBEARER)
    with OAuth2ImapServer(token_service, BOT, mechanisms=both) as imap, OAuth2SmtpSink(token_service, mechanisms=both) as smtp:
        config = write_oauth2_config(tmp_path, imap, smtp, oauth2_keys("microsoft", token_service, ca, tmp_path))
        imap.deliver(form_bytes("html-table.eml"))

        run_once(config, "2026-10-14T16:00")

    assert smtp.messages
    assert {login.mechanism for login in imap.log.logins if login.user == BOT} == {XOAUTH2, OAUTHBEARER}
    assert [login.mechanism for login in imap.log.logins][-1] == OAUTHBEARER
    assert {login.mechanism for login in smtp.log.logins} == {OAUTHBEARER}


@pytest.mark.parametrize("mechanism", [XOAUTH2, OAUTHBEARER])
def test_imap_rejected_token_renewed_once(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, mechanism: str) -> None:
    with OAuth2ImapServer(token_service, BOT, mechanisms=(mechanism,)) as imap:
        settings = settings_for(tmp_path, imap, oauth2_keys("microsoft", token_service, ca, tmp_path))
        tokens = token_source_for(settings)
        with Mailbox(settings, tokens):
            pass
        token_service.expire_all()

        with Mailbox(settings, tokens) as mailbox:
            mailbox.open_inbox()

    assert token_service.count() == 2
    assert [login.mechanism for login in imap.log.rejected] == [mechanism]
    assert imap.log.protocol_errors == []


@pytest.mark.parametrize("mechanism", [XOAUTH2, OAUTHBEARER])
def test_smtp_rejected_token_renewed_once(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, mechanism: str) -> None:
    tokens = token_source_for(settings_for(tmp_path, imap_server, oauth2_keys("microsoft", token_service, ca, tmp_path)))
    assert tokens is not None

    async def sign_in(sink: OAuth2SmtpSink) -> str:
        smtp = aiosmtplib.SMTP(hostname=sink.host, port=sink.port, start_tls=False, use_tls=False)
        await smtp.connect()
        try:
            return await smtp_oauth2_login(smtp, f"{sink.host}:{sink.port}", BOT, tokens)
        finally:
            await smtp.quit()

    with OAuth2SmtpSink(token_service, mechanisms=(mechanism,)) as sink:
        asyncio.run(sign_in(sink))
        token_service.expire_all()
        used = asyncio.run(sign_in(sink))

    assert used == mechanism
    assert token_service.count() == 2
    assert [login.mechanism for login in sink.log.rejected] == [mechanism]
    assert sink.log.protocol_errors == []


def test_token_for_other_mailbox_names_host_and_user(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer) -> None:
    token_service.register_microsoft_app(TENANT, CLIENT_ID, CLIENT_SECRET, {"someone-else@star-tsa.example"})
    settings = settings_for(tmp_path, imap_server, oauth2_keys("microsoft", token_service, ca, tmp_path))

    with pytest.raises(MailboxError) as raised:
        Mailbox(settings).connect()

    message = str(raised.value)
    assert f"the IMAP server 127.0.0.1:{imap_server.port} rejected the OAuth 2.0 token for {BOT!r}" in message
    assert "IMAP.AccessAsApp" in message
    assert token_service.count() == 2


def test_server_without_oauth2_mechanism(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority) -> None:
    with EmbeddedImapServer(BOT, "password") as imap:
        settings = settings_for(tmp_path, imap, oauth2_keys("microsoft", token_service, ca, tmp_path))

        with pytest.raises(MailboxError, match=r"offers neither OAUTHBEARER nor XOAUTH2 \(it offers PLAIN, LOGIN\)"):
            Mailbox(settings).connect()

    assert token_service.count() == 0


def test_token_and_secrets_never_logged(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, smtp_server: OAuth2SmtpSink) -> None:
    config = write_oauth2_config(tmp_path, imap_server, smtp_server, oauth2_keys("microsoft", token_service, ca, tmp_path), '\n[logging]\nlevel = "DEBUG"\n')
    imap_server.deliver(form_bytes("html-table.eml"))

    result = subprocess.run(
        [sys.executable, "-m", "mailbot", "run", "--config", str(config), "--once", "--now", "2026-10-14T16:00"],
        capture_output=True, text=True, timeout=120, check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "TOKEN obtained from Microsoft" in output
    assert CLIENT_SECRET not in output
    assert base64.b64encode(CLIENT_SECRET.encode()).decode() not in output
    for token in token_service.issued_values():
        assert token not in output
        xoauth2 = f"user={BOT}\x01auth=Bearer {token}\x01\x01".encode()
        assert base64.b64encode(xoauth2).decode() not in output


# The daemon


def test_daemon_keeps_working_after_token_expires(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, smtp_server: OAuth2SmtpSink) -> None:
    port = free_port()
    imap = OAuth2ImapServer(token_service, BOT, port=port).start()
    config = write_oauth2_config(tmp_path, imap, smtp_server, oauth2_keys("microsoft", token_service, ca, tmp_path), "\n[outbox]\ndrain_interval_seconds = 1\n")
    log_file = tmp_path / "daemon.log"
    process = subprocess.Popen([sys.executable, "-m", "mailbot", "run", "--config", str(config)], stdout=log_file.open("wb"), stderr=subprocess.STDOUT)
    try:
        imap.deliver(form_bytes("html-table.eml"))
        smtp_server.wait_for(1, timeout_seconds=30)
        # The form's emails go out in one drain; a second more lets them all arrive.
        time.sleep(1)
        first = len(smtp_server.messages)

        # The service ends every token and the mail server ends every session, as Exchange does at expiry.
        token_service.expire_all()
        imap.stop()
        imap = OAuth2ImapServer(token_service, BOT, port=port).start()
        imap.deliver(form_bytes("plain-cf7.eml"))
        received = smtp_server.wait_for(first + 1, timeout_seconds=60)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        imap.stop()

    log = log_file.read_text(errors="replace")
    assert len(received) > first, log
    assert "REJECTED token for" in log
    assert token_service.count() >= 2
    assert imap.log.logins, log


# mailbot check


def test_check_reports_token_and_sign_ins(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, smtp_server: OAuth2SmtpSink) -> None:
    config = write_oauth2_config(tmp_path, imap_server, smtp_server, oauth2_keys("microsoft", token_service, ca, tmp_path))

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 0, result.output
    assert f"OK      OAuth 2.0 token    obtained from Microsoft ({token_service.microsoft_authority(TENANT)}, client {CLIENT_ID})" in result.output
    assert f"OK      IMAP login         signed in as {BOT} with an OAuth 2.0 token (XOAUTH2)" in result.output
    assert f"OK      SMTP AUTH          signed in as {BOT} with the OAuth 2.0 token of [mailbox] (XOAUTH2)" in result.output


def test_check_reports_refused_secret(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, smtp_server: OAuth2SmtpSink) -> None:
    keys = oauth2_keys("microsoft", token_service, ca, tmp_path)
    (tmp_path / "client-secret").write_text(WRONG_SECRET + "\n", encoding="utf-8")
    config = write_oauth2_config(tmp_path, imap_server, smtp_server, keys)

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1
    assert "FAILED  OAuth 2.0 token    Microsoft rejected the client secret" in result.output
    assert "Check [mailbox] oauth2_client_secret" in result.output
    assert "FAILED  IMAP login         not tried without an OAuth 2.0 token" in result.output
    assert "FAILED  SMTP AUTH          not tried without an OAuth 2.0 token" in result.output
    assert WRONG_SECRET not in result.output


# Dovecot


@pytest.mark.dovecot
def test_dovecot_takes_token_and_renewed_token(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority) -> None:
    require_dovecot()
    # The test certificate lists localhost as a DNS name; Dovecot was not tried with the IP address.
    server = OAuth2DovecotServer(token_service.introspection_url.replace("127.0.0.1", "localhost"), ca.cert_path).start()
    try:
        account = server.add_account()
        keys = oauth2_keys("google-refresh-token", token_service, ca, tmp_path, account.username)
        settings = settings_for(tmp_path, account, keys, account.username)
        tokens = token_source_for(settings)
        with Mailbox(settings, tokens) as mailbox:
            mailbox.open_inbox()
        token_service.expire_all()

        with Mailbox(settings, tokens) as mailbox:
            mailbox.open_inbox()
        log = server.read_log()
    finally:
        server.stop()
        server.cleanup()

    assert token_service.count() == 2
    assert log.count(f"Login: user=<{account.username}>, method=OAUTHBEARER") == 2, log


# Sending


def test_smtp_rejecting_token_defers_email(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, smtp_server: OAuth2SmtpSink) -> None:
    # The app may open the bot's mailbox, but not send as this other account.
    other = "office@star-tsa.example"
    config = write_oauth2_config(tmp_path, imap_server, smtp_server, oauth2_keys("microsoft", token_service, ca, tmp_path))
    config.write_text(config.read_text().replace('[smtp]\n', f'[smtp]\nusername = "{other}"\n'), encoding="utf-8")
    imap_server.deliver(form_bytes("html-table.eml"))

    result = mailbot("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00")

    assert result.exit_code == 1
    assert smtp_server.messages == []
    assert f"the SMTP server 127.0.0.1:{smtp_server.port} rejected the sign-in: 535" in result.output
    assert f"rejected the OAuth 2.0 token for {other!r} (XOAUTH2) twice" in result.output
    assert "RETRY" in result.output


def test_unreachable_token_service_defers_email(tmp_path: Path, token_service: TokenService, ca: CertificateAuthority, imap_server: OAuth2ImapServer, smtp_server: OAuth2SmtpSink) -> None:
    config = write_oauth2_config(tmp_path, imap_server, smtp_server, oauth2_keys("microsoft", token_service, ca, tmp_path))
    imap_server.deliver(form_bytes("html-table.eml"))
    # The first pass queues the form's emails while the SMTP server is down.
    smtp_server.stop()
    assert mailbot("run", "--config", str(config), "--once", "--now", "2026-10-14T16:00").exit_code == 1
    token_service.stop()

    with OAuth2SmtpSink(token_service, port=smtp_server.port) as restarted:
        result = mailbot("run", "--config", str(config), "--once", "--now", "2026-10-14T16:30")

    assert restarted.messages == []
    assert result.exit_code == 1
    assert "signing in to the IMAP server" in result.output
    assert f"no OAuth 2.0 token to sign in to the SMTP server 127.0.0.1:{smtp_server.port}: the sign-in service at" in result.output
    assert "could not be reached: Connection refused" in result.output
