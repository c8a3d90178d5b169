"""Settings: one registry, read from a TOML file and the environment, validated once at start.

Every key can be overridden by an environment variable named
``MAILBOT_<SECTION>__<KEY>``, for example ``MAILBOT_MAILBOX__PASSWORD``.
The environment wins over the file, so secrets need not be written to disk.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mailbot.config_oauth2 import check_oauth2_keys, check_service_account_file, missing_oauth2_secret
from mailbot.errors import ConfigError
from mailbot.tomlfile import read_toml

Security = Literal["ssl", "starttls", "none"]
MailboxAuth = Literal["password", "oauth2-microsoft", "oauth2-google"]
SmtpAuth = Literal["", "mailbox", "password"]

ENVIRONMENT_PREFIX = "MAILBOT_"
DEFAULT_DATABASE_NAME = "mailbot.sqlite3"


def _split_addresses(value: Any) -> Any:
    # An environment variable contains a comma-separated list, but TOML gives a real list.
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


AddressList = Annotated[list[str], NoDecode, BeforeValidator(_split_addresses)]


def _default_port(security: Security, ports: dict[Security, int]) -> int:
    return ports[security]


class Section(BaseModel):
    # A misspelt key must be reported, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class MailboxSettings(Section):
    """The IMAP mailbox the bot reads: the alliance's shared inbox."""

    host: str = Field(description="IMAP server name or address.")
    port: int | None = Field(None, ge=1, le=65535, description="IMAP port; default 993 for ssl, 143 otherwise.")
    security: Security = Field("ssl", description="ssl (implicit TLS), starttls, or none (loopback only).")
    username: str = Field(description="IMAP login name.")
    password: SecretStr = Field(SecretStr(""), description="IMAP password; prefer MAILBOT_MAILBOX__PASSWORD or password_file.")
    password_file: str = Field("", description="File whose content is the IMAP password; relative to the config file's folder.")
    auth: MailboxAuth = Field(
        "password",
        description=(
            "How mailbot signs in: password (username and password), oauth2-microsoft (Microsoft 365, client "
            "credentials) or oauth2-google (Google Workspace, service account or refresh token)."
        ),
    )
    oauth2_tenant_id: str = Field("", description="oauth2-microsoft: the directory (tenant) ID of the app registration.")
    oauth2_client_id: str = Field(
        "", description="oauth2-microsoft: the application (client) ID; oauth2-google with a refresh token: the OAuth client ID."
    )
    oauth2_client_secret: SecretStr = Field(
        SecretStr(""), description="The OAuth client secret; prefer MAILBOT_MAILBOX__OAUTH2_CLIENT_SECRET or oauth2_client_secret_file."
    )
    oauth2_client_secret_file: str = Field("", description="File whose content is the OAuth client secret; relative to the config file's folder.")
    oauth2_refresh_token: SecretStr = Field(
        SecretStr(""), description="oauth2-google: a refresh token granted for https://mail.google.com/; prefer oauth2_refresh_token_file."
    )
    oauth2_refresh_token_file: str = Field("", description="File whose content is the refresh token; relative to the config file's folder.")
    oauth2_service_account_file: str = Field(
        "",
        description=(
            "oauth2-google: the service account's JSON key file; with domain-wide delegation it signs in as username. "
            "Relative to the config file's folder."
        ),
    )
    oauth2_authority: str = Field(
        "", description="oauth2-microsoft: the authority URL (https); empty: https://login.microsoftonline.com/<oauth2_tenant_id>."
    )
    oauth2_token_url: str = Field(
        "", description="oauth2-google: the token endpoint; empty: the key file's token_uri, or https://oauth2.googleapis.com/token."
    )
    oauth2_ca_file: str = Field(
        "",
        description=(
            "PEM file of the CA certificates trusted for the sign-in service (the authority or token endpoint) "
            "instead of the system's CAs; empty: the system's CAs. Relative to the config file's folder."
        ),
    )
    ca_file: str = Field(
        "",
        description=(
            "PEM file of the CA certificates (or the server's self-signed certificate) trusted for the IMAP server "
            "instead of the system's CAs; empty: the system's CAs. Relative to the config file's folder."
        ),
    )
    folder: str = Field("INBOX", description="Folder where new mail arrives.")
    processed_folder: str = Field("Processed", description="Folder for handled messages; created if missing.")
    attention_folder: str = Field(
        "Needs attention", description="Folder for messages set aside for a person; created if missing."
    )
    poll_interval_seconds: int = Field(
        60, ge=5, description="Seconds between inbox checks when the server has no IDLE."
    )
    idle: bool = Field(True, description="Wait for new mail with IMAP IDLE when the server offers it.")
    idle_renew_seconds: int = Field(
        1500, ge=60, le=1740, description="Seconds before IDLE is restarted; RFC 2177 asks for under 29 minutes."
    )
    timeout_seconds: float = Field(60.0, gt=0, description="Network timeout for each IMAP command.")

    max_message_bytes: int = Field(
        50_000_000, ge=100_000, description="Messages larger than this are set aside without being downloaded."
    )
    max_attachment_bytes: int = Field(
        15_000_000, ge=10_000, description="A session plan file larger than this is not forwarded; the PST is asked for a smaller one."
    )
    trusted_authserv_id: str = Field(
        "",
        description=(
            "The authserv-id of the alliance's own receiving mail host, as it writes it in Authentication-Results; "
            "only that host's results are read. Empty: no message is checked."
        ),
    )
    plus_addressing: bool = Field(
        False, description="Give each email a Reply-To of the bot's address plus its reply token, such as pst+token@; needs a mailbox that accepts it."
    )

    @model_validator(mode="after")
    def _fill_port(self) -> MailboxSettings:
        if self.port is None:
            self.port = _default_port(self.security, {"ssl": 993, "starttls": 143, "none": 143})
        _check_one_password_source(self.password, self.password_file)
        _check_one_password_source(self.oauth2_client_secret, self.oauth2_client_secret_file, "oauth2_client_secret")
        _check_one_password_source(self.oauth2_refresh_token, self.oauth2_refresh_token_file, "oauth2_refresh_token")
        check_oauth2_keys(self)
        _check_plain_text_allowed(self.security, self.host, has_password=True)
        _check_distinct_folders(self.folder, self.processed_folder, self.attention_folder)
        return self

    @property
    def uses_oauth2(self) -> bool:
        return self.auth != "password"


class SmtpSettings(Section):
    """The SMTP server the bot sends through."""

    host: str = Field(description="SMTP server name or address.")
    port: int | None = Field(None, ge=1, le=65535, description="SMTP port; default 465 for ssl, 587 for starttls, 25 for none.")
    security: Security = Field("starttls", description="ssl (implicit TLS), starttls, or none (loopback only).")
    auth: SmtpAuth = Field(
        "",
        description=(
            "mailbox: sign in with the OAuth 2.0 token of [mailbox]; password: with username and password. "
            "Empty: mailbox when [mailbox] auth is an oauth2 one, otherwise password."
        ),
    )
    username: str = Field("", description="SMTP login name; empty means no AUTH, or [mailbox] username when auth is mailbox.")
    password: SecretStr = Field(SecretStr(""), description="SMTP password; prefer MAILBOT_SMTP__PASSWORD or password_file.")
    password_file: str = Field("", description="File whose content is the SMTP password; relative to the config file's folder.")
    ca_file: str = Field(
        "",
        description=(
            "PEM file of the CA certificates (or the server's self-signed certificate) trusted for the SMTP server "
            "instead of the system's CAs; empty: the system's CAs. Relative to the config file's folder."
        ),
    )
    timeout_seconds: float = Field(60.0, gt=0, description="Network timeout for each SMTP command.")

    @model_validator(mode="after")
    def _fill_port(self) -> SmtpSettings:
        if self.port is None:
            self.port = _default_port(self.security, {"ssl": 465, "starttls": 587, "none": 25})
        _check_one_password_source(self.password, self.password_file)
        has_password = bool(self.password.get_secret_value() or self.password_file)
        _check_plain_text_allowed(self.security, self.host, has_password=has_password)
        return self


class DatabaseSettings(Section):
    """The database that stores cases, their history and the outbox."""

    url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file beside the config file.")
    password_file: str = Field("", description="File whose content is the database password, added to url; relative to the config file's folder.")


class AllianceSettings(Section):
    """The alliance: its name, the bot's address and the staff who work its inbox."""

    name: str = Field(description="The alliance's name as people know it, used in emails.")
    address: str = Field(description="The bot's own email address (the shared inbox).")
    business_manager: str = Field(description="Email address of the business manager.")
    strategic_lead: str = Field(description="Email address of the strategic lead for SLEs and PSTs.")
    staff: AddressList = Field(default_factory=list, description="Addresses allowed to give commands.")
    timezone: str = Field("Europe/London", description="Time zone for dates shown to people.")

    @field_validator("address", "business_manager", "strategic_lead")
    @classmethod
    def _check_address(cls, value: str) -> str:
        return checked_address(value)

    @field_validator("staff")
    @classmethod
    def _check_staff(cls, values: list[str]) -> list[str]:
        return [checked_address(value) for value in values]

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use a name such as Europe/London") from exc
        return value


class OutboxSettings(Section):
    """The sending and retrying of queued emails."""

    drain_interval_seconds: int = Field(30, ge=1, description="Seconds between sends of queued emails.")
    retry_hours: float = Field(
        48.0, gt=0, description="Hours to keep retrying an email the SMTP server deferred (4xx) or could not take."
    )
    max_per_recipient_per_hour: int = Field(
        20, ge=1, description="At most this many emails go to one address in an hour, ten times that for staff; the rest wait, so no loop can flood anyone."
    )


class WorkflowSettings(Section):
    """The folders of workflow rules and email templates."""

    rules_dir: str = Field("", description="Folder of workflow rules; empty means the rules shipped with mailbot.")
    templates_dir: str = Field("", description="Folder of email templates; empty means those shipped with mailbot.")
    weekly_digest: bool = Field(True, description="Send the business manager a digest of open, stuck and coming cases every Monday.")
    termly_summary: bool = Field(
        True, description="Send the strategic lead a summary of each term's visits, feedback ratings and charges after the term ends."
    )


class DataProtectionSettings(Section):
    """How long personal data is kept, and when the daily purge removes what is older."""

    retention_months: int = Field(
        24,
        ge=1,
        le=1200,
        description=(
            "Months a closed, declined or cancelled case keeps its personal data, counted from the day it finished; "
            "then it is anonymised and its raw mail deleted. Messages and emails about no case are kept as long."
        ),
    )
    daily_purge: bool = Field(True, description="Purge what is past retention_months every day at purge_time while the daemon runs.")
    purge_time: str = Field("02:00", description="Time of day of the daily purge, in the alliance's time zone, as 24-hour HH:MM.")

    @field_validator("purge_time")
    @classmethod
    def _check_purge_time(cls, value: str) -> str:
        parse_clock_time(value)
        return value

    @property
    def purge_clock_time(self) -> time:
        return parse_clock_time(self.purge_time)


class LoggingSettings(Section):
    """How much the daemon logs."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Lowest level written.")
    format: Literal["text", "json"] = Field("text", description="text: one readable line per entry; json: one JSON object per line, for a log collector.")


class Settings(BaseSettings):
    """All of mailbot's settings."""

    model_config = SettingsConfigDict(
        env_prefix=ENVIRONMENT_PREFIX, env_nested_delimiter="__", case_sensitive=False, extra="forbid"
    )

    mailbox: MailboxSettings
    smtp: SmtpSettings
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    alliance: AllianceSettings
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings)
    data_protection: DataProtectionSettings = Field(default_factory=DataProtectionSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init arguments; the environment must win over it.
        return (env_settings, init_settings)

    def require_sign_in_secrets(self) -> None:
        """Raise ConfigError when the IMAP password, or the OAuth 2.0 secret, is not set; only commands that sign in need one."""
        if self.mailbox.uses_oauth2:
            problem = missing_oauth2_secret(self.mailbox)
            if problem is not None:
                raise ConfigError(problem)
        elif not self.mailbox.password.get_secret_value():
            raise ConfigError(
                "[mailbox] password is missing. Set password_file, or password in the config file or in MAILBOT_MAILBOX__PASSWORD"
            )

    @property
    def smtp_auth(self) -> Literal["mailbox", "password"]:
        """How mailbot signs in to the SMTP server, with an empty [smtp] auth resolved."""
        if self.smtp.auth:
            return self.smtp.auth
        return "mailbox" if self.mailbox.uses_oauth2 else "password"

    @property
    def smtp_username(self) -> str:
        """The SMTP login name; with the mailbox's OAuth 2.0 sign-in an empty [smtp] username means the mailbox's."""
        if self.smtp_auth == "mailbox":
            return self.smtp.username or self.mailbox.username
        return self.smtp.username

    @property
    def bot_domain(self) -> str:
        return self.alliance.address.rpartition("@")[2]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.alliance.timezone)


def _check_one_password_source(password: SecretStr, password_file: str, key: str = "password") -> None:
    if password.get_secret_value() and password_file:
        raise ValueError(f"{key} and {key}_file are both set. Keep only one of them")


def _check_distinct_folders(inbox: str, processed: str, attention: str) -> None:
    """Reject folder settings that name one folder twice, which would move messages back into the inbox without end."""
    names = {"folder": inbox, "processed_folder": processed, "attention_folder": attention}
    # IMAP names the inbox INBOX in any case; other names are compared as written, less case.
    seen: dict[str, str] = {}
    for key, name in names.items():
        normal = name.strip().casefold()
        if normal in seen:
            raise ValueError(f"[mailbox] {key} and {seen[normal]} both name the folder {name!r}; each must be a folder of its own")
        seen[normal] = key


def _check_plain_text_allowed(security: Security, host: str, *, has_password: bool) -> None:
    """Reject sending a password unencrypted anywhere but to this machine."""
    if security != "none" or not has_password or _is_loopback(host):
        return
    raise ValueError(
        f'security = "none" would send the password to {host} unencrypted; use "ssl" or "starttls" '
        "(\"none\" is only allowed for a server on this machine, such as 127.0.0.1)"
    )


def parse_clock_time(value: str) -> time:
    """Return the 24-hour time ``value``, such as "02:00", or raise ValueError naming the value."""
    hours, colon, minutes = value.strip().partition(":")
    try:
        if not colon:
            raise ValueError(value)
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f'{value!r} is not a 24-hour time such as "02:00"') from exc


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_address(value: str) -> str:
    value = value.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or " " in value:
        raise ValueError(f"{value!r} is not an email address")
    return value


def load_settings(path: Path) -> Settings:
    """Read the TOML file at ``path``, apply environment overrides and validate.

    Raises ConfigError with every problem listed by section and key.
    """
    path = Path(path)
    data = read_toml(path, "config file", ConfigError)

    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(path, exc)) from exc

    problems = _load_referenced_files(settings, path.resolve().parent)
    problems += _load_oauth2_files(settings.mailbox, path.resolve().parent)
    problems += _smtp_auth_problems(settings)
    problems += _load_database_password(settings.database, path.resolve().parent)
    if problems:
        lines = [f"config file {path} has {len(problems)} problem(s):", *(f"  {problem}" for problem in problems)]
        raise ConfigError("\n".join(lines))

    if not settings.database.url:
        settings.database.url = f"sqlite:///{path.resolve().parent / DEFAULT_DATABASE_NAME}"
    return settings


def _load_referenced_files(settings: Settings, config_folder: Path) -> list[str]:
    """Read the password files and check the CA files that [mailbox] and [smtp] name; return the problems found.

    A relative path is taken from ``config_folder``, and each path is stored
    back resolved. A password read from a file replaces the empty ``password``.
    """
    problems: list[str] = []
    sections: list[tuple[str, MailboxSettings | SmtpSettings]] = [("mailbox", settings.mailbox), ("smtp", settings.smtp)]
    for name, section in sections:
        if section.password_file:
            section.password_file = str(_resolved(section.password_file, config_folder))
            try:
                section.password = SecretStr(_read_password_file(Path(section.password_file)))
            except ValueError as exc:
                problems.append(f"[{name}] password_file: {exc}")

        if section.ca_file:
            section.ca_file = str(_resolved(section.ca_file, config_folder))
            try:
                _check_ca_file(Path(section.ca_file))
            except ValueError as exc:
                problems.append(f"[{name}] ca_file: {exc}")
    return problems


def _load_database_password(database: DatabaseSettings, config_folder: Path) -> list[str]:
    """Put the password in [database] password_file into the URL; return the problems found."""
    if not database.password_file:
        return []
    database.password_file = str(_resolved(database.password_file, config_folder))
    try:
        password = _read_password_file(Path(database.password_file))
    except ValueError as exc:
        return [f"[database] password_file: {exc}"]
    try:
        url = make_url(database.url)
    except ArgumentError as exc:
        return [f"[database] url: {database.url!r} is not a SQLAlchemy URL: {exc}"]
    if url.get_backend_name() == "sqlite":
        return ["[database] password_file: a SQLite database has no password. Remove password_file"]
    if url.password:
        return ["[database] password_file: the url already has a password. Keep only one of them"]
    database.url = url.set(password=password).render_as_string(hide_password=False)
    return []


def _load_oauth2_files(mailbox: MailboxSettings, config_folder: Path) -> list[str]:
    """Read the OAuth 2.0 secret files and check the key and CA files that [mailbox] names; return the problems found."""
    problems: list[str] = []
    secrets = (("oauth2_client_secret", "client secret"), ("oauth2_refresh_token", "refresh token"))
    for key, secret_name in secrets:
        file_key = f"{key}_file"
        if getattr(mailbox, file_key):
            resolved = _resolved(getattr(mailbox, file_key), config_folder)
            setattr(mailbox, file_key, str(resolved))
            try:
                setattr(mailbox, key, SecretStr(_read_password_file(resolved, secret_name)))
            except ValueError as exc:
                problems.append(f"[mailbox] {file_key}: {exc}")

    checks = (("oauth2_service_account_file", check_service_account_file), ("oauth2_ca_file", _check_ca_file))
    for key, check in checks:
        if getattr(mailbox, key):
            resolved = _resolved(getattr(mailbox, key), config_folder)
            setattr(mailbox, key, str(resolved))
            try:
                check(resolved)
            except ValueError as exc:
                problems.append(f"[mailbox] {key}: {exc}")
    return problems


def _smtp_auth_problems(settings: Settings) -> list[str]:
    """Return what is wrong with [smtp] auth given [mailbox] auth; an empty list when nothing is."""
    smtp = settings.smtp
    if settings.smtp_auth != "mailbox":
        return []
    if not settings.mailbox.uses_oauth2:
        return ['[smtp] auth: "mailbox" signs in with the OAuth 2.0 token of [mailbox], but [mailbox] auth = "password". '
                'Set [smtp] auth = "password", or an oauth2 auth in [mailbox]']
    if smtp.password.get_secret_value() or smtp.password_file:
        return ["[smtp] password: not used, because SMTP signs in with the OAuth 2.0 token of [mailbox]. "
                'Remove password and password_file, or set [smtp] auth = "password"']
    if smtp.security == "none" and not _is_loopback(smtp.host):
        return [f'[smtp] security: "none" would send the OAuth 2.0 token to {smtp.host} unencrypted; use "ssl" or "starttls"']
    return []


def _resolved(value: str, config_folder: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else config_folder / path


def _read_password_file(path: Path, secret_name: str = "password") -> str:
    """Return the ``secret_name`` (a password, or another secret) in ``path`` without its line ending.

    Raises ValueError naming what is wrong with the file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValueError(f"file not found: {path}") from exc
    except OSError as exc:
        raise ValueError(f"{path} could not be read: {exc.strerror}. Check the path, and that mailbot's user may read it") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text") from exc

    password = text.rstrip("\r\n")
    if not password:
        raise ValueError(f"{path} is empty. Write the {secret_name} into it")
    if "\n" in password or "\r" in password:
        raise ValueError(f"{path} has more than one line, but it must contain only the {secret_name}")
    return password


def _check_ca_file(path: Path) -> None:
    """Raise ValueError unless ``path`` is a readable file with at least one PEM certificate."""
    try:
        ssl.create_default_context(cafile=str(path))
    except FileNotFoundError as exc:
        raise ValueError(f"file not found: {path}") from exc
    except ssl.SSLError as exc:
        raise ValueError(f"{path} contains no PEM certificate ({exc.reason}). Give the CA certificate in PEM form") from exc
    except OSError as exc:
        raise ValueError(f"{path} could not be read: {exc.strerror}. Check the path, and that mailbot's user may read it") from exc


def _describe_validation_error(path: Path, exc: ValidationError) -> str:
    lines = [f"config file {path} has {exc.error_count()} problem(s):"]
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        lines.append("  " + _describe_problem(location, error["type"], error["msg"]))
    return "\n".join(lines)


def _describe_problem(location: list[str], error_type: str, message: str) -> str:
    message = message.removeprefix("Value error, ")
    env_name = ENVIRONMENT_PREFIX + "__".join(part.upper() for part in location)
    origin = f" (from the environment variable {env_name})" if env_name in _environment_names() else ""

    if len(location) == 1:
        section = location[0]
        if error_type == "extra_forbidden":
            return f"[{section}]: unknown section{origin}; the sections are {', '.join(Settings.model_fields)}"
        if error_type == "missing":
            return f"[{section}]: missing section; add it to the file"
        return f"[{section}]: {message}"

    where = f"[{location[0]}] {'.'.join(location[1:])}"
    if error_type == "extra_forbidden":
        return f"{where}: unknown setting{origin}; check its spelling against the example config, deploy/mailbot.example.toml"
    if error_type == "missing":
        return f"{where}: missing; set it in the file or in {env_name}"
    return f"{where}: {message}{origin}"


def _environment_names() -> set[str]:
    return {name.upper() for name in os.environ if name.upper().startswith(ENVIRONMENT_PREFIX)}
