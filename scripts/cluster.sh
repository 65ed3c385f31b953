#!/usr/bin/env bash
# The scaled-out topology on loopback (./build.sh cluster up|down|status): a PostgreSQL primary
# and two streaming replicas (pg_basebackup -R, a replication slot each), three API instances,
# HAProxy in front of them (health checks on /health/ready) and Redis, all from the OS
# packages, all under .data/cluster/, all stopped by `down` (and by `up` itself when it fails).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/common.sh
source "$ROOT/scripts/common.sh"

CLUSTER_DIR="$ROOT/.data/cluster"
STATE="$CLUSTER_DIR/state.env"
REPLICAS=2
INSTANCES=3

# The ports and processes of a running cluster, written by `up` and read by `status` and `down`.
load_state() {
  [ -f "$STATE" ] || die "no cluster is up (./build.sh cluster up)"
  # shellcheck disable=SC1090
  source "$STATE"
}

remember() { echo "$1=$2" >> "$STATE"; }

# state_of NAME: a value `remember` wrote (empty when it never did), e.g. state_of API2_PID.
state_of() { grep "^$1=" "$STATE" | cut -d= -f2- || true; }

psql_at() {
  "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -X -q -At -d postgres -c "$2"
}

# start_instance N [SETTING=VALUE ...]: API instance N on its port (Production, with the
# Served-By diagnostic header), its rate limits shared through Redis, HAProxy's X-Forwarded-For
# believed; CLUSTER_API_SETTINGS given to `up` and the extra settings override the defaults.
# Three instances share this machine's cores with three PostgreSQL servers: workstation GC, and
# no spinning thread pool (bench --cluster, 10,000 articles, 3 instances: 3,666 → 5,399 req/s,
# 335 → 187 API µs per read; every build has the spin off now, ContentApi.csproj).
start_instance() {
  local i=$1 pid
  shift
  log "API instance $i on 127.0.0.1:$(state_of "API${i}_PORT")${*:+ ($*)}"
  # shellcheck disable=SC2046,SC2086
  env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Content="$(state_of CONTENT_CONNECTION | tr -d '"')" \
    ConnectionStrings__Redis="127.0.0.1:$(state_of REDIS_PORT)" RateLimits__Instances="$INSTANCES" Http__TrustedProxies__0=127.0.0.1 \
    ReadReplicas__ServedByHeader=true Logging__LogLevel__Default=Warning Health__DrainSeconds=3 \
    DOTNET_gcServer=0 \
    $(state_of API_SETTINGS | tr -d '"') "$@" \
    setsid dotnet "$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll" --urls "http://127.0.0.1:$(state_of "API${i}_PORT")" \
    >> "$CLUSTER_DIR/api$i.log" 2>&1 < /dev/null &
  pid=$!
  sed -i "/^API${i}_PID=/d" "$STATE"
  remember "API${i}_PID" "$pid"
}

cmd_up() {
  [ -f "$STATE" ] && die "a cluster is already up (./build.sh cluster status; ./build.sh cluster down)"
  ensure_dotnet
  ensure_postgres
  command -v haproxy >/dev/null 2>&1 || apt_install haproxy
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$CLUSTER_DIR"
  : > "$STATE"
  trap 'status=$?; if [ $status -ne 0 ]; then log "up failed: taking down what started"; cmd_down; fi' EXIT

  log "building the API (Release)"
  dotnet build "$API_PROJECT" -c Release -v q -nologo >/dev/null

  local primary_port
  primary_port=$(free_port)
  log "PostgreSQL primary on 127.0.0.1:$primary_port"
  pg_init "$CLUSTER_DIR/primary"
  # initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
  pg_start "$CLUSTER_DIR/primary" "$primary_port" -c wal_level=replica -c max_wal_senders=10 -c max_replication_slots=10 \
    -c hot_standby_feedback=on
  remember PRIMARY_PORT "$primary_port"

  local i port
  for i in $(seq 1 "$REPLICAS"); do
    port=$(free_port)
    log "PostgreSQL replica $i on 127.0.0.1:$port (streaming, slot replica$i)"
    psql_at "$primary_port" "select pg_create_physical_replication_slot('replica$i')" >/dev/null
    mkdir -p "$CLUSTER_DIR/replica$i"
    [ "$(id -u)" -eq 0 ] && chown postgres "$CLUSTER_DIR/replica$i"
    chmod 700 "$CLUSTER_DIR/replica$i"
    # (It warns of the primary's socket file, kept in its data folder: the log keeps that.)
    as_pg_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$CLUSTER_DIR/replica$i" \
      -R -S "replica$i" -X stream > "$CLUSTER_DIR/basebackup$i.log" 2>&1 \
      || { cat "$CLUSTER_DIR/basebackup$i.log" >&2; die "pg_basebackup of replica $i failed"; }
    pg_start "$CLUSTER_DIR/replica$i" "$port" -c hot_standby=on
    remember "REPLICA${i}_PORT" "$port"
  done

  log "migrations on the primary"
  ensure_api_role "$primary_port"
  ConnectionStrings__Content=$(connection_string "$primary_port" contentapi) dotnet "$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll" migrate >/dev/null

  local redis_port
  redis_port=$(free_port)
  log "Redis on 127.0.0.1:$redis_port"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$CLUSTER_DIR" --pidfile "$CLUSTER_DIR/redis.pid" --logfile "$CLUSTER_DIR/redis.log" >/dev/null
  remember REDIS_PORT "$redis_port"

  # One multi-host connection string: the primary is found by asking (writes, LISTEN), public
  # reads go to the replicas (Reads/ReadRouting.cs).
  local hosts="127.0.0.1:$primary_port"
  for i in $(seq 1 "$REPLICAS"); do hosts+=",127.0.0.1:$(state_of "REPLICA${i}_PORT")"; done
  remember CONTENT_CONNECTION "\"Host=$hosts;Username=$API_ROLE;Database=contentapi\""
  remember API_SETTINGS "\"${CLUSTER_API_SETTINGS:-}\""

  local backends="" api_port
  for i in $(seq 1 "$INSTANCES"); do
    api_port=$(free_port)
    remember "API${i}_PORT" "$api_port"
    start_instance "$i"
    backends+="    server api$i 127.0.0.1:$api_port check"$'\n'
  done
  for i in $(seq 1 "$INSTANCES"); do
    api_port=$(state_of "API${i}_PORT")
    wait_ready "http://127.0.0.1:$api_port" "$CLUSTER_DIR/api$i.log"
  done

  local haproxy_port stats_port
  haproxy_port=$(free_port)
  stats_port=$(free_port)
  log "HAProxy on 127.0.0.1:$haproxy_port"
  # An instance that fails two checks (its readiness turns 503 when it drains) gets no new
  # requests; the ones it is serving finish.
  cat > "$CLUSTER_DIR/haproxy.cfg" <<EOF
global
    maxconn 4096
    # Taking instances in and out (bench/cluster.sh: 1, 2 and 3 instances).
    stats socket $CLUSTER_DIR/haproxy.sock mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    option redispatch
    retries 2

frontend api
    bind 127.0.0.1:$haproxy_port
    option forwardfor
    default_backend instances

listen stats
    bind 127.0.0.1:$stats_port
    stats enable
    stats uri /stats

backend instances
    balance leastconn
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
$backends
EOF
  haproxy -f "$CLUSTER_DIR/haproxy.cfg" -D -p "$CLUSTER_DIR/haproxy.pid"
  remember HAPROXY_PORT "$haproxy_port"
  remember HAPROXY_STATS_PORT "$stats_port"
  local n
  for n in $(seq 1 30); do
    curl -fsS "http://127.0.0.1:$haproxy_port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$haproxy_port/health/ready" >/dev/null || die "HAProxy does not reach the instances"

  trap - EXIT
  cmd_status
  echo
  echo "ContentApi through HAProxy: http://127.0.0.1:$haproxy_port/v1/articles"
  echo "Stop everything:            ./build.sh cluster down"
}

cmd_down() {
  [ -f "$STATE" ] || { log "no cluster is up"; return 0; }
  # shellcheck disable=SC1090
  source "$STATE"
  ensure_postgres
  [ -f "$CLUSTER_DIR/haproxy.pid" ] && kill "$(cat "$CLUSTER_DIR/haproxy.pid")" 2>/dev/null || true
  local i pid
  for i in $(seq 1 "$INSTANCES"); do
    pid=$(state_of "API${i}_PID")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  [ -f "$CLUSTER_DIR/redis.pid" ] && kill "$(cat "$CLUSTER_DIR/redis.pid")" 2>/dev/null || true
  for i in $(seq 1 "$REPLICAS"); do pg_stop "$CLUSTER_DIR/replica$i"; done
  pg_stop "$CLUSTER_DIR/primary"
  for i in $(seq 1 "$INSTANCES"); do
    pid=$(state_of "API${i}_PID")
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  done
  rm -rf "$CLUSTER_DIR"
  log "cluster down"
}

cmd_status() {
  load_state
  ensure_postgres
  local i port role lag ready
  printf '%-12s %-7s %-26s %s\n' part port role state
  role=$(psql_at "$PRIMARY_PORT" "select case when pg_is_in_recovery() then 'replica (!)' else 'primary' end" 2>/dev/null || echo down)
  printf '%-12s %-7s %-26s %s\n' postgres-0 "$PRIMARY_PORT" "$role" "$(psql_at "$PRIMARY_PORT" "select count(*) || ' replicas streaming' from pg_stat_replication where state = 'streaming'" 2>/dev/null || echo down)"
  for i in $(seq 1 "$REPLICAS"); do
    port=$(state_of "REPLICA${i}_PORT")
    role=$(psql_at "$port" "select case when pg_is_in_recovery() then 'replica of ' || $PRIMARY_PORT else 'primary (promoted)' end" 2>/dev/null || echo down)
    # Lag as the primary sees it: bytes not yet replayed, and the time the last replay took.
    lag=$(psql_at "$PRIMARY_PORT" "select r.state || ', lag ' || pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) || ' bytes, '
                                          || coalesce(round(extract(epoch from r.replay_lag) * 1000, 1)::text || ' ms', '0 ms')
                                   from pg_stat_replication r join pg_replication_slots s on s.active_pid = r.pid
                                   where s.slot_name = 'replica$i'" 2>/dev/null || true)
    printf '%-12s %-7s %-26s %s\n' "postgres-$i" "$port" "$role" "${lag:-not streaming}"
  done
  for i in $(seq 1 "$INSTANCES"); do
    port=$(state_of "API${i}_PORT")
    ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)
    printf '%-12s %-7s %-26s %s\n' "api-$i" "$port" "instance" "$([ "$ready" = 000 ] && echo down || echo "ready: $ready")"
  done
  printf '%-12s %-7s %-26s %s\n' haproxy "$HAPROXY_PORT" "balancer (leastconn)" \
    "$(curl -s "http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv" | awk -F, '$1 == "instances" && $2 ~ /^api/ { printf "%s %s  ", $2, $18 }' || echo down)"
  printf '%-12s %-7s %-26s %s\n' redis "$REDIS_PORT" "shared limits" "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || echo down)"
}

# After the primary stopped: replica N becomes the primary (pg_ctl promote), the other replicas
# follow it (a slot each on it, primary_conninfo pointed at it, restarted). The instances need
# no change: their connection string names every server and Npgsql finds the new primary.
cmd_promote() {
  load_state
  ensure_postgres
  local n=${1:-} new_port i port
  new_port=$(state_of "REPLICA${n}_PORT")
  [ -n "$n" ] && [ -n "$new_port" ] || die "usage: ./build.sh cluster promote N (N: a replica, 1 to $REPLICAS)"
  psql_at "$PRIMARY_PORT" "select 1" >/dev/null 2>&1 \
    && die "the primary on port $PRIMARY_PORT still answers: stop it first (two primaries would part ways)"
  log "promoting replica $n (port $new_port)"
  as_pg_owner "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/replica$n" -w promote >/dev/null
  for i in $(seq 1 "$REPLICAS"); do
    [ "$i" = "$n" ] && continue
    port=$(state_of "REPLICA${i}_PORT")
    log "replica $i (port $port) follows port $new_port"
    psql_at "$new_port" "select pg_create_physical_replication_slot('replica$i')" >/dev/null
    pg_stop "$CLUSTER_DIR/replica$i"
    sed -i "s/port=$PRIMARY_PORT /port=$new_port /" "$CLUSTER_DIR/replica$i/postgresql.auto.conf"
    pg_start "$CLUSTER_DIR/replica$i" "$port" -c hot_standby=on
  done
  sed -i "s/^PRIMARY_PORT=.*/PRIMARY_PORT=$new_port/" "$STATE"
  cmd_status
}

# Sourced by scripts/cluster-test.sh for its functions; run by ./build.sh cluster.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    promote) cmd_promote "${2:-}" ;;
    test) exec "$ROOT/scripts/cluster-test.sh" ;;
    *) die "usage: ./build.sh cluster up|down|status|promote N|test" ;;
  esac
fi
