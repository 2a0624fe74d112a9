"""prometheus/: promtool check config, check rules and the alert unit tests, plus the wiring between
prometheus.yml, the rules, the compose file and the metrics that really exist."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import promql
from stackutil import REPO, load_yaml, run

PROM_DIR = REPO / "prometheus"
CONFIG = PROM_DIR / "prometheus.yml"
RULES_DIR = PROM_DIR / "rules"
RULE_FILES = sorted(p for p in RULES_DIR.glob("*.yml") if not p.name.endswith("_test.yml"))
TEST_FILES = sorted(RULES_DIR.glob("*_test.yml"))
REQUIRED_ALERTS = {
    "CdcConsumerDown", "CdcConsumerLagGrowing", "TicdcCheckpointLagHigh", "CdcDeadLetters",
    "CdcElasticsearchErrors", "CdcEndToEndLatencyHigh",
}


def alerts() -> dict[str, dict]:
    out = {}
    for path in RULE_FILES:
        for group in load_yaml(path)["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    assert rule["alert"] not in out, f"alert {rule['alert']} defined twice"
                    out[rule["alert"]] = rule
    return out


def test_promtool_check_config() -> None:
    result = run(["promtool", "check", "config", str(CONFIG)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_check_rules() -> None:
    assert RULE_FILES
    result = run(["promtool", "check", "rules", *map(str, RULE_FILES)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules() -> None:
    assert TEST_FILES
    result = run(["promtool", "test", "rules", *map(str, TEST_FILES)], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_required_alerts_exist() -> None:
    assert REQUIRED_ALERTS <= set(alerts())


def test_every_alert_has_a_firing_and_a_silent_case() -> None:
    fires: set[str] = set()
    silent: set[str] = set()
    for path in TEST_FILES:
        for case in load_yaml(path)["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else silent).add(check["alertname"])
    for name in alerts():
        assert name in fires, f"no unit test where {name} fires"
        assert name in silent, f"no unit test where {name} stays silent"


def test_every_rule_file_is_loaded_and_tested() -> None:
    config = load_yaml(CONFIG)
    loaded = {(PROM_DIR / f).resolve() for f in config["rule_files"]}
    assert loaded == {p.resolve() for p in RULE_FILES}
    for path in RULE_FILES:
        test = path.with_name(path.stem + "_test.yml")
        assert test.exists(), f"{path.name} has no {test.name}"
        assert path.name in load_yaml(test)["rule_files"]


def test_alerts_use_exposed_metrics_labels_and_jobs() -> None:
    known = promql.consumer_metric_names() | promql.ticdc_metric_names()
    jobs = {job["job_name"] for job in load_yaml(CONFIG)["scrape_configs"]}
    for name, rule in alerts().items():
        expr = rule["expr"]
        metrics = promql.metric_names(expr)
        unknown = {m for m in metrics if not promql.is_known_metric(m, known)}
        assert not unknown, f"{name} uses metrics nobody exposes: {unknown}"
        bad = promql.label_names(expr) - promql.allowed_labels(metrics)
        assert not bad, f"{name} uses labels {bad} its metrics do not have"
        for job in re.findall(r'job\s*=\s*"([^"]+)"', expr):
            assert job in jobs, f"{name} selects job {job!r}, which prometheus.yml does not scrape"
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_scrape_targets_match_the_compose_services() -> None:
    compose = load_yaml(REPO / "docker-compose.yml")["services"]
    config = load_yaml(CONFIG)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    expected = {"cdc-consumer": "consumer:3000", "ticdc": "ticdc:8300", "tidb": "tidb:10080",
                "tikv": "tikv:20180", "pd": "pd:2379"}
    for job, target in expected.items():
        targets = [t for sc in jobs[job]["static_configs"] for t in sc["targets"]]
        assert targets == [target], job
        assert target.split(":")[0] in compose, f"{job} scrapes a service compose does not define"
    assert jobs["cdc-consumer"]["scrape_interval"] == "10s"
    assert compose["consumer"]["environment"]["CDC_LISTEN"] == "0.0.0.0:3000"
    # TiKV serves /metrics on its status address, which must listen beyond 127.0.0.1.
    assert "--status-addr=0.0.0.0:20180" in compose["tikv"]["command"]


def test_compose_runs_prometheus_with_this_config_and_15d_retention() -> None:
    service = load_yaml(REPO / "docker-compose.yml")["services"]["prometheus"]
    assert "--storage.tsdb.retention.time=15d" in service["command"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in service["command"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in service["volumes"]
    assert "./prometheus/rules:/etc/prometheus/rules:ro" in service["volumes"]


def test_image_matches_the_promtool_that_checks_it() -> None:
    """The config is verified by Debian's promtool; the stack runs the same Prometheus version."""
    image = load_yaml(REPO / "docker-compose.yml")["services"]["prometheus"]["image"]
    version = run(["promtool", "--version"]).stdout + run(["promtool", "--version"]).stderr
    m = re.search(r"version (\d+\.\d+)\.\d+", version)
    assert m, version
    assert image.startswith(f"prom/prometheus:v{m.group(1)}."), (image, m.group(0))


@pytest.mark.parametrize("mutation", [
    ("> 30", "> 300"),                            # latency threshold raised
    ("for: 10m", "for: 1h"),                      # lag alert made slower
    ("offset 5m) > 0\n          or", "offset 0m) > 0\n          or"),  # new-series arm broken
    ('outcome="failed"', 'outcome="error"'),      # wrong label value
])
def test_unit_tests_catch_a_broken_rule(tmp_path: Path, mutation: tuple[str, str]) -> None:
    """The alert unit tests fail when a rule is changed: they test behaviour, not syntax."""
    for path in RULE_FILES + TEST_FILES:
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / "cdc_alerts.yml"
    text = target.read_text()
    assert mutation[0] in text
    target.write_text(text.replace(mutation[0], mutation[1]))
    result = run(["promtool", "test", "rules", *(str(tmp_path / p.name) for p in TEST_FILES)],
                 timeout=120)
    assert result.returncode != 0, f"mutation {mutation} went unnoticed"
