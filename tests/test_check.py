"""`mailbot check` against real servers on loopback, and passwords read from files.

IMAP is Dovecot with implicit TLS and a certificate from a test CA, SMTP is
aiosmtpd with STARTTLS and AUTH, and the database is SQLite or PostgreSQL.
Each failure case breaks one thing and expects its own FAILED line.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from harness import append, form_bytes, mailbot
from imapclient import IMAPClient
from servers import Account
from servers.dovecot import DovecotServer
from servers.tls import (
    CertificateCase,
    RecordingHandler,
    certificate_cases,
    require_dovecot,
    start_tls_dovecots,
    stop_dovecots,
    write_config,
)

from mailbot.config import load_settings
from mailbot.embedded import free_port
from mailbot.errors import ConfigError
from mailbot.resources import shipped_folder

SMTP_USER = "pst@star-tsa.example"
SMTP_PASSWORD = "smtp-Check-Secret-7"
ALL_CHECKS = [
    "config file",
    "rules",
    "templates",
    "database",
    "IMAP connect",
    "IMAP TLS",
    "IMAP login",
    "IMAP inbox folder",
    "IMAP folder",
    "IMAP folder",
    "SMTP connect",
    "SMTP TLS",
    "SMTP EHLO",
    "SMTP AUTH",
]
# The form in tests/data/forms that opens a case and queues five emails.
FORM = "html-table.eml"
EMAILS_PER_FORM = 5


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    # handled=False makes aiosmtpd send the 535 reply itself when the login is wrong.
    return AuthResult(success=valid, handled=False)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CertificateCase]:
    return certificate_cases(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="module")
def tls_dovecot(certificates: dict[str, CertificateCase]) -> Iterator[DovecotServer]:
    """A Dovecot for the whole module whose certificate comes from the test CA."""
    require_dovecot()
    servers = start_tls_dovecots({"trusted": certificates["trusted"].certificate})
    yield servers["trusted"]
    stop_dovecots(servers.values())


def start_smtp(case: CertificateCase) -> tuple[Controller, RecordingHandler]:
    """Start aiosmtpd with STARTTLS and required AUTH, presenting the case's certificate; the caller stops it."""
    handler = RecordingHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=case.certificate.server_context(),
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
    )
    controller.start()
    return controller, handler


@pytest.fixture
def smtp_server(certificates: dict[str, CertificateCase]) -> Iterator[tuple[Controller, RecordingHandler]]:
    controller, handler = start_smtp(certificates["trusted"])
    yield controller, handler
    controller.stop()


def _config(
    tmp_path: Path,
    account: Account,
    dovecot: DovecotServer,
    smtp_port: int,
    ca_file: str,
    database_url: str,
    *,
    mailbox: dict[str, object] | None = None,
    smtp: dict[str, object] | None = None,
    extra: str = "",
) -> Path:
    """Write a config in which every check passes, changed by the ``mailbox`` and ``smtp`` entries given."""
    mailbox_settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": dovecot.imaps_port,
        "security": "ssl",
        "ca_file": ca_file,
        "username": account.username,
        "password": account.password,
    }
    smtp_settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": smtp_port,
        "security": "starttls",
        "ca_file": ca_file,
        "username": SMTP_USER,
        "password": SMTP_PASSWORD,
    }
    return write_config(
        tmp_path / "mailbot.toml",
        {**mailbox_settings, **(mailbox or {})},
        {**smtp_settings, **(smtp or {})},
        database_url,
        extra,
    )


@pytest.fixture
def working_config(tmp_path, sqlite_url, certificates, tls_dovecot, smtp_server):
    """Return a function that writes a config for a new Dovecot account, with the given changes, and the account."""
    controller, _ = smtp_server

    def make(**changes: object) -> tuple[Path, Account]:
        account = tls_dovecot.add_account()
        database_url = str(changes.pop("database_url", sqlite_url))
        config = _config(tmp_path, account, tls_dovecot, controller.port, certificates["trusted"].ca_file, database_url, **changes)  # type: ignore[arg-type]
        return config, account

    return make


def _check_lines(output: str) -> list[tuple[str, str, str]]:
    """Split the report into (status, check, detail), leaving out continuation lines and the summary."""
    lines = []
    for line in output.splitlines():
        status = line[:6].strip()
        if status in ("OK", "FAILED"):
            lines.append((status, line[8:26].strip(), line[27:]))
    return lines


def _line(output: str, check: str) -> tuple[str, str]:
    """Return the (status, detail) of the first line for ``check``; fail when there is none."""
    for status, name, detail in _check_lines(output):
        if name == check:
            return status, detail
    raise AssertionError(f"no {check!r} line in:\n{output}")


def _folder_exists(account: Account, name: str) -> bool:
    with IMAPClient(account.host, port=account.port, ssl=False) as client:
        client.login(account.username, account.password)
        return bool(client.folder_exists(name))


# Everything works


def test_check_all_ok(tmp_path, database_url, certificates, tls_dovecot, smtp_server) -> None:
    controller, handler = smtp_server
    account = tls_dovecot.add_account()
    config = _config(tmp_path, account, tls_dovecot, controller.port, certificates["trusted"].ca_file, database_url)

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 0, result.output
    assert [name for _, name, _ in _check_lines(result.output)] == ALL_CHECKS
    assert {status for status, _, _ in _check_lines(result.output)} == {"OK"}
    assert result.output.rstrip().endswith("All checks passed.")
    assert "'Processed' ([mailbox] processed_folder) does not exist yet" in result.output
    assert not _folder_exists(account, "Processed")
    assert not _folder_exists(account, "Needs attention")
    assert handler.accepted == []


def test_check_reports_tls_details(working_config) -> None:
    config, _ = working_config()

    result = mailbot("check", "--config", str(config))

    assert "implicit TLS, TLSv1." in _line(result.output, "IMAP TLS")[1]
    assert "STARTTLS, TLSv1." in _line(result.output, "SMTP TLS")[1]
    assert "with the certificate and host name verified against the CA file" in _line(result.output, "SMTP TLS")[1]
    assert _line(result.output, "SMTP AUTH") == ("OK", f"signed in as {SMTP_USER}")


def test_check_creates_folders_when_asked(working_config) -> None:
    config, account = working_config()

    result = mailbot("check", "--config", str(config), "--create-folders")

    assert result.exit_code == 0, result.output
    assert "'Processed' ([mailbox] processed_folder) created" in result.output
    assert "'Needs attention' ([mailbox] attention_folder) created" in result.output
    assert _folder_exists(account, "Processed")
    assert _folder_exists(account, "Needs attention")


# One thing broken at a time


@pytest.mark.parametrize("protocol", ["IMAP", "SMTP"])
def test_check_wrong_password(working_config, protocol: str) -> None:
    if protocol == "IMAP":
        config, account = working_config(mailbox={"password": "not-the-password"})
        failed_check, expected = "IMAP login", f"rejected the login for '{account.username}'"
    else:
        config, _ = working_config(smtp={"password": "not-the-password"})
        failed_check, expected = "SMTP AUTH", f"rejected the login for '{SMTP_USER}': 535"

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    status, detail = _line(result.output, failed_check)
    assert status == "FAILED"
    assert expected in detail
    assert "password_file" in detail
    assert [status for status, _, _ in _check_lines(result.output)].count("FAILED") == 1
    assert "not-the-password" not in result.output


@pytest.mark.parametrize("protocol", ["IMAP", "SMTP"])
def test_check_nothing_listening(working_config, protocol: str) -> None:
    closed_port = free_port()
    section = "mailbox" if protocol == "IMAP" else "smtp"
    config, _ = working_config(**{section: {"port": closed_port}})

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    status, detail = _line(result.output, f"{protocol} connect")
    assert status == "FAILED"
    assert f"nothing accepts connections on 127.0.0.1:{closed_port} (connection refused)" in detail
    assert f"Check [{section}] host and port" in detail
    assert f"{protocol} login" not in result.output
    assert f"{protocol} AUTH" not in result.output
    other = "SMTP connect" if protocol == "IMAP" else "IMAP connect"
    assert _line(result.output, other)[0] == "OK"


def test_check_untrusted_imap_certificate(working_config) -> None:
    config, _ = working_config(mailbox={"ca_file": ""})

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    assert _line(result.output, "IMAP connect")[0] == "OK"
    status, detail = _line(result.output, "IMAP TLS")
    assert status == "FAILED"
    assert "the server's TLS certificate was rejected: unable to get local issuer certificate" in detail
    assert "set [mailbox] ca_file" in detail
    assert "IMAP login" not in result.output


def test_check_self_signed_smtp_certificate(tmp_path, sqlite_url, certificates, tls_dovecot) -> None:
    controller, _ = start_smtp(certificates["self-signed"])
    account = tls_dovecot.add_account()
    config = _config(tmp_path, account, tls_dovecot, controller.port, certificates["trusted"].ca_file, sqlite_url)

    try:
        result = mailbot("check", "--config", str(config))
    finally:
        controller.stop()

    assert result.exit_code == 1, result.output
    status, detail = _line(result.output, "SMTP TLS")
    assert status == "FAILED"
    assert f"127.0.0.1:{controller.port}: the server's TLS certificate was rejected: self-signed certificate" in detail
    assert "SMTP AUTH" not in result.output


def test_check_signs_in_with_non_ascii_password(tmp_path, sqlite_url, certificates, tls_dovecot, smtp_server) -> None:
    controller, _ = smtp_server
    account = tls_dovecot.add_account(password="Café£2027 ünïcode")
    config = _config(tmp_path, account, tls_dovecot, controller.port, certificates["trusted"].ca_file, sqlite_url)

    result = mailbot("check", "--config", str(config))

    assert _line(result.output, "IMAP login") == ("OK", f"signed in as {account.username}")


def test_check_missing_inbox_folder(working_config) -> None:
    config, _ = working_config(mailbox={"folder": "Incoming"})

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    status, detail = _line(result.output, "IMAP inbox folder")
    assert status == "FAILED"
    assert "'Incoming' does not exist on 127.0.0.1:" in detail
    assert "Set [mailbox] folder to one of: 'Archive', 'INBOX', 'Sent'" in detail


def test_check_unreachable_database(working_config) -> None:
    closed_port = free_port()
    config, _ = working_config(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port}/mailbot")

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    status, detail = _line(result.output, "database")
    assert status == "FAILED"
    assert f"could not connect to the database server 127.0.0.1:{closed_port}" in detail
    assert "Connection refused" in detail
    assert _line(result.output, "IMAP login")[0] == "OK"
    assert _line(result.output, "SMTP AUTH")[0] == "OK"


def test_check_broken_rules_and_templates(working_config, tmp_path: Path) -> None:
    rules = shutil.copytree(shipped_folder("rules"), tmp_path / "my-rules")
    timings = rules / "timings.toml"
    timings.write_text(timings.read_text(encoding="utf-8").replace('termly_summary_time = "09:00"', ""), encoding="utf-8")
    templates = shutil.copytree(shipped_folder("templates"), tmp_path / "my-templates")
    (templates / "consent_request" / "body.txt").write_text("Dear {{ recipient.name }},\n{% if case %}\nno end\n", encoding="utf-8")
    (templates / "plan_request" / "subject.txt").unlink()
    acknowledgement = templates / "request_acknowledgement" / "body.txt"
    acknowledgement.write_text(acknowledgement.read_text(encoding="utf-8").replace("{{ case.reference }}", "{{ reference_number }}"), encoding="utf-8")
    config, _ = working_config(extra=f'\n[workflow]\nrules_dir = "{rules}"\ntemplates_dir = "{templates}"\n')

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    rules_status, rules_detail = _line(result.output, "rules")
    assert rules_status == "FAILED"
    assert "termly_summary_time is missing" in rules_detail
    templates_status, templates_detail = _line(result.output, "templates")
    assert templates_status == "FAILED"
    assert "consent_request/body.txt line 3: Unexpected end of template" in templates_detail
    assert "plan_request/subject.txt is missing" in templates_detail
    assert "request_acknowledgement/body.txt uses reference_number, which mailbot does not give this email" in templates_detail
    assert _line(result.output, "IMAP login")[0] == "OK"


def test_check_json_lists_every_check(working_config) -> None:
    config, _ = working_config()

    result = mailbot("check", "--config", str(config), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [entry["check"] for entry in report["checks"]] == ALL_CHECKS
    assert {entry["status"] for entry in report["checks"]} == {"OK"}
    assert report["failures"] == 0


def test_check_invalid_config(tmp_path: Path) -> None:
    config = write_config(tmp_path / "mailbot.toml", {"host": "127.0.0.1", "usernme": "x"}, {"host": "127.0.0.1"}, "")

    result = mailbot("check", "--config", str(config))

    assert result.exit_code == 1, result.output
    status, detail = _line(result.output, "config file")
    assert status == "FAILED"
    assert "[mailbox] usernme: unknown setting" in result.output
    assert [name for _, name, _ in _check_lines(result.output)] == ["config file"]


# Passwords read from files


def _minimal_config(tmp_path: Path, mailbox: dict[str, object], smtp: dict[str, object] | None = None) -> Path:
    return write_config(
        tmp_path / "mailbot.toml",
        {"host": "imap.alliance.test", "username": "pst@alliance.test", **mailbox},
        {"host": "smtp.alliance.test", **(smtp or {})},
        "",
    )


@pytest.mark.parametrize("content", ["s3cret pass\n", "s3cret pass\r\n", "s3cret pass"], ids=["lf", "crlf", "no-newline"])
def test_password_file_read(tmp_path: Path, content: str) -> None:
    (tmp_path / "imap-password").write_text(content, encoding="utf-8", newline="")
    (tmp_path / "smtp-password").write_text("smtp pass\n", encoding="utf-8")

    settings = load_settings(
        _minimal_config(tmp_path, {"password_file": "imap-password"}, {"password_file": str(tmp_path / "smtp-password")})
    )

    assert settings.mailbox.password.get_secret_value() == "s3cret pass"
    assert settings.mailbox.password_file == str(tmp_path / "imap-password")
    assert settings.smtp.password.get_secret_value() == "smtp pass"


def test_password_and_file_rejected(tmp_path: Path) -> None:
    (tmp_path / "imap-password").write_text("from-file\n", encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(_minimal_config(tmp_path, {"password": "inline", "password_file": "imap-password"}))

    assert "[mailbox]: password and password_file are both set. Keep only one of them" in str(caught.value)


def test_environment_password_and_file_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "smtp-password").write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("MAILBOT_SMTP__PASSWORD", "from-environment")

    with pytest.raises(ConfigError) as caught:
        load_settings(_minimal_config(tmp_path, {"password": "x"}, {"password_file": "smtp-password"}))

    assert "[smtp]: password and password_file are both set" in str(caught.value)


def test_environment_password_still_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__PASSWORD", "from-environment")

    settings = load_settings(_minimal_config(tmp_path, {}))

    assert settings.mailbox.password.get_secret_value() == "from-environment"
    assert settings.mailbox.password_file == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "[mailbox] password_file: file not found: "),
        ("", "is empty. Write the password into it"),
        ("\n", "is empty"),
        ("first\nsecond\n", "has more than one line"),
    ],
    ids=["missing", "empty", "only-newline", "two-lines"],
)
def test_bad_password_file_rejected(tmp_path: Path, content: str | None, expected: str) -> None:
    if content is not None:
        (tmp_path / "imap-password").write_text(content, encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(_minimal_config(tmp_path, {"password_file": "imap-password"}))

    assert expected in str(caught.value)


def test_unreadable_password_file_rejected(tmp_path: Path) -> None:
    # chmod 000 does not stop root, who runs the tests in CI, but nobody can read a folder as a file.
    (tmp_path / "imap-password").mkdir()

    with pytest.raises(ConfigError) as caught:
        load_settings(_minimal_config(tmp_path, {"password_file": "imap-password"}))

    assert "imap-password could not be read: Is a directory" in str(caught.value)


def test_password_file_needs_tls_off_loopback(tmp_path: Path) -> None:
    (tmp_path / "smtp-password").write_text("from-file\n", encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(_minimal_config(tmp_path, {"password": "x"}, {"security": "none", "password_file": "smtp-password"}))

    assert 'security = "none" would send the password to smtp.alliance.test unencrypted' in str(caught.value)


def _secret_forms(secret: str, username: str) -> list[str]:
    """Return the password as a log could show it: plain, base64, and inside a base64 SASL PLAIN response."""
    sasl_plain = f"\0{username}\0{secret}".encode()
    return [secret, base64.b64encode(secret.encode()).decode(), base64.b64encode(sasl_plain).decode()]


def _run_mailbot(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_password_files_never_logged(tmp_path, imap_account, sqlite_url, certificates, smtp_server) -> None:
    controller, handler = smtp_server
    (tmp_path / "imap-password").write_text(imap_account.password + "\n", encoding="utf-8")
    (tmp_path / "smtp-password").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    config = write_config(
        tmp_path / "mailbot.toml",
        {
            "host": imap_account.host,
            "port": imap_account.port,
            "security": "none",
            "username": imap_account.username,
            "password_file": "imap-password",
        },
        {
            "host": "127.0.0.1",
            "port": controller.port,
            "security": "starttls",
            "ca_file": certificates["trusted"].ca_file,
            "username": SMTP_USER,
            "password_file": "smtp-password",
        },
        sqlite_url,
        extra='\n[logging]\nlevel = "DEBUG"\n',
    )
    append(imap_account, form_bytes(FORM))

    run = _run_mailbot("run", "--config", str(config), "--once")
    check = _run_mailbot("check", "--config", str(config))

    assert run.returncode == 0, run.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    run_log = run.stdout + run.stderr
    assert "CONNECTED" in run_log
    assert "SENT" in run_log
    assert len(handler.accepted) == EMAILS_PER_FORM
    check_output = check.stdout + check.stderr
    assert "signed in as" in check_output
    for leaked in _secret_forms(imap_account.password, imap_account.username) + _secret_forms(SMTP_PASSWORD, SMTP_USER):
        assert leaked not in run_log
        assert leaked not in check_output
