#!/usr/bin/env bash
# ./build.sh cluster test: the scaled-out topology tested with real processes. Brings up its own
# cluster (./build.sh cluster up, with flood control off and 10 comments per minute so the shared
# limit can be counted), runs each check through HAProxy or the instances, and takes it down.
# Prints each check, then `N passed, N failed`; exits non-zero when one failed.
set -euo pipefail

# shellcheck source=scripts/cluster.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster.sh"

WORK=$(mktemp -d)
PASSED=0
FAILED=0
COMMENT_LIMIT=10
APPLY_DELAY_MS=1000

pass() { PASSED=$((PASSED + 1)); printf '  ok    %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf '  FAIL  %s: %s\n' "$1" "$2"; }
# expect NAME ACTUAL WANTED
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', wanted '$3'"; fi; }

# request METHOD URL [curl args...]: the status code; headers in $WORK/h, body in $WORK/b.
request() {
  local method=$1 url=$2
  shift 2
  curl -s -X "$method" -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$url" "$@"
}
header() { grep -i "^$1:" "$WORK/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
json_field() { python3 -c "import json,sys; print(json.load(open('$WORK/b'))$1)"; }
# content_at PORT QUERY: a query on the content database of the server on PORT.
content_at() { "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -X -q -At -d contentapi -c "$2"; }
instance_url() { echo "http://127.0.0.1:$(state_of "API${1}_PORT")"; }
restart_instances() {
  local i
  for i in $(seq 1 "$INSTANCES"); do kill "$(state_of "API${i}_PID")"; done
  for i in $(seq 1 "$INSTANCES"); do
    while kill -0 "$(state_of "API${i}_PID")" 2>/dev/null; do sleep 0.2; done
  done
  for i in $(seq 1 "$INSTANCES"); do start_instance "$i" "$@"; done
  for i in $(seq 1 "$INSTANCES"); do wait_ready "$(instance_url "$i")" "$CLUSTER_DIR/api$i.log"; done
}

# Public reads land on the replicas (both of them), each one checked against pg_is_in_recovery();
# a write lands on the primary and tells its commit position.
test_reads_on_replicas() {
  local n server port bad="" seen=""
  for n in $(seq 1 40); do
    request GET "$H/v1/articles?pageSize=$((n % 7 + 1))&page=$n" >/dev/null
    server=$(header served-by)
    port=${server##*:}
    if [[ "$server" != "replica 127.0.0.1:"* ]] || [ "$(psql_at "$port" "select pg_is_in_recovery()")" != t ]; then
      bad="read $n served by '$server'"
    fi
    seen+="$port"$'\n'
  done
  [ -z "$bad" ] && pass "40 public reads served by servers in recovery" || fail "public reads on replicas" "$bad"
  expect "public reads spread over both replicas" "$(sort -u <<< "$seen" | grep -c .)" 2

  local code
  code=$(request POST "$H/v1/articles" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"title":"Cluster test article","status":"published","summary":"Written through HAProxy.","body":[{"type":"paragraph","text":"First version."}]}')
  expect "an article written through HAProxy is created" "$code" 201
  SLUG=$(json_field "['slug']")
  VERSION=$(header etag | tr -d '"')
  [ -n "$(header commit-position)" ] && pass "the write answers its Commit-Position ($(header commit-position))" || fail "commit position" "no Commit-Position header"
  expect "the write is on the primary" "$(content_at "$PRIMARY_PORT" "select count(*) from articles where slug = '$SLUG'")" 1
  expect "an editor's read (with a key) is served by the primary" \
    "$(request GET "$H/v1/articles/$SLUG" -H "Authorization: Bearer $KEY" >/dev/null; header served-by)" primary
}

# patch TITLE [instance]: PATCH the test article's title (If-Match the last version); sets VERSION and POSITION.
patch_title() {
  local base=${2:-$H} code
  code=$(request PATCH "$base/v1/articles/$SLUG" -H "Authorization: Bearer $KEY" -H "If-Match: \"$VERSION\"" \
    -H 'Content-Type: application/merge-patch+json' -d "{\"title\":\"$1\"}")
  [ "$code" = 200 ] || { echo "PATCH answered $code: $(cat "$WORK/b")" >&2; return 1; }
  VERSION=$(header etag | tr -d '"')
  POSITION=$(header commit-position)
}

# An edit through one instance evicts the article cached by all three.
test_edit_evicts_everywhere() {
  local i cached=0 fresh=0 n
  for i in 1 2 3; do
    request GET "$(instance_url "$i")/v1/articles/$SLUG" >/dev/null
    request GET "$(instance_url "$i")/v1/articles/$SLUG" >/dev/null
    [ -n "$(header age)" ] && cached=$((cached + 1))
  done
  expect "the article is cached by the three instances (Age on the second read)" "$cached" 3
  patch_title "Edited once" "$(instance_url 1)"
  for i in 1 2 3; do
    for n in $(seq 1 40); do
      request GET "$(instance_url "$i")/v1/articles/$SLUG" >/dev/null
      [ "$(json_field "['title']")" = "Edited once" ] && { fresh=$((fresh + 1)); break; }
      sleep 0.05
    done
  done
  expect "an edit through instance 1 is seen through all three within 2 s (no Commit-Position sent)" "$fresh" 3
}

# post_comment BASE ADDRESS N: the status of a comment posted as client ADDRESS (X-Forwarded-For, believed from loopback).
post_comment() {
  request POST "$1/v1/articles/$SLUG/comments" -H "X-Forwarded-For: $2" -H 'Content-Type: application/json' \
    -d "{\"authorName\":\"Reader $3\",\"authorEmail\":\"reader$3@example.org\",\"body\":\"Comment number $3 from $2.\"}"
}

# The per-address comment limit holds across the three instances; without Redis each instance
# applies its third of it alone, and Redis's return shares it again.
test_comment_limit_shared() {
  local n accepted=0 refused=0 other=""
  for n in $(seq 1 $((COMMENT_LIMIT + 5))); do
    case $(post_comment "$(instance_url $((n % 3 + 1)))" 198.51.100.7 "$n") in
      202) accepted=$((accepted + 1)) ;;
      429) refused=$((refused + 1)) ;;
      *) other+=" $(cat "$WORK/b")" ;;
    esac
  done
  expect "$((COMMENT_LIMIT + 5)) comments from one address over 3 instances: $COMMENT_LIMIT accepted" "$accepted" "$COMMENT_LIMIT"
  expect "… and 5 refused with 429" "$refused${other}" 5

  kill "$(cat "$CLUSTER_DIR/redis.pid")"
  while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done
  accepted=0 refused=0 other=""
  for n in $(seq 1 6); do
    case $(post_comment "$(instance_url 1)" 198.51.100.8 "$((100 + n))") in
      202) accepted=$((accepted + 1)) ;;
      429) refused=$((refused + 1)) ;;
      *) other+=" $(cat "$WORK/b")" ;;
    esac
  done
  expect "Redis down: one instance accepts its share ($COMMENT_LIMIT/$INSTANCES) of the comments" "$accepted" $((COMMENT_LIMIT / INSTANCES))
  expect "… refuses the rest with 429, never a 500" "$refused${other}" $((6 - COMMENT_LIMIT / INSTANCES))
  expect "Redis down: reads still answer" "$(request GET "$H/v1/articles?pageSize=2" )" 200
  expect "Redis down is logged once per instance" "$(grep -c "Redis cannot be reached" "$CLUSTER_DIR/api1.log")" 1

  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$CLUSTER_DIR" --pidfile "$CLUSTER_DIR/redis.pid" --logfile "$CLUSTER_DIR/redis.log" >/dev/null
  accepted=0
  for n in $(seq 1 50); do
    if [ "$(post_comment "$(instance_url 1)" "198.51.100.9" "$((200 + n))")" = 202 ] \
       && redis-cli -p "$REDIS_PORT" exists "contentapi:limit:comments:198.51.100.9/32" | grep -q 1; then
      accepted=1
      break
    fi
    sleep 0.2
  done
  expect "Redis back: the instances count in it again" "$accepted" 1
}

# Webhook deliveries with three instances dispatching: every change reaches the receiver exactly
# once (deliveries are claimed in PostgreSQL with FOR UPDATE SKIP LOCKED).
test_webhooks_once() {
  local receiver_port id n delivered=0 total
  receiver_port=$(free_port)
  touch "$WORK/received.txt"
  python3 - "$receiver_port" "$WORK/received.txt" > /dev/null 2>&1 <<'RECEIVER' &
import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with open(sys.argv[2], "a") as received:
            received.write(self.headers["webhook-id"] + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
RECEIVER
  local receiver=$!
  expect "a webhook to a receiver on loopback is created" "$(request POST "$H/v1/webhooks" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d "{\"url\":\"http://127.0.0.1:$receiver_port/hook\",\"events\":[\"article.updated\"]}")" 201
  id=$(json_field "['subscription']['id']")
  for n in $(seq 1 30); do patch_title "Webhook $n"; done
  for n in $(seq 1 100); do
    delivered=$(content_at "$PRIMARY_PORT" "select count(*) from webhook_deliveries where subscription_id = $id and status = 'delivered'")
    [ "$delivered" -ge 30 ] && break
    sleep 0.2
  done
  sleep 1
  kill "$receiver"
  total=$(grep -c . "$WORK/received.txt" || true)
  expect "30 edits through HAProxy, three instances dispatching: 30 deliveries delivered" "$delivered" 30
  expect "… each received exactly once (received/distinct webhook-ids)" "$total/$(sort -u "$WORK/received.txt" | grep -c .)" "30/30"
}

# Read-your-writes with the replicas replaying 1 s late: a read through another instance that
# sends the write's Commit-Position sees it, 200 times in a row; without it the replicas answer
# the old title (the control that shows the delay is real). Output cache off: only the mechanism
# under test keeps the reader from the lagging replicas.
test_read_your_writes() {
  local port n stale=0 fresh=0 replica_served=0 waits=()
  for port in $(state_of REPLICA1_PORT) $(state_of REPLICA2_PORT); do
    psql_at "$port" "alter system set recovery_min_apply_delay = '${APPLY_DELAY_MS}ms'" >/dev/null
    psql_at "$port" "select pg_reload_conf()" >/dev/null
  done
  restart_instances OutputCache__Enabled=false
  for n in $(seq 1 20); do
    patch_title "Control $n" "$(instance_url $((n % 3 + 1)))"
    request GET "$(instance_url $(((n + 1) % 3 + 1)))/v1/articles/$SLUG" >/dev/null
    if [ "$(json_field "['title']")" != "Control $n" ]; then stale=$((stale + 1)); else echo "        control $n fresh, from $(header served-by)"; fi
  done
  expect "control: without Commit-Position, 20 reads right after a write miss it (replicas 1 s late)" "$stale" 20

  local start end
  for n in $(seq 1 200); do
    patch_title "Read your writes $n" "$(instance_url $((n % 3 + 1)))"
    start=$(date +%s%N)
    request GET "$(instance_url $(((n + 1) % 3 + 1)))/v1/articles/$SLUG" -H "Commit-Position: $POSITION" >/dev/null
    end=$(date +%s%N)
    if [ "$(json_field "['title']" 2>/dev/null)" = "Read your writes $n" ]; then fresh=$((fresh + 1)); else
      echo "        write $n read back as: $(head -c 200 "$WORK/b") (from $(header served-by))"; fi
    [[ "$(header served-by)" == replica* ]] && replica_served=$((replica_served + 1))
    waits+=($(((end - start) / 1000)))
  done
  expect "200 writes, each read back at once through another instance with its Commit-Position" "$fresh" 200
  echo "        ($replica_served of them served by a replica; read µs p50/p99: $(printf '%s\n' "${waits[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int(NR * 0.5)] "/" a[int(NR * 0.99)] }'))"
  for port in $(state_of REPLICA1_PORT) $(state_of REPLICA2_PORT); do
    psql_at "$port" "alter system reset recovery_min_apply_delay" >/dev/null
    psql_at "$port" "select pg_reload_conf()" >/dev/null
  done
  for n in $(seq 1 50); do
    request GET "$H/v1/articles/$SLUG" -H "Commit-Position: $POSITION" >/dev/null
    [[ "$(header served-by)" == replica* ]] && break
    sleep 0.2
  done
  [[ "$(header served-by)" == replica* ]] && pass "replicas caught up: a read with the last position is served by a replica again" \
    || fail "replicas catch up" "still served by $(header served-by)"
}

# load SECONDS URL_COUNT: wrk through HAProxy over distinct article-list URLs; prints wrk's summary.
load() {
  cat > "$WORK/urls.lua" <<'EOF'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/articles?pageSize=" .. (counter % 20 + 1) .. "&page=" .. (counter % 50 + 1))
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do io.write("status " .. status .. " " .. count .. "\n") end
  end
end
EOF
  wrk -t 2 -c 16 -d "$1s" -s "$WORK/urls.lua" "$H" > "$WORK/wrk.txt" 2>&1
}
wrk_failures() {
  local non2xx errors
  non2xx=$(awk '/Non-2xx or 3xx responses/ { print $NF }' "$WORK/wrk.txt")
  errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$WORK/wrk.txt")
  echo $(( ${non2xx:-0} + ${errors:-0} ))
}
wrk_requests() { awk '/requests in/ { print $1 }' "$WORK/wrk.txt"; }
# The statuses wrk saw, summed over its threads (e.g. "200:15000 503:12").
wrk_statuses() { awk '/^status/ { n[$2] += $3 } END { for (s in n) printf "%s:%s ", s, n[s] }' "$WORK/wrk.txt"; }

# A replica stopped at once (immediate shutdown) under read load: its reads go to the other
# replica; the reads it was answering run again there. Then it comes back.
test_replica_killed() {
  load 8 &
  local loader=$!
  sleep 3
  as_pg_owner "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/replica1" -m immediate stop >/dev/null
  wait "$loader"
  expect "replica 1 killed under load ($(wrk_requests) reads; $(wrk_statuses)): failed reads" "$(wrk_failures)" 0
  grep -q "Replica 127.0.0.1:$(state_of REPLICA1_PORT) failed" "$CLUSTER_DIR"/api*.log \
    && pass "the instances logged the replica's failure" || fail "replica failure logged" "no log line"
  pg_start "$CLUSTER_DIR/replica1" "$(state_of REPLICA1_PORT)" -c hot_standby=on
}

# An instance stopped (SIGTERM) under load: it answers 503 on readiness while it drains, HAProxy
# stops sending it requests, the ones it serves finish. Then it comes back.
test_instance_stopped() {
  load 10 &
  local loader=$!
  sleep 3
  kill "$(state_of API2_PID)"
  wait "$loader"
  expect "instance 2 stopped under load ($(wrk_requests) requests through HAProxy; $(wrk_statuses)): failed requests" "$(wrk_failures)" 0
  while kill -0 "$(state_of API2_PID)" 2>/dev/null; do sleep 0.2; done
  start_instance 2 OutputCache__Enabled=false
  wait_ready "$(instance_url 2)" "$CLUSTER_DIR/api2.log"
}

# An instance killed (SIGKILL) under load: only the requests it was serving fail (at most one per
# connection, 16); HAProxy retries the connects it refuses on the others and stops sending it
# requests after two failed checks. Then it comes back.
test_instance_killed() {
  load 10 &
  local loader=$!
  sleep 3
  kill -KILL "$(state_of API3_PID)"
  wait "$loader"
  local failures
  failures=$(wrk_failures)
  [ "$failures" -le 16 ] && pass "instance 3 killed under load ($(wrk_requests) requests; $(wrk_statuses)): $failures failed, at most the 16 in flight" \
    || fail "instance killed under load" "$failures failed ($(wrk_statuses)), more than the 16 in flight"
  start_instance 3 OutputCache__Enabled=false
  wait_ready "$(instance_url 3)" "$CLUSTER_DIR/api3.log"
}

# The primary stops; replica 1 is promoted (./build.sh cluster promote 1): writes resume through
# HAProxy with no change to the instances (the multi-host connection string finds the new primary).
test_promotion() {
  as_pg_owner "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/primary" -m fast stop >/dev/null
  "$ROOT/scripts/cluster.sh" promote 1 >/dev/null
  local n code="" started
  started=$(date +%s%N)
  for n in $(seq 1 60); do
    code=$(request PATCH "$H/v1/articles/$SLUG" -H "Authorization: Bearer $KEY" -H "If-Match: *" \
      -H 'Content-Type: application/merge-patch+json' -d '{"title":"After the promotion"}')
    [ "$code" = 200 ] && break
    sleep 0.5
  done
  expect "a write after the promotion succeeds (within $(( ($(date +%s%N) - started) / 1000000 )) ms)" "$code" 200
  expect "… on the new primary" "$(content_at "$(state_of REPLICA1_PORT)" "select title from articles where slug = '$SLUG'")" "After the promotion"
  for n in $(seq 1 50); do
    [ "$(content_at "$(state_of REPLICA2_PORT)" "select title from articles where slug = '$SLUG'")" = "After the promotion" ] && break
    sleep 0.2
  done
  expect "… and replica 2, now following it, has it" "$(content_at "$(state_of REPLICA2_PORT)" "select title from articles where slug = '$SLUG'")" "After the promotion"
}

main() {
  [ -f "$STATE" ] && die "a cluster is up: ./build.sh cluster down first (the test brings up its own)"
  command -v wrk >/dev/null 2>&1 || apt_install wrk
  CLUSTER_API_SETTINGS="Comments__FloodIntervalSeconds=0 Comments__RateLimitPerMinute=$COMMENT_LIMIT RateLimits__AnonymousRequestsPerMinute=0 Webhooks__AllowPrivateTargets=true" cmd_up > "$WORK/up.log" 2>&1 \
    || { cat "$WORK/up.log" >&2; die "cluster up failed"; }
  # The instances' logs stay in .data/cluster-test/ for a look after a failure.
  trap 'mkdir -p "$ROOT/.data/cluster-test"; cp "$CLUSTER_DIR"/*.log "$WORK"/*.txt "$ROOT/.data/cluster-test/" 2>/dev/null; cmd_down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
  load_state
  H="http://127.0.0.1:$HAPROXY_PORT"
  KEY=$(ConnectionStrings__Content="$(connection_string "$PRIMARY_PORT" contentapi)" \
    dotnet "$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll" keys create --name cluster-test --scopes content:write,webhooks:manage)
  log "cluster test"
  test_reads_on_replicas
  test_edit_evicts_everywhere
  test_comment_limit_shared
  test_webhooks_once
  test_read_your_writes
  test_replica_killed
  test_instance_stopped
  test_instance_killed
  test_promotion
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

main "$@"
