#!/usr/bin/env bash
# Build catalog benchmark (not a test): 5,000 real RPMs in build/.
#  1. cold index: Yardmaster (first scan after start, and again on an emptied catalog) vs createrepo_c (ratio; goal <= 1.0)
#  2. unchanged rescan time (goal <= 300 ms)
#  3. GET /api/builds?limit=50 with wrk, next to GET /q/health/live (management port) as the peer (goal >= 2,000 req/s),
#     and pages at random cursors (the answer cache mostly missed)
# Needs PostgreSQL and Keycloak as for bin/test. The database named by BENCH_DB is CLEANED.
# Usage: bench/catalog.sh [DIR]   (DIR defaults to /tmp/ym-bench; RPMs are made once and reused)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/bin/lib/common.sh"
dir=${1:-/tmp/ym-bench}
count=${BENCH_COUNT:-5000}
db=${BENCH_DB:-yardmaster_bench}
port=${BENCH_PORT:-18085}
# Health and metrics answer on the management interface (its own port, same Vert.x event loops).
management_port=${BENCH_MANAGEMENT_PORT:-$((port + 1))}
ym_apt_install wrk createrepo-c curl jq
ym_find_jdk
ym_ensure_postgres "$db"
ym_ensure_keycloak

"$here/bench/make-rpms.sh" "$dir/repo/build" "$count"
# Old enough that the catalog does not take them for files still being copied.
find "$dir/repo/build" -maxdepth 1 -name '*.rpm' -exec touch -d '-1 min' {} +
n=$(find "$dir/repo/build" -maxdepth 1 -name '*.rpm' | wc -l)

if [ ! -f "$here/target/quarkus-app/quarkus-run.jar" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "packaging Yardmaster"
  (cd "$here" && ./mvnw -B -q package -DskipTests -Dfrontend.skip)
fi

log "createrepo_c over $n RPMs (no cache; 3 runs, median)"
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
createrepo_runs=()
for _ in 1 2 3; do
  rm -rf "$dir/createrepo-out"; mkdir -p "$dir/createrepo-out"
  sync; start=$(date +%s%N)
  createrepo_c --quiet -o "$dir/createrepo-out" "$dir/repo/build"
  createrepo_runs+=($(( ($(date +%s%N) - start) / 1000000 )))
done
createrepo_ms=$(median "${createrepo_runs[@]}")

log "starting Yardmaster on :$port with database $db (cleaned)"
QUARKUS_HTTP_PORT=$port QUARKUS_MANAGEMENT_PORT=$management_port \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$db \
QUARKUS_FLYWAY_CLEAN_AT_START=true QUARKUS_FLYWAY_CLEAN_DISABLED=false \
YARDMASTER_REPO_PATH="$dir/repo" YARDMASTER_CATALOG_SCAN_INTERVAL=off YARDMASTER_CATALOG_WATCH=false \
QUARKUS_LOG_LEVEL=WARN \
  "$JAVA_HOME/bin/java" -Xmx512m "${YM_JAVA_OPTS[@]}" ${BENCH_JAVA_OPTS:-} -jar "$here/target/quarkus-app/quarkus-run.jar" >"$dir/yardmaster.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$management_port/q/health/ready" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || die "Yardmaster did not start: $(tail -20 "$dir/yardmaster.log")"
  sleep 0.5
done
token=$(curl -fsS -d grant_type=client_credentials -d client_id=chatops-bot -d client_secret=chatops-bot-secret \
  http://127.0.0.1:8180/realms/yardmaster/protocol/openid-connect/token | jq -r .access_token)
rescan() { curl -fsS -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/builds/rescan"; }

log "Yardmaster cold index, first scan after the JVM started"
start=$(date +%s%N)
cold=$(rescan)
cold_wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$cold" | jq -c .
indexed=$(echo "$cold" | jq .indexed)
[ "$indexed" -eq "$n" ] || die "indexed $indexed of $n"

log "Yardmaster cold index again on an emptied catalog (3 runs, median): the same work with the JIT warm"
again_runs=()
for _ in 1 2 3; do
  PGPASSWORD=${BENCH_DB_PASSWORD:-yardmaster} psql -q -h 127.0.0.1 -U yardmaster "$db" -c "DELETE FROM build; DELETE FROM rejected_file"
  start=$(date +%s%N)
  again=$(rescan)
  again_runs+=($(( ($(date +%s%N) - start) / 1000000 )))
  [ "$(echo "$again" | jq .indexed)" -eq "$n" ] || die "indexed $(echo "$again" | jq .indexed) of $n"
done
again_ms=$(median "${again_runs[@]}")
# The emptied-and-refilled table has 15,000 dead rows and stale statistics until autovacuum
# comes by; measure the API on the table as it is in steady state.
PGPASSWORD=${BENCH_DB_PASSWORD:-yardmaster} psql -q -h 127.0.0.1 -U yardmaster "$db" -c "VACUUM ANALYZE build"

log "unchanged rescans"
unchanged=()
for _ in 1 2 3 4 5; do unchanged+=("$(rescan | jq .millis)"); done
sorted=($(printf '%s\n' "${unchanged[@]}" | sort -n))
median=${sorted[2]}

log "wrk: GET /api/builds?limit=50 vs GET /q/health/live (2 threads, 32 connections, 15 s each)"
wrk_rate() { wrk -t2 -c32 -d15s --latency "$@" | tee -a "$dir/wrk.log" | awk '/Requests\/sec/ {print $2}'; }
: >"$dir/wrk.log"
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/builds?limit=50" >/dev/null
wrk -t2 -c32 -d5s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/builds?limit=50" >/dev/null  # warm-up
api_rps=$(wrk_rate -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/builds?limit=50")
peer_rps=$(wrk_rate "http://127.0.0.1:$management_port/q/health/live")
# The same request answers from the shared answer cache (build/CatalogCache) after one version
# read; a page at a random cursor per request mostly misses it (4,000 pages of ~60 kB against a
# 32 MB cache) and shows the cost of the query and the serialization underneath.
max_id=$(PGPASSWORD=${BENCH_DB_PASSWORD:-yardmaster} psql -qAt -h 127.0.0.1 -U yardmaster "$db" -c "SELECT max(id) FROM build")
cat >"$dir/random-cursor.lua" <<LUA
math.randomseed(42)
request = function()
  return wrk.format(nil, "/api/builds?limit=50&cursor=" .. math.random($max_id - 4000, $max_id))
end
LUA
miss_rps=$(wrk_rate -s "$dir/random-cursor.lua" -H "Authorization: Bearer $token" "http://127.0.0.1:$port")

cold_ms=$(echo "$cold" | jq .millis)
echo
echo "== Build catalog benchmark: $n RPMs, $(nproc) cores =="
printf 'cold index        Yardmaster %6d ms first scan after start (%d ms inside the scan) | createrepo_c %6d ms (median of %s) | ratio %.2f\n' \
  "$cold_wall_ms" "$cold_ms" "$createrepo_ms" "${createrepo_runs[*]}" "$(echo "$cold_wall_ms / $createrepo_ms" | bc -l)"
printf 'cold index again  Yardmaster %6d ms (median of %s, JIT warm) | createrepo_c %6d ms | ratio %.2f (goal <= 1.0)\n' \
  "$again_ms" "${again_runs[*]}" "$createrepo_ms" "$(echo "$again_ms / $createrepo_ms" | bc -l)"
printf 'unchanged rescan  median %d ms of [%s] (goal <= 300 ms)\n' "$median" "${unchanged[*]}"
printf 'GET /api/builds?limit=50  %s req/s | peer GET /q/health/live %s req/s | ratio %.2f (goal >= 2,000 req/s)\n' \
  "$api_rps" "$peer_rps" "$(echo "$api_rps / $peer_rps" | bc -l)"
printf 'GET /api/builds?limit=50&cursor=<random>  %s req/s (answer cache mostly missed)\n' "$miss_rps"
