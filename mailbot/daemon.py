"""The daemon: one full pass, and the long-running loop that repeats its pieces.

A pass reads the inbox, then sends the outbox. The loop runs the same two
pieces as APScheduler interval jobs, and IMAP IDLE makes the inbox job run
at once when mail arrives.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from mailbot.config import Settings
from mailbot.daily_purge import DailyPurge
from mailbot.duework import DueWorkSweep, SweepReport
from mailbot.errors import LoginRejected, MailboxError, MailbotError
from mailbot.intake import Intake, IntakeReport, Progress
from mailbot.mailbox import CONNECTION_ERRORS, LOGIN_RETRY_SECONDS, Mailbox
from mailbot.oauth2 import token_source_for
from mailbot.outbox import Outbox
from mailbot.render import TemplateRenderer
from mailbot.resources import configured_folder
from mailbot.ruleset import load_rules
from mailbot.sender import OutboxSender, SendReport
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from mailbot.watcher import IdleWatcher
from mailbot.work_lock import WorkLock
from mailbot.workflow import Workflow

log = logging.getLogger("mailbot.daemon")

INTAKE_JOB = "intake"
OUTBOX_JOB = "outbox"
DUE_WORK_JOB = "due_work"
DUE_WORK_INTERVAL_SECONDS = 60
SHUTDOWN_GRACE_SECONDS = 8.0
# The exit code when another daemon took the work lock while this one ran.
EXIT_LOCK_LOST = 3
FIRST_RETRY_SECONDS = 5


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class PassReport:
    intake: IntakeReport
    due_work: SweepReport
    sending: SendReport


class Daemon:
    """Every part of mailbot wired together from one Settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_database_engine(settings.database.url)
        upgrade_schema(self.engine)
        self.sessions = session_factory(self.engine)

        self.rules = load_rules(configured_folder(settings.workflow.rules_dir, "rules"))
        renderer = TemplateRenderer(configured_folder(settings.workflow.templates_dir, "templates"), settings.zone)
        self.outbox = Outbox(settings, renderer)
        self.workflow = Workflow(settings, self.rules, self.outbox)
        self.intake = Intake(settings, self.rules, self.sessions, self.workflow)
        # One token source for every IMAP and SMTP connection, so its cached token is shared; None with passwords.
        self.tokens = token_source_for(settings.mailbox)
        self.sender = OutboxSender(settings, self.sessions, self.outbox, self.tokens)
        self.daily_purge = DailyPurge(settings, self.sessions, lambda: Mailbox(settings.mailbox, self.tokens))
        self.sweep = DueWorkSweep(self.sessions, {**self.workflow.due_work_handlers(), **self.daily_purge.handlers()})
        self.work_lock = WorkLock(self.engine)

    def close(self) -> None:
        self.work_lock.release()
        self.engine.dispose()

    def run_once(self, now: datetime | None = None, progress: Progress | None = None) -> PassReport:
        """Read the inbox and send the outbox once; ``now`` fixes the clock for the whole pass.

        Raises MailbotError when another daemon holds the work lock, so that a
        pass by hand never runs beside the service.
        """
        if not self.work_lock.try_acquire():
            raise MailbotError("another mailbot is working on this database (it holds the work lock); stop it first, or let it do the pass")
        try:
            self.sender.recover_interrupted(now or utc_now())
            return self._pass(now, progress)
        finally:
            self.work_lock.release()

    def _pass(self, now: datetime | None, progress: Progress | None = None) -> PassReport:
        clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now

        try:
            with Mailbox(self.settings.mailbox, self.tokens) as mailbox:
                intake = self.intake.read_inbox(mailbox, clock, progress=progress)
        except MailboxError:
            # Reminders and emails already queued must not wait for the inbox to come back.
            self.sweep.run(clock())
            asyncio.run(self.sender.send_due(clock()))
            raise
        self.schedule_reports(clock())
        due_work = self.sweep.run(clock())
        sending = asyncio.run(self.sender.send_due(clock()))

        log.info(
            "PASS done: %d message(s) handled, %d case(s) opened, %d set aside, %d due item(s) done, "
            "%d email(s) sent, %d deferred, %d failed, %d waiting to be retried",
            intake.handled, intake.cases_opened, intake.set_aside, due_work.done, sending.sent, sending.deferred,
            sending.failed, self.sender.count_waiting(),
        )
        return PassReport(intake, due_work, sending)

    def schedule_reports(self, now: datetime) -> None:
        """Schedule the next weekly digest, termly summary and daily purge that are switched on, unless they already are.

        Each one's key allows one row per occasion: per Monday, per term, or per day.
        """
        with self.sessions.begin() as session:
            for report in self.workflow.reports:
                report.ensure_scheduled(session, now)
            if self.settings.data_protection.daily_purge:
                self.daily_purge.ensure_scheduled(session, now)

    def run_forever(self) -> int:
        """Run until SIGTERM or Ctrl-C, finishing the message in hand before exiting; return the exit code."""
        loop = DaemonLoop(self)
        asyncio.run(loop.run())
        return loop.exit_code


class DaemonLoop:
    """The scheduler, the IDLE watcher and a clean shutdown around the daemon's pieces."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.settings = daemon.settings
        self.stop_requested = threading.Event()
        self.intake_running = False
        self.intake_requested = False
        self.outbox_running = False
        self.mailbox: Mailbox | None = None
        self.intake_failures = 0
        self.retry_at: datetime | None = None
        self.login_retry_at: datetime | None = None
        # Non-zero when the daemon stopped because it lost the work lock, so a service manager restarts it.
        self.exit_code = 0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopped.set)

        self.stopped = stopped
        self.loop = loop
        if not await self._wait_for_work_lock(stopped):
            log.info("STOPPED mailbot while on standby")
            return

        self.scheduler = AsyncIOScheduler(
            timezone=timezone.utc,
            # Interval jobs that were missed while busy run once, late, instead of being dropped.
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        started = utc_now()
        self.scheduler.add_job(self._intake_job, "interval", id=INTAKE_JOB, seconds=self.settings.mailbox.poll_interval_seconds, next_run_time=started)
        self.scheduler.add_job(self._outbox_job, "interval", id=OUTBOX_JOB, seconds=self.settings.outbox.drain_interval_seconds, next_run_time=started)
        self.scheduler.add_job(self._due_work_job, "interval", id=DUE_WORK_JOB, seconds=DUE_WORK_INTERVAL_SECONDS, next_run_time=started)
        self.scheduler.start()

        watcher = IdleWatcher(self.settings.mailbox, lambda: loop.call_soon_threadsafe(self._wake_intake), self.daemon.tokens)
        if self.settings.mailbox.idle:
            watcher.start()
        log.info("START mailbot for %s; inbox %s:%s", self.settings.alliance.address, self.settings.mailbox.host, self.settings.mailbox.port)

        await stopped.wait()
        log.info("STOP requested; finishing the message in hand")
        await self._shutdown(watcher)

    async def _wait_for_work_lock(self, stopped: asyncio.Event) -> bool:
        """Wait as a standby until this daemon holds the work lock; return False if asked to stop first."""
        lock = self.daemon.work_lock
        if lock.try_acquire():
            await asyncio.to_thread(self.daemon.sender.recover_interrupted, utc_now())
            return True
        log.warning("STANDBY another mailbot holds the work lock on this database; checking every %d s", self.settings.mailbox.poll_interval_seconds)
        while not stopped.is_set():
            try:
                await asyncio.wait_for(stopped.wait(), timeout=self.settings.mailbox.poll_interval_seconds)
            except TimeoutError:
                pass
            if not stopped.is_set() and lock.try_acquire():
                log.info("LOCK taken over; this mailbot now does the work")
                await asyncio.to_thread(self.daemon.sender.recover_interrupted, utc_now())
                return True
        return False

    def _in_charge(self) -> bool:
        """Return whether this daemon still holds the work lock, taking it again if it was lost but is free.

        When another daemon has taken it meanwhile, this one stops so that the
        two never work at once. A service manager then starts it again as a
        standby.
        """
        lock = self.daemon.work_lock
        if lock.still_held():
            return True
        if lock.try_acquire():
            log.warning("LOCK was lost and is taken again; emails interrupted meanwhile are queued again")
            self.daemon.sender.recover_interrupted(utc_now())
            return True
        log.error("LOCK lost to another mailbot; stopping this one so that only one works")
        self.exit_code = EXIT_LOCK_LOST
        self.loop.call_soon_threadsafe(self.stopped.set)
        return False

    async def _shutdown(self, watcher: IdleWatcher) -> None:
        self.stop_requested.set()
        self.scheduler.pause()
        watcher.stop_event.set()

        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE_SECONDS
        while (self.intake_running or self.outbox_running) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        self.scheduler.shutdown(wait=False)
        await asyncio.to_thread(watcher.stop, 1.0)
        self._close_mailbox()
        log.info("STOPPED mailbot")

    def _wake_intake(self) -> None:
        # Runs on the event loop thread, so these flags need no lock.
        if self.intake_running:
            self.intake_requested = True
            return
        job = self.scheduler.get_job(INTAKE_JOB)
        if job is not None:
            job.modify(next_run_time=utc_now())

    def _wake_outbox(self) -> None:
        job = self.scheduler.get_job(OUTBOX_JOB)
        if job is not None:
            job.modify(next_run_time=utc_now())

    async def _intake_job(self) -> None:
        if self.stop_requested.is_set() or not await asyncio.to_thread(self._in_charge):
            return
        self.intake_running = True
        try:
            while not self.stop_requested.is_set():
                self.intake_requested = False
                report = await asyncio.to_thread(self._read_inbox)
                if report is not None and report.handled:
                    self._wake_outbox()
                if not self.intake_requested:
                    break
        finally:
            self.intake_running = False

        # A failed check is retried sooner than the next poll, with a growing delay.
        job = self.scheduler.get_job(INTAKE_JOB)
        if self.retry_at is not None and job is not None and job.next_run_time > self.retry_at:
            job.modify(next_run_time=self.retry_at)

    def _read_inbox(self) -> IntakeReport | None:
        if self.login_retry_at is not None and utc_now() < self.login_retry_at:
            return None
        self.login_retry_at = None
        try:
            if self.mailbox is None:
                self.mailbox = Mailbox(self.settings.mailbox, self.daemon.tokens)
                self.mailbox.connect()
            report = self.daemon.intake.read_inbox(self.mailbox, utc_now, self.stop_requested)
        except (MailboxError, *CONNECTION_ERRORS) as exc:
            self._close_mailbox()
            self.intake_failures += 1
            delay = min(FIRST_RETRY_SECONDS * 2 ** (self.intake_failures - 1), self.settings.mailbox.poll_interval_seconds)
            if isinstance(exc, LoginRejected):
                # Mail providers lock an account after a run of rejected logins, so even the regular poll waits.
                delay = max(delay, LOGIN_RETRY_SECONDS)
                self.login_retry_at = utc_now() + timedelta(seconds=delay)
            log.warning("INBOX check failed: %s; trying again in %d s", exc, delay)
            self.retry_at = utc_now() + timedelta(seconds=delay)
            return None

        self.intake_failures = 0
        self.retry_at = None
        return report

    def _close_mailbox(self) -> None:
        if self.mailbox is not None:
            self.mailbox.close()
            self.mailbox = None

    async def _due_work_job(self) -> None:
        if self.stop_requested.is_set() or not await asyncio.to_thread(self._in_charge):
            return
        await asyncio.to_thread(self.daemon.schedule_reports, utc_now())
        report = await asyncio.to_thread(self.daemon.sweep.run, utc_now())
        if report.done:
            self._wake_outbox()

    async def _outbox_job(self) -> None:
        if self.stop_requested.is_set() or not await asyncio.to_thread(self._in_charge):
            return
        self.outbox_running = True
        try:
            await self.daemon.sender.send_due(utc_now())
        finally:
            self.outbox_running = False
