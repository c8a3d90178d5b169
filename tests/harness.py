"""Drive mailbot as an operator would: a config file, mail in the inbox, the command line."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from click.testing import CliRunner, Result
from imapclient import IMAPClient

from mailbot.cli import main
from mailbot.embedded import ReceivedEmail, SmtpSink
from servers import Account

FORMS = Path(__file__).parent / "data" / "forms"

BOT_ADDRESS = "pst@star-tsa.example"
BUSINESS_MANAGER = "bm@star-tsa.example"
STRATEGIC_LEAD = "lead@star-tsa.example"

FOLDERS = ("INBOX", "Processed", "Needs attention")


class SmtpEndpoint(Protocol):
    host: str
    port: int


def write_config(
    folder: Path,
    account: Account,
    smtp: SmtpEndpoint,
    database_url: str,
    *,
    smtp_username: str = "",
    smtp_password: str = "",
    extra: str = "",
) -> Path:
    """Write a config file for ``account`` and the SMTP server ``smtp`` into ``folder``; return its path."""
    path = folder / "mailbot.toml"
    path.write_text(
        f"""
[mailbox]
host = "{account.host}"
port = {account.port}
security = "none"
username = "{account.username}"
password = "{account.password}"
poll_interval_seconds = 5

[smtp]
host = "{smtp.host}"
port = {smtp.port}
security = "none"
username = "{smtp_username}"
password = "{smtp_password}"

[database]
url = "{database_url}"

[alliance]
name = "STAR Teaching School Alliance"
address = "{BOT_ADDRESS}"
business_manager = "{BUSINESS_MANAGER}"
strategic_lead = "{STRATEGIC_LEAD}"
staff = ["{BUSINESS_MANAGER}", "{STRATEGIC_LEAD}"]
{extra}
""",
        encoding="utf-8",
    )
    return path


def form_bytes(name: str) -> bytes:
    return (FORMS / name).read_bytes()


def append(account: Account, *messages: bytes) -> None:
    """Deliver ``messages`` into the account's INBOX, as a mail server would."""
    with IMAPClient(account.host, port=account.port, ssl=False) as client:
        client.login(account.username, account.password)
        for message in messages:
            client.append("INBOX", message)


def folder_counts(account: Account) -> dict[str, int]:
    """Return how many messages each of the bot's folders holds; 0 for a folder not yet created."""
    counts = {}
    with IMAPClient(account.host, port=account.port, ssl=False) as client:
        client.login(account.username, account.password)
        for name in FOLDERS:
            exists = client.folder_exists(name)
            counts[name] = client.folder_status(name, [b"MESSAGES"])[b"MESSAGES"] if exists else 0
    return counts


def folder_messages(account: Account, folder: str) -> list[bytes]:
    """Return the raw bytes of every message in ``folder``, oldest first."""
    with IMAPClient(account.host, port=account.port, ssl=False) as client:
        client.login(account.username, account.password)
        client.select_folder(folder, readonly=True)
        uids = sorted(client.search(["ALL"]))
        fetched = client.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}
    return [bytes(fetched[uid][b"BODY[]"]) for uid in uids]


def mailbot(*arguments: str) -> Result:
    """Run the mailbot command line in process and return its result; fail loudly on a crash."""
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    return result


def run_once(config: Path, now: str | None = None) -> Result:
    arguments = ["run", "--config", str(config), "--once"]
    if now is not None:
        arguments += ["--now", now]
    result = mailbot(*arguments)
    assert result.exit_code == 0, result.output
    return result


def cases(config: Path) -> list[dict[str, Any]]:
    result = mailbot("cases", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def case(config: Path, reference: str) -> dict[str, Any]:
    result = mailbot("case", reference, "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def parsed(received: ReceivedEmail) -> EmailMessage:
    return email.message_from_bytes(received.content, policy=email.policy.default)


def plain_body(received: ReceivedEmail) -> str:
    body = parsed(received).get_body(preferencelist=("plain",))
    assert body is not None, "the email has no plain-text part"
    return body.get_content()


def emails_to(sink: SmtpSink, address: str) -> list[ReceivedEmail]:
    return [item for item in sink.messages if address in item.rcpt_tos]


def reply_to(
    received: ReceivedEmail,
    body: str,
    *,
    sender: str | None = None,
    threading: bool = True,
    subject_prefix: str = "RE: ",
    extra_headers: str = "",
) -> bytes:
    """Build the reply a person would send to ``received``, quoting it below their own words.

    ``threading=False`` drops In-Reply-To and References, as some clients do.
    """
    original = parsed(received)
    sender = sender or received.rcpt_tos[0]
    quoted = "\n".join(f"> {line}" for line in plain_body(received).splitlines())
    headers = [
        f"From: {sender}",
        f"To: {original['From']}",
        f"Subject: {subject_prefix}{original['Subject']}",
        f"Message-ID: <reply-{abs(hash((body, sender, str(original['Message-ID']))))}@school.example>",
        "Date: Wed, 14 Oct 2026 16:30:00 +0100",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if threading:
        headers += [f"In-Reply-To: {original['Message-ID']}", f"References: {original['Message-ID']}"]
    if extra_headers:
        headers.append(extra_headers.strip())
    text = f"{body}\n\nOn Wed, 14 Oct 2026 at 16:00, {original['From']} wrote:\n{quoted}\n"
    return ("\r\n".join(headers) + "\r\n\r\n" + text.replace("\n", "\r\n")).encode("utf-8")


def subjects_to(sink: SmtpSink, address: str) -> list[str]:
    return [str(parsed(item)["Subject"]) for item in emails_to(sink, address)]


def case_email(reference: str, sender: str, body: str, *, tag: str) -> bytes:
    """Build an email about a case, named only by its reference in the subject, with ``body`` on top.

    ``tag`` makes the Message-ID unique, so emails with the same body are not taken as copies.
    """
    return (
        f"From: {sender}\r\n"
        f"To: {BOT_ADDRESS}\r\n"
        f"Subject: RE: [{reference}] About the request\r\n"
        f"Message-ID: <case-email-{tag}@school.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n\r\nThanks,\r\nJo\r\n"
    ).encode()
