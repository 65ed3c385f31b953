#!/usr/bin/env bash
# ContentApi build entry point.
#   ./build.sh run       private PostgreSQL under .data/, migrate + seed, serve http://localhost:5080
#   ./build.sh test      throwaway PostgreSQL, dotnet test of the solution, prints "N passed, N failed"
#   ./build.sh openapi   regenerate openapi/content-api.v1.json from the running app's document
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
  pg-shell) shift; cmd_pg_shell "$@" ;;
  *) echo "usage: ./build.sh run | test | openapi | pg-shell" >&2; exit 2 ;;
esac
