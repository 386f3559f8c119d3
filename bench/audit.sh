#!/usr/bin/env bash
# Audit log benchmark at scale (not a test): grows the log to BENCH_EVENTS events (default
# 1,000,000) through the chain trigger and measures
#  1. insert rate through the trigger (one statement of 20,000 rows; 2,000 one-row transactions),
#  2. verify: a full walk at 100,000 events and at the end, an incremental walk after 1,000 more,
#  3. checkpoint cost (POST /api/audit/checkpoints, median of 5),
#  4. export rate (JSON and CSV of the whole log) and the JVM's peak RSS around it,
#  5. filter latency of the API (median and worst of 10 per filter) and of the audit page.
# Needs PostgreSQL and Keycloak as for bin/test. The database named by BENCH_DB is DROPPED.
# Usage: bench/audit.sh [DIR]   (DIR for logs and checkpoints, default /tmp/ym-audit-bench)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/bin/lib/common.sh"
dir=${1:-/tmp/ym-audit-bench}
events=${BENCH_EVENTS:-1000000}
db=${BENCH_DB:-yardmaster_audit_bench}
port=${BENCH_PORT:-18086}
ym_apt_install curl jq openssl
ym_find_jdk
ym_ensure_postgres
ym_ensure_keycloak
su postgres -c "dropdb --if-exists '$db'" && su postgres -c "createdb -O yardmaster '$db'"
rm -rf "$dir" && mkdir -p "$dir/checkpoints"
openssl genpkey -algorithm ed25519 -out "$dir/checkpoint-key.pem"

if [ ! -f "$here/target/quarkus-app/quarkus-run.jar" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "packaging Yardmaster"
  (cd "$here" && ./mvnw -B -q package -DskipTests -Dfrontend.skip)
fi

log "starting Yardmaster on :$port with database $db"
QUARKUS_HTTP_PORT=$port \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$db \
YARDMASTER_AUDIT_CHECKPOINT_KEY="$dir/checkpoint-key.pem" YARDMASTER_AUDIT_CHECKPOINT_DIR="$dir/checkpoints" \
YARDMASTER_AUDIT_CHECKPOINT_INTERVAL=off YARDMASTER_AUDIT_HEAVY_READS_PER_MINUTE=100000 \
YARDMASTER_CATALOG_SCAN_INTERVAL=off YARDMASTER_CATALOG_WATCH=false QUARKUS_LOG_LEVEL=WARN \
  "$JAVA_HOME/bin/java" -Xmx512m "${YM_JAVA_OPTS[@]}" ${BENCH_JAVA_OPTS:-} -jar "$here/target/quarkus-app/quarkus-run.jar" >"$dir/yardmaster.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null' EXIT
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || die "Yardmaster did not start: $(tail -20 "$dir/yardmaster.log")"
  sleep 0.5
done

token() {
  curl -fsS -d grant_type=password -d client_id=yardmaster-console -d client_secret=yardmaster-console-secret \
    -d username="$1" -d password="$1" -d scope=openid \
    http://127.0.0.1:8180/realms/yardmaster/protocol/openid-connect/token | jq -r .access_token
}
ms() { local start; start=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - start) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
# As the console's runtime role, through the chain trigger like every real event.
app_sql() { PGPASSWORD=yardmaster_app psql -q -X -h 127.0.0.1 -U yardmaster_app -d "$db" -v ON_ERROR_STOP=1 "$@"; }
seed() {   # rows: one statement, a realistic mix of actors, actions, environments and packages
  app_sql -c "INSERT INTO audit_event (occurred_at, actor, on_behalf_of, roles, action, outcome, environment, package, subject, details)
    SELECT now(), 'user-' || (floor(power(random(), 3) * 50))::int, CASE WHEN g % 10 = 0 THEN 'user-' || (g % 50) END,
      'viewer,deployer', (ARRAY['promotion.applied','promotion.requested','roll.started','roll.finished',
      'environment.locked','environment.unlocked','request.refused','host.updated'])[1 + (g % 8)], 'succeeded',
      (ARRAY['review','staging','prod'])[1 + (g % 3)], 'pkg-' || (g % 100), 'bench ' || g,
      jsonb_build_object('n', g, 'reason', 'benchmark row')
    FROM generate_series(1, $1) g"
}
count() { app_sql -tAc "SELECT coalesce(max(seq), 0) FROM audit_event"; }
get() { curl -fsS -H "Authorization: Bearer $1" "http://127.0.0.1:$port$2"; }
verify() { get "$(token carol)" "/api/audit/verify$1"; }

log "insert rate through the chain trigger"
one_statement=$(ms seed 20000)
for i in $(seq 1 2000); do
  echo "INSERT INTO audit_event (occurred_at, actor, roles, action, outcome, subject) VALUES (now(), 'bench', 'viewer', 'bench.single', 'succeeded', 'row $i');"
done >"$dir/single.sql"
single=$(ms app_sql -f "$dir/single.sql")

log "growing the log to 100,000 events"
seed $((100000 - $(count))) >/dev/null
verify_100k=$(verify "?full=true")

log "growing the log to $events events (about 3,500 rows/s through the trigger)"
while [ "$(count)" -lt "$events" ]; do
  left=$((events - $(count)))
  seed $(( left < 100000 ? left : 100000 ))
  log "  $(count) events"
done
app_sql -c "ANALYZE audit_event"

log "checkpoints (5, median)"
admin=$(token dave)
cps=()
for _ in 1 2 3 4 5; do cps+=("$(ms curl -fsS -X POST -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/audit/checkpoints")"); done
checkpoint_ms=$(median "${cps[@]}")
checkpoint_file_bytes=$(find "$dir/checkpoints" -name '*.json' | head -1 | xargs wc -c | cut -d' ' -f1)

log "verify at $(count) events: full, then incremental after 1,000 more"
verify_full=$(verify "?full=true")
seed 1000 >/dev/null
verify_incremental=$(verify "")

log "export of the whole log"
hwm() { sed -n 's/^VmHWM:\s*//p' "/proc/$app/status"; }
rss_before=$(sed -n 's/^VmRSS:\s*//p' "/proc/$app/status")
viewer=$(token carol)
json_ms=$(ms curl -fsS -o "$dir/export.json" -H "Authorization: Bearer $viewer" "http://127.0.0.1:$port/api/audit/export?format=json")
csv_ms=$(ms curl -fsS -o "$dir/export.csv" -H "Authorization: Bearer $viewer" "http://127.0.0.1:$port/api/audit/export?format=csv")
rss_after=$(sed -n 's/^VmRSS:\s*//p' "/proc/$app/status")
exported=$(count)
json_mb=$(( $(stat -c %s "$dir/export.json") / 1000000 ))

log "filter latency (10 each)"
filters=("" "actor=user-7" "actor=user-49" "action=promotion.applied" "action=environment.*" "environment=prod"
  "package=pkg-42" "environment=prod&package=pkg-42" "from=$(date -u -d '-10 min' +%FT%TZ)")
filter_rows=()
for f in "${filters[@]}"; do
  times=()
  for _ in $(seq 1 10); do
    times+=("$(curl -fsS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $viewer" "http://127.0.0.1:$port/api/audit?limit=50&$f")")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  filter_rows+=("$(printf '| `%s` | %.1f | %.1f |' "${f:-none}" "$(echo "$sorted" | sed -n 5p | awk '{print $1*1000}')" "$(echo "$sorted" | tail -1 | awk '{print $1*1000}')")")
done
page_times=()
for _ in $(seq 1 10); do
  page_times+=("$(curl -sS -o /dev/null -w '%{http_code}:%{time_total}' -H "Authorization: Bearer $viewer" -H 'Accept: text/html' "http://127.0.0.1:$port/audit")")
done

cat <<REPORT

## Audit log at $(count) events ($(date -u +%F), $(nproc) cores, PostgreSQL $(app_sql -tAc 'SHOW server_version'))

| what | result |
| --- | --- |
| insert through the chain trigger, one statement of 20,000 rows | $one_statement ms ($(( 20000 * 1000 / one_statement )) rows/s) |
| insert, 2,000 one-row transactions (psql) | $single ms ($(( 2000 * 1000 / single )) rows/s) |
| verify, full, 100,000 events | $(echo "$verify_100k" | jq -r '"\(.millis) ms (intact \(.intact), \(.checked) re-hashed)"') |
| verify, full, $exported events | $(echo "$verify_full" | jq -r '"\(.millis) ms (intact \(.intact), \(.checked) re-hashed)"') |
| verify, incremental after 1,000 more | $(echo "$verify_incremental" | jq -r '"\(.millis) ms (intact \(.intact), \(.checked) re-hashed from event \(.incrementalFrom))"') |
| checkpoint (sign + file + event), median of 5 | $checkpoint_ms ms ($checkpoint_file_bytes bytes per file) |
| export JSON, whole log | $json_ms ms, $json_mb MB ($(( exported * 1000 / json_ms )) events/s) |
| export CSV, whole log | $csv_ms ms ($(( exported * 1000 / csv_ms )) events/s) |
| JVM RSS before / after both exports (-Xmx512m) | $rss_before / $rss_after (peak $(hwm)) |
| audit page (HTML), 10 loads | ${page_times[*]} |

| API filter (limit=50) | median ms | worst ms |
| --- | --- | --- |
$(printf '%s\n' "${filter_rows[@]}")
REPORT
