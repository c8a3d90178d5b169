"""`mailbot demo`: the real daemon against IMAP and SMTP servers started in this process.

Nothing here simulates the daemon. The demo starts a pymap IMAP server and
an aiosmtpd SMTP server on free loopback ports, writes an ordinary config
file and delivers the sample forms into the inbox. It then plays each
person's replies and moves the clock to the days reminders fall due, one
daemon pass at a time, and prints what each person received, until the
case is closed.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import click
from imapclient import IMAPClient
from sqlalchemy import select

from mailbot.config import Settings, load_settings
from mailbot.daemon import Daemon, utc_now
from mailbot.embedded import EmbeddedImapServer, ReceivedEmail, SmtpSink
from mailbot.errors import MailbotError
from mailbot.ledger import ledger_rows
from mailbot.rates import uk_money
from mailbot.register import import_register, read_register_csv
from mailbot.render import uk_date
from mailbot.resources import PACKAGE_DIR
from mailbot.store.models import Case
from mailbot.timings import local_moment

DEMO_DATA = PACKAGE_DIR / "demo_data"
BOT_ADDRESS = "pst@harbourlights-tsa.example"
RULE = "─" * 72
DEMO_PLAN = (
    "Session plan: Year 3/4 guided reading, mixed-age group\r\n"
    "Objective: pupils infer a character's feelings from evidence in the text.\r\n"
    "Look for: grouping, questioning, how the younger pupils are supported.\r\n"
).encode("utf-8")

CONFIG_TEMPLATE = """\
# Written by `mailbot demo`: every value points at servers inside the demo process.
[mailbox]
host = "{imap_host}"
port = {imap_port}
security = "none"
username = "{bot_address}"
password = "{imap_password}"

[smtp]
host = "{smtp_host}"
port = {smtp_port}
security = "none"

[database]
url = "sqlite:///{database}"

[alliance]
name = "Harbour Lights Teaching School Alliance"
address = "{bot_address}"
business_manager = "business.manager@harbourlights-tsa.example"
strategic_lead = "strategic.lead@harbourlights-tsa.example"
staff = ["business.manager@harbourlights-tsa.example", "strategic.lead@harbourlights-tsa.example"]
"""


def run_demo(keep_folder: Path | None = None) -> None:
    """Run the demo and print each email and each case; ``keep_folder`` keeps its files."""
    with _demo_folder(keep_folder) as folder, EmbeddedImapServer(
        username=BOT_ADDRESS, password=secrets.token_urlsafe(12)
    ) as imap, SmtpSink() as smtp:
        config_path = _write_config(folder, imap, smtp)
        click.echo(f"mailbot demo: IMAP server {imap.host}:{imap.port}, SMTP server {smtp.host}:{smtp.port}")
        if keep_folder is not None:
            click.echo(f"Config file and database kept in {folder}\n")
        else:
            click.echo("Config file and database in a temporary folder, deleted at the end (use --keep FOLDER to keep them)\n")

        samples = sorted(DEMO_DATA.glob("*.eml"))
        _deliver(imap, samples)
        click.echo(f"Delivered {len(samples)} messages to the inbox, as the website and a school would.")

        settings = load_settings(config_path)
        daemon = Daemon(settings)
        try:
            _import_register(daemon, settings, folder)
            _run_pass(daemon, "First pass: the forms arrive", None)
            _print_emails(smtp.messages)
            _print_cases(daemon)

            for number, step in enumerate(_story(daemon, settings), start=2):
                asked = _find_email(smtp.messages, step.reply_to) if step.reply_to else None
                if step.reply_to and asked is None:
                    click.echo(f"The demo stopped: no email with the subject {step.reply_to!r} was sent.")
                    break
                already_printed = len(smtp.messages)
                if asked is not None:
                    _deliver_bytes(imap, [_reply(asked, step.answer, step.files)])
                click.echo(step.story)
                _run_pass(daemon, f"Pass {number}", step.clock)
                _print_emails(smtp.messages[already_printed:])
                _print_cases(daemon)
            _print_ledger(daemon)
        finally:
            daemon.close()
        _print_folders(imap)


@dataclass(frozen=True)
class DemoStep:
    """One turn of the story: what a person does, the email they reply to, and the clock for the pass."""

    story: str
    reply_to: str | None = None
    answer: str = ""
    files: tuple[tuple[str, str, bytes], ...] = ()
    # None runs the pass at the real time; a later time shows the reminders that fall due then.
    clock: datetime | None = None


def _story(daemon: Daemon, settings: Settings) -> list[DemoStep]:
    """Return the demo's steps, from the endorsement to the closed case, dated from today."""
    calendar = daemon.rules.calendar
    timings = daemon.rules.timings
    # A school day about four weeks ahead, so the demo's visit is always a valid date.
    visit_day = calendar.add_school_days(utc_now().astimezone(settings.zone).date(), 20)
    request_day = calendar.add_school_days(visit_day, -timings.plan_request_school_days_before)
    reminder_day = calendar.add_school_days(visit_day, -timings.visit_reminder_school_days_before)
    follow_up_day = calendar.add_school_days(visit_day, timings.feedback_school_days_after)

    def at(day: date, clock_time: time) -> datetime:
        return local_moment(day, clock_time, settings.zone)

    return [
        DemoStep("The headteacher of the first school replies \"Yes, happy to support this.\"", "Please endorse a PST visit request", "Yes, happy to support this."),
        DemoStep("The strategic lead replies to the shortlist with \"assign: 1\"", "PSTs for the request from Millbrook", "assign: 1"),
        DemoStep("The PST's headteacher replies \"Yes, that's fine.\"", "Please consent to a PST visit", "Yes, that's fine."),
        DemoStep(f"The PST replies with the agreed date, \"visit: {uk_date(visit_day)} am\"", "has agreed to the visit", f"visit: {uk_date(visit_day)} am"),
        DemoStep(
            f"The clock moves to {uk_date(request_day)} at {timings.send_time:%H:%M}, "
            f"{timings.plan_request_school_days_before} school days before the visit",
            clock=at(request_day, timings.send_time),
        ),
        DemoStep(
            "The PST replies with the session plan attached",
            "Session plan needed by",
            "Here is the plan for the lesson.",
            (("session-plan.txt", "text/plain", DEMO_PLAN),),
            clock=at(request_day, time(10, 0)),
        ),
        DemoStep(f"The clock moves to {uk_date(reminder_day)}, the school day before the visit", clock=at(reminder_day, timings.send_time)),
        DemoStep(f"The clock moves to {uk_date(follow_up_day)}, the school day after the visit", clock=at(follow_up_day, timings.send_time)),
        DemoStep(
            "The visiting teacher replies with a rating and comments",
            "How was your visit",
            "5 - Seeing guided reading with mixed ages was exactly what Ellie needed.",
            clock=at(follow_up_day, time(15, 30)),
        ),
    ]


def _import_register(daemon: Daemon, settings: Settings, folder: Path) -> None:
    # The sample's designation dates are moved to ten months ago, so the demo's PSTs are always active.
    designated = (utc_now().astimezone(settings.zone).date() - timedelta(days=300)).strftime("%d/%m/%Y")
    text = re.sub(r"\d{2}/\d{2}/\d{4}", designated, (DEMO_DATA / "pst-register.csv").read_text(encoding="utf-8"))
    register = folder / "pst-register.csv"
    register.write_text(text, encoding="utf-8")

    records = read_register_csv(register)
    with daemon.sessions.begin() as session:
        report = import_register(session, records, utc_now(), daemon.rules.timings, settings.zone)
    click.echo(f"Imported the PST register: {report.added} PSTs.\n")


def _run_pass(daemon: Daemon, title: str, clock: datetime | None) -> None:
    report = daemon.run_once(clock)
    click.echo(
        f"{title}: the daemon read {report.intake.handled} message(s): "
        f"{report.intake.cases_opened} case(s) opened, {report.intake.set_aside} set aside; "
        f"{report.sending.sent} email(s) sent.\n"
    )


def _find_email(received: list[ReceivedEmail], subject: str) -> ReceivedEmail | None:
    for item in received:
        message = email.message_from_bytes(item.content, policy=email.policy.default)
        if subject in str(message["Subject"]):
            return item
    return None


def _reply(asked: ReceivedEmail, answer: str, files: tuple[tuple[str, str, bytes], ...] = ()) -> bytes:
    """Write the reply a person would send from Outlook: the answer on top, the email quoted below."""
    original = email.message_from_bytes(asked.content, policy=email.policy.default)
    reply = EmailMessage()
    reply["From"] = asked.rcpt_tos[0]
    reply["To"] = original["From"]
    reply["Subject"] = f"RE: {original['Subject']}"
    reply["Message-ID"] = email.utils.make_msgid(domain="school.example")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    body = original.get_body(preferencelist=("plain",))
    quoted = "\n".join(f"> {line}" for line in (body.get_content() if body is not None else "").splitlines())
    reply.set_content(f"{answer}\n\nOn the day before, the alliance wrote:\n{quoted}\n")
    for name, content_type, data in files:
        maintype, _, subtype = content_type.partition("/")
        reply.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return reply.as_bytes()


@contextmanager
def _demo_folder(keep_folder: Path | None) -> Iterator[Path]:
    if keep_folder is not None:
        if (keep_folder / "mailbot.sqlite3").exists():
            raise MailbotError(f"{keep_folder} already contains a demo database; give --keep an empty or new folder")
        keep_folder.mkdir(parents=True, exist_ok=True)
        yield keep_folder.resolve()
        return
    folder = Path(tempfile.mkdtemp(prefix="mailbot-demo-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_config(folder: Path, imap: EmbeddedImapServer, smtp: SmtpSink) -> Path:
    path = folder / "mailbot.toml"
    path.write_text(
        CONFIG_TEMPLATE.format(
            imap_host=imap.host,
            imap_port=imap.port,
            imap_password=imap.password,
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            database=folder / "mailbot.sqlite3",
            bot_address=BOT_ADDRESS,
        ),
        encoding="utf-8",
    )
    return path


def _deliver(imap: EmbeddedImapServer, samples: list[Path]) -> None:
    _deliver_bytes(imap, [sample.read_bytes() for sample in samples])


def _deliver_bytes(imap: EmbeddedImapServer, messages: list[bytes]) -> None:
    with IMAPClient(imap.host, port=imap.port, ssl=False) as client:
        client.login(imap.username, imap.password)
        for message in messages:
            client.append("INBOX", message)


def _print_emails(received: list[ReceivedEmail]) -> None:
    click.echo(f"Emails sent ({len(received)}):")
    for number, item in enumerate(received, start=1):
        message = email.message_from_bytes(item.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        click.echo(RULE)
        click.echo(f"Email {number} of {len(received)}")
        click.echo(f"To:      {message['To']}")
        click.echo(f"Subject: {message['Subject']}")
        click.echo("")
        click.echo(body.get_content().rstrip() if body is not None else "(no plain-text part)")
        attached = [f"{part.get_filename()} ({part.get_content_type()})" for part in message.iter_attachments()]
        if attached:
            click.echo(f"\nAttached: {', '.join(attached)}")
    click.echo(RULE + "\n")


def _print_cases(daemon: Daemon) -> None:
    with daemon.sessions() as session:
        cases = list(session.scalars(select(Case).order_by(Case.id)))
    click.echo(f"Cases ({len(cases)}):")
    for case in cases:
        click.echo(f"  {case.reference}  {case.state:<22}  {case.school}  (requested by {case.requester_name})")
    click.echo("")


def _print_ledger(daemon: Daemon) -> None:
    with daemon.sessions() as session:
        rows = ledger_rows(session, daemon.rules.calendar)
    click.echo(f"Ledger ({len(rows)} entries, as `mailbot ledger` lists them):")
    for row in rows:
        click.echo(f"  {row['term']}  {row['case_reference']}  {row['entry_type']:<13}  {uk_money(row['amount_pence']):>9}  {row['school']}")
    click.echo("")


def _print_folders(imap: EmbeddedImapServer) -> None:
    with IMAPClient(imap.host, port=imap.port, ssl=False) as client:
        client.login(imap.username, imap.password)
        counts = []
        for name in ("INBOX", "Processed", "Needs attention"):
            if client.folder_exists(name):
                counts.append(f"{name}: {client.folder_status(name, [b'MESSAGES'])[b'MESSAGES']}")
    click.echo("Mailbox folders after the last pass: " + ", ".join(counts))
