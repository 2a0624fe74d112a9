"""Helpers shared by the offline checks of the Docker stack (tests/stack).

Nothing here talks to anything but 127.0.0.1. Waits are bounded polls, never fixed sleeps.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

import yaml

REPO = Path(__file__).resolve().parents[2]


class DuplicateKeyError(ValueError):
    pass


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that rejects duplicate mapping keys (PyYAML keeps the last one silently, which
    would hide a port, volume or service declared twice)."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    # Only the keys written in this mapping count: a key that overrides one merged in from an
    # anchor (`<<: *defaults` then `retries: 60`) is deliberate. construct_mapping merges after.
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKeyError(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                f"(first at line {seen[key].start_mark.line + 1})")
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path | str) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader


def load_yaml_text(text: str) -> Any:
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
               what: str = "condition") -> Any:
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - a poll tolerates errors until the deadline
            last_error = e
        time.sleep(interval)
    raise TimeoutError(f"{what} not met within {timeout}s (last error: {last_error!r})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess:
    """Runs a command, capturing text output; never raises on a non-zero exit."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                          **kwargs)


class JsonHandler(http.server.BaseHTTPRequestHandler):
    """Base for the fake HTTP APIs: routes every request to `self.server.app.handle`, which returns
    (status, body) with body a JSON-able value, bytes or None, and records the request."""

    protocol_version = "HTTP/1.1"

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        app = self.server.app  # type: ignore[attr-defined]
        request = {"method": self.command, "path": self.path, "headers": dict(self.headers),
                   "body": raw.decode("utf-8", "replace")}
        with app.lock:
            app.requests.append(request)
            status, body = app.handle(request)
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        else:
            payload = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass


class FakeServer:
    """Runs an app (an object with .handle(request), .lock, .requests) on 127.0.0.1, port 0."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), JsonHandler)
        self.httpd.daemon_threads = True
        self.httpd.app = app  # type: ignore[attr-defined]
        # A short poll interval: shutdown() waits for the serve loop's next poll.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                       daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def busybox_path(tmp: Path, applets: list[str]) -> str:
    """A PATH of busybox applets plus the real curl, like the Alpine-based curl image."""
    busybox = which("busybox")
    curl = which("curl")
    bindir = tmp / "busybox-bin"
    bindir.mkdir(exist_ok=True)
    for applet in applets:
        link = bindir / applet
        if not link.exists():
            link.symlink_to(busybox)
    if not (bindir / "curl").exists():
        (bindir / "curl").symlink_to(curl)
    return str(bindir)


def which(name: str) -> str:
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/usr/bin:/sbin:/bin"
    found = shutil.which(name, path=path)  # skips PATH entries this user cannot read
    if not found:
        raise FileNotFoundError(f"{name} not found: run scripts/install-deps")
    return found
