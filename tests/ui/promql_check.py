#!/usr/bin/env python3
"""Runs every PromQL expression of the Grafana dashboard and of the alert rules on a real
Prometheus (the one scripts/run-local starts) while traffic flows.

Every expression must evaluate without error. Expressions whose metrics the local mode exposes
(the consumer's cdc_* series fed by the simulator, and `up`) must also return data; TiCDC's own
metrics and the Elasticsearch-only series are not there in local mode and may be empty.
Prints one line per expression and "N passed, M failed"; exit 1 on any failure.

usage: promql_check.py [--prometheus URL --dashboard FILE --rules FILE...]
                      [--consumer http://127.0.0.1:3000]  /api/counts == /metrics per table and op
"""
import argparse
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import yaml

# Series the local mode has once events flow (the simulator never produces poison, and the
# embedded store sends no bulk requests).
LOCAL_METRICS = {
    "up", "cdc_kafka_up", "cdc_sink_up", "cdc_events_total", "cdc_buffered_bytes",
    "cdc_end_to_end_latency_seconds_bucket", "cdc_consumer_lag_messages",
    "cdc_ticdc_watermark_lag_seconds", "cdc_paused_partitions", "cdc_committed_offset",
    "cdc_sink_retries_total",
}
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__range": "5m", "$__interval": "15s",
                     "${__rate_interval}": "1m", "${__range}": "5m"}


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def query(prometheus, expr):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        body = json.loads(get(url))
    except urllib.error.HTTPError as e:  # 400: bad expression
        body = json.loads(e.read().decode() or "{}")
    return body


def metric_names(expr):
    names = set(re.findall(r"\b((?:cdc|ticdc)_[a-zA-Z0-9_]+)", expr))
    if re.search(r"\bup\s*\{", expr):
        names.add("up")
    return names


def dashboard_expressions(path):
    def walk(panels):
        for panel in panels:
            yield panel
            yield from walk(panel.get("panels", []))

    with open(path) as f:
        dashboard = json.load(f)
    for panel in walk(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            ds = target.get("datasource") or panel.get("datasource") or {}
            kind = ds.get("type") if isinstance(ds, dict) else str(ds)
            if kind == "prometheus" and target.get("expr"):
                yield f"dashboard '{panel.get('title')}'", target["expr"]


def rule_expressions(paths):
    for path in paths:
        with open(path) as f:
            doc = yaml.safe_load(f) or {}
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                name = rule.get("alert") or rule.get("record")
                yield f"rule {name}", rule["expr"]


def check_counts(consumer):
    counts = json.loads(get(consumer + "/api/counts"))["counts"]
    stored = {(c["database"], c["table"], c["op"]): c["count"] for c in counts}
    metrics = {}
    for line in get(consumer + "/metrics").splitlines():
        m = re.match(r"^cdc_events_total\{(.*)\} (\S+)$", line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            metrics[(labels["database"], labels["table"], labels["op"])] = int(float(m.group(2)))
    return stored, metrics


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prometheus")
    parser.add_argument("--dashboard")
    parser.add_argument("--rules", nargs="*", default=[])
    parser.add_argument("--consumer")
    args = parser.parse_args()

    passed = failed = 0
    expressions = []
    if args.dashboard:
        expressions += list(dashboard_expressions(args.dashboard))
    expressions += list(rule_expressions(args.rules))
    for where, expr in expressions:
        for var, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(var, value)
        body = query(args.prometheus, expr)
        series = len(body.get("data", {}).get("result", [])) if body.get("status") == "success" else 0
        expect_data = where.startswith("dashboard") and metric_names(expr) <= LOCAL_METRICS
        if body.get("status") != "success":
            ok, note = False, f"error: {body.get('error', 'no answer')}"
        elif expect_data and series == 0:
            ok, note = False, "no data, but the local mode exposes these metrics"
        else:
            ok, note = True, f"{series} series" + ("" if expect_data else " (data optional)")
        passed, failed = passed + ok, failed + (not ok)
        print(f"{'ok  ' if ok else 'FAIL'} {where}: {expr}  -> {note}")

    if args.consumer:
        # The two reads race with commits while events flow: give them 20 s to agree (run-local
        # --check stops the simulator first).
        for _ in range(20):
            stored, metrics = check_counts(args.consumer)
            ok = stored == metrics and sum(stored.values()) > 0
            if ok:
                break
            time.sleep(1)
        passed, failed = passed + ok, failed + (not ok)
        print(f"{'ok  ' if ok else 'FAIL'} store counts == /metrics cdc_events_total per table and "
              f"op ({sum(stored.values())} events)")
        if not ok:
            print(f"     store:   {stored}\n     metrics: {metrics}")

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
