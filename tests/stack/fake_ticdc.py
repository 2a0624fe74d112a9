"""A small fake of the TiCDC v6.5 HTTP API v1, enough for db/create-changefeed.sh.

Behaviour follows ../shared/ticdc-canal-json/PROTOCOL.md section 3.3 (tiflow v6.5.0
cdc/api/v1/api.go): every route answers 503 CDC:ErrServerIsNotReady until the capture is ready;
POST /api/v1/changefeeds answers 202 with an empty body, or 500 CDC:ErrChangeFeedAlreadyExists for an
existing id, or 400 for invalid input; GET /api/v1/changefeeds/{id} answers 200 with the changefeed
or 400 CDC:ErrChangeFeedNotExists. Error bodies are {"error_msg", "error_code"}.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


def error(code: str, msg: str) -> dict[str, str]:
    return {"error_msg": f"[{code}]{msg}", "error_code": code}


@dataclass
class FakeTicdc:
    not_ready_requests: int = 0          # the first N requests get 503 ErrServerIsNotReady
    exists: bool = False                 # the changefeed exists before the script runs
    create_status: int = 202             # answer to POST: 202, or an error status below
    create_error: str = ""               # error_code sent with a non-2xx create
    invisible_gets_after_create: int = 1  # creation is asynchronous: GETs that still say 400
    states: list[str] = field(default_factory=lambda: ["normal"])  # states GET reports in turn
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[dict[str, Any]] = field(default_factory=list)
    created_body: dict[str, Any] | None = None
    _served: int = 0
    _state_index: int = 0

    def handle(self, req: dict[str, Any]) -> tuple[int, Any]:
        self._served += 1
        if self._served <= self.not_ready_requests:
            return 503, error("CDC:ErrServerIsNotReady", "the server is not ready")
        method, path = req["method"], req["path"].split("?")[0]
        if method == "GET" and path == "/api/v1/status":
            return 200, {"version": "v6.5.12", "git_hash": "fake", "id": "capture-1",
                         "cluster_id": "default", "pid": 1, "is_owner": True, "liveness": 0}
        if method == "POST" and path == "/api/v1/changefeeds":
            return self._create(req)
        if method == "GET" and path.startswith("/api/v1/changefeeds/"):
            return self._get(path.rsplit("/", 1)[1])
        return 404, error("CDC:ErrAPIInvalidParam", f"no route {method} {path}")

    def _create(self, req: dict[str, Any]) -> tuple[int, Any]:
        try:
            body = json.loads(req["body"])
        except ValueError:
            return 400, error("CDC:ErrAPIInvalidParam", "invalid json")
        if not body.get("changefeed_id") or not body.get("sink_uri"):
            return 400, error("CDC:ErrAPIInvalidParam", "changefeed_id and sink_uri are required")
        if self.exists:
            return 500, error("CDC:ErrChangeFeedAlreadyExists",
                              f"changefeed already exists, {body['changefeed_id']}")
        if self.create_status >= 300:
            return self.create_status, error(self.create_error, "rejected by the fake")
        self.created_body = body
        self.exists = True
        return self.create_status, None

    def _get(self, changefeed_id: str) -> tuple[int, Any]:
        if not self.exists or self.invisible_gets_after_create > 0 and self.created_body:
            if self.exists:
                self.invisible_gets_after_create -= 1
            return 400, error("CDC:ErrChangeFeedNotExists",
                              f"changefeed not exists, {changefeed_id}")
        state = self.states[min(self._state_index, len(self.states) - 1)]
        self._state_index += 1
        sink_uri = (self.created_body or {}).get("sink_uri", "kafka://kafka:29092/tidb-cdc?protocol=canal-json")
        info: dict[str, Any] = {
            "id": changefeed_id, "sink_uri": sink_uri, "create_time": "2024-01-01 00:00:00.000",
            "start_ts": 446346519090282497, "resolved_ts": 446346519090282497, "target_ts": 0,
            "checkpoint_tso": 446346519090282497, "checkpoint_time": "2024-01-01 00:00:00.000",
            "sort_engine": "unified", "state": state, "error": None, "error_history": None,
            "creator_version": "v6.5.12", "task_status": [],
        }
        if state in ("error", "failed"):
            info["error"] = {"addr": "ticdc:8300", "code": "CDC:ErrKafkaNewSaramaProducer",
                             "message": "kafka: client has run out of available brokers"}
        return 200, info

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r["method"] == method and r["path"] == path)
