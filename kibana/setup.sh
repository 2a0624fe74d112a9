#!/bin/sh
# Creates the Kibana data view for the consumer's documents, idempotently, through the Kibana 8.7
# data views API. The kibana-setup one-shot container runs it (POSIX sh + curl only). Tested
# against a fake Kibana in tests/stack/test_kibana_setup.py.
#
#   1. waits until GET /api/status answers 200 (Kibana answers 503 while it starts);
#   2. GET /api/data_views/data_view/$DATA_VIEW_ID: 200 = it exists, done;
#   3. otherwise POST /api/data_views/data_view with a fixed id, title $DATA_VIEW_TITLE and time
#      field @timestamp. A 409 (id taken meanwhile) or a 400 "Duplicate data view" (a view with this
#      title exists, e.g. made by hand) is success when the list then shows the title;
#   4. makes it the default data view unless one is set already (force: false).
# Exit 0 when the data view exists; otherwise exit 1 with the reason on stderr.
#
# Environment: KIBANA_URL (http://kibana:5601), DATA_VIEW_ID (cdc-events),
# DATA_VIEW_TITLE (cdc-events*), ATTEMPTS (60), RETRY_DELAY (2 s), CURL_TIMEOUT (10 s).
set -u

KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
DATA_VIEW_ID=${DATA_VIEW_ID:-cdc-events}
DATA_VIEW_TITLE=${DATA_VIEW_TITLE:-cdc-events*}
ATTEMPTS=${ATTEMPTS:-60}
RETRY_DELAY=${RETRY_DELAY:-2}
CURL_TIMEOUT=${CURL_TIMEOUT:-10}

body_file=$(mktemp) || exit 1
trap 'rm -f "$body_file"' EXIT

log() { echo "kibana-setup: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# request METHOD PATH [JSON]: sets $status (000 when Kibana is unreachable) and $body. Every call
# carries kbn-xsrf, which Kibana requires on writes.
request() {
  if [ $# -ge 3 ]; then
    status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time "$CURL_TIMEOUT" -X "$1" \
      -H 'kbn-xsrf: kibana-setup' -H 'Content-Type: application/json' --data "$3" \
      "$KIBANA_URL$2" 2>/dev/null)
  else
    status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time "$CURL_TIMEOUT" -X "$1" \
      -H 'kbn-xsrf: kibana-setup' "$KIBANA_URL$2" 2>/dev/null)
  fi
  [ -n "$status" ] || status=000
  body=$(cat "$body_file" 2>/dev/null)
}

wait_ready() {
  i=1
  while [ "$i" -le "$ATTEMPTS" ]; do
    request GET /api/status
    [ "$status" = 200 ] && { log "Kibana at $KIBANA_URL is ready"; return 0; }
    log "waiting for Kibana ($i/$ATTEMPTS): HTTP $status"
    i=$((i + 1))
    sleep "$RETRY_DELAY"
  done
  die "Kibana at $KIBANA_URL not ready after $ATTEMPTS tries (last HTTP $status: $body)"
}

title_listed() {
  request GET /api/data_views
  [ "$status" = 200 ] || return 1
  printf '%s' "$body" | tr -d '\n' | grep -F "\"title\":\"$DATA_VIEW_TITLE\"" >/dev/null
}

ensure_data_view() {
  i=1
  while [ "$i" -le "$ATTEMPTS" ]; do
    request GET "/api/data_views/data_view/$DATA_VIEW_ID"
    case "$status" in
      200) log "data view $DATA_VIEW_ID ($DATA_VIEW_TITLE) exists"; return 0 ;;
      404) ;;
      *) log "GET data view ($i/$ATTEMPTS): HTTP $status, retrying"
         i=$((i + 1)); sleep "$RETRY_DELAY"; continue ;;
    esac
    payload=$(printf '{"data_view":{"id":"%s","title":"%s","name":"CDC events","timeFieldName":"@timestamp"},"override":false}' \
      "$DATA_VIEW_ID" "$DATA_VIEW_TITLE")
    request POST /api/data_views/data_view "$payload"
    case "$status" in
      200) log "created data view $DATA_VIEW_ID ($DATA_VIEW_TITLE) on @timestamp"; return 0 ;;
      400 | 409)
        create_status=$status create_body=$body
        if title_listed; then
          log "a data view titled $DATA_VIEW_TITLE exists already"; return 0
        fi
        die "Kibana rejected the data view: HTTP $create_status: $create_body" ;;
      *) log "create data view ($i/$ATTEMPTS): HTTP $status, retrying" ;;
    esac
    i=$((i + 1))
    sleep "$RETRY_DELAY"
  done
  die "could not create data view $DATA_VIEW_ID after $ATTEMPTS tries (last HTTP $status: $body)"
}

command -v curl >/dev/null 2>&1 || die "curl is required"
wait_ready
ensure_data_view
request POST /api/data_views/default "{\"data_view_id\":\"$DATA_VIEW_ID\",\"force\":false}"
[ "$status" = 200 ] || log "could not make $DATA_VIEW_ID the default data view (HTTP $status); continuing"
log "done"
