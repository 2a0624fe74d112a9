"""Fixtures for the offline checks of the Docker stack. Run from the repository root:
    python3 -m pytest -q tests/stack
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stackutil import REPO, busybox_path, run, which

LINT_DIR = REPO / "tests" / "stack" / "lint"

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


@pytest.fixture(scope="session")
def lint_dir() -> Path:
    """tests/stack/lint with its pinned npm linters (dclint, dockerfile-utils) installed: `npm ci`
    from package-lock.json on first use (needs the npm registry once; later runs are offline)."""
    marker = LINT_DIR / "node_modules" / ".package-lock.json"
    lock = LINT_DIR / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        try:
            npm = which("npm")
        except FileNotFoundError:
            pytest.fail("npm not found: run scripts/install-deps (nodejs)")
        result = run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=LINT_DIR,
                     timeout=300)
        assert result.returncode == 0, "npm ci in tests/stack/lint failed:\n" + result.stderr[-3000:]
    return LINT_DIR


@pytest.fixture(scope="session")
def node() -> str:
    try:
        return which("node")
    except FileNotFoundError:
        pytest.fail("node not found: run scripts/install-deps (nodejs)")
