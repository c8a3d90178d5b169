"""`mailbot check`: test the config file, the database, IMAP and SMTP step by step, and report what to fix.

Each step prints one line, OK or FAILED with the problem and the setting to
change, and the command exits 1 when any step failed. It changes nothing on
the servers, with two exceptions: the database schema is migrated, as
`mailbot run` would do, and --create-folders creates missing IMAP folders.
It never sends an email.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from pathlib import Path

import aiosmtplib
import click
from alembic.util.exc import CommandError
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError

from mailbot import cli_check_oauth2
from mailbot.cli_check_oauth2 import OAuth2Login
from mailbot.cli_common import config_option, configure_logging
from mailbot.config import MailboxSettings, Settings, SmtpSettings, load_settings
from mailbot.errors import ConfigError, MailbotError
from mailbot.mailbox import CONNECTION_ERRORS, _server_text, new_imap_client, password_login
from mailbot.oauth2 import token_source_for
from mailbot.render import template_problems
from mailbot.resources import configured_folder, shipped_folder
from mailbot.ruleset import load_rules
from mailbot.store.database import create_database_engine, upgrade_schema
from mailbot.tls import client_context, describe_session, describe_tls_failure

OK = "OK"
FAILED = "FAILED"
EXIT_FAILED = 1
CHECK_NAME_WIDTH = 18
# The inbox-folder error lists the folders that do exist, up to this many.
MAX_FOLDERS_LISTED = 20
DEFAULT_DATABASE_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


class CheckReport:
    """Prints one line per check as soon as it ends, or keeps them for JSON, and counts the failures."""

    def __init__(self, as_json: bool = False) -> None:
        self.failures = 0
        self.as_json = as_json
        self.results: list[dict[str, str]] = []

    def ok(self, check: str, detail: str) -> None:
        self._print(OK, check, detail)

    def failed(self, check: str, detail: str) -> None:
        self.failures += 1
        self._print(FAILED, check, detail)

    def _print(self, status: str, check: str, detail: str) -> None:
        self.results.append({"check": check, "status": status, "detail": detail})
        if self.as_json:
            return
        prefix = f"{status:<6}  {check:<{CHECK_NAME_WIDTH}} "
        # A multi-line detail, such as a list of config problems, stays in the detail column.
        click.echo(prefix + detail.replace("\n", "\n" + " " * len(prefix)))


@click.command(name="check")
@config_option
@click.option(
    "--create-folders",
    is_flag=True,
    help="Create the processed and attention folders when they are missing, instead of only reporting them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON for scripts, once every check has ended.")
def check(config_path: Path, create_folders: bool, as_json: bool) -> None:
    """Test the config file, the rules and templates, the database, IMAP and SMTP, printing OK or the problem for each check.

    Exits 1 when any check failed.
    """
    configure_logging("WARNING")
    report = CheckReport(as_json)

    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        report.failed("config file", str(exc))
        _finish(report)
        return
    report.ok("config file", str(config_path))
    if settings.logging.level == "DEBUG":
        configure_logging("DEBUG")

    _check_rules_and_templates(settings, report)
    _check_database(settings, report)
    imap_oauth2, smtp_oauth2 = _oauth2_logins(settings, report)
    _check_imap(settings.mailbox, report, create_folders, imap_oauth2)
    asyncio.run(_check_smtp(settings.smtp, report, smtp_oauth2))
    _finish(report)


def _oauth2_logins(settings: Settings, report: CheckReport) -> tuple[OAuth2Login | None, OAuth2Login | None]:
    """Get an OAuth 2.0 token when [mailbox] auth needs one; return the IMAP and SMTP logins that use it, or None for each."""
    tokens = token_source_for(settings.mailbox)
    if tokens is None:
        return None, None
    secret_problem = _missing_secret(settings)
    if secret_problem is not None:
        report.failed("OAuth 2.0 token", secret_problem)
        ready = False
    else:
        ready = cli_check_oauth2.check_token(tokens, report)
    imap = OAuth2Login(settings.mailbox.username, tokens, ready)
    smtp = OAuth2Login(settings.smtp_username, tokens, ready) if settings.smtp_auth == "mailbox" else None
    return imap, smtp


def _missing_secret(settings: Settings) -> str | None:
    try:
        settings.require_sign_in_secrets()
    except ConfigError as exc:
        return str(exc)
    return None


def _finish(report: CheckReport) -> None:
    if report.as_json:
        click.echo(json.dumps({"checks": report.results, "failures": report.failures}, indent=2, ensure_ascii=False))
        if report.failures:
            raise SystemExit(EXIT_FAILED)
        return
    if report.failures:
        click.echo(f"{report.failures} check(s) failed.")
        raise SystemExit(EXIT_FAILED)
    click.echo("All checks passed.")


# Rules and templates


def _check_rules_and_templates(settings: Settings, report: CheckReport) -> None:
    """Load the rules and compile every email template, so a mistake in a folder of one's own shows before `run`."""
    try:
        rules_folder = configured_folder(settings.workflow.rules_dir, "rules")
        load_rules(rules_folder)
    except (MailbotError, FileNotFoundError) as exc:
        report.failed("rules", f"{exc}. Check [workflow] rules_dir, or compare the folder with mailbot's own rules/")
    else:
        report.ok("rules", f"{rules_folder}: every file read")

    try:
        templates_folder = configured_folder(settings.workflow.templates_dir, "templates")
    except FileNotFoundError as exc:
        report.failed("templates", f"{exc}. Check [workflow] templates_dir")
        return
    problems = template_problems(templates_folder, shipped_folder("templates"))
    if problems:
        report.failed("templates", f"{templates_folder}: " + "; ".join(problems))
    else:
        report.ok("templates", f"{templates_folder}: every email's subject and bodies compile")


# Database


def _check_database(settings: Settings, report: CheckReport) -> None:
    try:
        engine = create_database_engine(settings.database.url)
    except ConfigError as exc:
        report.failed("database", str(exc))
        return
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        report.failed("database", f"the driver that [database] url names is not installed ({exc}). For PostgreSQL, run pip install 'mailbot[postgres]'")
        return

    display_url = engine.url.render_as_string(hide_password=True)
    try:
        upgrade_schema(engine)
    except DBAPIError as exc:
        report.failed("database", _database_problem(engine.url, exc))
        return
    except (SQLAlchemyError, CommandError) as exc:
        report.failed("database", f"bringing the schema of {display_url} up to date failed: {exc}")
        return
    finally:
        engine.dispose()
    report.ok("database", f"{display_url}: connected, schema up to date")


def _database_problem(url: URL, exc: DBAPIError) -> str:
    backend = url.get_backend_name()
    server_reply = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if backend == "sqlite":
        return f"could not open the SQLite database {url.database}: {server_reply}. Check [database] url"

    # NOTE: psycopg waits for the operating system's TCP timeout (minutes) on a host that drops packets.
    # connect_timeout=10 in the URL's query string shortens that wait.
    where = f"{url.host or 'localhost'}:{url.port or DEFAULT_DATABASE_PORTS.get(backend, '?')}"
    return (
        f"could not connect to the database server {where}: {server_reply}. "
        "Check that the server is running there, and the host, port, user and database name in [database] url"
    )


# IMAP


def _check_imap(settings: MailboxSettings, report: CheckReport, create_folders: bool, oauth2: OAuth2Login | None) -> None:
    client = _open_imap(settings, report)
    if client is None:
        return

    try:
        signed_in = _log_in_imap(client, settings, report) if oauth2 is None else cli_check_oauth2.log_in_imap(client, settings, oauth2, report)
        if signed_in:
            _check_imap_folders(client, settings, report, create_folders)
    except CONNECTION_ERRORS as exc:
        report.failed("IMAP", f"the IMAP server {_where(settings)} failed a command: {exc}")
    finally:
        _log_out_quietly(client)


def _open_imap(settings: MailboxSettings, report: CheckReport) -> IMAPClient | None:
    """Connect and set up TLS as the settings request, reporting each step. Return the client, or None after a failure."""
    where = _where(settings)
    context = client_context(settings.ca_file) if settings.security != "none" else None
    try:
        client = new_imap_client(settings, context)
    except CONNECTION_ERRORS as exc:
        _report_connect_failure("IMAP", exc, settings.host, where, "mailbox", settings.timeout_seconds, report)
        return None
    report.ok("IMAP connect", f"{where} answered")

    if settings.security == "starttls":
        failure = _start_imap_tls(client, where, context)
        if failure is not None:
            report.failed("IMAP TLS", failure)
            _shut_down_quietly(client)
            return None
    report.ok("IMAP TLS", _tls_summary(settings.security, settings.ca_file, client.socket() if context else None, "mailbox"))
    return client


def _start_imap_tls(client: IMAPClient, where: str, context: ssl.SSLContext | None) -> str | None:
    if b"STARTTLS" not in client.capabilities():
        return (
            f"the IMAP server {where} does not offer STARTTLS. "
            'Set [mailbox] security = "ssl" and the server\'s TLS port (usually 993)'
        )
    try:
        client.starttls(context)
    except CONNECTION_ERRORS as exc:
        tls_problem = describe_tls_failure(exc, "mailbox")
        return f"{where}: {tls_problem}" if tls_problem else f"STARTTLS with the IMAP server {where} failed: {exc}"
    return None


def _log_in_imap(client: IMAPClient, settings: MailboxSettings, report: CheckReport) -> bool:
    if not settings.password.get_secret_value():
        report.failed(
            "IMAP login",
            "[mailbox] password is missing. Set password_file, or password in the config file or in MAILBOT_MAILBOX__PASSWORD",
        )
        return False
    try:
        password_login(client, settings.username, settings.password.get_secret_value())
    except LoginError as exc:
        report.failed(
            "IMAP login",
            f"the IMAP server {_where(settings)} rejected the login for {settings.username!r}: {_server_text(exc)}. "
            "Check [mailbox] username and the password (password, password_file or MAILBOT_MAILBOX__PASSWORD)",
        )
        return False
    report.ok("IMAP login", f"signed in as {settings.username}")
    return True


def _check_imap_folders(client: IMAPClient, settings: MailboxSettings, report: CheckReport, create_folders: bool) -> None:
    if not client.folder_exists(settings.folder):
        names = sorted(str(folder[2]) for folder in client.list_folders())
        listed = ", ".join(repr(name) for name in names[:MAX_FOLDERS_LISTED])
        report.failed(
            "IMAP inbox folder",
            f"{settings.folder!r} does not exist on {_where(settings)}. Set [mailbox] folder to one of: {listed}",
        )
    else:
        # EXAMINE opens the folder read-only, so no \Recent or \Seen flag changes.
        status = client.select_folder(settings.folder, readonly=True)
        report.ok("IMAP inbox folder", f"{settings.folder!r} exists and contains {int(status[b'EXISTS'])} message(s)")

    for key, name in (("processed_folder", settings.processed_folder), ("attention_folder", settings.attention_folder)):
        _check_work_folder(client, key, name, report, create_folders)


def _check_work_folder(client: IMAPClient, key: str, name: str, report: CheckReport, create_folders: bool) -> None:
    check_name = "IMAP folder"
    if client.folder_exists(name):
        report.ok(check_name, f"{name!r} ([mailbox] {key}) exists")
        return
    if not create_folders:
        # NOTE: whether the server allows CREATE is known only by trying, which this read-only run does not do.
        report.ok(
            check_name,
            f"{name!r} ([mailbox] {key}) does not exist yet, so `mailbot run` will create it "
            "(or run this check with --create-folders to create it now)",
        )
        return
    try:
        client.create_folder(name)
    except IMAPClientError as exc:
        report.failed(check_name, f"{name!r} ([mailbox] {key}) could not be created: {_server_text(exc)}")
        return
    report.ok(check_name, f"{name!r} ([mailbox] {key}) created")


def _log_out_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except CONNECTION_ERRORS:
        _shut_down_quietly(client)


def _shut_down_quietly(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except CONNECTION_ERRORS:
        pass


# SMTP


async def _check_smtp(settings: SmtpSettings, report: CheckReport, oauth2: OAuth2Login | None) -> None:
    where = _where(settings)
    context = client_context(settings.ca_file) if settings.security != "none" else None
    # start_tls=False: STARTTLS is a step of its own below, so that its failure is reported as such.
    smtp = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "ssl",
        start_tls=False,
        tls_context=context,
        timeout=settings.timeout_seconds,
    )
    try:
        greeting = await smtp.connect()
    except (aiosmtplib.SMTPException, OSError) as exc:
        _report_connect_failure("SMTP", exc, settings.host, where, "smtp", settings.timeout_seconds, report)
        return
    report.ok("SMTP connect", f"{where} answered: {greeting.code} {greeting.message.splitlines()[0] if greeting.message else ''}".rstrip())

    try:
        await _smtp_steps(smtp, settings, report, oauth2)
    except (aiosmtplib.SMTPException, OSError) as exc:
        report.failed("SMTP", f"the SMTP server {where} failed a command: {exc}")
    finally:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()


async def _smtp_steps(smtp: aiosmtplib.SMTP, settings: SmtpSettings, report: CheckReport, oauth2: OAuth2Login | None) -> None:
    where = _where(settings)
    if settings.security == "starttls":
        await smtp.ehlo()
        if not smtp.supports_extension("starttls"):
            report.failed(
                "SMTP TLS",
                f"the SMTP server {where} does not offer STARTTLS. "
                'Set [smtp] security = "ssl" and the server\'s TLS port (usually 465)',
            )
            return
        try:
            await smtp.starttls()
        except (aiosmtplib.SMTPException, OSError) as exc:
            tls_problem = describe_tls_failure(exc, "smtp")
            report.failed("SMTP TLS", f"{where}: {tls_problem}" if tls_problem else f"STARTTLS with the SMTP server {where} failed: {exc}")
            return
    ssl_object = smtp.get_transport_info("ssl_object") if settings.security != "none" else None
    report.ok("SMTP TLS", _tls_summary(settings.security, settings.ca_file, ssl_object, "smtp"))

    try:
        await smtp.ehlo()
    except aiosmtplib.SMTPHeloError as exc:
        report.failed("SMTP EHLO", f"the SMTP server {where} rejected EHLO: {exc.code} {exc.message}")
        return
    extensions = ", ".join(sorted(name.upper() for name in smtp.esmtp_extensions)) or "no extensions"
    report.ok("SMTP EHLO", f"accepted, and the server offers {extensions}")

    if oauth2 is None:
        await _log_in_smtp(smtp, settings, report)
    else:
        await cli_check_oauth2.log_in_smtp(smtp, where, oauth2, report)


async def _log_in_smtp(smtp: aiosmtplib.SMTP, settings: SmtpSettings, report: CheckReport) -> None:
    if not settings.username:
        report.ok("SMTP AUTH", "not used, because [smtp] username is empty")
        return
    if not settings.password.get_secret_value():
        report.failed("SMTP AUTH", "[smtp] username is set but the password is missing. Set password_file, password or MAILBOT_SMTP__PASSWORD")
        return
    if not smtp.supports_extension("auth"):
        report.failed("SMTP AUTH", f"the SMTP server {_where(settings)} does not offer AUTH. Leave [smtp] username empty to send without AUTH")
        return
    try:
        await smtp.login(settings.username, settings.password.get_secret_value())
    except aiosmtplib.SMTPAuthenticationError as exc:
        report.failed(
            "SMTP AUTH",
            f"the SMTP server {_where(settings)} rejected the login for {settings.username!r}: {exc.code} {exc.message}. "
            "Check [smtp] username and the password (password, password_file or MAILBOT_SMTP__PASSWORD)",
        )
        return
    report.ok("SMTP AUTH", f"signed in as {settings.username}")


# Shared


def _where(settings: MailboxSettings | SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _tls_summary(security: str, ca_file: str, connection: ssl.SSLSocket | ssl.SSLObject | None, section: str) -> str:
    if security == "none":
        return f'not used, because [{section}] security = "none" (allowed only for a server on this machine)'
    trusted = f"the CA file {ca_file}" if ca_file else "the system's CAs"
    tls_mode = "implicit TLS" if security == "ssl" else "STARTTLS"
    return f"{tls_mode}, {describe_session(connection)}, with the certificate and host name verified against {trusted}"


def _report_connect_failure(
    protocol: str, exc: BaseException, host: str, where: str, section: str, timeout_seconds: float, report: CheckReport
) -> None:
    """Report a failed connection. A failed implicit-TLS handshake means that the TCP connection itself worked."""
    tls_problem = describe_tls_failure(exc, section)
    if tls_problem is not None:
        report.ok(f"{protocol} connect", f"{where} answered")
        report.failed(f"{protocol} TLS", f"{where}: {tls_problem}")
        return
    report.failed(f"{protocol} connect", _connection_problem(exc, host, where, section, timeout_seconds))


def _connection_problem(exc: BaseException, host: str, where: str, section: str, timeout_seconds: float) -> str:
    cause = _innermost_os_error(exc)
    if isinstance(cause, ConnectionRefusedError):
        return f"nothing accepts connections on {where} (connection refused). Check [{section}] host and port, and that the server is running"
    if isinstance(cause, socket.gaierror):
        return f"the host name {host!r} could not be resolved ({cause.strerror}). Check [{section}] host"
    if isinstance(exc, TimeoutError) or isinstance(cause, TimeoutError):
        return (
            f"no answer from {where} within {timeout_seconds:g} s. "
            f"Check [{section}] host and port, and that no firewall drops the connection"
        )
    return f"could not connect to {where}: {exc}"


def _innermost_os_error(exc: BaseException) -> BaseException:
    innermost: BaseException = exc
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            innermost = current
        current = current.__cause__ or current.__context__
    return innermost
