#!/usr/bin/env bash
# ContentApi build entry point.
#   ./build.sh run       private PostgreSQL under .data/, migrate + seed, serve http://localhost:5080
#   ./build.sh test      throwaway PostgreSQL, dotnet test of the solution, prints "N passed, N failed"
#   ./build.sh openapi   regenerate openapi/content-api.v1.json from the running app's document
#   ./build.sh bench     synthetic data at scale, wrk against the API and pgbench against PostgreSQL
#                        [--articles N] [--duration S] [--connections C] [--quick]
#   ./build.sh pg-shell  psql into the private cluster of `run` (while it is running)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
API_PROJECT=src/ContentApi/ContentApi.csproj
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- prerequisites ---------------------------------------------------------------------

pg_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "cannot install $*: no apt-get; install it by hand"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing $* from the OS packages"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  PG_BIN=$(pg_bindir) || { apt_install postgresql; PG_BIN=$(pg_bindir) || die "PostgreSQL server binaries not found after install"; }
  export PG_BIN
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is required (https://dot.net)"
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# --- private PostgreSQL clusters -------------------------------------------------------
# initdb refuses to run as root: when root, the cluster belongs to the `postgres` user and
# every command runs through runuser. The socket lives in the data folder; TCP on 127.0.0.1.

as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_init DATADIR: creates a cluster with a trusted local superuser `postgres`.
pg_init() {
  local datadir=$1
  mkdir -p "$datadir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres "$datadir"
    # every parent must be traversable by postgres
    local dir=$datadir
    while [ "$dir" != "/" ]; do dir=$(dirname "$dir"); chmod o+x "$dir" 2>/dev/null || true; done
  fi
  chmod 700 "$datadir"
  as_pg_owner "$PG_BIN/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
}

# pg_start DATADIR PORT [extra postgres options]
pg_start() {
  local datadir=$1 port=$2; shift 2
  as_pg_owner "$PG_BIN/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
    -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c max_connections=200 $*" start >/dev/null \
    || { tail -n 20 "$datadir/server.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
  local datadir=$1
  [ -f "$datadir/postmaster.pid" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
}

connection_string() {
  echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=$2"
}

# --- commands --------------------------------------------------------------------------

cmd_run() {
  ensure_dotnet
  ensure_postgres
  local port_file="$ROOT/.data/postgres.port" port
  RUN_DATADIR="$ROOT/.data/postgres"   # global: used by the EXIT trap
  local datadir=$RUN_DATADIR
  if [ ! -f "$datadir/PG_VERSION" ]; then
    log "creating the private PostgreSQL cluster in .data/postgres"
    pg_init "$datadir"
  fi
  pg_stop "$datadir"   # a previous run killed without Ctrl-C may have left it running
  if [ -f "$port_file" ]; then port=$(cat "$port_file"); else port=$(free_port); echo "$port" > "$port_file"; fi
  log "starting PostgreSQL on 127.0.0.1:$port"
  pg_start "$datadir" "$port"
  trap 'log "stopping PostgreSQL"; pg_stop "$RUN_DATADIR"' EXIT
  trap 'exit 130' INT TERM

  export ConnectionStrings__Content
  ConnectionStrings__Content=$(connection_string "$port" contentapi)
  export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development

  log "building"
  dotnet build "$API_PROJECT" -c Debug -v q -nologo
  log "applying migrations and seed data"
  dotnet run --no-build --project "$API_PROJECT" -- migrate
  local key
  key=$(dotnet run --no-build --project "$API_PROJECT" -- keys ensure-development "$ROOT/.data/development-api-key")
  echo
  echo "ContentApi:   http://localhost:5080/v1/articles"
  echo "Swagger UI:   http://localhost:5080/swagger"
  echo "PostgreSQL:   $ConnectionStrings__Content"
  echo "Development API key: $key"
  echo
  dotnet run --no-build --project "$API_PROJECT" --no-launch-profile -- --urls http://localhost:5080
}

cmd_test() {
  ensure_dotnet
  ensure_postgres
  local port results status=0
  # global: the EXIT trap runs after this function has returned
  TEST_WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/contentapi-test.XXXXXX")
  local workdir=$TEST_WORKDIR
  port=$(free_port)
  trap 'pg_stop "$TEST_WORKDIR/pg"; rm -rf "$TEST_WORKDIR"' EXIT
  trap 'exit 130' INT TERM

  log "starting a throwaway PostgreSQL on 127.0.0.1:$port"
  pg_init "$workdir/pg"
  pg_start "$workdir/pg" "$port" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
  # The tests create their own databases on this server (one per fixture).
  export CONTENTAPI_TEST_SERVER
  CONTENTAPI_TEST_SERVER=$(connection_string "$port" postgres)

  results="$ROOT/TestResults"
  rm -rf "$results"
  log "dotnet test"
  dotnet test --solution ContentApi.sln -c Release --report-xunit-trx --results-directory "$results" || status=$?
  print_counts "$results" || status=1
  return "$status"
}

# Sums the TRX counters (dotnet test's console summary is not a reliable count).
print_counts() {
  local results=$1 files
  files=$(find "$results" -name '*.trx' 2>/dev/null)
  if [ -z "$files" ]; then
    echo "no test results were written"
    echo "0 passed, 1 failed"
    return 1
  fi
  # shellcheck disable=SC2086
  python3 - $files <<'PY'
import re, sys
passed = failed = 0
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    m = re.search(r"<Counters ([^>]*)/>", text)
    if not m:
        failed += 1
        continue
    attrs = dict(re.findall(r'(\w+)="(\d+)"', m.group(1)))
    passed += int(attrs.get("passed", 0))
    failed += sum(int(attrs.get(k, 0)) for k in ("failed", "error", "timeout", "aborted"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
}

cmd_openapi() {
  ensure_dotnet
  log "regenerating openapi/content-api.v1.json"
  dotnet build "$API_PROJECT" -c Debug -v q -nologo
  dotnet run --no-build --project "$API_PROJECT" -- openapi "$ROOT/openapi/content-api.v1.json"
}

# --- bench --------------------------------------------------------------------------------

# CPU seconds (user + system) of a process, and of the children it has reaped.
cpu_seconds() {
  awk -v tck="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / tck }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU seconds of a PostgreSQL cluster: the postmaster, its reaped children and its live ones.
pg_cpu_seconds() {
  local postmaster=$1 total child
  total=$(cpu_seconds "$postmaster")
  for child in $(pgrep -P "$postmaster"); do
    total=$(awk -v a="$total" -v b="$(awk -v tck="$(getconf CLK_TCK)" '{ print ($14 + $15) / tck }' "/proc/$child/stat" 2>/dev/null || echo 0)" 'BEGIN { print a + b }')
  done
  echo "$total"
}

cmd_bench() {
  local articles=100000 duration=20 connections=32 warmup=5
  while [ $# -gt 0 ]; do
    case "$1" in
      --articles) articles=$2; shift 2 ;;
      --duration) duration=$2; shift 2 ;;
      --connections) connections=$2; shift 2 ;;
      --quick) articles=10000; duration=5; shift ;;
      *) die "unknown bench option $1 (--articles N --duration S --connections C --quick)" ;;
    esac
  done
  ensure_dotnet
  ensure_postgres
  command -v wrk >/dev/null 2>&1 || apt_install wrk

  BENCH_WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/contentapi-bench.XXXXXX")
  local work=$BENCH_WORKDIR pg_port api_port
  pg_port=$(free_port)
  api_port=$(free_port)
  BENCH_API_PID=""
  trap '[ -n "$BENCH_API_PID" ] && kill "$BENCH_API_PID" 2>/dev/null; pg_stop "$BENCH_WORKDIR/pg"; rm -rf "$BENCH_WORKDIR"' EXIT
  trap 'exit 130' INT TERM

  log "building the API (Release)"
  dotnet build "$API_PROJECT" -c Release -v q -nologo >/dev/null
  local api_dll="$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll"

  log "starting a throwaway PostgreSQL on 127.0.0.1:$pg_port"
  pg_init "$work/pg"
  # synchronous_commit=off: commits do not wait for the disk (the figures are about CPU paths).
  pg_start "$work/pg" "$pg_port" -c shared_buffers=512MB -c synchronous_commit=off -c max_wal_size=4GB \
    -c checkpoint_timeout=30min -c maintenance_work_mem=256MB
  local cs psql_cmd
  cs=$(connection_string "$pg_port" contentapi)
  psql_cmd=("$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q contentapi)
  ConnectionStrings__Content=$cs dotnet "$api_dll" migrate >/dev/null

  log "loading $articles articles with metadata and ~$((articles * 10)) comments"
  local load_start load_seconds half=$((articles / 2))
  load_start=$(date +%s.%N)
  "${psql_cmd[@]}" -v articles="$articles" -v phase=prepare -f sql/bench/generate.sql >/dev/null
  echo "   entities ready"
  "${psql_cmd[@]}" -v articles="$articles" -v phase=articles -v first=1 -v last="$half" -f sql/bench/generate.sql >/dev/null &
  "${psql_cmd[@]}" -v articles="$articles" -v phase=articles -v first=$((half + 1)) -v last="$articles" -f sql/bench/generate.sql >/dev/null
  wait
  echo "   articles and links ready"
  "${psql_cmd[@]}" -v articles="$articles" -v phase=comments -v first=1 -v last="$half" -f sql/bench/generate.sql >/dev/null &
  "${psql_cmd[@]}" -v articles="$articles" -v phase=comments -v first=$((half + 1)) -v last="$articles" -f sql/bench/generate.sql >/dev/null
  wait
  echo "   comments ready"
  # Word pairs to search for, from the generated vocabulary (before finish drops it).
  "${psql_cmd[@]}" -At -c "select w1.w || '%20' || w2.w from bench_words w1, bench_words w2 where w1.i between 1000 and 1009 and w2.i between 2000 and 2009" > "$work/searches.txt"
  "${psql_cmd[@]}" -v articles="$articles" -v phase=finish -f sql/bench/generate.sql >/dev/null
  "${psql_cmd[@]}" -c "vacuum analyze" >/dev/null
  load_seconds=$(awk -v s="$load_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  local comments
  comments=$("${psql_cmd[@]}" -At -c "select count(*) from comments")
  echo "   loaded in ${load_seconds} s ($comments comments)"

  # What the scenarios pick from at random.
  "${psql_cmd[@]}" -At -F $'\t' -c "select slug, 'W/\"a' || content_version || '\"' from articles" > "$work/articles.tsv"
  "${psql_cmd[@]}" -At -c "select slug from people" > "$work/people.txt"

  log "starting the API on 127.0.0.1:$api_port"
  ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Content=$cs Logging__LogLevel__Default=Warning \
    Comments__RateLimitPerMinute=100000000 Comments__FloodIntervalSeconds=0 \
    dotnet "$api_dll" --urls "http://127.0.0.1:$api_port" > "$work/api.log" 2>&1 &
  BENCH_API_PID=$!
  local base="http://127.0.0.1:$api_port" i
  for i in $(seq 1 60); do
    curl -fsS "$base/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "$base/health/ready" >/dev/null || { cat "$work/api.log" >&2; die "the API did not become ready"; }

  # 5,000 items deep: the same page by cursor (the next link of the page before) and by offset.
  local deep_cursor_path
  deep_cursor_path=$(curl -fsS "$base/v1/articles?page=250&pageSize=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["links"]["next"])')
  echo "$deep_cursor_path" > "$work/list-deep.txt"
  echo "/v1/articles?page=251&pageSize=20" > "$work/list-offset-deep.txt"
  echo "/v1/articles" > "$work/list.txt"

  local postmaster
  postmaster=$(head -n 1 "$work/pg/postmaster.pid")
  export BENCH_LUA="$ROOT/bench/wrk"

  # run_scenario NAME wrk-script-and-args…
  run_scenario() {
    local name=$1; shift
    echo "   $name"
    WRK_REPORT="$work/warmup.json" wrk -t 2 -c "$connections" -d "${warmup}s" "$@" >/dev/null
    local api_before pg_before
    api_before=$(cpu_seconds "$BENCH_API_PID")
    pg_before=$(pg_cpu_seconds "$postmaster")
    WRK_REPORT="$work/wrk.json" wrk -t 2 -c "$connections" -d "${duration}s" "$@" >/dev/null
    python3 - "$work/wrk.json" "$work/$name.json" "$(cpu_seconds "$BENCH_API_PID")" "$api_before" "$(pg_cpu_seconds "$postmaster")" "$pg_before" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["rps"] = r["requests"] / (r["durationUs"] / 1e6)
r["errors"] = r["socketErrors"] + r["httpErrors"]
r["apiCpuSeconds"] = float(sys.argv[3]) - float(sys.argv[4])
r["pgCpuSeconds"] = float(sys.argv[5]) - float(sys.argv[6])
json.dump(r, open(sys.argv[2], "w"))
PY
  }

  local get="$ROOT/bench/wrk/get.lua"
  # Tiered JIT compilation shares the two cores with the load: without this the first
  # scenario measured a half-compiled API.
  log "warming the API up ($((warmup * 3)) s)"
  WRK_REPORT="$work/warmup.json" wrk -t 2 -c "$connections" -d "$((warmup * 2))s" -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ >/dev/null
  WRK_REPORT="$work/warmup.json" wrk -t 2 -c "$connections" -d "${warmup}s" -s "$get" "$base" -- "$work/list.txt" >/dev/null

  log "measuring: $duration s per scenario after a $warmup s warm-up, $connections connections"
  run_scenario article -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/
  run_scenario article-304 -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ "" etag
  run_scenario list -s "$get" "$base" -- "$work/list.txt"
  run_scenario list-deep -s "$get" "$base" -- "$work/list-deep.txt"
  run_scenario list-offset-deep -s "$get" "$base" -- "$work/list-offset-deep.txt"
  run_scenario filter -s "$get" "$base" -- "$work/people.txt" "/v1/articles?person="
  run_scenario search -s "$get" "$base" -- "$work/searches.txt" "/v1/search?q="
  run_scenario comments -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ /comments
  run_scenario post-comment -s "$ROOT/bench/wrk/post_comment.lua" "$base" -- "$work/articles.tsv"

  echo "   pgbench"
  local pgbench_cmd=("$PG_BIN/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared -c "$connections" -j 2
    -D articles="$articles" -f "$ROOT/bench/pgbench/article.sql" contentapi)
  "${pgbench_cmd[@]}" -T "$warmup" >/dev/null 2>&1
  local pg_before
  pg_before=$(pg_cpu_seconds "$postmaster")
  (cd "$work" && "${pgbench_cmd[@]}" -T "$duration" -l --log-prefix=pgbench > pgbench.out 2>&1)
  sleep 1 # pgbench's backends count in the postmaster's children time once they are reaped
  python3 - "$work" "$(pg_cpu_seconds "$postmaster")" "$pg_before" <<'PY'
import glob, json, re, sys
work = sys.argv[1]
out = open(f"{work}/pgbench.out").read()
latencies = sorted(int(line.split()[2]) for path in glob.glob(f"{work}/pgbench.*") if not path.endswith(".out") for line in open(path))
tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out)) else 0
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]
json.dump({"requests": len(latencies), "rps": tps, "p50Us": pct(50), "p99Us": pct(99), "errors": failed,
           "apiCpuSeconds": 0, "pgCpuSeconds": float(sys.argv[2]) - float(sys.argv[3])}, open(f"{work}/pgbench.json", "w"))
PY

  local peak_kb
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$BENCH_API_PID/status")
  python3 - "$work/meta.json" <<PY
import json, sys
json.dump({"articles": $articles, "comments": $comments, "connections": $connections, "duration": $duration,
           "warmup": $warmup, "loadSeconds": $load_seconds, "apiPeakRssMb": round($peak_kb / 1024)}, open(sys.argv[1], "w"))
PY
  python3 "$ROOT/bench/report.py" "$work" "$ROOT/bench/results"
}

cmd_pg_shell() {
  ensure_postgres
  local port
  port=$(cat "$ROOT/.data/postgres.port" 2>/dev/null) || die "no private cluster yet: run ./build.sh run first"
  exec "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres contentapi
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  openapi) shift; cmd_openapi "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  pg-shell) shift; cmd_pg_shell "$@" ;;
  *) echo "usage: ./build.sh run | test | openapi | bench [--articles N] [--duration S] [--connections C] [--quick] | pg-shell" >&2; exit 2 ;;
esac
