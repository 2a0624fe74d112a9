"""PromQL helpers for the offline checks: parse expressions with promtool, list the metric and label
names an expression uses, and the metric names each exporter in the stack really exposes.

promtool 2.42 has no parse-only command, so `check_exprs_parse` wraps every expression as a
recording rule in a temporary rules file and runs `promtool check rules` on it. Grafana's macros
($__rate_interval, $__range, ...) are replaced by durations first.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml

from stackutil import REPO, run

GRAFANA_MACROS = {
    "$__rate_interval": "1m", "${__rate_interval}": "1m",
    "$__interval": "1m", "${__interval}": "1m",
    "$__range": "1h", "${__range}": "1h",
    "$__range_s": "3600", "$__range_ms": "3600000", "$__interval_ms": "60000",
}

KEYWORDS = {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "inf", "nan", "atan2"}

# Labels every scraped series has (target labels).
TARGET_LABELS = {"job", "instance"}

PROMETHEUS_STANDARD = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                       "scrape_samples_post_metric_relabeling", "scrape_series_added"}
STANDARD_PREFIXES = ("process_", "scrape_")

# Label names of the consumer's metric families (consumer/src/metrics/metrics.cc).
CONSUMER_LABELS = {
    "cdc_events_total": {"database", "table", "op"},
    "cdc_decode_errors_total": {"reason"},
    "cdc_dead_letters_total": {"reason"},
    "cdc_bulk_requests_total": {"outcome"},
    "cdc_bulk_items_total": {"outcome"},
    "cdc_consumer_lag_messages": {"partition"},
    "cdc_committed_offset": {"partition"},
    "cdc_build_info": {"version"},
}
TICDC_LABELS = {"namespace", "changefeed", "capture", "broker"}


def substitute_grafana_macros(expr: str) -> str:
    for macro in sorted(GRAFANA_MACROS, key=len, reverse=True):
        expr = expr.replace(macro, GRAFANA_MACROS[macro])
    return expr


def _strip_strings(expr: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)


_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")


def label_names(expr: str) -> set[str]:
    """Label names in matchers and grouping clauses."""
    expr = _strip_strings(expr)
    names: set[str] = set()
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        names.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    for _, group in _GROUPING.findall(expr):
        names.update(n.strip() for n in group.split(",") if n.strip())
    return names


def metric_names(expr: str) -> set[str]:
    """Metric names an expression selects (identifiers that are not functions, keywords, label
    names or durations)."""
    expr = _strip_strings(expr)
    expr = re.sub(r"\{[^}]*\}", "{}", expr)
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)
    expr = _GROUPING.sub(" ", expr)
    expr = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", expr)
    names = set()
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)", expr):
        name = m.group(1)
        rest = expr[m.end():].lstrip()
        if rest.startswith("(") or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def consumer_metric_names() -> set[str]:
    """Every series name the consumer exposes, from its one metrics declaration file."""
    source = (REPO / "consumer" / "src" / "metrics" / "metrics.cc").read_text()
    names: set[str] = set()
    for kind, name in re.findall(r'Build(Counter|Gauge|Histogram)\(\)\s*\.Name\("([^"]+)"\)', source):
        if kind == "Histogram":
            names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"})
        else:
            names.add(name)
    return names


def ticdc_metric_names() -> set[str]:
    names: set[str] = set()
    for line in (Path(__file__).parent / "data" / "ticdc_v6_5_metrics.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind = line.split()
        if kind == "histogram":
            names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"})
        else:
            names.add(name)
    return names


def is_known_metric(name: str, known: set[str]) -> bool:
    return name in known or name in PROMETHEUS_STANDARD or name.startswith(STANDARD_PREFIXES)


def allowed_labels(metrics: set[str]) -> set[str]:
    labels = set(TARGET_LABELS)
    for name in metrics:
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if name.endswith("_bucket"):
            labels.add("le")
        labels |= CONSUMER_LABELS.get(name, set()) | CONSUMER_LABELS.get(base, set())
        if name.startswith("ticdc_"):
            labels |= TICDC_LABELS
    return labels


def check_exprs_parse(exprs: dict[str, str]) -> tuple[bool, str]:
    """Runs promtool check rules on a temporary file with one recording rule per expression.
    Keys become record names; returns (ok, promtool output)."""
    rules = [{"record": f"check:{re.sub(r'[^a-zA-Z0-9_]', '_', key)}",
              "expr": substitute_grafana_macros(expr)} for key, expr in exprs.items()]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exprs.yml"
        path.write_text(yaml.safe_dump({"groups": [{"name": "check", "rules": rules}]}))
        result = run(["promtool", "check", "rules", str(path)])
    return result.returncode == 0, result.stdout + result.stderr
