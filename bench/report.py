"""The results as a table of figures and ratios, the machine they were measured on, and a profile summary."""

from __future__ import annotations

import os
import platform
import pstats
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

MB = 1_000_000
REPOSITORY = Path(__file__).resolve().parent.parent
# The folder part of a file path up to an installed package or a standard library module.
LIBRARY_PREFIX = re.compile(r"^.*/(site-packages|lib/python3\.\d+)/")
INTAKE_TARGET = 0.25
SENDING_TARGET = 0.5
LATENCY_P50_MARGIN_SECONDS = 0.3
LATENCY_P99_TARGET_SECONDS = 2.0
MEMORY_FACTOR_TARGET = 4.0


@dataclass(frozen=True)
class Row:
    benchmark: str
    measured: str
    limit: str
    ratio: str
    target: str
    met: str


def rows_for(results: dict) -> list[Row]:
    """Turn every benchmark's results into table rows; a benchmark that did not run has none."""
    rows: list[Row] = []
    if "backlog" in results:
        rows += _backlog_rows(results["backlog"])
    if "latency" in results:
        rows += _latency_rows(results["latency"])
    if "reminders" in results:
        rows += _reminder_rows(results["reminders"])
    if "memory" in results:
        rows += _memory_rows(results["memory"])
    if "startup" in results:
        rows += _startup_rows(results["startup"])
    return rows


def _met(condition: bool) -> str:
    return "met" if condition else "MISSED"


def _backlog_rows(backlog: dict) -> list[Row]:
    intake, intake_limit = backlog["intake"]["rate"], backlog["intake_limit"]["rate"]
    sending, sending_limit = backlog["sending"]["rate"], backlog["sending_limit"]["rate"]
    suffix = " (profiled)" if backlog["profiled"] else ""
    return [
        Row(f"backlog intake, {backlog['messages']:,} messages{suffix}", f"{intake:.1f} msg/s", f"{intake_limit:.1f} msg/s fetch + mail-parser",
            f"{intake / intake_limit:.3f}", f">= {INTAKE_TARGET}", _met(intake / intake_limit >= INTAKE_TARGET)),
        Row(f"backlog sending, {backlog['sending']['sent']:,} emails{suffix}", f"{sending:.1f} emails/s", f"{sending_limit:.1f} emails/s one aiosmtplib connection",
            f"{sending / sending_limit:.3f}", f">= {SENDING_TARGET}", _met(sending / sending_limit >= SENDING_TARGET)),
    ]


def _latency_rows(latency: dict) -> list[Row]:
    floor = latency["floor"]
    floor_text = f"{floor:.3f} s Dovecot IDLE floor"
    count = latency["replies"]
    return [
        Row(f"reply latency p50, {count} replies", f"{latency['p50']:.3f} s", floor_text, f"+{latency['p50'] - floor:.3f} s",
            f"<= floor + {LATENCY_P50_MARGIN_SECONDS} s", _met(latency["p50"] - floor <= LATENCY_P50_MARGIN_SECONDS)),
        Row(f"reply latency p95, {count} replies", f"{latency['p95']:.3f} s", floor_text, f"+{latency['p95'] - floor:.3f} s", "-", "-"),
        Row(f"reply latency p99, {count} replies", f"{latency['p99']:.3f} s", floor_text, f"+{latency['p99'] - floor:.3f} s",
            f"< {LATENCY_P99_TARGET_SECONDS} s", _met(latency["p99"] < LATENCY_P99_TARGET_SECONDS)),
    ]


def _reminder_rows(reminders: dict) -> list[Row]:
    rows = []
    for database, result in reminders["databases"].items():
        sizes = result["sizes"]
        smallest = sizes[0]["sweep_median"]
        for position, size in enumerate(sizes):
            # The target is judged once, on the largest world; the smaller ones only show whether the index was used.
            if position == len(sizes) - 1:
                target = f"<= {reminders['flat_factor']}x, via index"
                met = _met(result["flat"] and all(item["uses_index"] for item in sizes))
            else:
                target = "-"
                met = "index used" if size["uses_index"] else "NO INDEX"
            rows.append(Row(
                f"sweep of 10 due items, {database}, {size['cases']:,} cases",
                f"{size['sweep_median'] * 1000:.1f} ms",
                f"{median_of(size['empty_sweeps']) * 1000:.1f} ms empty sweep",
                f"{size['sweep_median'] / smallest:.2f}x {sizes[0]['cases']:,}-case time",
                target,
                met,
            ))
        for size in sizes:
            rows.append(Row(
                f"mailbot cases, {database}, {size['cases']:,} cases",
                f"{size['cases_command_seconds']:.2f} s",
                f"{result['cases_empty_seconds']:.2f} s on an empty database",
                f"{(size['cases_command_seconds'] - result['cases_empty_seconds']) / size['cases'] * 1e6:.0f} us/case",
                "-", "-",
            ))
    return rows


def _memory_rows(memory: dict) -> list[Row]:
    message_mb = memory["message_bytes"] / MB
    floor = memory["floor"]
    floor_text = f"{floor['above_baseline_bytes'] / MB:.0f} MB ({floor['factor_of_message']:.1f}x) fetch + mail-parser"
    names = {
        "refused": "plan refused (default limits)",
        "forwarded": "plan forwarded (max_attachment_bytes raised)",
        "over_limit": "over max_message_bytes",
    }
    rows = []
    for name, case in memory["cases"].items():
        factor = case["factor_of_message"]
        if name == "over_limit":
            target, met = "never fetched whole", _met(case["whole_fetches"] == 0 and case["header_fetches"] == 1)
            measured = f"{case['above_baseline_bytes'] / MB:.1f} MB, {case['whole_fetches']} whole fetches"
        else:
            target, met = f"<= {MEMORY_FACTOR_TARGET:.0f}x message", _met(factor <= MEMORY_FACTOR_TARGET)
            measured = f"{case['above_baseline_bytes'] / MB:.0f} MB above {case['baseline_kb'] * 1024 / MB:.0f} MB"
        rows.append(Row(f"peak memory, {message_mb:.1f} MB message, {names[name]}", measured, floor_text, f"{factor:.1f}x message", target, met))
    return rows


def _startup_rows(startup: dict) -> list[Row]:
    imports = f"{startup['dependencies']:.2f} s importing the dependencies"
    return [
        Row("start-up, mailbot run --once, empty mailbox", f"{startup['run_once']:.2f} s", imports, f"{startup['run_once'] / startup['dependencies']:.2f}x", "-", "-"),
        Row("start-up, first run --once (creates the schema)", f"{startup['run_once_first']:.2f} s", imports, f"{startup['run_once_first'] / startup['dependencies']:.2f}x", "-", "-"),
        Row("mailbot demo", f"{startup['demo']:.2f} s", imports, f"{startup['demo'] / startup['dependencies']:.2f}x", "-", "-"),
    ]


def median_of(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def format_table(rows: list[Row]) -> str:
    """Return ``rows`` as a Markdown table, which reads as plain text too."""
    header = Row("benchmark", "measured", "limit (same run)", "ratio", "target", "result")
    table = [header, *rows]
    widths = [max(len(getattr(row, field)) for row in table) for field in Row.__dataclass_fields__]
    lines = []
    for number, row in enumerate(table):
        cells = [getattr(row, field).ljust(width) for field, width in zip(Row.__dataclass_fields__, widths)]
        lines.append("| " + " | ".join(cells) + " |")
        if number == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def machine() -> dict:
    """Describe the machine and the versions of the servers and libraries the figures depend on."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "dovecot": _command_output(["dovecot", "--version"]),
        "postgresql": _postgres_version(),
        "load_average_at_start": os.getloadavg()[0],
    }


def _postgres_version() -> str:
    """Return the version of the PostgreSQL server on 127.0.0.1:5432, or why it could not be read."""
    import sqlalchemy

    engine = sqlalchemy.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            return "PostgreSQL " + str(connection.scalar(sqlalchemy.text("SHOW server_version")))
    except sqlalchemy.exc.SQLAlchemyError as exc:
        return f"PostgreSQL unavailable: {type(exc).__name__}"
    finally:
        engine.dispose()


def _command_output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError as exc:
        return f"unavailable: {exc}"


def profile_summary(path: Path, top: int = 20) -> dict:
    """Return the functions with the most own time, and mailbot's functions with the most cumulative time, from a pstats file."""
    stats = pstats.Stats(str(path))
    total = stats.total_tt

    def describe(key: tuple) -> str:
        file, line, name = key
        if file == "~":
            return name
        file = LIBRARY_PREFIX.sub("", file).removeprefix(f"{REPOSITORY}/")
        return f"{file}:{line}({name})"

    entries = [(key, value[1], value[2], value[3]) for key, value in stats.stats.items()]
    own = sorted(entries, key=lambda entry: entry[2], reverse=True)[:top]
    mailbot = sorted((entry for entry in entries if "/mailbot/" in entry[0][0]), key=lambda entry: entry[3], reverse=True)[:top]
    packages: dict[str, float] = {}
    for key, _, own_time, _ in entries:
        package = _package_of(key)
        packages[package] = packages.get(package, 0.0) + own_time
    by_package = sorted(packages.items(), key=lambda item: item[1], reverse=True)[:top]
    return {
        "total_seconds": total,
        "by_package": [{"package": package, "own_seconds": seconds, "share": seconds / total} for package, seconds in by_package],
        "by_own_time": [{"function": describe(key), "calls": calls, "own_seconds": own_time, "cumulative_seconds": cumulative} for key, calls, own_time, cumulative in own],
        "mailbot_by_cumulative_time": [{"function": describe(key), "calls": calls, "own_seconds": own_time, "cumulative_seconds": cumulative} for key, calls, own_time, cumulative in mailbot],
    }


def _package_of(key: tuple) -> str:
    """Name what a profiled function belongs to: a third-party package, mailbot, a standard library module, or a built-in."""
    file, _, name = key
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/")[0].removesuffix(".py")
    if "/mailbot/" in file:
        return "mailbot"
    if LIBRARY_PREFIX.match(file):
        return "stdlib " + LIBRARY_PREFIX.sub("", file).split("/")[0].removesuffix(".py")
    if file == "~":
        # Built-ins such as "<method 'execute' of 'sqlite3.Cursor' objects>" name their type.
        return "built-in " + (name.split("'")[3] if name.count("'") >= 4 else name.strip("<>"))
    return file


def format_profile(summary: dict) -> str:
    lines = [f"Profile of the backlog's mailbot process: {summary['total_seconds']:.1f} s in all"]
    lines.append(f"\nOwn time by package:\n  {'own s':>8} {'share':>6}  package")
    for entry in summary["by_package"]:
        lines.append(f"  {entry['own_seconds']:8.2f} {entry['share']:6.1%}  {entry['package']}")
    for title, key in (("Most own time", "by_own_time"), ("mailbot's functions by cumulative time", "mailbot_by_cumulative_time")):
        lines.append(f"\n{title}:\n  {'own s':>8} {'cum. s':>8} {'calls':>9}  function")
        for entry in summary[key]:
            lines.append(f"  {entry['own_seconds']:8.2f} {entry['cumulative_seconds']:8.2f} {entry['calls']:9d}  {entry['function']}")
    return "\n".join(lines)
