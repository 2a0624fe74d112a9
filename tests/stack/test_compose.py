"""docker-compose.yml, offline: `docker-compose config -q` (Debian's Compose 1.29.2, which validates
against its bundled compose schema), dclint (a compose linter that validates against the current
Compose Specification schema and checks best practices), and the stack's invariants
(compose_checks.py). No Docker engine is involved: images are never pulled or run."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest

import compose_checks
from stackutil import REPO, DuplicateKeyError, load_yaml, load_yaml_text, run

COMPOSE = REPO / "docker-compose.yml"
LINT_DIR = REPO / "tests" / "stack" / "lint"
EXPECTED_SERVICES = {
    "pd", "tikv", "tidb", "ticdc", "zookeeper", "kafka", "kafka-init", "db-init", "cdc-task",
    "kibana-setup", "elasticsearch", "kibana", "consumer", "prometheus", "grafana", "mysql-client",
}
ONE_SHOTS = {"kafka-init", "db-init", "cdc-task", "kibana-setup"}
EXPECTED_PORTS = {  # host port -> (service, container port), as the issue lists them
    4000: ("tidb", 4000), 8300: ("ticdc", 8300), 9092: ("kafka", 9092),
    9200: ("elasticsearch", 9200), 5601: ("kibana", 5601), 9090: ("prometheus", 9090),
    3001: ("grafana", 3000), 3000: ("consumer", 3000),
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE)


def compose_env() -> dict[str, str]:
    # No engine is contacted by `config`; a bogus DOCKER_HOST proves it and keeps it offline.
    return {**os.environ, "DOCKER_HOST": "tcp://127.0.0.1:9", "COMPOSE_INTERACTIVE_NO_CLI": "1"}


def test_docker_compose_config_validates() -> None:
    result = run(["docker-compose", "-f", str(COMPOSE), "config", "-q"], env=compose_env())
    assert result.returncode == 0, result.stderr
    services = run(["docker-compose", "-f", str(COMPOSE), "--profile", "tools", "config",
                    "--services"], env=compose_env())
    assert services.returncode == 0, services.stderr
    assert set(services.stdout.split()) == EXPECTED_SERVICES


def test_docker_compose_config_rejects_an_invalid_file(tmp_path: Path) -> None:
    broken = COMPOSE.read_text().replace("    healthcheck:\n", "    healthchek:\n", 1)
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = run(["docker-compose", "-f", str(tmp_path / "docker-compose.yml"), "config", "-q"],
                 env=compose_env())
    assert result.returncode != 0
    assert "healthchek" in result.stderr


@pytest.fixture(scope="module")
def dclint(lint_dir: Path, node: str) -> list[str]:
    return [node, str(lint_dir / "node_modules" / "dclint" / "bin" / "dclint.cjs")]


def run_dclint(dclint: list[str], path: Path):
    return run([*dclint, str(path), "-c", str(LINT_DIR / "dclint.json"), "--max-warnings", "0",
                "--color=false"])


def test_dclint_passes(dclint: list[str]) -> None:
    result = run_dclint(dclint, COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dclint_catches_schema_errors(dclint: list[str], tmp_path: Path) -> None:
    misspelt = tmp_path / "docker-compose.yml"
    misspelt.write_text(COMPOSE.read_text().replace(
        "    restart: unless-stopped\n", "    restart: unless-stopped\n    restrat: always\n", 1))
    result = run_dclint(dclint, misspelt)
    assert result.returncode != 0
    assert "invalid-schema" in result.stdout  # restrat is not a compose key


def test_services_are_the_issue_list(compose) -> None:
    assert set(compose["services"]) == EXPECTED_SERVICES


def test_invariants_hold(compose) -> None:
    assert compose_checks.problems(compose, REPO) == []


def test_one_shots_are_awaited_as_completed(compose) -> None:
    services = compose["services"]
    for name in ONE_SHOTS:
        assert compose_checks.is_one_shot(services[name]), name
        assert not compose_checks.has_healthcheck(services[name]), name
    awaited = {target for svc in services.values()
               for target, spec in (svc.get("depends_on") or {}).items()
               if spec["condition"] == compose_checks.COMPLETED}
    assert awaited == ONE_SHOTS - {"kibana-setup"}  # nothing needs the Kibana data view to start


def test_ports_are_the_issue_list(compose) -> None:
    published = {}
    for name, svc in compose["services"].items():
        for spec in svc.get("ports") or []:
            ip, host, container = compose_checks.parse_port(spec)
            published[host] = (name, container)
    assert published == EXPECTED_PORTS


def test_versions(compose) -> None:
    images = {name: svc.get("image", "") for name, svc in compose["services"].items()}
    for name in ("pd", "tikv", "tidb", "ticdc"):
        assert images[name].split(":")[1].startswith("v6.5."), images[name]
    assert len({images[n].split(":")[1] for n in ("pd", "tikv", "tidb", "ticdc")}) == 1
    assert images["zookeeper"].endswith(":7.6.1") and images["kafka"].endswith(":7.6.1")
    assert images["elasticsearch"].split(":")[1].startswith("8.7.")
    assert images["kibana"].split(":")[1] == images["elasticsearch"].split(":")[1]
    assert images["grafana"].split(":")[1].startswith("11.")
    assert "--tz=UTC" in compose["services"]["ticdc"]["command"]


def test_kafka_listeners_and_topics(compose) -> None:
    services = compose["services"]
    env = services["kafka"]["environment"]
    assert "PLAINTEXT://kafka:29092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert "PLAINTEXT_HOST://localhost:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    consumer = services["consumer"]["environment"]
    assert consumer["CDC_BROKERS"] == "kafka:29092"
    init = " ".join(services["kafka-init"]["command"])
    assert "for topic in tidb-cdc tidb-cdc-dlq" in init
    assert consumer["CDC_TOPIC"] == "tidb-cdc" and consumer["CDC_DLQ_TOPIC"] == "tidb-cdc-dlq"
    assert consumer["CDC_LISTEN"] == "0.0.0.0:3000"
    assert consumer["CDC_ES_URL"] == "http://elasticsearch:9200"
    assert consumer["CDC_INDEX"] == "cdc-events"


def test_consumer_environment_names_real_settings(compose) -> None:
    """The consumer rejects unknown CDC_* variables at startup, so each one compose sets must be a
    key of its settings table (consumer/src/config/settings.cc): key es-url -> CDC_ES_URL."""
    settings = (REPO / "consumer" / "src" / "config" / "settings.cc").read_text()
    keys = re.findall(r'\bt\.[A-Z][A-Za-z]*\(\s*"([a-z0-9-]+)"', settings)
    assert {"brokers", "topic", "es-url", "index", "listen"} <= set(keys)
    known = {"CDC_" + key.upper().replace("-", "_") for key in keys}
    env = compose["services"]["consumer"]["environment"]
    assert set(env) <= known, f"not consumer settings: {set(env) - known}"


def test_consumer_healthcheck_needs_no_curl(compose) -> None:
    test = compose["services"]["consumer"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "cdc-consumer", "healthcheck"]
    assert "curl" not in " ".join(test) and "wget" not in " ".join(test)


# ------------------------------------------------------------------ the checker itself can fail
def broken(compose: dict[str, Any], change) -> list[str]:
    copy_ = copy.deepcopy(compose)
    change(copy_["services"], copy_)
    return compose_checks.problems(copy_, REPO)


def test_checker_reports_a_dependency_without_healthcheck(compose) -> None:
    def change(s, _):
        del s["tidb"]["healthcheck"]
    found = broken(compose, change)
    assert any("waits for tidb to be healthy, but it has no healthcheck" in p for p in found)


def test_checker_reports_a_missing_target_and_bad_conditions(compose) -> None:
    def change(s, _):
        s["consumer"]["depends_on"]["nosuch"] = {"condition": "service_healthy"}
        s["grafana"]["depends_on"]["prometheus"] = {"condition": "service_started"}
        s["cdc-task"]["depends_on"]["kafka"] = {"condition": "service_completed_successfully"}
    found = "\n".join(broken(compose, change))
    assert "depends_on nosuch, which does not exist" in found
    assert "condition 'service_started'" in found
    assert "waits for kafka to complete, but it is not a one-shot" in found


def test_checker_reports_ports_volumes_images_and_files(compose) -> None:
    def change(s, top):
        s["kibana"]["ports"] = ["127.0.0.1:9200:5601"]          # taken by elasticsearch
        s["grafana"]["ports"] = ["3001:3000"]                   # all interfaces
        s["kibana"]["volumes"] = ["es-data:/data"]              # a volume two services share
        s["prometheus"]["image"] = "prom/prometheus:latest"
        s["zookeeper"]["image"] = "confluentinc/cp-zookeeper"
        s["db-init"]["volumes"] = ["./db/missing.sql:/sql/init.sql:ro"]
        s["tikv"]["depends_on"]["tidb"] = {"condition": "service_healthy"}  # a cycle
        top["volumes"]["unused"] = None
    found = "\n".join(broken(compose, change))
    assert "host port 9200 already published by elasticsearch" in found
    assert "port 3001:3000 is not bound to 127.0.0.1" in found
    assert "volume es-data is used by" in found
    assert "prom/prometheus:latest' is not pinned" in found
    assert "cp-zookeeper' has no tag" in found
    assert "mounts ./db/missing.sql, which does not exist" in found
    assert "depends_on cycle" in found
    assert "volume unused is used by no service" in found


def test_duplicate_keys_are_rejected() -> None:
    text = COMPOSE.read_text().replace("  grafana-data:\n", "  grafana-data:\n  pd-data:\n")
    with pytest.raises(DuplicateKeyError, match="pd-data"):
        load_yaml_text(text)
