"""The README's first command installs mailbot into a fresh virtual environment and runs the demo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
README = REPOSITORY / "README.md"
INSTALL_MINUTES = 10


def _readme_commands() -> list[str]:
    """Return the commands in the README's first code block, comments removed."""
    block = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None, "README.md must open with a ```sh block of commands"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_demo_and_test_commands() -> None:
    commands = _readme_commands()

    assert len(commands) == 2
    assert commands[0].endswith("mailbot demo")
    assert commands[1] == "scripts/run-tests"
    assert "scripts/run-tests" in (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_demo_command_in_fresh_venv(tmp_path: Path) -> None:
    checkout = tmp_path / "mailbot"
    shutil.copytree(
        REPOSITORY,
        checkout,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info", "build", "dist"),
    )
    environment = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}

    finished = subprocess.run(
        _readme_commands()[0],
        shell=True,
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=INSTALL_MINUTES * 60,
        env=environment,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert "case(s) opened" in finished.stdout
    assert "[PST-" in finished.stdout
