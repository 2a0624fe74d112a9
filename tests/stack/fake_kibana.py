"""A small fake of the Kibana 8.7 status and data views APIs, enough for kibana/setup.sh.

Follows Kibana's documented data views API: POST /api/data_views/data_view {"data_view": {...},
"override": false} answers 200 with the view; writes without a kbn-xsrf header get 400; an id in use
gets 409; a title in use (without override) gets 400 "Duplicate data view". GET by id answers 200 or
404; GET /api/data_views lists {"data_view": [{id, title, name}]}.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


def kbn_error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    reason = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}.get(status, "Error")
    return status, {"statusCode": status, "error": reason, "message": message}


@dataclass
class FakeKibana:
    not_ready_requests: int = 0
    reject_create: bool = False  # answer every create with 400 (e.g. an invalid body)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    default_view: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _served: int = 0

    def handle(self, req: dict[str, Any]) -> tuple[int, Any]:
        self._served += 1
        method, path = req["method"], req["path"].split("?")[0]
        if self._served <= self.not_ready_requests:
            return 503, {"statusCode": 503, "error": "Service Unavailable",
                         "message": "Kibana server is not ready yet"}
        if method != "GET" and "kbn-xsrf" not in {k.lower() for k in req["headers"]}:
            return kbn_error(400, "Request must contain a kbn-xsrf header.")
        if method == "GET" and path == "/api/status":
            return 200, {"name": "kibana", "version": {"number": "8.7.1"},
                         "status": {"overall": {"level": "available"}}}
        if method == "GET" and path == "/api/data_views":
            return 200, {"data_view": [
                {"id": v["id"], "title": v["title"], "name": v.get("name", v["title"]),
                 "namespaces": ["default"], "typeMeta": {}} for v in self.views.values()]}
        if method == "GET" and path.startswith("/api/data_views/data_view/"):
            view = self.views.get(path.rsplit("/", 1)[1])
            if view is None:
                return kbn_error(404, f"Saved object [index-pattern/{path.rsplit('/', 1)[1]}] not found")
            return 200, {"data_view": view}
        if method == "POST" and path == "/api/data_views/data_view":
            return self._create(req)
        if method == "POST" and path == "/api/data_views/default":
            body = json.loads(req["body"] or "{}")
            if self.default_view is None or body.get("force"):
                self.default_view = body.get("data_view_id")
            return 200, {"acknowledged": True}
        return kbn_error(404, f"no route {method} {path}")

    def _create(self, req: dict[str, Any]) -> tuple[int, Any]:
        try:
            body = json.loads(req["body"])
            view = dict(body["data_view"])
        except (ValueError, KeyError, TypeError):
            return kbn_error(400, "[request body.data_view]: expected value of type [object]")
        if self.reject_create or not view.get("title"):
            return kbn_error(400, "[request body.data_view.title]: invalid")
        view.setdefault("id", f"generated-{len(self.views) + 1}")
        if view["id"] in self.views:
            return kbn_error(409, f"Saved object [index-pattern/{view['id']}] conflict")
        if not body.get("override") and any(v["title"] == view["title"] for v in self.views.values()):
            return kbn_error(400, f"Duplicate data view: {view['title']}")
        self.views[view["id"]] = view
        return 200, {"data_view": view}

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r["method"] == method and r["path"] == path)
