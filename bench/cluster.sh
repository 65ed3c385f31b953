#!/usr/bin/env bash
# ./build.sh bench --cluster [--articles N] [--duration S] [--connections C]: the scaled-out
# topology of ./build.sh cluster (its own, brought up and taken down here) with the benchmark's
# synthetic newsroom, output cache off so that every read reaches PostgreSQL. Reports, in
# bench/results/cluster.md:
# - article reads through HAProxy with 1, 2 and 3 instances: req/s, p50/p99, CPU µs per request
#   of the instances, the primary and the replicas, and the share of reads replicas answered;
# - replication lag under a write load (articles replaced through HAProxy);
# - read-your-writes: a write through one instance, then its reader through another with the
#   Commit-Position: how long that read takes, who answers it, and how long until a replica can.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/cluster.sh
source "$ROOT/scripts/cluster.sh"

# CPU seconds of the PostgreSQL server in DATADIR.

instances_cpu() {
  local i total=0
  for i in $(seq 1 "$INSTANCES"); do
    total=$(awk -v a="$total" -v b="$(cpu_seconds "$(state_of "API${i}_PID")")" 'BEGIN { print a + b }')
  done
  echo "$total"
}

# haproxy_command COMMAND: one command on HAProxy's admin socket.
haproxy_command() {
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall((sys.argv[2] + "\n").encode()); print(s.recv(4096).decode(), end="")' \
    "$CLUSTER_DIR/haproxy.sock" "$1"
}

json() { python3 -c "import json, sys; r = json.load(open(sys.argv[1])); print($2)" "$1"; }

main() {
  local articles=20000 duration=15 connections=32
  while [ $# -gt 0 ]; do
    case "$1" in
      --articles) articles=$2; shift 2 ;;
      --duration) duration=$2; shift 2 ;;
      --connections) connections=$2; shift 2 ;;
      *) die "unknown option $1 (./build.sh bench --cluster [--articles N] [--duration S] [--connections C])" ;;
    esac
  done
  [ -f "$STATE" ] && die "a cluster is up: ./build.sh cluster down first (the benchmark brings up its own)"
  command -v wrk >/dev/null 2>&1 || apt_install wrk
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/contentapi-cluster-bench.XXXXXX")
  CLUSTER_API_SETTINGS="RateLimits__AnonymousRequestsPerMinute=0 OutputCache__Enabled=false" cmd_up > "$work/up.log" 2>&1 \
    || { cat "$work/up.log" >&2; die "cluster up failed"; }
  trap 'cmd_down >/dev/null 2>&1; rm -rf "'"$work"'"' EXIT
  load_state
  local base="http://127.0.0.1:$HAPROXY_PORT" psql_cmd=("$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -X -q contentapi)
  export BENCH_LUA="$ROOT/bench/wrk"

  log "loading $articles articles on the primary (the replicas stream them)"
  "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase=prepare -f sql/bench/generate.sql >/dev/null
  local phase
  for phase in articles comments; do
    "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase="$phase" -v first=1 -v last="$articles" -f sql/bench/generate.sql >/dev/null
  done
  "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase=finish -f sql/bench/generate.sql >/dev/null
  "${psql_cmd[@]}" -c "vacuum analyze" >/dev/null
  "${psql_cmd[@]}" -At -F $'\t' -c "select slug from articles" > "$work/articles.tsv"
  local target
  target=$("${psql_cmd[@]}" -At -c "select pg_current_wal_lsn()")
  for port in $(state_of REPLICA1_PORT) $(state_of REPLICA2_PORT); do
    until [ "$(psql_at "$port" "select pg_last_wal_replay_lsn() >= '$target'")" = t ]; do sleep 0.5; done
  done
  local key
  key=$(ConnectionStrings__Content="$(connection_string "$PRIMARY_PORT" contentapi)" Logging__LogLevel__Default=Warning \
    dotnet "$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll" keys create --name bench --scope content:write | tail -n 1)

  local report="$work/cluster.md" k i node api0 api1 pg replicas requests
  {
    echo "## Cluster ($articles articles, output cache off, $connections connections, ${duration} s per run, $(nproc) cores)"
    echo
    echo "| instances | req/s | p50 ms | p99 ms | errors | API µs/req | primary µs/req | replicas µs/req | replica share |"
    echo "|---|---|---|---|---|---|---|---|---|"
  } > "$report"
  for k in 1 2 3; do
    log "article reads through HAProxy, $k instance(s)"
    for i in $(seq 1 "$INSTANCES"); do
      haproxy_command "set server instances/api$i state $([ "$i" -le "$k" ] && echo ready || echo maint)" >/dev/null
    done
    sleep 1
    WRK_REPORT="$work/warmup.json" wrk -t 2 -c "$connections" -d 5s -s "$ROOT/bench/wrk/get.lua" "$base" -- "$work/articles.tsv" /v1/articles/ >/dev/null
    api0=$(instances_cpu)
    for node in primary replica1 replica2; do pg_cpu_snapshot "$CLUSTER_DIR/$node" "$work/cpu-$node.json"; done
    WRK_REPORT="$work/reads-$k.json" wrk -t 2 -c "$connections" -d "${duration}s" -s "$ROOT/bench/wrk/get.lua" "$base" -- "$work/articles.tsv" /v1/articles/ >/dev/null
    api1=$(instances_cpu); pg=$(pg_cpu_since "$CLUSTER_DIR/primary" "$work/cpu-primary.json")
    replicas=$(awk -v a="$(pg_cpu_since "$CLUSTER_DIR/replica1" "$work/cpu-replica1.json")" \
      -v b="$(pg_cpu_since "$CLUSTER_DIR/replica2" "$work/cpu-replica2.json")" 'BEGIN { print a + b }')
    requests=$(json "$work/reads-$k.json" 'r["requests"]')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$k" \
      "$(json "$work/reads-$k.json" 'round(r["requests"] / r["durationUs"] * 1e6)')" \
      "$(json "$work/reads-$k.json" 'round(r["p50Us"] / 1000, 2)')" "$(json "$work/reads-$k.json" 'round(r["p99Us"] / 1000, 2)')" \
      "$(json "$work/reads-$k.json" 'r["requests"] - r["statuses"].get("200", 0)')" \
      "$(awk -v a="$api0" -v b="$api1" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')" \
      "$(awk -v s="$pg" -v n="$requests" 'BEGIN { printf "%.0f", s * 1e6 / n }')" \
      "$(awk -v s="$replicas" -v n="$requests" 'BEGIN { printf "%.0f", s * 1e6 / n }')" \
      "$(json "$work/reads-$k.json" "'{:.0%}'.format(r['fromReplica'] / r['requests'])")" >> "$report"
  done

  log "replication lag under article updates through HAProxy (3 instances)"
  WRK_REPORT="$work/writes.json" wrk -t "$connections" -c "$connections" -d "${duration}s" -s "$ROOT/bench/wrk/write_article.lua" "$base" -- update "$key" >/dev/null &
  local writer=$! lag_samples="$work/lag.txt"
  : > "$lag_samples"
  while kill -0 "$writer" 2>/dev/null; do
    psql_at "$PRIMARY_PORT" "select coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0) || ' ' || coalesce(max(extract(epoch from replay_lag) * 1000), 0) from pg_stat_replication" >> "$lag_samples" || true
    sleep 0.2
  done
  wait "$writer" || true
  {
    echo
    echo "Replication lag during $(json "$work/writes.json" 'round(r["requests"] / r["durationUs"] * 1e6)') article updates/s ($(json "$work/writes.json" 'r["requests"] - r["statuses"].get("200", 0) - r["statuses"].get("201", 0)') errors), sampled every 0.2 s on the primary:"
    sort -n -k1 "$lag_samples" | awk '{ b[NR] = $1 } END { printf "bytes not yet replayed p50 %d, max %d; ", b[int(NR * 0.5) + 1], b[NR] }'
    sort -n -k2 "$lag_samples" | awk '{ m[NR] = $2 } END { printf "replay lag p50 %.1f ms, max %.1f ms\n", m[int(NR * 0.5) + 1], m[NR] }'
  } >> "$report"

  log "read-your-writes: 200 writes, each read back through another instance"
  python3 "$ROOT/bench/read_your_writes.py" "$key" "$(head -n 1 "$work/articles.tsv")" \
    "$(instance_url_list)" >> "$report"
  mkdir -p "$ROOT/bench/results"
  cp "$report" "$ROOT/bench/results/cluster.md"
  cat "$report"
}

instance_url_list() {
  local i urls=""
  for i in $(seq 1 "$INSTANCES"); do urls+="${urls:+,}http://127.0.0.1:$(state_of "API${i}_PORT")"; done
  echo "$urls"
}

main "$@"
