#!/usr/bin/env bash
# The benchmark (./build.sh bench): a throwaway PostgreSQL with the synthetic newsroom of
# sql/bench/generate.sql, the API in Release, each scenario of bench/wrk with wrk and the
# database's own ceiling with pgbench, CPU per request from /proc, and bench/report.py's table.
#   bench/run.sh [--articles N] [--duration S] [--connections C] [--quick]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/common.sh
source "$ROOT/scripts/common.sh"

main() {
  # settle: how long the API and pgbench run before their first measured second. Both start
  # slow on these machines (JIT compilation and, without huge pages, each new PostgreSQL
  # backend's first touch of each page of shared memory, ~16 µs a page here) and reach a steady
  # rate after ~25 s.
  # warmup: each scenario's own run before it is measured. A scenario's paths are new to the
  # API (their code still compiled in tiers) and its pages to PostgreSQL's buffers: after the
  # settle, comment pages went 4,862 → ~7,900 a second over their first 50 s in 5-s slices (the
  # API 131 → ~102 µs a page, PostgreSQL 194 → ~91), filter pages 1,748 → ~4,500; 5 s left the
  # measured seconds on that slope.
  local articles=100000 duration=20 connections=32 warmup=20 settle=30
  while [ $# -gt 0 ]; do
    case "$1" in
      --articles) articles=$2; shift 2 ;;
      --duration) duration=$2; shift 2 ;;
      --connections) connections=$2; shift 2 ;;
      --quick) articles=10000; duration=5; warmup=5; settle=10; shift ;;
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
  # The API's and PostgreSQL's logs stay in bench/results (git-ignored) for a look at any error.
  trap 'stop_process "$BENCH_API_PID"; pg_stop "$BENCH_WORKDIR/pg"; release_huge_pages
        mkdir -p "$ROOT/bench/results"; cp "$BENCH_WORKDIR"/api-*.log "$BENCH_WORKDIR"/pg/server.log "$ROOT/bench/results/" 2>/dev/null || true
        rm -rf "$BENCH_WORKDIR"' EXIT
  trap 'exit 130' INT TERM

  log "building the API (Release)"
  dotnet build "$API_PROJECT" -c Release -v q -nologo >/dev/null
  local api_dll="$ROOT/src/ContentApi/bin/Release/net10.0/ContentApi.dll"

  log "starting a throwaway PostgreSQL on 127.0.0.1:$pg_port"
  pg_init "$work/pg"
  # Shared buffers follow the data, as a server's would: 512 MB up to 100,000 articles (the
  # tables' runs), 512 MB more for each 100,000 beyond, at most a quarter of the memory. With 512
  # MB at 1,000,000 articles half of a search's cost was reading its pages through them, and
  # searches queued past the request timeout (README, Growth).
  local memory_mb shared_buffers_mb
  memory_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
  shared_buffers_mb=$((articles > 100000 ? articles / 100000 * 512 : 512))
  [ "$shared_buffers_mb" -le $((memory_mb / 4)) ] || shared_buffers_mb=$((memory_mb / 4))
  echo "   shared buffers: $shared_buffers_mb MB"
  # synchronous_commit=off: commits do not wait for the disk (the figures are about CPU paths).
  local pg_options=(-c shared_buffers="${shared_buffers_mb}MB" -c synchronous_commit=off -c max_wal_size=4GB
    -c checkpoint_timeout=30min -c maintenance_work_mem=256MB)
  reserve_huge_pages "$work/pg" "${pg_options[@]}"
  echo "   huge pages: $HUGE_PAGES"
  pg_start "$work/pg" "$pg_port" "${pg_options[@]}" -c huge_pages="${HUGE_PAGES%% *}"
  local cs psql_cmd
  cs=$(connection_string "$pg_port" contentapi)
  psql_cmd=("$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q contentapi)
  ensure_api_role "$pg_port"
  ConnectionStrings__Content=$cs dotnet "$api_dll" migrate >/dev/null

  # seconds_since START: the seconds from START (`date +%s.%N`) to now, to a tenth.
  seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

  log "loading $articles articles with metadata and ~$((articles * 10)) comments"
  local load_start load_seconds half=$((articles / 2))
  load_start=$(date +%s.%N)
  "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase=prepare -f sql/bench/generate.sql >/dev/null
  echo "   entities ready"
  # Two halves at once; a half that fails stops the run (a bare `wait` would go on with half).
  load_halves() {
    local phase=$1 first_half
    "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase="$phase" -v first=1 -v last="$half" -f sql/bench/generate.sql >/dev/null &
    first_half=$!
    "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase="$phase" -v first=$((half + 1)) -v last="$articles" -f sql/bench/generate.sql >/dev/null \
      || die "loading $phase failed"
    wait "$first_half" || die "loading $phase failed"
  }
  load_halves articles
  echo "   articles and links ready"
  load_halves comments
  echo "   comments ready"
  # Word pairs to search for, from the generated vocabulary (before finish drops it): 1,600
  # queries, more than the cache keeps warm in a scenario. Hostile searches: one common word
  # each, matching a large share of the articles (all ranked).
  "${psql_cmd[@]}" -At -c "select w1.w || '%20' || w2.w from bench_words w1, bench_words w2 where w1.i between 1000 and 1039 and w2.i between 2000 and 2039" > "$work/searches.txt"
  "${psql_cmd[@]}" -At -c "select w from bench_words where i between 1 and 20" > "$work/hostile-searches.txt"
  "${psql_cmd[@]}" -v ON_ERROR_STOP=1 -v articles="$articles" -v phase=finish -f sql/bench/generate.sql >/dev/null
  "${psql_cmd[@]}" -c "vacuum analyze" >/dev/null
  load_seconds=$(seconds_since "$load_start")
  # The loader writes directly what ordinary triggers would keep (generate.sql): the read rows
  # must agree with their articles, or every article read would measure something else.
  local unmatched
  unmatched=$("${psql_cmd[@]}" -At -c "select count(*) from articles a full join article_reads r on r.id = a.id
    where r.id is null or a.id is null or (r.slug, r.status, r.published_at, r.content_version) is distinct from (a.slug, a.status, a.published_at, a.content_version)")
  [ "$unmatched" = 0 ] || die "$unmatched articles without a matching read row after loading"
  local comments
  comments=$("${psql_cmd[@]}" -At -c "select count(*) from comments")
  echo "   loaded in ${load_seconds} s ($comments comments)"
  # The load leaves pages dirty, and the checkpoint that follows it is spread over
  # checkpoint_timeout, through the measured reads. A settled server has written them: one
  # checkpoint now, at full speed, before anything is measured (0.5 s at 10,000 articles, 4.7 s at
  # 1,000,000).
  local checkpoint_start checkpoint_seconds
  checkpoint_start=$(date +%s.%N)
  "${psql_cmd[@]}" -c "checkpoint" >/dev/null
  checkpoint_seconds=$(seconds_since "$checkpoint_start")
  echo "   checkpoint after the load: ${checkpoint_seconds} s"

  # warm_read_rows: the article reads' rows and slug index read once into the OS's cache
  # (pg_prewarm), before each pass and before pgbench, so that the article's figure does not
  # depend on what the load and the scenarios before left in memory: at 1,000,000 articles the
  # database is larger than these machines' memory, and 30 s of settling touch a few percent of
  # the read rows. A server that serves its articles keeps them in memory.
  "${psql_cmd[@]}" -c "create extension if not exists pg_prewarm" >/dev/null
  warm_read_rows() {
    local start pages
    start=$(date +%s.%N)
    pages=$("${psql_cmd[@]}" -At -c "select pg_prewarm('article_reads', 'read') + pg_prewarm('article_reads_slug_key', 'read')")
    echo "   read rows warmed: $pages pages in $(seconds_since "$start") s"
  }

  # What the scenarios pick from at random.
  "${psql_cmd[@]}" -At -F $'\t' -c "select slug, 'W/\"a' || content_version || '\"' from articles" > "$work/articles.tsv"
  "${psql_cmd[@]}" -At -c "select slug from people" > "$work/people.txt"

  local editor_key hooks_key
  editor_key=$(ConnectionStrings__Content=$cs Logging__LogLevel__Default=Warning dotnet "$api_dll" keys create --name bench --scope content:write | tail -n 1)
  hooks_key=$(ConnectionStrings__Content=$cs Logging__LogLevel__Default=Warning dotnet "$api_dll" keys create --name bench-hooks --scope webhooks:manage | tail -n 1)

  # start_api true|false: the API with its in-memory cache on or off. Every load comes from one
  # address, so the per-address budget of anonymous reads is off (it would measure itself); the
  # comment scenario sends an address per request through a trusted loopback proxy instead, with
  # flood control and the comment limits as in production.
  start_api() {
    warm_read_rows
    log "starting the API on 127.0.0.1:$api_port (in-memory cache: $1)"
    ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Content="$(api_connection_string "$pg_port" contentapi)" \
      Logging__LogLevel__Default=Warning Webhooks__AllowPrivateTargets=true RateLimits__AnonymousRequestsPerMinute=0 \
      Http__TrustedProxies__0=127.0.0.1 OutputCache__Enabled="$1" \
      dotnet "$api_dll" --urls "http://127.0.0.1:$api_port" > "$work/api-$1.log" 2>&1 &
    BENCH_API_PID=$!
    wait_ready "$base" "$work/api-$1.log"
    # Until the API is settled (see settle): with 10 s here, the first scenario measured an API
    # still compiling and new backends still faulting in shared memory.
    WRK_REPORT="$work/warmup.json" wrk -t 2 -c "$connections" -d "${settle}s" -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ >/dev/null
    WRK_REPORT="$work/warmup.json" wrk -t 2 -c "$connections" -d "${warmup}s" -s "$get" "$base" -- "$work/list.txt" >/dev/null
  }

  stop_api() {
    kill "$BENCH_API_PID"
    wait "$BENCH_API_PID" 2>/dev/null || true
    BENCH_API_PID=""
  }

  local base="http://127.0.0.1:$api_port" get="$ROOT/bench/wrk/get.lua"
  export BENCH_LUA="$ROOT/bench/wrk"

  # run_scenario DIR NAME EXPECTED_STATUSES wrk-script-and-args… (statuses comma-separated)
  run_scenario() {
    local dir=$1 name=$2 expected=$3; shift 3
    echo "   $name"
    # A request counts as failed after 10 s (wrk's 2 s default cut the slowest searches short).
    BENCH_PHASE=warmup WRK_REPORT="$work/warmup.json" wrk -t "${WRK_THREADS:-2}" -c "$connections" -d "${warmup}s" --timeout 10s "$@" >/dev/null
    # The whole machine over the scenario, and wrk's own CPU over its measured seconds: what the
    # API and PostgreSQL do not spend of the cores goes to the load, to other processes, or stays idle.
    local machine_before api_before load_before
    machine_before=$(machine_cpu)
    api_before=$(cpu_seconds "$BENCH_API_PID")
    pg_cpu_snapshot "$work/pg" "$work/pg-cpu.json"
    # The API's peak RSS during this scenario alone: the kernel's high-water mark, reset first
    # (the run's peak is the highest of these and of what the mark holds at the end).
    api_peak_rss_kb=$(larger_of "${api_peak_rss_kb:-0}" "$(peak_rss_kb "$BENCH_API_PID")")
    { echo 5 > "/proc/$BENCH_API_PID/clear_refs"; } 2>/dev/null || true # where /proc refuses, the peak since the start
    children_cpu_seconds load_before "$work/times"
    BENCH_PHASE=measured WRK_REPORT="$work/wrk.json" wrk -t "${WRK_THREADS:-2}" -c "$connections" -d "${duration}s" --timeout 10s "$@" >/dev/null
    local load_after api_after pg_seconds machine_after
    children_cpu_seconds load_after "$work/times"
    api_after=$(cpu_seconds "$BENCH_API_PID")
    pg_seconds=$(pg_cpu_since "$work/pg" "$work/pg-cpu.json")
    machine_after=$(machine_cpu)
    mkdir -p "$work/$dir"
    local scenario_rss_kb
    scenario_rss_kb=$(peak_rss_kb "$BENCH_API_PID")
    api_peak_rss_kb=$(larger_of "$api_peak_rss_kb" "$scenario_rss_kb")
    python3 "$ROOT/bench/scenario_result.py" "$work/wrk.json" "$work/$dir/$name.json" "$expected" \
      "$api_after" "$api_before" "$pg_seconds" "$scenario_rss_kb" "$load_before" "$load_after" "$machine_before" "$machine_after"
  }
  peak_rss_kb() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
  larger_of() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }

  # The reads, each from a set of URLs: pages of the newest articles in three sizes; 100 pages
  # 2,000 to 10,000 items deep, by cursor (the next link of the page before) and by offset;
  # articles of each person, organisation, place and tag in two sizes; 1,600 searches.
  local page
  for page in $(seq 1 20); do
    printf '/v1/articles?pageSize=10&page=%s\n/v1/articles?pageSize=20&page=%s\n/v1/articles?pageSize=50&page=%s\n' "$page" "$page" "$page"
  done > "$work/list.txt"
  start_api false
  : > "$work/list-deep.txt"; : > "$work/list-offset-deep.txt"
  for page in $(seq 100 4 499); do
    curl -fsS "$base/v1/articles?page=$page&pageSize=20" | python3 -c 'import json,sys; print(json.load(sys.stdin)["links"]["next"])' >> "$work/list-deep.txt"
    echo "/v1/articles?page=$((page + 1))&pageSize=20" >> "$work/list-offset-deep.txt"
  done
  "${psql_cmd[@]}" -At -c "select '/v1/articles?' || kind || '=' || slug || '&pageSize=' || size
                           from (select 'person' kind, slug from people union all select 'organisation', slug from organisations
                                 union all select 'place', slug from places union all select 'tag', slug from tags) e,
                                (values (10), (20)) s (size)" > "$work/filter.txt"
  # Every search scenario must find something: a sample of the queries is checked for hits.
  local with_hits
  with_hits=$(head -n 20 "$work/searches.txt" | while read -r q; do curl -fsS "$base/v1/search?q=$q&pageSize=1"; echo; done \
    | python3 -c 'import json,sys; print(sum(1 for line in sys.stdin if line.strip() and json.loads(line)["page"]["totalItems"] > 0))')
  echo "   $with_hits of 20 sampled search queries have hits"
  [ "$with_hits" -ge 15 ] || die "the search queries find too little: $with_hits of 20 have hits"

  # The API's cheapest answer from an endpoint (a liveness probe's: the whole pipeline, no
  # PostgreSQL, never from memory): what every read that reaches an endpoint costs at least.
  echo /health/live > "$work/health.txt"

  # read_scenarios DIR: every read, the same way for the API with its cache on and off.
  read_scenarios() {
    local dir=$1
    log "measuring the reads ($dir): $duration s per scenario after a $warmup s warm-up, $connections connections"
    run_scenario "$dir" health 200 -s "$get" "$base" -- "$work/health.txt"
    run_scenario "$dir" article 200 -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/
    run_scenario "$dir" article-304 304 -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ "" etag
    run_scenario "$dir" article-br 200 -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ "" browser
    run_scenario "$dir" list 200 -s "$get" "$base" -- "$work/list.txt"
    run_scenario "$dir" list-deep 200 -s "$get" "$base" -- "$work/list-deep.txt"
    run_scenario "$dir" list-offset-deep 200 -s "$get" "$base" -- "$work/list-offset-deep.txt"
    run_scenario "$dir" filter 200 -s "$get" "$base" -- "$work/filter.txt"
    run_scenario "$dir" search 200 -s "$get" "$base" -- "$work/searches.txt" "/v1/search?q="
    # Article reads while 64 connections send costly searches, each URL new (no cache helps):
    # full-text queries wait their turn (RateLimits:FullTextQueryConcurrency) instead of taking
    # the pool, so the reads keep their p99.
    WRK_REPORT="$work/hostile-load.json" wrk -t 1 -c 64 -d "$((warmup + duration + 2))s" -s "$get" "$base" -- \
      "$work/hostile-searches.txt" "/v1/search?q=" "" unique >/dev/null &
    local hostile_load=$!
    run_scenario "$dir" hostile-search 200 -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/
    wait "$hostile_load"
    run_scenario "$dir" comments 200 -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ /comments
  }
  read_scenarios off
  stop_api

  start_api true
  read_scenarios on
  # Staleness: from a write's commit (by SQL, in a session of its own) to the first read that
  # returns it, beside article reads on the other connections.
  WRK_REPORT="$work/staleness-load.json" wrk -t 1 -c 16 -d 600s -s "$get" "$base" -- "$work/articles.tsv" /v1/articles/ >/dev/null &
  local staleness_load=$!
  python3 "$ROOT/bench/staleness.py" "$base" "$work/articles.tsv" "$work" "${psql_cmd[@]}"
  kill "$staleness_load"; wait "$staleness_load" 2>/dev/null || true
  # The changes feed: pages of 100 at positions spread over the initial sync, and, after the
  # write scenarios below have added to the outbox, pages of 100 of their changes.
  python3 "$ROOT/bench/changes_tokens.py" "$base" "$work/changes-sync.txt" "$work/changes.txt"
  run_scenario on changes-sync 200 -s "$get" "$base" -- "$work/changes-sync.txt"
  run_scenario on post-comment 202 -s "$ROOT/bench/wrk/post_comment.lua" "$base" -- "$work/articles.tsv"
  run_scenario on create-article 201 -s "$ROOT/bench/wrk/write_article.lua" "$base" -- create "$editor_key"
  # One thread per connection: each keeps the ETag of its own article for the next If-Match.
  WRK_THREADS=$connections run_scenario on update-article 200,201 -s "$ROOT/bench/wrk/write_article.lua" "$base" -- update "$editor_key"
  run_scenario on changes 200 -s "$get" "$base" -- "$work/changes.txt"
  # Webhooks: from a write's commit to a receiver on loopback (allowed for the bench).
  python3 "$ROOT/bench/webhook_latency.py" "$base" "$editor_key" "$hooks_key" "$work"

  echo "   pgbench"
  warm_read_rows
  local pgbench_cmd=("$PG_BIN/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared -c "$connections" -j 2
    -D articles="$articles" -f "$ROOT/bench/pgbench/article.sql" contentapi)
  # One run on the same connections, as the API keeps its own: the first settle seconds are not
  # measured (a separate warm-up run left the measured one with new, unsettled backends).
  # pgbench's own CPU counts over its whole run (its settle seconds too), as the children's of
  # this shell once it is waited for.
  local pgbench_cpu_before pgbench_cpu_after
  children_cpu_seconds pgbench_cpu_before "$work/times"
  (cd "$work" && "${pgbench_cmd[@]}" -T "$((settle + duration))" -l --log-prefix=pgbench > pgbench.out 2>&1) &
  local pgbench_run=$! measured_from machine_before machine_after
  sleep "$settle"
  measured_from=$(date +%s.%N)
  machine_before=$(machine_cpu)
  pg_cpu_snapshot "$work/pg" "$work/pg-cpu.json"
  wait "$pgbench_run"
  children_cpu_seconds pgbench_cpu_after "$work/times"
  sleep 1 # until the postmaster has reaped pgbench's backends, whose CPU then counts
  local pg_seconds
  pg_seconds=$(pg_cpu_since "$work/pg" "$work/pg-cpu.json")
  machine_after=$(machine_cpu)
  python3 "$ROOT/bench/pgbench_result.py" "$work" "$pg_seconds" "$measured_from" \
    "$pgbench_cpu_before" "$pgbench_cpu_after" "$machine_before" "$machine_after"

  local peak_kb
  peak_kb=$(larger_of "$api_peak_rss_kb" "$(peak_rss_kb "$BENCH_API_PID")")
  local database_mb
  database_mb=$("${psql_cmd[@]}" -At -c "select pg_database_size('contentapi') / 1048576")
  printf '{"articles": %d, "comments": %d, "connections": %d, "duration": %d, "warmup": %d, "settle": %d, "loadSeconds": %s, "checkpointSeconds": %s, "databaseMb": %d, "apiPeakRssMb": %d, "hugePages": "%s", "sharedBuffersMb": %d}\n' \
    "$articles" "$comments" "$connections" "$duration" "$warmup" "$settle" "$load_seconds" "$checkpoint_seconds" "$database_mb" "$((peak_kb / 1024))" "$HUGE_PAGES" "$shared_buffers_mb" > "$work/meta.json"
  python3 "$ROOT/bench/report.py" "$work" "$ROOT/bench/results"
}

main "$@"
