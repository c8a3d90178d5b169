"""Read a TOML file with errors that name the file and what it is for."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


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
