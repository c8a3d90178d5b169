"""Memory: the peak resident memory of one pass over a PST's reply with a large scanned plan attached.

Each case runs `Daemon.run_once()` (the pass `mailbot run --once` makes) in
a fresh process. The baseline is the process's resident memory just before
the pass, after mailbot has started. The peak is VmHWM from /proc, which
/proc/self/clear_refs resets to the baseline just before the pass, so
start-up does not count. Three cases:

- the default limits: the plan is over ``max_attachment_bytes`` (15 MB), so
  it is not forwarded and the PST is asked for a smaller file;
- ``max_attachment_bytes`` raised above the file: the plan is forwarded to
  the visiting teacher, stored in the outbox and sent;
- ``max_message_bytes`` lowered below the message: only its header may be
  fetched, which the count of whole-message fetches shows.

The limit beside them is set by mailbot's own dependencies: the peak of a
process that fetches the same message with imapclient and parses it with
mail-parser, and nothing else.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench.common import Context, append_all, folder_counts, run_child
from bench.mailgen import PST_SLOTS, instance_for, plan_reply
from bench.servers import SinkProcess, sqlite_url, write_config
from bench.world import CORPUS_NOW, build_corpus_clones

KB = 1024


def run(context: Context, attachment_bytes: int) -> dict:
    raw = plan_reply(instance_for(0), attachment_bytes, random.Random(25), filename="Scanned session plan.pdf")
    cases = {
        "refused": {},
        "forwarded": {"max_attachment_bytes": attachment_bytes + 1_000_000},
        "over_limit": {"max_message_bytes": max(len(raw) // 2, 100_000)},
    }
    results = {}
    for name, options in cases.items():
        results[name] = _one_case(context, name, raw, options)

    account = context.dovecot.add_account()
    append_all(account, [raw])
    credentials = {"host": account.host, "port": account.port, "username": account.username, "password": account.password}
    floor = run_child("memory_floor", credentials, context.subfolder("memory-floor") / "floor.log")
    floor_above = (floor["peak_kb"] - floor["baseline_kb"]) * KB
    floor.update(above_baseline_bytes=floor_above, factor_of_message=floor_above / len(raw))
    return {"attachment_bytes": attachment_bytes, "message_bytes": len(raw), "cases": results, "floor": floor}


def _one_case(context: Context, name: str, raw: bytes, options: dict[str, int]) -> dict:
    from mailbot.store.database import create_database_engine, upgrade_schema

    folder = context.subfolder(f"memory-{name}")
    account = context.dovecot.add_account()
    database_url = sqlite_url(folder)
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    build_corpus_clones(engine, 1, PST_SLOTS)
    engine.dispose()
    append_all(account, [raw])

    with SinkProcess(folder) as sink:
        config = write_config(folder, database_url, account=account, smtp_port=sink.port, mailbox_options=options)
        measured = run_child("memory", {"config": str(config), "now": CORPUS_NOW.isoformat()}, folder / "mailbot.log")
        received = sink.wait_until_quiet(quiet_seconds=0.5)
        largest_email = max((message.size_bytes for message in sink.messages), default=0)
    above = (measured["peak_kb"] - measured["baseline_kb"]) * KB
    return {
        **measured,
        "options": options,
        "above_baseline_bytes": above,
        "factor_of_message": above / len(raw),
        "folders": folder_counts(account),
        "emails_received": received,
        "largest_email_bytes": largest_email,
    }


# ---------------------------------------------------------------------------
# Child task (bench/child.py runs this in a process of its own)


def _status_kb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1))


def measure_one_pass(arguments: dict) -> dict:
    """Start mailbot, reset the peak to the current resident memory, run one pass, and read the peak."""
    from datetime import datetime

    from mailbot.cli_common import configure_logging
    from mailbot.config import load_settings
    from mailbot.daemon import Daemon
    from mailbot.mailbox import Mailbox

    calls = {"fetch": 0, "fetch_header": 0, "size_of": 0}
    for method_name in calls:
        original = getattr(Mailbox, method_name)

        def counted(self, *args, _original=original, _name=method_name, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        setattr(Mailbox, method_name, counted)

    settings = load_settings(Path(arguments["config"]))
    configure_logging(settings.logging.level)
    daemon = Daemon(settings)
    baseline = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    report = daemon.run_once(datetime.fromisoformat(arguments["now"]))
    peak = _status_kb("VmHWM")
    after = _status_kb("VmRSS")
    daemon.close()
    return {
        "baseline_kb": baseline,
        "peak_kb": peak,
        "after_kb": after,
        "whole_fetches": calls["fetch"],
        "header_fetches": calls["fetch_header"],
        "size_reads": calls["size_of"],
        "set_aside": report.intake.set_aside,
        "sent": report.sending.sent,
    }


def measure_fetch_and_parse(arguments: dict) -> dict:
    """Measure the limit: the peak resident memory of fetching the inbox's one message and parsing it with mail-parser."""
    import mailparser
    from imapclient import IMAPClient

    client = IMAPClient(arguments["host"], port=arguments["port"], ssl=False)
    client.login(arguments["username"], arguments["password"])
    client.select_folder("INBOX", readonly=True)
    [uid] = client.search(["ALL"])
    baseline = _status_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    raw = bytes(client.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"])
    parsed = mailparser.parse_from_bytes(raw)
    peak = _status_kb("VmHWM")
    client.logout()
    return {"baseline_kb": baseline, "peak_kb": peak, "parsed_attachments": len(parsed.attachments)}
