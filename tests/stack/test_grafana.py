"""Grafana provisioning and the "TiDB CDC Monitoring" dashboard, checked offline: every PromQL
expression parses (promtool) and uses only metrics and labels that the consumer, TiCDC v6.5 or
Prometheus expose; every datasource uid is provisioned; the panels the issue asks for exist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

import promql
from stackutil import REPO, load_yaml

DASHBOARD = REPO / "grafana" / "dashboards" / "tidb-cdc-monitoring.json"
DATASOURCES = REPO / "grafana" / "provisioning" / "datasources" / "datasources.yml"
PROVIDERS = REPO / "grafana" / "provisioning" / "dashboards" / "dashboards.yml"
BUILTIN_UIDS = {"-- Grafana --", "grafana"}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


@pytest.fixture(scope="module")
def datasources() -> dict[str, dict[str, Any]]:
    return {ds["uid"]: ds for ds in load_yaml(DATASOURCES)["datasources"]}


def all_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # collapsed rows


def prom_targets(dashboard: dict[str, Any], datasources) -> Iterator[tuple[str, str]]:
    for panel in all_panels(dashboard):
        for target in panel.get("targets", []):
            ds = target.get("datasource") or panel.get("datasource") or {}
            if datasources.get(ds.get("uid"), {}).get("type") == "prometheus":
                yield f"panel_{panel['id']}_{target['refId']}", target["expr"]


def test_dashboard_identity(dashboard) -> None:
    assert dashboard["title"] == "TiDB CDC Monitoring"
    assert dashboard["uid"] == "tidb-cdc-monitoring"
    assert "id" not in dashboard or dashboard["id"] is None  # provisioned: Grafana assigns ids


def test_every_datasource_uid_is_provisioned_with_the_right_type(dashboard, datasources) -> None:
    def refs(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if isinstance(node.get("datasource"), dict):
                yield node["datasource"]
            elif isinstance(node.get("datasource"), str):
                yield {"uid": node["datasource"]}  # legacy name reference: not allowed below
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    seen = list(refs(dashboard))
    assert seen
    for ref in seen:
        uid = ref.get("uid")
        if uid in BUILTIN_UIDS:
            continue
        assert uid in datasources, f"datasource uid {uid!r} is not provisioned"
        assert ref.get("type") == datasources[uid]["type"], ref


def test_every_prometheus_expression_parses(dashboard, datasources) -> None:
    exprs = dict(prom_targets(dashboard, datasources))
    assert len(exprs) >= 15
    ok, output = promql.check_exprs_parse(exprs)
    assert ok, output


def test_parse_check_rejects_a_broken_expression() -> None:
    """The wrapper really fails on invalid PromQL (so the test above can fail)."""
    ok, output = promql.check_exprs_parse({"good": "sum(rate(cdc_events_total[$__rate_interval]))",
                                          "bad": "sum(rate(cdc_events_total[5m])"})
    assert not ok
    assert "check:bad" in output or "unclosed" in output or "parse error" in output


def test_expressions_use_only_exposed_metrics_and_labels(dashboard, datasources) -> None:
    known = promql.consumer_metric_names() | promql.ticdc_metric_names()
    for key, expr in prom_targets(dashboard, datasources):
        metrics = promql.metric_names(promql.substitute_grafana_macros(expr))
        assert metrics, f"{key}: no metric in {expr!r}"
        unknown = {m for m in metrics if not promql.is_known_metric(m, known)}
        assert not unknown, f"{key}: {expr!r} uses metrics nobody exposes: {unknown}"
        bad_labels = promql.label_names(expr) - promql.allowed_labels(metrics)
        assert not bad_labels, f"{key}: {expr!r} uses labels {bad_labels} its metrics do not have"


def test_metric_check_catches_a_typo() -> None:
    known = promql.consumer_metric_names() | promql.ticdc_metric_names()
    assert not promql.is_known_metric("cdc_event_total", known)
    assert not promql.is_known_metric("ticdc_sink_mq_worker_send_message_duration_bucket", known)  # v7 name
    assert promql.label_names("sum by (operation) (cdc_events_total)") - promql.allowed_labels(
        {"cdc_events_total"}) == {"operation"}


def find_panel(dashboard, panel_type: str, must_use: list[str]) -> dict[str, Any]:
    for panel in all_panels(dashboard):
        text = json.dumps(panel.get("targets", []))
        if panel["type"] == panel_type and all(s in text for s in must_use):
            return panel
    raise AssertionError(f"no {panel_type} panel using {must_use}")


def test_has_the_panels_the_issue_lists(dashboard, datasources) -> None:
    # Recent events table, from Elasticsearch raw documents on @timestamp.
    table = find_panel(dashboard, "table", ["raw_data"])
    assert datasources[table["datasource"]["uid"]]["type"] == "elasticsearch"
    assert table["targets"][0]["timeField"] == "@timestamp"
    include = json.dumps(table.get("transformations", []))
    for field in ("database", "table", "type", "pk", "commit_ts"):
        assert field in include, f"recent events table does not show {field}"
    # Operation pie chart (Prometheus).
    pie = find_panel(dashboard, "piechart", ["cdc_events_total", "by (op)"])
    assert datasources[pie["datasource"]["uid"]]["type"] == "prometheus"
    find_panel(dashboard, "timeseries", ["cdc_events_total", "by (database, table)"])
    latency = find_panel(dashboard, "timeseries", ["cdc_end_to_end_latency_seconds_bucket"])
    exprs = [t["expr"] for t in latency["targets"]]
    assert any("histogram_quantile(0.5," in e for e in exprs)
    assert any("histogram_quantile(0.99," in e for e in exprs)
    find_panel(dashboard, "timeseries", ["cdc_consumer_lag_messages", "by (partition)"])
    find_panel(dashboard, "timeseries", ["ticdc_owner_checkpoint_ts_lag"])
    find_panel(dashboard, "timeseries", ["cdc_dead_letters_total", "cdc_bulk_requests_total",
                                         "cdc_bulk_items_total"])


def test_panels_fit_the_grid_without_overlap(dashboard) -> None:
    ids = [p["id"] for p in all_panels(dashboard)]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    cells: dict[tuple[int, int], int] = {}
    for panel in dashboard["panels"]:
        g = panel["gridPos"]
        assert g["w"] > 0 and g["h"] > 0 and g["x"] + g["w"] <= 24, panel["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps panel {cells[(x, y)]}"
                cells[(x, y)] = panel["id"]


def test_datasources_point_at_the_compose_services(datasources) -> None:
    compose = load_yaml(REPO / "docker-compose.yml")["services"]
    prom = datasources["cdc-prometheus"]
    es = datasources["cdc-elasticsearch"]
    assert prom["type"] == "prometheus" and prom["url"] == "http://prometheus:9090"
    assert prom.get("isDefault") is True
    assert es["type"] == "elasticsearch" and es["url"] == "http://elasticsearch:9200"
    assert es["jsonData"]["timeField"] == "@timestamp"
    assert es["jsonData"]["index"] == compose["consumer"]["environment"]["CDC_INDEX"]
    assert "prometheus" in compose and "elasticsearch" in compose
    assert sum(1 for ds in datasources.values() if ds.get("isDefault")) == 1


def test_dashboard_provider_loads_the_json_into_folder_cdc() -> None:
    providers = load_yaml(PROVIDERS)["providers"]
    assert len(providers) == 1
    provider = providers[0]
    assert provider["folder"] == "CDC" and provider["type"] == "file"
    grafana = load_yaml(REPO / "docker-compose.yml")["services"]["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"] if v.startswith("./")}
    source = mounts[provider["options"]["path"]]
    assert (REPO / source / DASHBOARD.name).resolve() == DASHBOARD.resolve()
    assert mounts["/etc/grafana/provisioning"] == "./grafana/provisioning"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert Path(home).parent.as_posix() == provider["options"]["path"]
    assert Path(home).name == DASHBOARD.name
