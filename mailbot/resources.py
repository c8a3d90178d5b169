"""Locations of the shipped rules and templates, and of folders that settings name instead."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_folder(name: str) -> Path:
    """Return the shipped folder ``name`` (``rules`` or ``templates``).

    An installed wheel carries it inside the package; a source checkout,
    editable installs included, keeps it at the repository root.
    """
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the shipped {name}/ folder is missing from {PACKAGE_DIR}; reinstall mailbot")


def configured_folder(setting: str, name: str) -> Path:
    """Return the folder a setting names, or the shipped one when the setting is empty."""
    if not setting:
        return shipped_folder(name)
    folder = Path(setting).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"the {name} folder {folder} does not exist")
    return folder
