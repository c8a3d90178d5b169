"""Start-up: `mailbot run --once` on an empty mailbox, and `mailbot demo`, each timed as a whole command.

The limit beside them is a Python process that only imports mailbot's
third-party dependencies and exits. The first `run --once` on a new database
also creates the schema, so it is reported apart from the later runs. One
more run under ``python -X importtime`` shows which imports the time goes to.
"""

from __future__ import annotations

import re
import subprocess
import sys

from bench.common import Context, load_average, mailbot_command, median, time_command
from bench.servers import REPOSITORY, SinkProcess, child_environment, sqlite_url, write_config

# The packages mailbot's pyproject.toml depends on, by their import names.
DEPENDENCY_IMPORTS = (
    "imapclient, aiosmtplib, mailparser, apscheduler, sqlalchemy, alembic, jinja2, click, pydantic, pydantic_settings, "
    "holidays, dateutil, icalendar, tnefparse, mailparser_reply, pymap, aiosmtpd"
)
IMPORT_TIME_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)$")


def run(context: Context, repeats: int, demo_repeats: int) -> dict:
    folder = context.subfolder("startup")
    account = context.dovecot.add_account()
    log_path = folder / "commands.log"
    load_before = load_average()

    with SinkProcess(folder) as sink:
        config = write_config(folder, sqlite_url(folder), account=account, smtp_port=sink.port)
        run_once = [*mailbot_command(), "run", "--config", str(config), "--once"]
        first_run = time_command(run_once, log_path)
        later_runs = [time_command(run_once, log_path) for _ in range(repeats)]
        imports = _import_times([sys.executable, "-X", "importtime", "-m", "mailbot", "run", "--config", str(config), "--once"])

    python_only = [time_command([sys.executable, "-c", "pass"], log_path) for _ in range(repeats)]
    dependencies = [time_command([sys.executable, "-c", f"import {DEPENDENCY_IMPORTS}"], log_path) for _ in range(repeats)]
    demo = [time_command([*mailbot_command(), "demo"], folder / "demo.log") for _ in range(demo_repeats)]
    return {
        "run_once_first": first_run,
        "run_once": median(later_runs),
        "run_once_all": later_runs,
        "python": median(python_only),
        "dependencies": median(dependencies),
        "demo": median(demo),
        "demo_all": demo,
        "slowest_imports": imports,
        "load_average": [load_before, load_average()],
    }


def _import_times(command: list[str], top: int = 12) -> list[dict]:
    """Run ``command`` under -X importtime and return the packages whose modules took longest to import.

    Each module's own time (not counting the modules it imports) is added to
    its top-level package, so the figures add up to the whole import time.
    """
    completed = subprocess.run(command, cwd=REPOSITORY, env=child_environment(), capture_output=True, text=True, timeout=300)
    totals: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        match = IMPORT_TIME_LINE.match(line)
        if match is None:
            continue
        package = match.group(3).split(".")[0]
        totals[package] = totals.get(package, 0) + int(match.group(1))
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]
    return [{"package": package, "milliseconds": microseconds / 1000} for package, microseconds in ranked]
