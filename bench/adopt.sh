#!/usr/bin/env bash
# Adoption benchmark (not a test): a repo server of 5,000 real builds (bench/make-rpms.sh, made
# once and reused) whose review/, staging/ and prod/ each link every build, as a team's scripts
# leave it, read by Yardmaster for the first time.
#  1. catalog: the first scan, with no environment directory yet (index only)
#  2. adoption: the scan after the three directories appear (catalog unchanged + 15,000 links
#     read, resolved and recorded, 15,000 builds adopted and audited)
#  3. steady state: a scan with nothing changed (what every scan costs afterwards)
# Peer: createrepo_c over one such directory without a cache (what publishing it costs the repo
# server); printed as a ratio.
# Needs PostgreSQL and Keycloak as for bin/test. The database named by BENCH_DB is CLEANED.
# Usage: bench/adopt.sh [DIR]   (DIR defaults to /tmp/ym-adopt-bench)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../bin/lib/common.sh
source "$here/bin/lib/common.sh"
dir=${1:-/tmp/ym-adopt-bench}
count=${BENCH_COUNT:-5000}
db=${BENCH_DB:-yardmaster_adopt_bench}
port=${BENCH_PORT:-18086}
envs=(review staging prod)
ym_apt_install createrepo-c curl jq
ym_find_jdk
ym_ensure_postgres "$db"
ym_ensure_keycloak

"$here/bench/make-rpms.sh" "$dir/repo/build" "$count"
find "$dir/repo/build" -maxdepth 1 -name '*.rpm' -exec touch -d '-1 min' {} +
n=$(find "$dir/repo/build" -maxdepth 1 -name '*.rpm' | wc -l)

# The directories are made aside and moved in after the first scan, so it indexes only.
rm -rf "$dir/repo/review" "$dir/repo/staging" "$dir/repo/prod" "$dir/aside"
mkdir -p "$dir/aside"
for env in "${envs[@]}"; do
  mkdir -p "$dir/aside/$env"
  (cd "$dir/repo/build" && find . -maxdepth 1 -name '*.rpm' -printf '%f\n') \
    | while read -r f; do ln -s "../build/$f" "$dir/aside/$env/$f"; done
done

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
log "createrepo_c over one directory of $n links (no cache; 3 runs, median)"
peer_runs=()
for _ in 1 2 3; do
  rm -rf "$dir/aside/review/repodata"
  start=$(date +%s%N)
  createrepo_c --quiet --no-database "$dir/aside/review"
  peer_runs+=($(( ($(date +%s%N) - start) / 1000000 )))
done
peer_ms=$(median "${peer_runs[@]}")
for env in staging prod; do createrepo_c --quiet --no-database "$dir/aside/$env"; done

if [ ! -f "$here/target/quarkus-app/quarkus-run.jar" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "packaging Yardmaster"
  (cd "$here" && ./mvnw -B -q package -DskipTests -Dfrontend.skip)
fi

log "starting Yardmaster on :$port with database $db (cleaned)"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
QUARKUS_HTTP_PORT=$port \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$db \
QUARKUS_FLYWAY_CLEAN_AT_START=true QUARKUS_FLYWAY_CLEAN_DISABLED=false \
YARDMASTER_REPO_PATH="$dir/repo" YARDMASTER_CATALOG_SCAN_INTERVAL=off YARDMASTER_CATALOG_WATCH=false \
QUARKUS_LOG_LEVEL=WARN \
  "$JAVA_HOME/bin/java" -Xmx512m "${YM_JAVA_OPTS[@]}" ${BENCH_JAVA_OPTS:-} -jar "$here/target/quarkus-app/quarkus-run.jar" >"$dir/yardmaster.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null' EXIT
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || die "Yardmaster did not start: $(tail -20 "$dir/yardmaster.log")"
  sleep 0.5
done
token=$(curl -fsS -d grant_type=client_credentials -d client_id=chatops-bot -d client_secret=chatops-bot-secret \
  "http://127.0.0.1:$KEYCLOAK_PORT/realms/yardmaster/protocol/openid-connect/token" | jq -r .access_token)
# The rescan answers once the scan and the read of the environment directories after it are done.
rescan_ms() {
  local start
  start=$(date +%s%N)
  curl -fsS -m 1800 -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/builds/rescan" >"$dir/last-scan.json"
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

log "1. first scan: index $n builds (no environment directory yet)"
index_ms=$(rescan_ms)
[ "$(jq .indexed "$dir/last-scan.json")" -eq "$n" ] || die "indexed $(jq .indexed "$dir/last-scan.json") of $n"

for env in "${envs[@]}"; do mv "$dir/aside/$env" "$dir/repo/$env"; done
log "2. adoption: ${#envs[@]} directories of $n links each"
adopt_ms=$(rescan_ms)
live=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/environments" | jq '[.[].packages | length] | add')
[ "$live" -eq $(( n * ${#envs[@]} )) ] || die "$live builds live after adoption, expected $(( n * ${#envs[@]} ))"

log "3. steady state: unchanged scans (3 runs, median)"
steady_runs=()
for _ in 1 2 3; do steady_runs+=("$(rescan_ms)"); done
steady_ms=$(median "${steady_runs[@]}")

per_env=$(( (adopt_ms - steady_ms) / ${#envs[@]} ))
cat <<REPORT

builds in build/:                         $n
first scan (index only):                  $index_ms ms
scan that adopts ${#envs[@]} x $n links:           $adopt_ms ms  ($live builds live, each audited as promotion.adopted)
unchanged scan afterwards:                $steady_ms ms  (runs: ${steady_runs[*]})
adoption per directory (minus a scan):    $per_env ms
createrepo_c over one such directory:     $peer_ms ms  (runs: ${peer_runs[*]})
ratio adoption per directory / createrepo_c: $(awk -v a="$per_env" -v b="$peer_ms" 'BEGIN { printf "%.2f", a / b }')
REPORT
