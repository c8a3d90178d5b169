"""Reminders at scale: the due-work sweep and `mailbot cases` over 1,000 to 100,000 cases, on SQLite and PostgreSQL.

For each database and size, a world of cases in every state is written
(bench/scaled_world.py). A fresh process then starts mailbot's daemon
objects and times ``DueWorkSweep.run()``, first in sweeps that find nothing
due, then in sweeps that each find exactly ten items. The first of those compiles the
email templates and fills SQLAlchemy's caches, so it is reported but not
counted in the median. `mailbot cases` is timed as a command, as an
operator runs it, with its table going to a file. The same command on an
empty database is the fixed cost it is compared with.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import Context, load_average, mailbot_command, median, run_child, time_command
from bench.scaled_world import build_scaled_world, sweep_moment
from bench.servers import postgres_database, sqlite_url, write_config

# Timed sweeps of ten due items, after one more that warms the process up.
SWEEPS = 5
EMPTY_SWEEPS = 3
# The minimum number of cases whose state shares (bench/scaled_world.py) give SWEEPS + 1 sweeps ten due items each.
MIN_CASES = 300
CASES_COMMAND_RUNS = 3
# The sweep's time counts as flat when the largest world's is at most this factor of the smallest's.
# The margin allows for noise, because a sweep takes tens of milliseconds on a shared 2-core machine.
FLAT_FACTOR = 1.5


def run(context: Context, sizes: list[int], databases: tuple[str, ...]) -> dict:
    results: dict[str, dict] = {}
    for database in databases:
        rows = []
        empty_cases_seconds = _time_cases_on_empty(context, database)
        for size in sizes:
            rows.append(_one_size(context, database, size))
        growth = rows[-1]["sweep_median"] / rows[0]["sweep_median"]
        results[database] = {
            "sizes": rows,
            "cases_empty_seconds": empty_cases_seconds,
            "growth": growth,
            "flat": growth <= FLAT_FACTOR,
        }
    return {"databases": results, "flat_factor": FLAT_FACTOR, "sweeps": SWEEPS}


@contextmanager
def _database(context: Context, database: str, name: str) -> Iterator[str]:
    if database == "postgres":
        with postgres_database() as url:
            yield url
    else:
        yield sqlite_url(context.subfolder(name))


def _one_size(context: Context, database: str, size: int) -> dict:
    from mailbot.store.database import create_database_engine, upgrade_schema

    folder = context.subfolder(f"reminders-{database}-{size}")
    with _database(context, database, folder.name) as url:
        engine = create_database_engine(url)
        upgrade_schema(engine)
        started = time.perf_counter()
        world = build_scaled_world(engine, size, SWEEPS + 1)
        build_seconds = time.perf_counter() - started
        engine.dispose()

        config = write_config(folder, url)
        load_before = load_average()
        sweeps = run_child("sweep", {"config": str(config), "sweeps": SWEEPS + 1}, folder / "mailbot.log")
        warm_up, timed = sweeps["passes"][0], sweeps["passes"][1:]
        cases_seconds = [_time_cases(config, folder) for _ in range(CASES_COMMAND_RUNS)]
    return {
        "cases": size,
        "rows": world.rows,
        "build_seconds": build_seconds,
        "empty_sweeps": sweeps["empty"],
        "warm_up_sweep": warm_up,
        "sweeps": timed,
        "sweep_median": median([item["seconds"] for item in timed]),
        "items_done": [item["done"] for item in sweeps["passes"]],
        "items_failed": sum(item["failed"] for item in sweeps["passes"]),
        "query_plan": sweeps["query_plan"],
        "uses_index": "ix_due_work_due" in sweeps["query_plan"],
        "cases_command_seconds": median(cases_seconds),
        "load_average": [load_before, load_average()],
    }


def _time_cases(config: Path, folder: Path) -> float:
    return time_command([*mailbot_command(), "cases", "--config", str(config)], folder / "cases-output.txt")


def _time_cases_on_empty(context: Context, database: str) -> float:
    from mailbot.store.database import create_database_engine, upgrade_schema

    folder = context.subfolder(f"reminders-{database}-empty")
    with _database(context, database, folder.name) as url:
        engine = create_database_engine(url)
        upgrade_schema(engine)
        engine.dispose()
        config = write_config(folder, url)
        return median([_time_cases(config, folder) for _ in range(CASES_COMMAND_RUNS)])


# ---------------------------------------------------------------------------
# Child task (bench/child.py runs this in a process of its own)

DUE_QUERY = "SELECT id FROM due_work WHERE status = 'due' AND due_at <= :moment ORDER BY due_at, id LIMIT 500"


def time_sweeps(arguments: dict) -> dict:
    """Time empty sweeps, then ``sweeps`` sweeps of ten due items each, and read the plan of the sweep's query."""
    from datetime import timezone

    import sqlalchemy

    from mailbot.cli_common import configure_logging
    from mailbot.config import load_settings
    from mailbot.daemon import Daemon

    settings = load_settings(Path(arguments["config"]))
    configure_logging(settings.logging.level)
    daemon = Daemon(settings)

    empty = []
    for _ in range(EMPTY_SWEEPS):
        started = time.perf_counter()
        daemon.sweep.run(sweep_moment(-1))
        empty.append(time.perf_counter() - started)

    passes = []
    for sweep in range(arguments["sweeps"]):
        started = time.perf_counter()
        report = daemon.sweep.run(sweep_moment(sweep))
        passes.append({"seconds": time.perf_counter() - started, "done": report.done, "failed": report.failed})

    moment = sweep_moment(0).astimezone(timezone.utc).replace(tzinfo=None)
    explain = "EXPLAIN QUERY PLAN " if daemon.engine.dialect.name == "sqlite" else "EXPLAIN "
    with daemon.engine.connect() as connection:
        plan_rows = connection.execute(sqlalchemy.text(explain + DUE_QUERY), {"moment": moment}).all()
    daemon.close()
    return {"empty": empty, "passes": passes, "query_plan": "\n".join(str(row[-1]) for row in plan_rows)}
