#!/bin/sh
# Creates the TiCDC changefeed that feeds Kafka, through the TiCDC HTTP API v1, and checks that it
# runs. The cdc-task one-shot container runs it (POSIX sh + curl only: the curl image has no bash
# and no jq). Tested against a fake TiCDC API in tests/stack/test_changefeed_script.py.
#
#   1. waits until TiCDC answers GET /api/v1/status with 200 (503 while the capture starts);
#   2. GET /api/v1/changefeeds/$CHANGEFEED_ID: 200 means it exists (nothing to create);
#   3. otherwise POST /api/v1/changefeeds: 202 = created; 500 with CDC:ErrChangeFeedAlreadyExists
#      = created meanwhile (success); 503 or another 5xx = retried; any 4xx = fails at once;
#   4. polls GET /api/v1/changefeeds/$CHANGEFEED_ID until "state" is "normal"; "error", "failed",
#      "stopped", "removed" or "finished" fail at once, printing TiCDC's error.
# Exit 0 only when the changefeed exists and is normal; otherwise exit 1 with the reason on stderr.
#
# Environment (defaults suit docker-compose.yml):
#   TICDC_URL      http://ticdc:8300
#   CHANGEFEED_ID  cf-kafka
#   SINK_URI       kafka://kafka:29092/tidb-cdc?protocol=canal-json&enable-tidb-extension=true&...
#   ATTEMPTS       60     tries for each wait (TiCDC ready, create, state normal)
#   RETRY_DELAY    2      seconds between tries
#   CURL_TIMEOUT   10     seconds for one request
set -u

TICDC_URL=${TICDC_URL:-http://ticdc:8300}
CHANGEFEED_ID=${CHANGEFEED_ID:-cf-kafka}
SINK_URI=${SINK_URI:-kafka://kafka:29092/tidb-cdc?protocol=canal-json&enable-tidb-extension=true&kafka-version=2.4.0&partition-num=3&replication-factor=1&max-message-bytes=1048576}
ATTEMPTS=${ATTEMPTS:-60}
RETRY_DELAY=${RETRY_DELAY:-2}
CURL_TIMEOUT=${CURL_TIMEOUT:-10}

body_file=$(mktemp) || exit 1
trap 'rm -f "$body_file"' EXIT

log() { echo "cdc-task: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# request METHOD PATH [JSON]: sets $status (HTTP code, 000 when TiCDC is unreachable) and $body.
request() {
  if [ $# -ge 3 ]; then
    status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time "$CURL_TIMEOUT" -X "$1" \
      -H 'Content-Type: application/json' --data "$3" "$TICDC_URL$2" 2>/dev/null)
  else
    status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time "$CURL_TIMEOUT" -X "$1" \
      "$TICDC_URL$2" 2>/dev/null)
  fi
  [ -n "$status" ] || status=000
  body=$(cat "$body_file" 2>/dev/null)
}

# json_string KEY: the value of the first "KEY": "string" member in $body, unescaped enough for
# messages (\" and \\). Empty when absent or not a string. No jq in the image, hence awk.
json_string() {
  printf '%s\n' "$body" | awk -v key="\"$1\"" '{ all = all $0 } END {
    rest = all
    while ((i = index(rest, key)) > 0) {
      rest = substr(rest, i + length(key))
      s = rest
      sub(/^[ \t]*:[ \t]*/, "", s)
      if (s == rest || substr(s, 1, 1) != "\"") continue
      s = substr(s, 2); out = ""
      while (length(s) > 0) {
        c = substr(s, 1, 1)
        if (c == "\\") { out = out substr(s, 2, 1); s = substr(s, 3); continue }
        if (c == "\"") break
        out = out c; s = substr(s, 2)
      }
      print out; exit
    }
  }'
}

# Escapes a value for a JSON string (the sink URI holds no quotes or backslashes in practice).
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

wait_ready() {
  i=1
  while [ "$i" -le "$ATTEMPTS" ]; do
    request GET /api/v1/status
    [ "$status" = 200 ] && { log "TiCDC at $TICDC_URL is ready"; return 0; }
    log "waiting for TiCDC ($i/$ATTEMPTS): HTTP $status $(json_string error_code)"
    i=$((i + 1))
    sleep "$RETRY_DELAY"
  done
  die "TiCDC at $TICDC_URL not ready after $ATTEMPTS tries (last HTTP $status: $body)"
}

# Returns 0 when the changefeed exists, 1 when TiCDC says it does not; dies on anything else.
changefeed_exists() {
  i=1
  while [ "$i" -le "$ATTEMPTS" ]; do
    request GET "/api/v1/changefeeds/$CHANGEFEED_ID"
    case "$status" in
      200) return 0 ;;
      400 | 404)
        case "$(json_string error_code)" in
          *ErrChangeFeedNotExists*) return 1 ;;
        esac
        die "GET changefeed $CHANGEFEED_ID: HTTP $status: $body" ;;
      000 | 5??) log "GET changefeed ($i/$ATTEMPTS): HTTP $status, retrying" ;;
      *) die "GET changefeed $CHANGEFEED_ID: unexpected HTTP $status: $body" ;;
    esac
    i=$((i + 1))
    sleep "$RETRY_DELAY"
  done
  die "GET changefeed $CHANGEFEED_ID: no answer after $ATTEMPTS tries (last HTTP $status: $body)"
}

create() {
  payload=$(printf '{"changefeed_id":"%s","sink_uri":"%s","sink_config":{"protocol":"canal-json","dispatchers":[{"matcher":["*.*"],"partition":"table"}]}}' \
    "$(json_escape "$CHANGEFEED_ID")" "$(json_escape "$SINK_URI")")
  i=1
  while [ "$i" -le "$ATTEMPTS" ]; do
    request POST /api/v1/changefeeds "$payload"
    code=$(json_string error_code)
    case "$status" in
      200 | 201 | 202) log "created changefeed $CHANGEFEED_ID"; return 0 ;;
      4??) die "TiCDC rejected changefeed $CHANGEFEED_ID: HTTP $status $code: $(json_string error_msg)" ;;
    esac
    case "$code" in
      *ErrChangeFeedAlreadyExists*) log "changefeed $CHANGEFEED_ID already exists"; return 0 ;;
    esac
    # 503 while TiCDC starts; other 5xx when e.g. Kafka is not reachable yet.
    log "create changefeed ($i/$ATTEMPTS): HTTP $status $code $(json_string error_msg), retrying"
    i=$((i + 1))
    sleep "$RETRY_DELAY"
  done
  die "could not create changefeed $CHANGEFEED_ID after $ATTEMPTS tries (last HTTP $status: $body)"
}

wait_normal() {
  i=1
  while [ "$i" -le "$ATTEMPTS" ]; do
    request GET "/api/v1/changefeeds/$CHANGEFEED_ID"
    state=""
    [ "$status" = 200 ] && state=$(json_string state)
    case "$state" in
      normal)
        log "changefeed $CHANGEFEED_ID is normal (sink $(json_string sink_uri))"
        return 0 ;;
      error | failed | stopped | removed | finished)
        die "changefeed $CHANGEFEED_ID is $state: $body" ;;
    esac
    log "waiting for changefeed $CHANGEFEED_ID to be normal ($i/$ATTEMPTS): HTTP $status state '$state'"
    i=$((i + 1))
    sleep "$RETRY_DELAY"
  done
  die "changefeed $CHANGEFEED_ID not normal after $ATTEMPTS tries (last HTTP $status: $body)"
}

command -v curl >/dev/null 2>&1 || die "curl is required"
wait_ready
if changefeed_exists; then
  log "changefeed $CHANGEFEED_ID exists already; not creating it"
  existing_sink=$(json_string sink_uri)
  if [ -n "$existing_sink" ] && [ "$existing_sink" != "$SINK_URI" ]; then
    log "WARNING: it writes to $existing_sink, not $SINK_URI (remove it to recreate)"
  fi
else
  create
fi
wait_normal
log "done"
