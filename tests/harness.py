"""Drive mailbot as an operator would: a config file, mail in the inbox, the command line."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
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

[data_protection]
# The daily purge is tested on its own; elsewhere it would add a row of due work to every day the tests cross.
daily_purge = false

[workflow]
# The Monday digest and the termly summary are tested on their own. Elsewhere
# they would add an email to every week and term the tests cross.
weekly_digest = false
termly_summary = false
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


def start_daemon(config: Path, log_file: Path) -> subprocess.Popen[bytes]:
    """Start `mailbot run` as its own process, appending its log to ``log_file``; the caller stops it."""
    with log_file.open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "mailbot", "run", "--config", str(config)], stdout=log, stderr=subprocess.STDOUT)


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
        f"To: {original['Reply-To'] or original['From']}",
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


def reply_with_files(
    received: ReceivedEmail,
    body: str,
    files: list[tuple[str, str, bytes]],
    *,
    sender: str | None = None,
    to: str | None = None,
    cc: str | None = None,
    subject: str | None = None,
    threading: bool = True,
    tag: str = "files",
) -> bytes:
    """Build a reply to ``received`` with ``files`` (name, content type, bytes) attached, as a mail program would.

    ``to`` and ``cc`` replace the usual reply addressing, for an email sent
    straight to someone else with the bot in copy.
    """
    original = parsed(received)
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender or received.rcpt_tos[0]
    message["To"] = to or str(original["From"])
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject if subject is not None else f"RE: {original['Subject']}"
    message["Message-ID"] = f"<reply-{tag}@school.example>"
    message["Date"] = "Mon, 11 Jan 2027 09:30:00 +0000"
    if threading:
        message["In-Reply-To"] = str(original["Message-ID"])
        message["References"] = str(original["Message-ID"])
    message.set_content(body + "\n")
    for name, content_type, data in files:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def attachments_of(received: ReceivedEmail) -> list[tuple[str, str, bytes]]:
    """Return the attached files of a sent email as (file name, content type, decoded bytes)."""
    return [
        (str(part.get_filename()), part.get_content_type(), part.get_payload(decode=True))
        for part in parsed(received).iter_attachments()
    ]


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


# One PST whose register entry makes the html-table form's request a match.
REGISTER = """\
name,email,school,headteacher_name,headteacher_email,phase,subjects,expertise,designated_on,max_visits_per_term
Priya Anand,p.anand@northgate-high.example,Northgate High School,Mr Luke Barnes,head@northgate-high.example,secondary,maths,questioning; hinge questions,01/09/2025,3
"""
PST = "p.anand@northgate-high.example"
HOST = "head@northgate-high.example"
VISITOR = "r.mcallister@fernhill-community.test"


def case_awaiting_consent(folder: Path, account: Account, sink: SmtpSink, database_url: str, *, extra: str = "") -> tuple[Path, str]:
    """Open a case from the html-table form and assign its PST, whose headteacher is asked for consent; return the config and reference.

    The form arrives on 14/10/2026 and staff assign the PST on 15/10.
    """
    config = write_config(folder, account, sink, database_url, extra=extra)
    register = folder / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    assert mailbot("pst", "import", str(register), "--config", str(config)).exit_code == 0

    append(account, form_bytes("html-table.eml"))
    run_once(config, "2026-10-14T16:00")
    reference = cases(config)[0]["reference"]
    append(account, case_email(reference, STRATEGIC_LEAD, "assign: 1", tag="consented-assign"))
    run_once(config, "2026-10-15T09:00")
    assert case(config, reference)["state"] == "awaiting_consent"
    return config, reference


def consented_case(folder: Path, account: Account, sink: SmtpSink, database_url: str) -> Path:
    """Open a case from the html-table form whose PST's headteacher consented on Friday 16/10/2026; return the config.

    The case then awaits a date: the headteacher replies YES on 16/10 to the request of 15/10.
    """
    config, reference = case_awaiting_consent(folder, account, sink, database_url)
    [request] = emails_to(sink, HOST)
    append(account, reply_to(request, "Yes"))
    run_once(config, "2026-10-16T09:00")

    assert case(config, reference)["state"] == "awaiting_date"
    return config
