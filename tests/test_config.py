"""Settings: the TOML file, environment overrides, validation messages, the documented example."""

import tomllib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from mailbot.config import Settings, load_settings
from mailbot.errors import ConfigError

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "mailbot.example.toml"

MINIMAL = """
[mailbox]
host = "imap.alliance.test"
username = "pst@alliance.test"
password = "from-the-file"

[smtp]
host = "smtp.alliance.test"

[alliance]
name = "Test Alliance"
address = "pst@alliance.test"
business_manager = "bm@alliance.test"
strategic_lead = "lead@alliance.test"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "mailbot.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    return path


def test_minimal_config_fills_defaults(config_file: Path) -> None:
    settings = load_settings(config_file)

    assert settings.mailbox.port == 993
    assert settings.mailbox.folder == "INBOX"
    assert settings.smtp.port == 587
    assert settings.alliance.timezone == "Europe/London"
    assert settings.database.url == f"sqlite:///{config_file.parent.resolve() / 'mailbot.sqlite3'}"


def test_environment_overrides_file(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__PASSWORD", "from-the-environment")
    monkeypatch.setenv("MAILBOT_SMTP__PORT", "2525")
    monkeypatch.setenv("MAILBOT_ALLIANCE__STAFF", "bm@alliance.test, lead@alliance.test")

    settings = load_settings(config_file)

    assert settings.mailbox.password.get_secret_value() == "from-the-environment"
    assert settings.smtp.port == 2525
    assert settings.alliance.staff == ["bm@alliance.test", "lead@alliance.test"]
    assert settings.mailbox.host == "imap.alliance.test"


def test_environment_can_supply_missing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text(MINIMAL.replace('host = "imap.alliance.test"\n', ""), encoding="utf-8")
    monkeypatch.setenv("MAILBOT_MAILBOX__HOST", "imap.from-env.test")

    assert load_settings(path).mailbox.host == "imap.from-env.test"


def test_missing_key_names_section_and_variable(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text(MINIMAL.replace('business_manager = "bm@alliance.test"\n', ""), encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(path)

    assert "[alliance] business_manager" in str(caught.value)
    assert "MAILBOT_ALLIANCE__BUSINESS_MANAGER" in str(caught.value)
    assert "missing" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('strategic_lead = "lead@alliance.test"', 'strategic_lead = "lead at alliance"', "is not an email address"),
        ('host = "smtp.alliance.test"', 'host = "smtp.alliance.test"\nsecurity = "tls"', "[smtp] security"),
        ('name = "Test Alliance"', 'name = "Test Alliance"\ntimezone = "Europe/Londres"', "unknown time zone"),
        ('name = "Test Alliance"', 'name = "Test Alliance"\ncolour = "blue"', "[alliance] colour: unknown setting"),
        ("[smtp]", "[smpt]", "[smpt]: unknown section"),
        ('host = "smtp.alliance.test"', 'host = "smtp.alliance.test"\nport = 70000', "[smtp] port: Input should be less than or equal to 65535"),
        ('host = "smtp.alliance.test"', 'host = "smtp.alliance.test"\nsecurity = "none"\npassword = "x"', 'security = "none" would send the password to smtp.alliance.test unencrypted'),
        ('username = "pst@alliance.test"', 'username = "pst@alliance.test"\nattention_folder = "inbox"', "[mailbox] attention_folder and folder both name the folder 'inbox'"),
        ('username = "pst@alliance.test"', 'username = "pst@alliance.test"\nprocessed_folder = "Needs Attention"', "[mailbox] attention_folder and processed_folder both name the folder"),
    ],
    ids=["bad-address", "bad-security", "bad-timezone", "unknown-key", "unknown-section", "port-range", "plain-text-password", "attention-is-inbox", "processed-is-attention"],
)
def test_invalid_value_is_reported(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text(MINIMAL.replace(old, new), encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(path)

    assert expected in str(caught.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "absent.toml")


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text("[mailbox\nhost = 1", encoding="utf-8")

    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_password_hidden_in_repr(config_file: Path) -> None:
    settings = load_settings(config_file)

    assert "from-the-file" not in repr(settings)
    assert "from-the-file" not in str(settings.model_dump())


def test_example_config_documents_every_setting() -> None:
    example = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))

    for section_name, section_field in Settings.model_fields.items():
        section_model = section_field.annotation
        assert section_name in example, f"[{section_name}] is missing from {EXAMPLE_CONFIG.name}"
        for key in section_model.model_fields:
            assert key in example[section_name], f"[{section_name}] {key} is missing from {EXAMPLE_CONFIG.name}"


def test_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__PASSWORD", "from-the-environment")

    settings = load_settings(EXAMPLE_CONFIG)

    assert settings.alliance.timezone == "Europe/London"


def test_environment_mistake_named(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__PASWORD", "x")

    with pytest.raises(ConfigError) as caught:
        load_settings(config_file)

    assert "[mailbox] pasword: unknown setting (from the environment variable MAILBOT_MAILBOX__PASWORD)" in str(caught.value)


def test_plain_text_allowed_on_loopback(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    text = MINIMAL.replace('host = "imap.alliance.test"', 'host = "127.0.0.1"\nsecurity = "none"')
    path.write_text(text.replace('host = "smtp.alliance.test"', 'host = "relay.school.example"\nsecurity = "none"'), encoding="utf-8")

    settings = load_settings(path)

    assert settings.mailbox.port == 143
    assert settings.smtp.port == 25


def test_password_needed_only_to_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_text(MINIMAL.replace('password = "from-the-file"', 'password = ""'), encoding="utf-8")

    settings = load_settings(path)

    with pytest.raises(ConfigError, match=r"\[mailbox\] password is missing"):
        settings.require_sign_in_secrets()


def _config_with(folder: Path, extra: str) -> Path:
    path = folder / "mailbot.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    return path


def test_database_password_file_goes_into_url(tmp_path: Path) -> None:
    (tmp_path / "db_password").write_text("s3cret/with@odd:chars\n", encoding="utf-8")
    path = _config_with(tmp_path, '[database]\nurl = "postgresql+psycopg://mailbot@db.example.org/mailbot"\npassword_file = "db_password"\n')

    settings = load_settings(path)

    assert make_url(settings.database.url).password == "s3cret/with@odd:chars"
    assert make_url(settings.database.url).username == "mailbot"


@pytest.mark.parametrize(
    ("database", "problem"),
    [
        ('url = "sqlite:///mailbot.sqlite3"\npassword_file = "db_password"', "a SQLite database has no password. Remove password_file"),
        ('url = "postgresql+psycopg://mailbot:inline@db/mailbot"\npassword_file = "db_password"', "the url already has a password. Keep only one of them"),
        ('url = "postgresql+psycopg://mailbot@db/mailbot"\npassword_file = "missing"', "[database] password_file:"),
    ],
)
def test_database_password_file_problems(tmp_path: Path, database: str, problem: str) -> None:
    (tmp_path / "db_password").write_text("secret\n", encoding="utf-8")
    path = _config_with(tmp_path, f"[database]\n{database}\n")

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert problem in str(raised.value)
