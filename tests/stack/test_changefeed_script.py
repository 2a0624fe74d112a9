"""db/create-changefeed.sh (the cdc-task container) against a fake TiCDC v1 API on 127.0.0.1.

The script runs twice per case: under dash with the system tools, and under BusyBox sh with only
BusyBox applets and curl on the PATH, which is what the Alpine-based curl image provides.
"""

from __future__ import annotations

import os

import pytest

from fake_ticdc import FakeTicdc
from stackutil import REPO, FakeServer, free_port, load_yaml, run

SCRIPT = REPO / "db" / "create-changefeed.sh"
SINK_URI = ("kafka://kafka:29092/tidb-cdc?protocol=canal-json&enable-tidb-extension=true"
            "&kafka-version=2.4.0&partition-num=3&replication-factor=1&max-message-bytes=1048576")


def run_script(shell: tuple[list[str], dict[str, str]], url: str, attempts: int = 20,
               **extra: str):
    argv, env = shell
    env = {**env, "TICDC_URL": url, "CHANGEFEED_ID": "cf-kafka", "SINK_URI": SINK_URI,
           "ATTEMPTS": str(attempts), "RETRY_DELAY": "0.05", "CURL_TIMEOUT": "5", **extra}
    return run([*argv, str(SCRIPT)], timeout=60, env=env)


def test_creates_the_changefeed_and_waits_until_normal(shell) -> None:
    fake = FakeTicdc(states=["normal"], invisible_gets_after_create=2)
    with FakeServer(fake) as server:
        result = run_script(shell, server.url)
    assert result.returncode == 0, result.stderr
    assert fake.count("POST", "/api/v1/changefeeds") == 1
    body = fake.created_body
    assert body is not None
    assert body["changefeed_id"] == "cf-kafka"
    assert body["sink_uri"] == SINK_URI
    assert body["sink_config"]["protocol"] == "canal-json"
    # Creation is asynchronous: the script kept polling GET until the changefeed was normal.
    gets = [r for r in fake.requests if r["method"] == "GET" and "changefeeds/cf-kafka" in r["path"]]
    assert len(gets) >= 3
    assert "changefeed cf-kafka is normal" in result.stderr


def test_existing_changefeed_is_success_without_create(shell) -> None:
    fake = FakeTicdc(exists=True)
    with FakeServer(fake) as server:
        result = run_script(shell, server.url)
    assert result.returncode == 0, result.stderr
    assert fake.count("POST", "/api/v1/changefeeds") == 0
    assert "exists already" in result.stderr


def test_already_exists_answer_to_create_is_success(shell) -> None:
    """Another cdc-task run created it between our GET and POST: TiCDC answers 500 with
    CDC:ErrChangeFeedAlreadyExists, which means success."""
    fake = FakeTicdc()
    real_get = fake._get
    calls = {"n": 0}

    def racing_get(changefeed_id: str):
        calls["n"] += 1
        if calls["n"] == 1:
            fake.exists = False
            status, body = real_get(changefeed_id)
            fake.exists = True  # created by someone else right after this answer
            return status, body
        return real_get(changefeed_id)

    fake._get = racing_get  # type: ignore[method-assign]
    with FakeServer(fake) as server:
        result = run_script(shell, server.url)
    assert result.returncode == 0, result.stderr
    assert fake.count("POST", "/api/v1/changefeeds") == 1
    assert "already exists" in result.stderr


def test_rejected_changefeed_fails_loudly_at_once(shell) -> None:
    fake = FakeTicdc(create_status=400, create_error="CDC:ErrSinkURIInvalid")
    with FakeServer(fake) as server:
        result = run_script(shell, server.url)
    assert result.returncode == 1
    assert "ErrSinkURIInvalid" in result.stderr
    assert "ERROR" in result.stderr
    assert fake.count("POST", "/api/v1/changefeeds") == 1  # a 4xx is not retried


def test_not_ready_then_ready(shell) -> None:
    fake = FakeTicdc(not_ready_requests=3)
    with FakeServer(fake) as server:
        result = run_script(shell, server.url)
    assert result.returncode == 0, result.stderr
    assert fake.count("GET", "/api/v1/status") == 4
    assert fake.count("POST", "/api/v1/changefeeds") == 1
    assert "waiting for TiCDC" in result.stderr


def test_never_ready_gives_up_after_the_bounded_attempts(dash_shell) -> None:
    fake = FakeTicdc(not_ready_requests=10_000)
    with FakeServer(fake) as server:
        result = run_script(dash_shell, server.url, attempts=4)
    assert result.returncode == 1
    assert fake.count("GET", "/api/v1/status") == 4
    assert "not ready after 4 tries" in result.stderr


def test_server_error_on_create_is_retried_then_succeeds(dash_shell) -> None:
    """A 500 that is not ErrChangeFeedAlreadyExists (Kafka not reachable yet) is retried."""
    fake = FakeTicdc()
    real_create = fake._create
    calls = {"n": 0}

    def flaky_create(req):
        calls["n"] += 1
        if calls["n"] <= 2:
            return 500, {"error_msg": "[CDC:ErrKafkaNewSaramaProducer]no brokers",
                         "error_code": "CDC:ErrKafkaNewSaramaProducer"}
        return real_create(req)

    fake._create = flaky_create  # type: ignore[method-assign]
    with FakeServer(fake) as server:
        result = run_script(dash_shell, server.url)
    assert result.returncode == 0, result.stderr
    assert fake.count("POST", "/api/v1/changefeeds") == 3


@pytest.mark.parametrize("state", ["failed", "error", "stopped"])
def test_changefeed_not_normal_fails(dash_shell, state: str) -> None:
    fake = FakeTicdc(states=[state])
    with FakeServer(fake) as server:
        result = run_script(dash_shell, server.url)
    assert result.returncode == 1
    assert f"is {state}" in result.stderr


def test_unreachable_ticdc_fails(dash_shell) -> None:
    # A port nobody listens on: bind and close, so connections are refused.
    result = run_script(dash_shell, f"http://127.0.0.1:{free_port()}", attempts=3)
    assert result.returncode == 1
    assert "HTTP 000" in result.stderr


def test_compose_runs_the_script_with_the_issue_sink_uri() -> None:
    compose = load_yaml(REPO / "docker-compose.yml")
    task = compose["services"]["cdc-task"]
    env = task["environment"]
    assert env["CHANGEFEED_ID"] == "cf-kafka"
    assert env["SINK_URI"].startswith("kafka://kafka:29092/tidb-cdc?")
    params = dict(p.split("=", 1) for p in env["SINK_URI"].split("?", 1)[1].split("&"))
    assert params["protocol"] == "canal-json"
    assert params["enable-tidb-extension"] == "true"
    assert env["SINK_URI"] == SINK_URI
    # The script's own default is the same URI, so running it by hand does the same thing.
    assert "SINK_URI:-" + SINK_URI + "}" in SCRIPT.read_text()
    # kafka-init creates the topic with as many partitions as the sink URI claims.
    init_cmd = " ".join(compose["services"]["kafka-init"]["command"])
    assert f"--partitions {params['partition-num']}" in init_cmd
    assert any("create-changefeed.sh" in v for v in task["volumes"])


def test_script_is_posix_sh() -> None:
    text = SCRIPT.read_text()
    assert text.startswith("#!/bin/sh\n")
    for bashism in ("[[", "function ", "local ", "$'", "<<<", "pipefail", "${!"):
        assert bashism not in text, f"bash-only construct {bashism!r} in {SCRIPT.name}"
    result = run(["/bin/sh", "-n", str(SCRIPT)])
    assert result.returncode == 0, result.stderr
    assert os.access(SCRIPT, os.R_OK)
