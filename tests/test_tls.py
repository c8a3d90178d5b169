"""TLS to real IMAP and SMTP servers on loopback: certificates from a test CA, self-signed and for the wrong host.

Dovecot serves IMAP over implicit TLS and STARTTLS, and aiosmtpd serves SMTP
both ways. Each server gets a certificate made at test time, and
`mailbot run --once` must either work or name the server and the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from harness import append, folder_counts, form_bytes, mailbot
from servers import Account
from servers.dovecot import DovecotServer
from servers.tls import (
    CertificateAuthority,
    CertificateCase,
    RecordingHandler,
    ServerCertificate,
    certificate_cases,
    require_dovecot,
    start_tls_dovecots,
    stop_dovecots,
    write_config,
)

from mailbot.config import load_settings
from mailbot.embedded import SmtpSink, free_port
from mailbot.errors import ConfigError

CASES = ["trusted", "self-signed", "wrong-host"]
# The form in tests/data/forms that opens a case and queues five emails.
FORM = "html-table.eml"
EMAILS_PER_FORM = 5


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CertificateCase]:
    return certificate_cases(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="module")
def tls_dovecots(certificates: dict[str, CertificateCase]) -> Iterator[dict[str, DovecotServer]]:
    """One Dovecot per certificate case, for the whole module."""
    require_dovecot()
    servers = start_tls_dovecots({name: case.certificate for name, case in certificates.items()})
    yield servers
    stop_dovecots(servers.values())


def start_smtp(certificate: ServerCertificate, security: str, handler: RecordingHandler) -> Controller:
    """Start aiosmtpd on 127.0.0.1 with implicit TLS ("ssl") or STARTTLS ("starttls"); the caller stops it."""
    if security == "ssl":
        tls_options = {"ssl_context": certificate.server_context()}
    else:
        tls_options = {"tls_context": certificate.server_context(), "require_starttls": True}
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **tls_options)
    controller.start()
    return controller


def imap_settings(account: Account, port: int, security: str, ca_file: str) -> dict[str, object]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": security,
        "ca_file": ca_file,
        "username": account.username,
        "password": account.password,
    }


def plain_settings(host: str, port: int) -> dict[str, object]:
    return {"host": host, "port": port, "security": "none"}


@pytest.mark.dovecot
@pytest.mark.parametrize("security", ["ssl", "starttls"])
@pytest.mark.parametrize("case_name", CASES)
def test_imap_tls_certificate(tmp_path, sqlite_url, certificates, tls_dovecots, smtp_sink, security, case_name) -> None:
    case = certificates[case_name]
    server = tls_dovecots[case_name]
    account = server.add_account()
    port = server.imaps_port if security == "ssl" else server.imap_port
    config = write_config(
        tmp_path / "mailbot.toml",
        imap_settings(account, port, security, case.ca_file),
        plain_settings(smtp_sink.host, smtp_sink.port),
        sqlite_url,
    )
    append(account, form_bytes(FORM))

    result = mailbot("run", "--config", str(config), "--once")

    if case.problem is None:
        assert result.exit_code == 0, result.output
        assert folder_counts(account)["Processed"] == 1
        assert len(smtp_sink.messages) == EMAILS_PER_FORM
        return
    assert result.exit_code == 1, result.output
    assert f"TLS with the IMAP server 127.0.0.1:{port} failed" in result.output
    assert case.problem in result.output
    assert folder_counts(account)["INBOX"] == 1


@pytest.mark.parametrize("security", ["ssl", "starttls"])
@pytest.mark.parametrize("case_name", CASES)
def test_smtp_tls_certificate(tmp_path, sqlite_url, certificates, pymap_account, security, case_name) -> None:
    case = certificates[case_name]
    handler = RecordingHandler()
    controller = start_smtp(case.certificate, security, handler)
    config = write_config(
        tmp_path / "mailbot.toml",
        {**plain_settings(pymap_account.host, pymap_account.port), "username": pymap_account.username, "password": pymap_account.password},
        {"host": "127.0.0.1", "port": controller.port, "security": security, "ca_file": case.ca_file},
        sqlite_url,
    )
    append(pymap_account, form_bytes(FORM))

    try:
        result = mailbot("run", "--config", str(config), "--once")
    finally:
        controller.stop()

    if case.problem is None:
        assert result.exit_code == 0, result.output
        assert len(handler.accepted) == EMAILS_PER_FORM
        return
    # The form is still handled, but the pass ends with an error, because nothing could be sent.
    assert result.exit_code == 1, result.output
    assert handler.accepted == []
    assert "email(s) stay queued and are retried at the next pass" in result.output
    assert f"cannot reach the SMTP server 127.0.0.1:{controller.port}: TLS failed" in result.output
    assert case.problem in result.output


def test_expired_certificate_named(tmp_path, sqlite_url, pymap_account) -> None:
    authority = CertificateAuthority(tmp_path)
    now = datetime.now(timezone.utc)
    expired = authority.issue("expired", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
    controller = start_smtp(expired, "ssl", RecordingHandler())
    config = write_config(
        tmp_path / "mailbot.toml",
        {**plain_settings(pymap_account.host, pymap_account.port), "username": pymap_account.username, "password": pymap_account.password},
        {"host": "127.0.0.1", "port": controller.port, "security": "ssl", "ca_file": str(authority.cert_path)},
        sqlite_url,
    )

    try:
        result = mailbot("check", "--config", str(config))
    finally:
        controller.stop()

    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{controller.port}: the server's TLS certificate was rejected: certificate has expired" in result.output
    assert "must be renewed" in result.output


def test_implicit_tls_to_plain_port(tmp_path, sqlite_url, pymap_account) -> None:
    with SmtpSink() as sink:
        config = write_config(
            tmp_path / "mailbot.toml",
            {**plain_settings(pymap_account.host, pymap_account.port), "username": pymap_account.username, "password": pymap_account.password},
            {"host": sink.host, "port": sink.port, "security": "ssl"},
            sqlite_url,
        )
        result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    assert "did not answer with TLS (wrong version number)" in result.output
    assert 'security = "starttls"' in result.output


# The ca_file setting itself


def _config_with_ca_file(tmp_path: Path, ca_file: str) -> Path:
    return write_config(
        tmp_path / "mailbot.toml",
        {"host": "imap.alliance.test", "username": "pst@alliance.test", "password": "x", "ca_file": ca_file},
        {"host": "smtp.alliance.test"},
        "",
    )


def test_ca_file_relative_to_config(tmp_path: Path) -> None:
    authority = CertificateAuthority(tmp_path)

    settings = load_settings(_config_with_ca_file(tmp_path, authority.cert_path.name))

    assert settings.mailbox.ca_file == str(authority.cert_path)
    assert settings.smtp.ca_file == ""


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (lambda folder: folder / "absent.pem", "[mailbox] ca_file: file not found: "),
        (lambda folder: folder, "could not be read: Is a directory"),
        (lambda folder: _write(folder / "notes.pem", "not a certificate\n"), "contains no PEM certificate"),
    ],
    ids=["missing", "directory", "not-pem"],
)
def test_bad_ca_file_rejected(tmp_path: Path, make_file, expected: str) -> None:
    ca_file = make_file(tmp_path)

    with pytest.raises(ConfigError) as caught:
        load_settings(_config_with_ca_file(tmp_path, str(ca_file)))

    assert expected in str(caught.value)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
