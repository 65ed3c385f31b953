#!/usr/bin/env bash
# ContentApi build entry point.
#   ./build.sh run       private PostgreSQL under .data/, migrate + seed, serve http://localhost:5080,
#                        the reader site on http://localhost:5081
#   ./build.sh test      throwaway PostgreSQL, dotnet test of the solution (OpenAPI lint, typed client and
#                        browser tests included), prints "N passed, N failed"
#   ./build.sh openapi   regenerate openapi/content-api.v1.json from the running app's document
#   ./build.sh bench     synthetic data at scale, wrk against the API and pgbench against PostgreSQL
#                        [--articles N] [--duration S] [--connections C] [--quick]; with --cluster, the
#                        scaled-out topology with 1, 2 and 3 instances, replication lag, read-your-writes
#   ./build.sh faults    fault scenarios with real processes (PostgreSQL restart under load, database
#                        down) and a table of what clients saw [--down-seconds S]
#   ./build.sh pg-shell  psql into the private cluster of `run` (while it is running)
#   ./build.sh cluster up|down|status|promote N|test
#                        the scaled-out topology on loopback: PostgreSQL primary + 2 streaming replicas,
#                        3 API instances, HAProxy, Redis (under .data/cluster/); promote N makes replica N
#                        the primary once the primary stopped; test runs the topology's checks on its own
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
# shellcheck source=scripts/common.sh
source "$ROOT/scripts/common.sh"

# --- commands --------------------------------------------------------------------------

cmd_run() {
  ensure_dotnet
  ensure_postgres
  ensure_reader_tools
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

  # Migrations and the keys commands run as the schema owner; the API as a role with DML only.
  ensure_api_role "$port"
  export ConnectionStrings__Owner ConnectionStrings__Content
  ConnectionStrings__Owner=$(connection_string "$port" contentapi)
  ConnectionStrings__Content=$(api_connection_string "$port" contentapi)
  export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development

  log "building"
  dotnet build "$API_PROJECT" -c Debug -v q -nologo
  log "applying migrations and seed data"
  dotnet run --no-build --project "$API_PROJECT" -- migrate
  local key
  key=$(dotnet run --no-build --project "$API_PROJECT" -- keys ensure-development "$ROOT/.data/development-api-key")
  log "building the reader site"
  (cd reader && npm run --silent generate >/dev/null && npm run --silent build)
  node reader/serve.mjs --api http://localhost:5080 --port 5081 >/dev/null &
  READER_PID=$!
  trap 'stop_process "$READER_PID"; log "stopping PostgreSQL"; pg_stop "$RUN_DATADIR"' EXIT
  echo
  echo "ContentApi:   http://localhost:5080/v1/articles"
  echo "Swagger UI:   http://localhost:5080/swagger"
  echo "Reader site:  http://localhost:5081/ (another origin: a client of the API only)"
  echo "PostgreSQL:   $ConnectionStrings__Content"
  echo "Development API key: $key"
  echo
  dotnet run --no-build --project "$API_PROJECT" --no-launch-profile -- --urls http://localhost:5080
}

cmd_test() {
  ensure_dotnet
  ensure_postgres
  ensure_reader_tools
  ensure_chromium
  local port results status=0
  # global: the EXIT trap runs after this function has returned
  TEST_WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/contentapi-test.XXXXXX")
  local workdir=$TEST_WORKDIR
  port=$(free_port)
  trap 'pg_stop "$TEST_WORKDIR/pg"; rm -rf "$TEST_WORKDIR"' EXIT
  trap 'exit 130' INT TERM

  log "starting a throwaway PostgreSQL on 127.0.0.1:$port"
  pg_init "$workdir/pg"
  # Tests find statements by their text in pg_stat_activity: kept whole (1,024 bytes by default).
  pg_start "$workdir/pg" "$port" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c track_activity_query_size=8192
  # The tests create their own databases on this server (one per fixture).
  export CONTENTAPI_TEST_SERVER
  CONTENTAPI_TEST_SERVER=$(connection_string "$port" postgres)

  results="$ROOT/TestResults"
  rm -rf "$results"
  log "dotnet test"
  dotnet test --solution ContentApi.sln -c Release --report-xunit-trx --results-directory "$results" || status=$?
  # shellcheck disable=SC2046
  python3 scripts/count-test-results.py $(find "$results" -name '*.trx') || status=1
  return "$status"
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
  bench) shift; if [ "${1:-}" = --cluster ]; then shift; exec "$ROOT/bench/cluster.sh" "$@"; fi; exec "$ROOT/bench/run.sh" "$@" ;;
  faults) shift; exec "$ROOT/faults/run.sh" "$@" ;;
  cluster) shift; exec "$ROOT/scripts/cluster.sh" "$@" ;;
  pg-shell) shift; cmd_pg_shell "$@" ;;
  *) echo "usage: ./build.sh run | test | openapi | bench [--articles N] [--duration S] [--connections C] [--quick] | bench --cluster [--articles N] [--duration S] | faults [--down-seconds S] | cluster up|down|status|promote N|test | pg-shell" >&2; exit 2 ;;
esac
