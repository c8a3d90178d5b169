"""The shape of a visit from rules/visit.toml: the times and running order of a morning or an afternoon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path

from mailbot.errors import RulesError
from mailbot.tomlfile import read_toml

VISIT_FILE = "visit.toml"
SESSIONS = ("am", "pm")


@dataclass(frozen=True)
class VisitSession:
    """The times and running order of a morning or an afternoon visit."""

    label: str
    start: time
    end: time
    timetable: tuple[tuple[str, str], ...]


def load_visit_sessions(folder: Path) -> dict[str, VisitSession]:
    """Read rules/visit.toml; raise RulesError naming the file and the key at fault."""
    path = folder / VISIT_FILE
    data = read_toml(path, "rules file", RulesError)
    sessions = {}
    for name in SESSIONS:
        table = data.get(name)
        if not isinstance(table, dict):
            raise RulesError(f"{path}: the [{name}] table is missing")
        sessions[name] = _read_session(path, name, table)
    return sessions


def _read_session(path: Path, name: str, table: dict) -> VisitSession:
    try:
        start = time.fromisoformat(table["start"])
        end = time.fromisoformat(table["end"])
        timetable = tuple((str(when), str(what)) for when, what in table["timetable"])
        label = str(table["label"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesError(
            f'{path}: [{name}] needs label, start and end as "HH:MM", and timetable as a list of ["time", "activity"] pairs ({exc})'
        ) from exc
    if end <= start:
        raise RulesError(f"{path}: [{name}] end must be after start")
    return VisitSession(label, start, end, timetable)
