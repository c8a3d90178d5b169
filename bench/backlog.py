"""Backlog: a mailbox full of mail after a weekend or an outage, drained with `mailbot run --once`.

Two rates, each beside its limit measured on the same run:

- intake (fetch, parse, decide, commit, move), in messages per second,
  against a loop over the same mailbox that only fetches every message
  (UID FETCH BODY.PEEK[]) and parses it with mail-parser;
- sending, in emails per second from the outbox table to the SMTP server,
  against a loop that sends the same emails, as ready-made bytes, over one
  aiosmtplib connection.

`mailbot run --once` sends at most one batch of the outbox (BATCH_SIZE in
mailbot/sender.py). The rest is sent here the way the running daemon's
outbox job sends it, one ``OutboxSender.send_due()`` after another, and
every one of those calls is counted in the sending rate.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

from bench.common import Context, append_all, folder_counts, load_average, run_child
from bench.mailgen import PST_SLOTS, backlog_messages
from bench.servers import BOT_ADDRESS, SinkProcess, sqlite_url, write_config
from bench.world import CORPUS_NOW, build_corpus_clones

RUN_ONCE_NOW = CORPUS_NOW.strftime("%Y-%m-%dT%H:%M")


def run(context: Context, count: int, profile_path: Path | None = None) -> dict:
    """Fill a Dovecot inbox with ``count`` messages, measure both limits and let mailbot drain it; return the figures."""
    from sqlalchemy import func, select

    from mailbot.store.database import create_database_engine, upgrade_schema
    from mailbot.store.models import OutboxEmail

    folder = context.subfolder("backlog")
    account = context.dovecot.add_account()
    messages = backlog_messages(count)

    database_url = sqlite_url(folder)
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    build_corpus_clones(engine, count, PST_SLOTS)
    with engine.connect() as connection:
        last_world_email_id = connection.scalar(select(func.max(OutboxEmail.id))) or 0
    engine.dispose()

    appended, appended_bytes, append_seconds = append_all(account, (message.raw for message in messages))
    load_before = load_average()

    limit = run_child("fetch_parse", {"host": account.host, "port": account.port, "username": account.username, "password": account.password}, folder / "fetch_parse.log")

    with SinkProcess(folder) as sink:
        config = write_config(folder, database_url, account=account, smtp_port=sink.port)
        drain = run_child(
            "drain",
            {"config": str(config), "now": RUN_ONCE_NOW, "profile": str(profile_path) if profile_path else None},
            folder / "mailbot.log",
        )
        received_by_mailbot = sink.wait_until_quiet()

        send_limit = run_child(
            "send_ready",
            {"database_url": database_url, "after_id": last_world_email_id, "host": sink.host, "port": sink.port, "sender": BOT_ADDRESS},
            folder / "send_ready.log",
        )
        sink.wait_until_quiet()
    counts = folder_counts(account)

    expected_processed = sum(1 for message in messages if message.expected == "processed")
    intake_rate = drain["intake"]["handled"] / drain["intake"]["seconds"]
    sending_rate = drain["sending"]["sent"] / drain["sending"]["seconds"] if drain["sending"]["seconds"] else 0.0
    return {
        "messages": appended,
        "mailbox_bytes": appended_bytes,
        "mix": _mix(messages),
        "append_seconds": append_seconds,
        "intake": {**drain["intake"], "rate": intake_rate},
        "intake_limit": {**limit, "rate": limit["count"] / limit["seconds"]},
        "sending": {**drain["sending"], "rate": sending_rate, "received_by_sink": received_by_mailbot},
        "sending_limit": {**send_limit, "rate": send_limit["count"] / send_limit["seconds"]},
        "run_once": drain["run_once"],
        "folders": counts,
        "expected_processed": expected_processed,
        "expected_attention": appended - expected_processed,
        "profiled": profile_path is not None,
        "load_average": [load_before, load_average()],
    }


def _mix(messages: list) -> dict[str, int]:
    mix: dict[str, int] = {}
    for message in messages:
        mix[message.category] = mix.get(message.category, 0) + 1
    return mix


# ---------------------------------------------------------------------------
# Child tasks (bench/child.py runs these in processes of their own)


def fetch_and_parse(arguments: dict) -> dict:
    """Fetch every message of the inbox, one UID FETCH at a time, and parse it with mail-parser: the intake's limit."""
    import mailparser
    from imapclient import IMAPClient

    client = IMAPClient(arguments["host"], port=arguments["port"], ssl=False)
    client.login(arguments["username"], arguments["password"])
    started = time.perf_counter()
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search(["ALL"]))
    total_bytes = 0
    for uid in uids:
        raw = bytes(client.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"])
        mailparser.parse_from_bytes(raw)
        total_bytes += len(raw)
    seconds = time.perf_counter() - started
    client.logout()
    return {"count": len(uids), "bytes": total_bytes, "seconds": seconds}


def drain_with_run_once(arguments: dict) -> dict:
    """Run `mailbot run --once` in this process with each phase timed, then send what is left in the outbox."""
    import cProfile

    from mailbot.cli import main
    from mailbot.config import load_settings
    from mailbot.daemon import Daemon

    timer = PhaseTimer()
    timer.install()
    profiler = cProfile.Profile() if arguments["profile"] else None
    if profiler is not None:
        profiler.enable()

    started = time.perf_counter()
    main(["run", "--config", arguments["config"], "--once", "--now", arguments["now"]], standalone_mode=False)
    run_once_seconds = time.perf_counter() - started
    run_once_sent = timer.sent

    settings = load_settings(Path(arguments["config"]))
    daemon = Daemon(settings)
    now = datetime.fromisoformat(arguments["now"]).replace(tzinfo=settings.zone)
    while True:
        report = asyncio.run(daemon.sender.send_due(now))
        if not (report.sent or report.deferred or report.failed):
            break
    waiting = daemon.sender.count_waiting()
    daemon.close()

    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(arguments["profile"])
    return {
        "run_once": {"seconds": run_once_seconds, "sent": run_once_sent},
        "intake": {"handled": timer.handled, "cases_opened": timer.cases_opened, "set_aside": timer.set_aside, "seconds": timer.intake_seconds},
        "sweep_seconds": timer.sweep_seconds,
        "sending": {
            "sent": timer.sent, "deferred": timer.deferred, "failed": timer.failed, "calls": timer.send_calls,
            "seconds": timer.send_seconds, "left_waiting": waiting,
        },
    }


class PhaseTimer:
    """Times the daemon's three phases by wrapping their methods on the classes, so `mailbot run --once` runs unchanged."""

    def __init__(self) -> None:
        self.intake_seconds = self.sweep_seconds = self.send_seconds = 0.0
        self.handled = self.cases_opened = self.set_aside = 0
        self.sent = self.deferred = self.failed = self.send_calls = 0

    def install(self) -> None:
        from mailbot.duework import DueWorkSweep
        from mailbot.intake import Intake
        from mailbot.sender import OutboxSender

        timer = self
        read_inbox, sweep_run, send_due = Intake.read_inbox, DueWorkSweep.run, OutboxSender.send_due

        def timed_read_inbox(intake, *args, **kwargs):
            started = time.perf_counter()
            report = read_inbox(intake, *args, **kwargs)
            timer.intake_seconds += time.perf_counter() - started
            timer.handled += report.handled
            timer.cases_opened += report.cases_opened
            timer.set_aside += report.set_aside
            return report

        def timed_sweep(sweep, *args, **kwargs):
            started = time.perf_counter()
            report = sweep_run(sweep, *args, **kwargs)
            timer.sweep_seconds += time.perf_counter() - started
            return report

        async def timed_send_due(sender, *args, **kwargs):
            started = time.perf_counter()
            report = await send_due(sender, *args, **kwargs)
            timer.send_seconds += time.perf_counter() - started
            timer.send_calls += 1
            timer.sent += report.sent
            timer.deferred += report.deferred
            timer.failed += report.failed
            return report

        Intake.read_inbox = timed_read_inbox
        DueWorkSweep.run = timed_sweep
        OutboxSender.send_due = timed_send_due


def send_ready_made(arguments: dict) -> dict:
    """Send the emails mailbot sent, as the same bytes, over one aiosmtplib connection: the sending limit."""
    import aiosmtplib
    from sqlalchemy import select

    from mailbot.store.database import create_database_engine
    from mailbot.store.models import OutboxEmail

    engine = create_database_engine(arguments["database_url"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(OutboxEmail.recipient, OutboxEmail.content)
            .where(OutboxEmail.id > arguments["after_id"], OutboxEmail.status == "sent")
            .order_by(OutboxEmail.id)
        ).all()
    engine.dispose()

    async def send_all() -> float:
        smtp = aiosmtplib.SMTP(hostname=arguments["host"], port=arguments["port"], use_tls=False, start_tls=False)
        started = time.perf_counter()
        await smtp.connect()
        for recipient, content in rows:
            options = [] if recipient.isascii() else ["SMTPUTF8"]
            await smtp.sendmail(arguments["sender"], [recipient], content, mail_options=options)
        await smtp.quit()
        return time.perf_counter() - started

    seconds = asyncio.run(send_all())
    return {"count": len(rows), "bytes": sum(len(content) for _, content in rows), "seconds": seconds}
