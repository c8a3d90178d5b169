"""Reply latency: how long a headteacher's YES takes to become the confirmation the PST receives.

`mailbot run` idles on the inbox (IMAP IDLE) in its own process. Replies
are APPENDed one at a time, each to a case waiting in awaiting_consent, and
each is timed from the moment the APPEND completed to the moment the SMTP
server accepted the "consent given" email to the case's PST. The next reply
is appended only once every email of the previous one has arrived and a
further second has passed, so that each reply meets an idle daemon.

The floor is measured on the same Dovecot: a bare imapclient connection
idles on another account's inbox, a message is APPENDed, and the time until
the server reports it (the untagged EXISTS) is recorded. Both times are read
from time.monotonic(), which on Linux every process shares, the SMTP sink's
included.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from bench.common import Context, connect, load_average, mailbot_command, median, percentile, run_child
from bench.mailgen import PST_SLOTS, consent_reply, instance_for
from bench.servers import REPOSITORY, SinkProcess, child_environment, sqlite_url, write_config
from bench.world import CORPUS_PSTS, build_corpus_clones

FLOOR_SAMPLES = 50
DAEMON_START_TIMEOUT_SECONDS = 60.0
CONFIRMATION_TIMEOUT_SECONDS = 30.0
# A YES to consent queues four emails: to the PST, to the visiting teacher and to two members of staff.
EMAILS_PER_YES = 4
# The pause after each reply's emails arrived. Dovecot reports a change to IDLE clients 500 ms after
# the first change it notices (NOTIFY_DELAY_MSECS in Dovecot's mailbox-watch.c). Without this pause the
# previous reply's MOVE would start that wait early, and the next reply would be reported too soon.
SETTLE_SECONDS = 1.0


def run(context: Context, count: int) -> dict:
    from mailbot.store.database import create_database_engine, upgrade_schema

    folder = context.subfolder("latency")
    floor_account = context.dovecot.add_account()
    floor = run_child(
        "idle_floor",
        {"host": floor_account.host, "port": floor_account.port, "username": floor_account.username, "password": floor_account.password, "samples": min(FLOOR_SAMPLES, max(count, 5))},
        folder / "idle_floor.log",
    )

    account = context.dovecot.add_account()
    database_url = sqlite_url(folder)
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    build_corpus_clones(engine, count, PST_SLOTS)
    engine.dispose()

    load_before = load_average()
    latencies: list[float] = []
    with SinkProcess(folder) as sink:
        config = write_config(folder, database_url, account=account, smtp_port=sink.port)
        log_path = folder / "mailbot.log"
        daemon = _start_daemon(config, log_path)
        try:
            with connect(account) as client:
                for index in range(count):
                    latencies.append(_one_reply(client, sink, index))
        finally:
            _stop_daemon(daemon)

    floor_seconds = floor["median"]
    return {
        "replies": count,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "floor": floor_seconds,
        "floor_samples": floor["samples"],
        "floor_p95": floor["p95"],
        "latencies": latencies,
        "load_average": [load_before, load_average()],
    }


def _one_reply(client, sink: SinkProcess, index: int) -> float:
    """APPEND one YES and return the seconds until its PST's confirmation reached the SMTP server."""
    instance = instance_for(index)
    reference = instance.reference(1)
    pst_address = instance.address(CORPUS_PSTS["priya"][1])
    client.append("INBOX", consent_reply(instance, index))
    appended = time.monotonic()

    def is_confirmation(message) -> bool:
        return message.case == reference and pst_address in message.to

    if not sink.wait_for(lambda messages: any(is_confirmation(message) for message in messages), CONFIRMATION_TIMEOUT_SECONDS):
        raise TimeoutError(f"no confirmation for {reference} reached the SMTP server within {CONFIRMATION_TIMEOUT_SECONDS} s; see the daemon's log")
    arrived = sink.first(is_confirmation).at
    sink.wait_for(lambda messages: sum(message.case == reference for message in messages) >= EMAILS_PER_YES, CONFIRMATION_TIMEOUT_SECONDS)
    time.sleep(SETTLE_SECONDS)
    return arrived - appended


def _start_daemon(config: Path, log_path: Path) -> subprocess.Popen[bytes]:
    """Start `mailbot run` and return once its log reports that it is idling on the inbox."""
    with log_path.open("wb") as output:
        process = subprocess.Popen([*mailbot_command(), "run", "--config", str(config)], cwd=REPOSITORY, env=child_environment(), stdout=output, stderr=output)
    deadline = time.monotonic() + DAEMON_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mailbot run exited with code {process.returncode} at start; see {log_path}")
        if " IDLE on " in log_path.read_text(errors="replace"):
            return process
        time.sleep(0.05)
    _stop_daemon(process)
    raise TimeoutError(f"mailbot run did not start idling within {DAEMON_START_TIMEOUT_SECONDS} s; see {log_path}")


def _stop_daemon(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------
# Child task (bench/child.py runs this in a process of its own)


def measure_idle_floor(arguments: dict) -> dict:
    """Time from a completed APPEND to the untagged EXISTS on a connection idling on the same inbox, ``samples`` times."""
    from imapclient import IMAPClient

    def login() -> IMAPClient:
        client = IMAPClient(arguments["host"], port=arguments["port"], ssl=False)
        client.login(arguments["username"], arguments["password"])
        return client

    watcher, writer = login(), login()
    watcher.select_folder("INBOX")
    delays = []
    for sample in range(arguments["samples"]):
        watcher.idle()
        writer.append("INBOX", f"From: a@school.example\r\nSubject: floor {sample}\r\n\r\nfloor\r\n".encode())
        appended = time.monotonic()
        while True:
            responses = watcher.idle_check(timeout=10)
            if any(len(item) > 1 and item[1] == b"EXISTS" for item in responses):
                delays.append(time.monotonic() - appended)
                break
            if not responses:
                raise TimeoutError("Dovecot reported no new message to the idling connection within 10 s")
        watcher.idle_done()
    watcher.logout()
    writer.logout()
    return {"samples": len(delays), "median": median(delays), "p95": percentile(delays, 0.95), "min": min(delays), "max": max(delays)}
