"""Measure mailbot against the limits of its own dependencies: `python -m bench --help`.

Starts its own Dovecot and SMTP server on 127.0.0.1, and uses the
PostgreSQL server on 127.0.0.1:5432 unless --databases leaves it out. It
prints a table of figures and ratios. With --json it also writes every
figure to a file, for comparing versions.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import backlog, latency, memory, reminders, startup
from bench.common import Context, load_average
from bench.report import format_profile, format_table, machine, profile_summary, rows_for
from bench.servers import dovecot

BENCHMARKS = ("backlog", "latency", "reminders", "memory", "startup")
SIZES = {
    "full": {"backlog": 5000, "latency": 200, "cases": "1000,10000,100000", "memory_mb": 25, "repeats": 5, "demo_repeats": 3},
    # Small enough for CI to run in about a minute, large enough to run every code path.
    "tiny": {"backlog": 60, "latency": 5, "cases": "300,600", "memory_mb": 2, "repeats": 1, "demo_repeats": 1},
}

log = logging.getLogger("bench")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark mailbot against real Dovecot, SMTP and database servers on 127.0.0.1, each figure beside the limit its dependencies set.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full", help="preset sizes for every benchmark (default: full)")
    parser.add_argument("--backlog", type=int, metavar="N", help="messages in the backlog's mailbox (full: 5000)")
    parser.add_argument("--latency", type=int, metavar="N", help="consent replies timed one at a time (full: 200)")
    parser.add_argument("--cases", metavar="LIST", help="comma-separated case counts for the reminder benchmark (full: 1000,10000,100000)")
    parser.add_argument("--databases", default="sqlite,postgres", metavar="LIST", help="databases for the reminder benchmark: sqlite, postgres or both (default: both)")
    parser.add_argument("--memory-mb", type=int, metavar="MB", help="size of the scanned plan in the memory benchmark, in MB (full: 25)")
    parser.add_argument("--only", metavar="LIST", help=f"comma-separated benchmarks to run, of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure to FILE as JSON")
    parser.add_argument("--profile", type=Path, metavar="FILE", help="profile the backlog's mailbot process with cProfile into FILE (its rates then include the profiler's overhead)")
    parser.add_argument("--keep", type=Path, metavar="FOLDER", help="keep the databases, configs and logs in FOLDER instead of a temporary folder")
    arguments = parser.parse_args(argv)

    preset = SIZES[arguments.size]
    arguments.backlog = arguments.backlog or preset["backlog"]
    arguments.latency = arguments.latency or preset["latency"]
    arguments.cases = [int(part) for part in (arguments.cases or preset["cases"]).split(",")]
    arguments.memory_mb = arguments.memory_mb or preset["memory_mb"]
    arguments.repeats = preset["repeats"]
    arguments.demo_repeats = preset["demo_repeats"]
    arguments.databases = tuple(part.strip() for part in arguments.databases.split(",") if part.strip())
    arguments.only = tuple(part.strip() for part in arguments.only.split(",")) if arguments.only else BENCHMARKS

    if min(arguments.cases) < reminders.MIN_CASES:
        parser.error(f"--cases: {min(arguments.cases)} is too few; each size needs at least {reminders.MIN_CASES} cases to give every timed sweep ten due items")
    if arguments.backlog < 1 or arguments.latency < 1 or arguments.memory_mb < 1:
        parser.error("--backlog, --latency and --memory-mb must be at least 1")
    for name in arguments.only:
        if name not in BENCHMARKS:
            parser.error(f"--only: unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
    for name in arguments.databases:
        if name not in ("sqlite", "postgres"):
            parser.error(f"--databases: unknown database {name!r}; choose sqlite, postgres or both")
    return arguments


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    for noisy in ("alembic", "servers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    arguments = parse_arguments(argv)
    if shutil.which("dovecot") is None:
        log.error("dovecot is not installed; install Debian's dovecot-imapd (scripts/run-tests does) and run again")
        return 2

    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "options": _options(arguments)}
    try:
        with dovecot() as server:
            context = Context(folder=folder, dovecot=server, databases=arguments.databases)
            for name in arguments.only:
                log.info("RUN %s", name)
                started = time.perf_counter()
                results[name] = _run_one(name, context, arguments)
                log.info("DONE %s in %.0f s", name, time.perf_counter() - started)
    finally:
        if arguments.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            log.info("KEPT the databases, configs and logs in %s", folder)

    results["machine"]["load_average_at_end"] = load_average()
    if arguments.profile is not None and "backlog" in results:
        results["profile"] = profile_summary(arguments.profile)
    rows = rows_for(results)
    results["table"] = [row.__dict__ for row in rows]

    print(format_table(rows))
    print(_machine_line(results["machine"]))
    if "backlog" in results:
        print(_backlog_line(results["backlog"]))
    if "profile" in results:
        print()
        print(format_profile(results["profile"]))
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        log.info("WROTE %s", arguments.json)
    return 0


def _run_one(name: str, context: Context, arguments: argparse.Namespace) -> dict:
    if name == "backlog":
        return backlog.run(context, arguments.backlog, arguments.profile)
    if name == "latency":
        return latency.run(context, arguments.latency)
    if name == "reminders":
        return reminders.run(context, arguments.cases, arguments.databases)
    if name == "memory":
        return memory.run(context, arguments.memory_mb * 1_000_000)
    return startup.run(context, arguments.repeats, arguments.demo_repeats)


def _options(arguments: argparse.Namespace) -> dict:
    return {
        "size": arguments.size, "backlog": arguments.backlog, "latency": arguments.latency, "cases": arguments.cases,
        "databases": list(arguments.databases), "memory_mb": arguments.memory_mb, "only": list(arguments.only),
        "profiled": arguments.profile is not None,
    }


def _machine_line(info: dict) -> str:
    return (
        f"\nMachine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; Python {info['python']}, SQLite {info['sqlite']}, "
        f"Dovecot {info['dovecot']}, {info['postgresql']}; load average {info['load_average_at_start']:.2f} at start, "
        f"{info['load_average_at_end']:.2f} at end"
    )


def _backlog_line(result: dict) -> str:
    folders = result["folders"]
    mix = ", ".join(f"{count} {category}" for category, count in sorted(result["mix"].items()))
    return (
        f"Backlog: {result['messages']:,} messages, {result['mailbox_bytes'] / 1e6:.0f} MB ({mix}); "
        f"{folders['Processed']:,} processed and {folders['Needs attention']:,} set aside, the corpus expects "
        f"{result['expected_processed']:,} and {result['expected_attention']:,}; `run --once` took {result['run_once']['seconds']:.1f} s "
        f"and sent {result['run_once']['sent']} of {result['sending']['sent']:,} emails, the rest in {result['sending']['calls'] - 2} further send passes"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
