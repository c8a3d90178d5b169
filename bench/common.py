"""Pieces every benchmark shares: its folder and servers, child processes, mailbox helpers and statistics."""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from bench.servers import REPOSITORY, Account, DovecotServer, child_environment

log = logging.getLogger("bench")

FOLDERS = ("INBOX", "Processed", "Needs attention")


@dataclass
class Context:
    """The resources of a run that each benchmark receives: the run's folder, the shared Dovecot and the chosen databases."""

    folder: Path
    dovecot: DovecotServer
    databases: tuple[str, ...]

    def subfolder(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(parents=True, exist_ok=True)
        return path


class ChildFailed(RuntimeError):
    """A child process exited with an error; the message names its log file."""


def run_child(task: str, arguments: dict, log_path: Path, timeout_seconds: float = 3600.0) -> dict:
    """Run ``python -m bench.child TASK`` with ``arguments``, its stderr going to ``log_path``; return its JSON result."""
    with log_path.open("a") as stderr:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.child", task, json.dumps(arguments)],
            cwd=REPOSITORY,
            env=child_environment(),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            timeout=timeout_seconds,
        )
    if completed.returncode != 0:
        raise ChildFailed(f"the {task} task failed with exit code {completed.returncode}; see {log_path}")
    last_line = completed.stdout.strip().splitlines()[-1]
    return json.loads(last_line)


def mailbot_command() -> list[str]:
    """Return the command that starts the mailbot CLI of this virtual environment."""
    script = Path(sys.executable).with_name("mailbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mailbot"]


def time_command(command: list[str], log_path: Path, timeout_seconds: float = 600.0) -> float:
    """Run ``command`` with its output going to ``log_path`` and return its wall time in seconds; raise ChildFailed on an error."""
    with log_path.open("a") as output:
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=REPOSITORY, env=child_environment(), stdout=output, stderr=output, timeout=timeout_seconds)
        elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise ChildFailed(f"{' '.join(command)} failed with exit code {completed.returncode}; see {log_path}")
    return elapsed


def connect(account: Account) -> IMAPClient:
    client = IMAPClient(account.host, port=account.port, ssl=False)
    client.login(account.username, account.password)
    return client


def append_all(account: Account, messages: Iterable[bytes]) -> tuple[int, int, float]:
    """APPEND ``messages`` to the account's INBOX over one connection; return (count, bytes, seconds)."""
    count = total_bytes = 0
    started = time.perf_counter()
    with connect(account) as client:
        for raw in messages:
            client.append("INBOX", raw)
            count += 1
            total_bytes += len(raw)
    return count, total_bytes, time.perf_counter() - started


def folder_counts(account: Account) -> dict[str, int]:
    """Return how many messages each of mailbot's folders holds; 0 for a folder not yet created."""
    counts = {}
    with connect(account) as client:
        for name in FOLDERS:
            exists = client.folder_exists(name)
            counts[name] = client.folder_status(name, [b"MESSAGES"])[b"MESSAGES"] if exists else 0
    return counts


def percentile(values: list[float], fraction: float) -> float:
    """Return the ``fraction`` quantile of ``values`` by linear interpolation between the nearest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: list[float]) -> float:
    return statistics.median(values)


def load_average() -> float:
    """Return the one-minute load average, to show whether something else was running."""
    return os.getloadavg()[0]
