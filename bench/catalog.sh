#!/usr/bin/env bash
# Build catalog benchmark (not a test): N real RPMs in build/ (default 5,000; issue 20 asks for
# --builds 100000), made once by bench/make-rpms.sh and reused.
#  1. cold index: Yardmaster (first scan after start, and again on an emptied catalog) vs
#     createrepo_c over the same directory (ratio; goal <= 1.0)
#  2. unchanged rescan (goal <= 1 s at 100,000 builds)
#  3. one new build copied into build/: time until GET /api/builds shows it, minus the settle time
#     (the app watches build/ as in local mode; goal <= 2 s after it settles)
#  4. wrk: GET /api/builds?limit=50 next to GET /q/health/live as the peer; then requests that
#     miss the answer cache (random cursors, /api/packages pages, searches, rejected files), p99
#     (goal <= 50 ms each)
# Needs PostgreSQL and Keycloak as for bin/test. The database named by BENCH_DB is CLEANED.
# Usage: bench/catalog.sh [--builds N] [--packages P] [--runs R] [--skip-createrepo] [DIR]
#   DIR defaults to /tmp/ym-bench-N; R (runs of createrepo_c and of the warm cold index, median)
#   defaults to 3, or 1 from 50,000 builds; --runs 0 skips the warm cold index.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/bin/lib/common.sh"
count=${BENCH_COUNT:-5000}
packages=""
runs=""
dir=""
skip_createrepo=""
while [ $# -gt 0 ]; do
  case "$1" in
    --builds) count=$2; shift 2 ;;
    --packages) packages=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --skip-createrepo) skip_createrepo=1; shift ;;
    -*) die "unknown option $1" ;;
    *) dir=$1; shift ;;
  esac
done
dir=${dir:-/tmp/ym-bench-$count}
runs=${runs:-$([ "$count" -ge 50000 ] && echo 1 || echo 3)}
db=${BENCH_DB:-yardmaster_bench}
port=${BENCH_PORT:-18085}
settle_s=2
export PGPASSWORD=${BENCH_DB_PASSWORD:-yardmaster}
psql_bench() { psql -qAt -h 127.0.0.1 -U yardmaster "$db" "$@"; }
# Health answers on the management interface (its own port, same Vert.x event loops).
management_port=${BENCH_MANAGEMENT_PORT:-$((port + 1))}
ym_apt_install wrk createrepo-c curl jq rpm
ym_find_jdk
ym_ensure_postgres "$db"
ym_ensure_keycloak

# BENCH_APP: a copy of target/quarkus-app to measure, so the checkout can keep building meanwhile.
app_dir=${BENCH_APP:-$here/target/quarkus-app}
if [ ! -f "$app_dir/quarkus-run.jar" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "packaging Yardmaster"
  (cd "$here" && ./mvnw -B -q package -DskipTests -Dfrontend.skip)
fi
log "making $count RPMs in $dir/repo/build (once)"
start=$(date +%s%N)
BENCH_APP=$app_dir "$here/bench/make-rpms.sh" "$dir/repo/build" "$count" ${packages:+"$packages"}
make_ms=$(( ($(date +%s%N) - start) / 1000000 ))
# Old enough that the catalog does not take them for files still being copied.
find "$dir/repo/build" -maxdepth 1 -name '*.rpm' -newermt '-1 min' -exec touch -d '-2 min' {} +
n=$(find "$dir/repo/build" -maxdepth 1 -name '*.rpm' | wc -l)

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
log "createrepo_c over $n RPMs (no cache; $runs runs, median)"
createrepo_runs=()
# --skip-createrepo: the peer measured on its own (its time then goes into bench/README.md by hand).
for _ in $(seq 1 "$([ -n "$skip_createrepo" ] && echo 0 || echo "$runs")"); do
  rm -rf "$dir/createrepo-out"; mkdir -p "$dir/createrepo-out"
  sync; start=$(date +%s%N)
  createrepo_c --quiet -o "$dir/createrepo-out" "$dir/repo/build"
  createrepo_runs+=($(( ($(date +%s%N) - start) / 1000000 )))
done
createrepo_ms=$([ -n "$skip_createrepo" ] && echo 0 || median "${createrepo_runs[@]}")
ratio() { [ "$createrepo_ms" -gt 0 ] && printf '%.2f' "$(echo "$1 / $createrepo_ms" | bc -l)" || echo n/a; }

log "starting Yardmaster on :$port with database $db (cleaned), watching build/"
QUARKUS_HTTP_PORT=$port QUARKUS_MANAGEMENT_PORT=$management_port \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$db \
QUARKUS_FLYWAY_CLEAN_AT_START=$([ -n "${BENCH_KEEP_DB:-}" ] && echo false || echo true) QUARKUS_FLYWAY_CLEAN_DISABLED=false \
YARDMASTER_REPO_PATH="$dir/repo" YARDMASTER_CATALOG_SCAN_INTERVAL=off YARDMASTER_CATALOG_WATCH=true \
YARDMASTER_CATALOG_SETTLE_TIME=${settle_s}s QUARKUS_LOG_LEVEL=WARN QUARKUS_LOG_CATEGORY__DEV_YARDMASTER_BUILD__LEVEL=INFO \
  "$JAVA_HOME/bin/java" -Xmx512m "${YM_JAVA_OPTS[@]}" ${BENCH_JAVA_OPTS:-} -jar "$app_dir/quarkus-run.jar" >"$dir/yardmaster.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null' EXIT
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$management_port/q/health/ready" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || die "Yardmaster did not start: $(tail -20 "$dir/yardmaster.log")"
  sleep 0.5
done
token=$(curl -fsS -d grant_type=client_credentials -d client_id=chatops-bot -d client_secret=chatops-bot-secret \
  http://127.0.0.1:8180/realms/yardmaster/protocol/openid-connect/token | jq -r .access_token)
api=http://127.0.0.1:$port
rescan() { curl -fsS -m 900 -X POST -H "Authorization: Bearer $token" "$api/api/builds/rescan"; }

# BENCH_KEEP_DB=1: the database already holds this directory's catalog (a run that stopped
# after its cold index); measure the rest on it.
log "Yardmaster cold index, first scan after the JVM started"
start=$(date +%s%N)
cold=$(rescan)
[ -z "${BENCH_KEEP_DB:-}" ] || cold=$(echo "$cold" | jq -c --argjson n "$n" '.indexed = $n')
# POST /api/builds/rescan waits at most 5 minutes; a longer scan goes on, and the scan log line
# (INFO, dev.yardmaster.build) has its result.
while [ "$(echo "$cold" | jq -r .ran)" != true ]; do
  sleep 2
  line=$(grep -o 'Build scan of [^:]*: [0-9]* indexed.*in [0-9]* ms' "$dir/yardmaster.log" | head -1 || true)
  if [ -n "$line" ]; then
    cold=$(echo "$line" | sed -E 's/.*: ([0-9]+) indexed, ([0-9]+) unchanged, ([0-9]+) rejected, ([0-9]+) now missing in ([0-9]+) ms/{"ran":true,"indexed":\1,"millis":\5}/')
    cold_wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  fi
done
cold_wall_ms=${cold_wall_ms:-$(( ($(date +%s%N) - start) / 1000000 ))}
echo "$cold" | jq -c .
indexed=$(echo "$cold" | jq .indexed)
[ "$indexed" -eq "$n" ] || die "indexed $indexed of $n"

log "Yardmaster cold index again on an emptied catalog ($runs runs, median): the same work with the JIT warm"
again_runs=()
for _ in $(seq 1 "$runs"); do
  psql_bench -c "DELETE FROM package_summary; DELETE FROM build; DELETE FROM rejected_file"
  start=$(date +%s%N)
  again=$(rescan)
  again_runs+=($(( ($(date +%s%N) - start) / 1000000 )))
  [ "$(echo "$again" | jq .indexed)" -eq "$n" ] || die "indexed $(echo "$again" | jq .indexed) of $n"
done
again_ms=$([ "$runs" -gt 0 ] && median "${again_runs[@]}" || echo 0)
# The emptied-and-refilled table has dead rows and stale statistics until autovacuum comes by;
# measure the rest on the table as it is in steady state.
psql_bench -c "VACUUM ANALYZE build" -c "VACUUM ANALYZE package_summary"
db_size=$(psql_bench -c "SELECT pg_size_pretty(pg_total_relation_size('build') + pg_total_relation_size('package_summary'))")

log "unchanged rescans (5, median)"
unchanged=()
for _ in 1 2 3 4 5; do unchanged+=("$(rescan | jq .millis)"); done
unchanged_ms=$(median "${unchanged[@]}")

log "a new build copied into build/ while the app watches it (3 times, median)"
fresh_runs=()
for k in 1 2 3; do
  name="fresh$k$(date +%s)"
  tmp=$(mktemp -d)
  java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  "$java" -cp "$app_dir/lib/main/*:$app_dir/lib/boot/*" "$here/bench/MakeRpms.java" "$tmp" 1 1 "$name" >/dev/null
  file=$(find "$tmp" -maxdepth 1 -name '*.rpm' | head -1)
  # Copied as CI would (a new mtime), then renamed into place.
  cp "$file" "$dir/repo/build/.$name.tmp"
  start=$(date +%s%N)
  mv "$dir/repo/build/.$name.tmp" "$dir/repo/build/$(basename "$file")"
  until curl -fsS -H "Authorization: Bearer $token" "$api/api/builds?package=$name&limit=1" | jq -e '.builds | length == 1' >/dev/null; do
    sleep 0.05
    [ $(( ($(date +%s%N) - start) / 1000000000 )) -lt 120 ] || die "$name did not appear within 120 s"
  done
  fresh_runs+=($(( ($(date +%s%N) - start) / 1000000 - settle_s * 1000 )))
  rm -rf "$tmp"
done
fresh_ms=$(median "${fresh_runs[@]}")

log "wrk: GET /api/builds?limit=50 vs GET /q/health/live (2 threads, 32 connections, 15 s each)"
: >"$dir/wrk.log"
wrk_rate() { wrk -t2 -c32 -d15s --latency "$@" | tee -a "$dir/wrk.log" | awk '/Requests\/sec/ {print $2}'; }
curl -fsS -H "Authorization: Bearer $token" "$api/api/builds?limit=50" >/dev/null
wrk -t2 -c32 -d5s -H "Authorization: Bearer $token" "$api/api/builds?limit=50" >/dev/null  # warm-up
api_rps=$(wrk_rate -H "Authorization: Bearer $token" "$api/api/builds?limit=50")
peer_rps=$(wrk_rate "http://127.0.0.1:$management_port/q/health/live")

# Requests that miss the answer cache (build/CatalogCache): every one has a key of its own. Four
# connections, so p99 shows the work of one request rather than queueing behind 32 on 2 cores.
max_id=$(psql_bench -c "SELECT max(id) FROM build")
pkgs=$(psql_bench -c "SELECT count(*) FROM package_summary")
per_pkg=$(( n / pkgs ))
cat >"$dir/miss.lua" <<LUA
math.randomseed(42)
local kind = os.getenv("MISS")
request = function()
  local path
  if kind == "cursor" then
    path = "/api/builds?limit=50&cursor=" .. math.random(1, $max_id)
  elseif kind == "packages" then
    path = "/api/packages?limit=" .. math.random(900, 1000) .. "&after=bench" .. math.random(0, $pkgs - 1)
  elseif kind == "search" then
    path = "/api/builds?q=build%20" .. math.random(1, $per_pkg) .. "%20of%20bench" .. math.random(0, $pkgs - 1) .. "&limit=" .. math.random(1, 500)
  elseif kind == "search-package" then
    path = "/api/builds?package=bench" .. math.random(0, $pkgs - 1) .. "&q=build%20" .. math.random(1, $per_pkg) .. "&limit=" .. math.random(1, 500)
  else
    path = "/api/builds/rejected?limit=" .. math.random(1, 1000)
  end
  return wrk.format(nil, path)
end
LUA
p99() { awk '/^ +99%/ {print $2}'; }
declare -A miss_p99 miss_rps
for kind in cursor packages search search-package rejected; do
  out=$(MISS=$kind wrk -t2 -c4 -d15s --latency -s "$dir/miss.lua" -H "Authorization: Bearer $token" "$api")
  echo "== $kind" >>"$dir/wrk.log"; echo "$out" >>"$dir/wrk.log"
  miss_p99[$kind]=$(echo "$out" | p99)
  miss_rps[$kind]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -z "$non2xx" ] || die "$kind: $non2xx answers were not 2xx (see $dir/wrk.log)"
done

cold_ms=$(echo "$cold" | jq .millis)
echo
echo "== Build catalog benchmark: $n RPMs ($pkgs packages), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) =="
printf 'RPMs made           %d ms (0 when cached)\n' "$make_ms"
printf 'cold index          Yardmaster %6d ms first scan after start (%d ms inside the scan) | createrepo_c %6d ms (median of %s) | ratio %s\n' \
  "$cold_wall_ms" "$cold_ms" "$createrepo_ms" "${createrepo_runs[*]}" "$(ratio "$cold_wall_ms")"
printf 'cold index again    Yardmaster %6d ms (median of %s, JIT warm) | createrepo_c %6d ms | ratio %s (goal <= 1.0)\n' \
  "$again_ms" "${again_runs[*]}" "$createrepo_ms" "$(ratio "$again_ms")"
printf 'unchanged rescan    median %d ms of [%s] (goal <= 1,000 ms)\n' "$unchanged_ms" "${unchanged[*]}"
printf 'new build live      median %d ms after it settled, of [%s] (settle time %d s; goal <= 2,000 ms)\n' \
  "$fresh_ms" "${fresh_runs[*]}" "$settle_s"
printf 'GET /api/builds?limit=50  %s req/s | peer GET /q/health/live %s req/s | ratio %.2f\n' \
  "$api_rps" "$peer_rps" "$(echo "$api_rps / $peer_rps" | bc -l)"
for kind in cursor packages search search-package rejected; do
  printf 'cache miss %-15s p99 %8s  (%s req/s, 4 connections; goal p99 <= 50 ms)\n' "$kind" "${miss_p99[$kind]}" "${miss_rps[$kind]}"
done
printf 'database            build + package_summary: %s\n' "$db_size"
printf 'JVM peak RSS        %s (-Xmx512m)\n' "$(awk '/VmHWM/ {printf "%d MB", $2 / 1024}' /proc/$app/status)"
