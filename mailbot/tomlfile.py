"""Read a TOML rules file, and check its tables, with errors that name the file and the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mailbot.errors import RulesError


def read_toml(path: Path, description: str, error_type: type[Exception] = ValueError) -> dict[str, Any]:
    """Parse the TOML file at ``path``; raise ``error_type`` naming ``description`` and the path."""
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError as exc:
        raise error_type(f"{description} not found: {path}") from exc
    except OSError as exc:
        raise error_type(f"{description} {path} could not be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error_type(f"{description} {path} is not valid TOML: {exc}") from exc


def check_keys(table: dict[str, Any], required: set[str], optional: set[str], where: str) -> None:
    """Raise RulesError naming ``where`` when ``table`` lacks a required key or has an unknown one."""
    unknown = sorted(set(table) - required - optional)
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        raise RulesError(f"{where}: unknown key(s) {', '.join(unknown)}; the allowed keys are {allowed}")

    missing = sorted(required - set(table))
    if missing:
        raise RulesError(f"{where}: missing {', '.join(missing)}")


def whole_number(value: Any, minimum: int, where: str) -> int:
    """Return ``value`` when it is a whole number of at least ``minimum``; raise RulesError naming ``where`` otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise RulesError(f"{where} must be a whole number of at least {minimum}, not {value!r}")
    return value
