"""kibana/setup.sh (the kibana-setup container) against a fake Kibana 8.7 API on 127.0.0.1, under
dash and under BusyBox sh (see conftest.shell)."""

from __future__ import annotations

import json

from fake_kibana import FakeKibana
from stackutil import REPO, FakeServer, free_port, load_yaml, run

SCRIPT = REPO / "kibana" / "setup.sh"


def run_setup(shell, url: str, attempts: int = 20):
    argv, env = shell
    env = {**env, "KIBANA_URL": url, "ATTEMPTS": str(attempts), "RETRY_DELAY": "0.05",
           "CURL_TIMEOUT": "5"}
    return run([*argv, str(SCRIPT)], timeout=60, env=env)


def test_creates_the_data_view_on_timestamp(shell) -> None:
    fake = FakeKibana()
    with FakeServer(fake) as server:
        result = run_setup(shell, server.url)
    assert result.returncode == 0, result.stderr
    assert list(fake.views) == ["cdc-events"]
    view = fake.views["cdc-events"]
    assert view["title"] == "cdc-events*"
    assert view["timeFieldName"] == "@timestamp"
    assert fake.default_view == "cdc-events"
    posts = [r for r in fake.requests if r["method"] == "POST"]
    assert posts and all("kbn-xsrf" in {k.lower() for k in r["headers"]} for r in posts)
    assert json.loads(posts[0]["body"])["override"] is False


def test_second_run_changes_nothing(shell) -> None:
    fake = FakeKibana()
    with FakeServer(fake) as server:
        first = run_setup(shell, server.url)
        creates_after_first = fake.count("POST", "/api/data_views/data_view")
        second = run_setup(shell, server.url)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert creates_after_first == 1
    assert fake.count("POST", "/api/data_views/data_view") == 1
    assert len(fake.views) == 1
    assert "exists" in second.stderr


def test_view_with_same_title_made_by_hand_is_success(shell) -> None:
    fake = FakeKibana(views={"by-hand": {"id": "by-hand", "title": "cdc-events*",
                                         "timeFieldName": "@timestamp"}},
                      default_view="by-hand")
    with FakeServer(fake) as server:
        result = run_setup(shell, server.url)
    assert result.returncode == 0, result.stderr
    assert list(fake.views) == ["by-hand"]  # no duplicate
    assert fake.default_view == "by-hand"   # an existing default is kept (force: false)
    assert "exists already" in result.stderr


def test_not_ready_then_ready(dash_shell) -> None:
    fake = FakeKibana(not_ready_requests=4)
    with FakeServer(fake) as server:
        result = run_setup(dash_shell, server.url)
    assert result.returncode == 0, result.stderr
    assert fake.count("GET", "/api/status") == 5
    assert "cdc-events" in fake.views


def test_rejected_create_fails_loudly(shell) -> None:
    fake = FakeKibana(reject_create=True)
    with FakeServer(fake) as server:
        result = run_setup(shell, server.url)
    assert result.returncode == 1
    assert "ERROR" in result.stderr and "HTTP 400" in result.stderr
    assert not fake.views


def test_never_ready_gives_up(dash_shell) -> None:
    fake = FakeKibana(not_ready_requests=10_000)
    with FakeServer(fake) as server:
        result = run_setup(dash_shell, server.url, attempts=3)
    assert result.returncode == 1
    assert fake.count("GET", "/api/status") == 3


def test_unreachable_kibana_fails(dash_shell) -> None:
    result = run_setup(dash_shell, f"http://127.0.0.1:{free_port()}", attempts=2)
    assert result.returncode == 1
    assert "HTTP 000" in result.stderr


def test_compose_wires_kibana_setup() -> None:
    services = load_yaml(REPO / "docker-compose.yml")["services"]
    setup = services["kibana-setup"]
    assert setup["depends_on"] == {"kibana": {"condition": "service_healthy"}}
    assert "./kibana/setup.sh:/scripts/setup.sh:ro" in setup["volumes"]
    assert setup["entrypoint"] == ["sh", "/scripts/setup.sh"]
    assert setup["environment"]["KIBANA_URL"] == "http://kibana:5601"
    assert SCRIPT.read_text().startswith("#!/bin/sh\n")
    assert run(["/bin/sh", "-n", str(SCRIPT)]).returncode == 0
