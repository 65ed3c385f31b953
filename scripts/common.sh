# Shell functions shared by build.sh and bench/run.sh: prerequisites and private PostgreSQL
# clusters. Sourced, never run; the caller sets ROOT (and `set -euo pipefail`) and is in it.

API_PROJECT=src/ContentApi/ContentApi.csproj
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# stop_process PID: ends a process the script started, if there is one and it still runs. For
# EXIT traps: under `set -e` a kill of a process already gone ended the trap before the rest of
# its cleanup (an aborted bench left its PostgreSQL running with its huge pages).
stop_process() { [ -z "${1:-}" ] || kill "$1" 2>/dev/null || true; }

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

ensure_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

# reader/node_modules from the committed lock file (again whenever the lock file changed).
ensure_reader_tools() {
  ensure_node
  if [ ! -f "$ROOT/reader/node_modules/.package-lock.json" ] || [ "$ROOT/reader/package-lock.json" -nt "$ROOT/reader/node_modules/.package-lock.json" ]; then
    log "installing the reader's tools (npm ci)"
    (cd "$ROOT/reader" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# The browser tests drive the OS's Chromium; none is ever downloaded.
ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

# wait_ready BASE_URL LOG_FILE: waits up to 30 s for the API's readiness, else shows its log and dies.
wait_ready() {
  local i
  for i in $(seq 1 60); do
    curl -fsS "$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  cat "$2" >&2
  die "the API did not become ready"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
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

# Every private cluster's connection limit (reserve_huge_pages sizes shared memory by it too).
PG_MAX_CONNECTIONS=200

# pg_start DATADIR PORT [extra postgres options]
pg_start() {
  local datadir=$1 port=$2; shift 2
  as_pg_owner "$PG_BIN/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
    -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c max_connections=$PG_MAX_CONNECTIONS $*" start >/dev/null \
    || { tail -n 20 "$datadir/server.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
  local datadir=$1
  [ -f "$datadir/postmaster.pid" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
}

# Huge pages for a cluster's shared memory (the benchmarks). With 4 kB pages each new backend
# faults in every page of shared buffers it touches, ~16 µs a fault on these machines, and
# misses the TLB more after: by hand, a new API read 4,705–6,640 articles a second at 113–173 µs
# of PostgreSQL CPU each, and 8,621–8,865 at 65–67 µs with huge pages.
# reserve_huge_pages DATADIR [postgres options]: reserves the huge pages the cluster needs with
# those options where the kernel allows it. Sets HUGE_PAGES to "on" or to
# why not, and HUGE_PAGES_BEFORE to the count release_huge_pages gives back when it added some.
reserve_huge_pages() {
  local datadir=$1 sysctl=/proc/sys/vm/nr_hugepages needed free; shift
  HUGE_PAGES_BEFORE=""
  needed=$(as_pg_owner "$PG_BIN/postgres" -D "$datadir" -c max_connections="$PG_MAX_CONNECTIONS" "$@" \
    -C shared_memory_size_in_huge_pages 2>/dev/null) || needed=-1
  case "$needed" in
    ''|*[!0-9]*) HUGE_PAGES="off (PostgreSQL cannot use huge pages here)"; return 0 ;;
  esac
  [ -r "$sysctl" ] || { HUGE_PAGES="off (this kernel has no $sysctl)"; return 0; }
  free=$(huge_pages_free)
  if [ "$free" -lt "$needed" ]; then
    HUGE_PAGES_BEFORE=$(cat "$sysctl")
    echo $((HUGE_PAGES_BEFORE + needed - free)) 2>/dev/null > "$sysctl" || true
    free=$(huge_pages_free)
    if [ "$free" -lt "$needed" ]; then
      release_huge_pages
      HUGE_PAGES="off ($free of the $needed huge pages it needs could be reserved)"
      return 0
    fi
  fi
  HUGE_PAGES=on
}

release_huge_pages() {
  if [ -n "${HUGE_PAGES_BEFORE:-}" ]; then echo "$HUGE_PAGES_BEFORE" 2>/dev/null > /proc/sys/vm/nr_hugepages || true; fi
  HUGE_PAGES_BEFORE=""
}

# Free and not promised to a mapping already made (another cluster's, say).
huge_pages_free() { awk '/^HugePages_Free:/ { free = $2 } /^HugePages_Rsvd:/ { reserved = $2 } END { print free - reserved }' /proc/meminfo; }

connection_string() {
  echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=$2"
}

# The API's own role (least privilege): it logs in, owns nothing, and gets its DML grants from
# the migrations' seed script (sql/seed/0002_api_role_grants.sql). Create it before migrating.
API_ROLE=contentapi_api
ensure_api_role() {
  "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -X -q -d postgres -c "
    do \$\$ begin
      if not exists (select from pg_roles where rolname = '$API_ROLE') then create role $API_ROLE login; end if;
    end \$\$" >/dev/null
}

api_connection_string() {
  echo "Host=127.0.0.1;Port=$1;Username=$API_ROLE;Database=$2"
}

# --- CPU accounting (the benchmarks) ------------------------------------------------------

# CPU seconds (user + system) of a process, and of the children it has reaped.
cpu_seconds() {
  awk -v tck="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / tck }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# The whole machine's CPU seconds since boot, all cores together, as "busy idle steal" (/proc/stat:
# idle counts the time waiting for I/O; steal, the time the hypervisor ran other guests instead).
machine_cpu() {
  awk -v tck="$(getconf CLK_TCK)" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8) / tck, ($5 + $6) / tck, $9 / tck }' /proc/stat
}

# children_cpu_seconds VAR FILE: the CPU seconds (user + system) of every child this shell has
# waited for, into VAR, through FILE. Bash's `times` gives them only in this shell: in a subshell,
# as `$(…)` would run it, the count starts at zero.
children_cpu_seconds() {
  times > "$2"
  printf -v "$1" '%s' "$(awk 'function seconds(t, minutes) { gsub(/,/, ".", t); minutes = t; sub(/m.*/, "", minutes); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return minutes * 60 + t }
                            NR == 2 { print seconds($1) + seconds($2) }' "$2")"
}

# A PostgreSQL cluster's CPU seconds over a window (bench/pg_cpu.py): pg_cpu_snapshot DATADIR
# FILE where it starts, pg_cpu_since DATADIR FILE at its end.
pg_cpu_snapshot() { python3 "$ROOT/bench/pg_cpu.py" snapshot "$(head -n 1 "$1/postmaster.pid")" "$2"; }
pg_cpu_since() { python3 "$ROOT/bench/pg_cpu.py" since "$(head -n 1 "$1/postmaster.pid")" "$2"; }
