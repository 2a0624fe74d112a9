"""Fixtures for the offline checks of the Docker stack. Run from the repository root:
    python3 -m pytest -q tests/stack
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stackutil import busybox_path

# What the Alpine-based curl image (cdc-task, kibana-setup) offers besides curl.
BUSYBOX_APPLETS = ["sh", "awk", "sed", "tr", "cat", "rm", "mktemp", "sleep", "printf", "echo",
                   "grep"]


def _shell(kind: str, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    env = {"HOME": str(tmp_path), "LANG": "C", "TMPDIR": str(tmp_path)}
    if kind == "dash":
        env["PATH"] = "/usr/bin:/bin"
        return ["/bin/sh"], env
    env["PATH"] = busybox_path(tmp_path, BUSYBOX_APPLETS)
    return [str(Path(env["PATH"]) / "sh")], env


@pytest.fixture(params=["dash", "busybox"])
def shell(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """(argv prefix, environment) to run a POSIX sh script: dash with the Debian tools, or BusyBox
    sh with only BusyBox applets and curl on the PATH, as in the curl image the stack runs it in.
    Spawning processes is slow on small machines, so the rarer paths use `dash_shell` only."""
    return _shell(request.param, tmp_path)


@pytest.fixture
def dash_shell(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    return _shell("dash", tmp_path)
