#!/usr/bin/env bash
# Fault scenarios with real processes (./build.sh faults): a throwaway PostgreSQL, the API in
# Release, and faults/report.py's table of what clients saw.
#   1. PostgreSQL fast restart under mixed load (reads + comment POSTs retried with their
#      Idempotency-Key): failures only inside the outage, each a 503 problem with Retry-After,
#      every acknowledged comment stored once, first success soon after the database is back.
#   2. The database down for 30 s: /health/ready 503, /health/live 200, reads 503 with
#      Retry-After; ready again once it is back, without restarting the API.
#   3. SIGTERM under load: readiness 503 at once, requests still served while draining
#      (Health:DrainSeconds), in-flight ones finished, exit code 0.
#   4. The API started while the database is down: live at once, ready once the database is.
#   5. A locked table: writes to it give up at the lock timeout with a 503, reads go on.
#   6. Every read waiting on a lock: a 503 within the lock timeout for all (article reads that
#      arrive together share statements, and those queued behind a failed one fail with it; other
#      reads wait at most the pool timeout for a connection), never a 500 and never a hang.
#   faults/run.sh [--down-seconds S]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/common.sh
source "$ROOT/scripts/common.sh"

main() {
  local down_seconds=30 drain_seconds=3
  while [ $# -gt 0 ]; do
    case "$1" in
      --down-seconds) down_seconds=$2; shift 2 ;;
      *) die "unknown faults option $1 (--down-seconds S)" ;;
    esac
  done
  ensure_dotnet
  ensure_postgres

  FAULTS_WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/contentapi-faults.XXXXXX")
  local work=$FAULTS_WORKDIR pg_port api_port
  pg_port=$(free_port)
  api_port=$(free_port)
  FAULTS_API_PID=""
  FAULTS_SECOND_PID=""
  trap 'stop_process "$FAULTS_API_PID"; stop_process "$FAULTS_SECOND_PID"; pg_stop "$FAULTS_WORKDIR/pg"; rm -rf "$FAULTS_WORKDIR"' EXIT
  trap 'exit 130' INT TERM

  log "building the API (Release)"
  dotnet build "$API_PROJECT" -c Release -v q -nologo >/dev/null
  local api_dll="$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll"

  log "starting a throwaway PostgreSQL on 127.0.0.1:$pg_port"
  pg_init "$work/pg"
  pg_start "$work/pg" "$pg_port"
  local cs base="http://127.0.0.1:$api_port" slug="fault-scenarios"
  cs=$(connection_string "$pg_port" contentapi)
  ensure_api_role "$pg_port"
  ConnectionStrings__Content=$cs dotnet "$api_dll" migrate >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q contentapi -c "
    insert into articles (slug, title, summary, body, language, status, published_at)
    values ('$slug', 'Fault scenarios', 'The article the fault scenarios read and comment on.',
            '[{\"type\": \"paragraph\", \"text\": \"Read under faults.\"}]', 'en', 'published', now())" >/dev/null

  # start_api URL LOG: the API in Release, limits relaxed (all load comes from one address)
  start_api() {
    ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Content="$(api_connection_string "$pg_port" contentapi)" \
      Logging__LogLevel__Default=Warning Health__DrainSeconds=$drain_seconds \
      Comments__Moderation=post Comments__RateLimitPerMinute=100000000 Comments__FloodIntervalSeconds=0 \
      RateLimits__AnonymousRequestsPerMinute=0 \
      dotnet "$api_dll" --urls "$1" > "$2" 2>&1 &
  }

  log "starting the API on 127.0.0.1:$api_port"
  start_api "$base" "$work/api.log"
  FAULTS_API_PID=$!
  wait_ready "$base" "$work/api.log"

  log "1. fast restart of PostgreSQL under load (8 clients, 14 s)"
  python3 faults/load.py "$base" "$slug" 14 8 "$work/restart.json" &
  local load=$!
  sleep 4
  local down up
  down=$(date +%s.%N)
  as_pg_owner "$PG_BIN/pg_ctl" -D "$work/pg" -m fast -w -t 60 restart -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" \
    -l "$work/pg/server.log" >/dev/null
  up=$(date +%s.%N)
  wait "$load"
  printf '{"down": %s, "up": %s}\n' "$down" "$up" > "$work/restart-window.json"
  local ids
  ids=$(python3 -c 'import json,sys; print(",".join(str(a["id"]) for a in json.load(open(sys.argv[1]))["acknowledged"]) or "0")' "$work/restart.json")
  "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q -At contentapi -c "
    select json_build_object(
      'present', (select count(*) from comments where id in ($ids)),
      'duplicates', (select count(*) from (select body from comments where body like 'fault %' group by body having count(*) > 1) d))" \
    > "$work/restart-stored.json"

  log "2. PostgreSQL down for $down_seconds s"
  pg_stop "$work/pg"
  python3 faults/probe.py "$base" "$slug" "$down_seconds" "$work/down.json"
  local started ready_after=null
  pg_start "$work/pg" "$pg_port"
  started=$(date +%s.%N)
  for i in $(seq 1 100); do
    if curl -fsS "$base/health/ready" >/dev/null 2>&1 && curl -fsS "$base/v1/articles/$slug" >/dev/null 2>&1; then
      ready_after=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
      break
    fi
    sleep 0.1
  done
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["readyAfter"]=json.loads(sys.argv[2]); json.dump(d, open(sys.argv[1], "w"))' \
    "$work/down.json" "$ready_after"

  log "3. SIGTERM under load"
  python3 faults/load.py "$base" "$slug" 8 8 "$work/sigterm.json" &
  load=$!
  python3 faults/probe.py "$base" "$slug" 6 "$work/sigterm-probe.json" &
  local probe=$! term exit_code=0 exited
  sleep 2
  term=$(date +%s.%N)
  kill -TERM "$FAULTS_API_PID"
  wait "$FAULTS_API_PID" || exit_code=$?
  exited=$(date +%s.%N)
  FAULTS_API_PID=""
  wait "$load" "$probe"
  printf '{"term": %s, "exited": %s, "exitCode": %d, "drainSeconds": %d}\n' "$term" "$exited" "$exit_code" "$drain_seconds" \
    > "$work/sigterm-window.json"

  log "4. the API started while PostgreSQL is down"
  local second_port second_base
  second_port=$(free_port)
  second_base="http://127.0.0.1:$second_port"
  pg_stop "$work/pg"
  start_api "$second_base" "$work/api-second.log"
  FAULTS_SECOND_PID=$!
  local live_after=null launched
  launched=$(date +%s.%N)
  for i in $(seq 1 300); do
    if curl -fsS "$second_base/health/live" >/dev/null 2>&1; then
      live_after=$(awk -v s="$launched" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
      break
    fi
    sleep 0.1
  done
  python3 faults/probe.py "$second_base" "$slug" 5 "$work/start-down.json"
  pg_start "$work/pg" "$pg_port"
  started=$(date +%s.%N)
  ready_after=null
  for i in $(seq 1 100); do
    if curl -fsS "$second_base/health/ready" >/dev/null 2>&1; then
      ready_after=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
      break
    fi
    sleep 0.1
  done
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["liveAfter"]=json.loads(sys.argv[2]); d["readyAfter"]=json.loads(sys.argv[3]); json.dump(d, open(sys.argv[1], "w"))' \
    "$work/start-down.json" "$live_after" "$ready_after"

  # lock_for SECONDS TABLE MODE: holds a table lock from another session (in the background)
  lock_for() {
    "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q contentapi \
      -c "begin; lock table $2 in $3 mode; select pg_sleep($1); commit;" >/dev/null &
    sleep 0.5
  }

  log "5. comments locked (exclusive) for 8 s: 16 comment POSTs and 16 article reads"
  lock_for 8 comments exclusive
  local lock_holder=$!
  python3 faults/burst.py "$second_base" POST "/v1/articles/$slug/comments" 16 "$work/locked-writes.json" &
  local writes=$!
  python3 faults/burst.py "$second_base" GET "/v1/articles/$slug" 16 "$work/locked-reads.json"
  wait "$writes" "$lock_holder"

  log "6. articles locked (access exclusive) for 10 s: 48 reads at once exhaust the pool of 16"
  lock_for 10 articles "access exclusive"
  lock_holder=$!
  python3 faults/burst.py "$second_base" GET "/v1/articles/$slug" 48 "$work/pool.json"
  wait "$lock_holder"

  # PostgreSQL refuses new connections (53300) the way a full max_connections does: the API's role
  # may open none, and the connections it had are closed, so every request needs a new one.
  log "7. no connection slots left for the API (its role limited to 0, its sessions ended): 48 reads at once"
  local psql_owner=("$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q -At contentapi)
  "${psql_owner[@]}" -c "alter role contentapi_api connection limit 0" \
    -c "select count(pg_terminate_backend(pid)) from pg_stat_activity where usename = 'contentapi_api'" >/dev/null
  python3 faults/burst.py "$second_base" GET "/v1/articles/$slug" 48 "$work/slots.json"
  "${psql_owner[@]}" -c "alter role contentapi_api connection limit -1"
  python3 faults/burst.py "$second_base" GET "/v1/articles/$slug" 16 "$work/slots-after.json"

  echo
  python3 faults/report.py "$work"
}

main "$@"
