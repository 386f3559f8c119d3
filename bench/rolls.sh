#!/usr/bin/env bash
# Rollout benchmark (not a test). On one loopback fleet, in one run:
#  1. wall time of the same update + restart over every host: a Yardmaster roll (packaged app,
#     API with the chatops bot's token, batch = all hosts) at parallelism 10 and 50, next to
#     parallel-ssh -p 10/-p 50 and ansible -f 10/-f 50 (raw module); printed as ratios
#     (goal: Yardmaster <= 1.1x parallel-ssh). A new build is promoted before every run, so
#     each tool really updates every host; every run is verified (all hosts at the new build).
#  2. SSE delay: 50 clients on the roll's event stream; delay from a host step's event being
#     stored (roll_event.created_at) to each client receiving it, p50/p99 (goal p99 <= 250 ms).
#  3. Yardmaster's heap (jstat) and RSS (/proc) sampled during a roll over --big hosts.
# Needs PostgreSQL and Keycloak as for bin/test. The database BENCH_DB is CLEANED.
# Usage: bench/rolls.sh [--hosts 200] [--big 500] [--port 2430] [--clients 50] [--rounds 1] [--skip-big]
#        [--shape loopback|server] [--parallelism "10 50"] [--skip-sse] [--skip-ansible]
#        [--yardmaster-only]   (only Yardmaster's rolls, e.g. with BENCH_JAVA_OPTS=-XX:StartFlightRecording=...)
# --shape server: hosts shaped like real servers (bin/fleet up --shape server, docs/fleet.md).
# BENCH_APP_DIR: the packaged app to measure (default target/quarkus-app), e.g. a copy of main's
# build next to this branch's, to print the ratio before and after a change in one sitting.
# The app runs with the JVM options it ships with (YM_JAVA_OPTS in bin/lib/common.sh: C1 only);
# BENCH_JAVA_OPTS come after them (BENCH_JAVA_OPTS=-XX:TieredStopAtLevel=4 measures with C2).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../bin/lib/common.sh
source "$here/bin/lib/common.sh"

HOSTS=200 BIG=500 PORT=2430 CLIENTS=50 SKIP_BIG= YM_ONLY= ROUNDS=1 SHAPE=loopback PARALLELISMS="10 50" SKIP_SSE= SKIP_ANSIBLE=
while [ $# -gt 0 ]; do
  case $1 in
    --hosts) HOSTS=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --skip-big) SKIP_BIG=1; shift ;;
    --shape) SHAPE=$2; shift 2 ;;
    --parallelism) PARALLELISMS=$2; shift 2 ;;
    --skip-sse) SKIP_SSE=1; SKIP_BIG=1; shift ;;
    --skip-ansible) SKIP_ANSIBLE=1; shift ;;
    --yardmaster-only) YM_ONLY=1; SKIP_BIG=1; shift ;;
    *) die "unknown option $1" ;;
  esac
done
[[ $HOSTS =~ ^[0-9]+$ && $BIG =~ ^[0-9]+$ && $PORT =~ ^[0-9]+$ && $CLIENTS =~ ^[0-9]+$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "options take numbers"
[[ $PARALLELISMS =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || die "--parallelism takes numbers separated by spaces"
[[ $SHAPE =~ ^(loopback|server)$ ]] || die "--shape takes loopback or server"
APP_DIR=${BENCH_APP_DIR:-$here/target/quarkus-app}
HTTP_PORT=${BENCH_HTTP_PORT:-$((PORT + 1))}
MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-$((PORT + 2))}   # health answers on the management interface
DB=${BENCH_DB:-yardmaster_bench_rolls}
DIR=${BENCH_DIR:-/tmp/ym-bench-rolls}
FLEET=$here/bin/fleet
FLEET_DIR=$DIR/fleet
USER_NAME=$(id -un)
BASE=http://127.0.0.1:$HTTP_PORT
export PGPASSWORD=yardmaster
ym_find_jdk
ym_apt_install pssh ansible jq curl python3
"$FLEET" deps
ym_ensure_postgres "$DB"
ym_ensure_keycloak
mkdir -p "$DIR"

app=
app_b=
jstat_pid=
cleanup() {
  [ -n "$jstat_pid" ] && kill "$jstat_pid" 2>/dev/null || true
  [ -n "$app_b" ] && { kill "$app_b" 2>/dev/null; wait "$app_b" 2>/dev/null || true; }
  app=${A_APP:-$app}
  [ -n "$app" ] && { kill "$app" 2>/dev/null; wait "$app" 2>/dev/null || true; }
  # BENCH_KEEP_FLEET=1 leaves the fleet up (and its logs in $DIR/fleet/log) to look into afterwards.
  [ -n "${BENCH_KEEP_FLEET:-}" ] || "$FLEET" down --dir "$FLEET_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
psql_q() { psql -h 127.0.0.1 -U yardmaster -d "$DB" -v ON_ERROR_STOP=1 -qAt -c "$1"; }

if [ -z "${BENCH_APP_DIR:-}" ] && { [ ! -f "$here/target/quarkus-app/quarkus-run.jar" ] || [ -n "${BENCH_REBUILD:-}" ]; }; then
  log "packaging Yardmaster"
  (cd "$here" && ./mvnw -B -q package -DskipTests -Dfrontend.skip)
fi
command -v psql >/dev/null || die "psql is needed (Debian: postgresql-client)"

log "fleet: $HOSTS staging web hosts (flingerator) on :$PORT, shape $SHAPE"
"$FLEET" down --dir "$FLEET_DIR" >/dev/null 2>&1 || true
t=$(now)
"$FLEET" up --dir "$FLEET_DIR" --hosts "$HOSTS" --port "$PORT" --envs staging:1 --types web:1 --shape "$SHAPE" >/dev/null
FLEET_UP=$(since "$t")
log "fleet up in $FLEET_UP s"

log "starting Yardmaster on :$HTTP_PORT (database $DB, cleaned)"
# BENCH_UPDATE_COMMAND replaces Yardmaster's update command (yardmaster.rolls.update-command).
[ -z "${BENCH_UPDATE_COMMAND:-}" ] || export YARDMASTER_ROLLS_UPDATE_COMMAND=$BENCH_UPDATE_COMMAND
# start_app APP_DIR HTTP_PORT MANAGEMENT_PORT DB LOG: starts one console; its pid in STARTED.
start_app() {
  QUARKUS_HTTP_PORT=$2 QUARKUS_MANAGEMENT_PORT=$3 \
  QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$4 \
  QUARKUS_FLYWAY_CLEAN_AT_START=true QUARKUS_FLYWAY_CLEAN_DISABLED=false \
  YARDMASTER_CATALOG_SCAN_INTERVAL=off YARDMASTER_CATALOG_WATCH=false \
  YARDMASTER_SSH_PRIVATE_KEY=$FLEET_DIR/keys/deploy YARDMASTER_SSH_KNOWN_HOSTS=$FLEET_DIR/known_hosts \
  YARDMASTER_SSH_USER=$USER_NAME YARDMASTER_INVENTORY_IMPORT_FILE=$FLEET_DIR/inventory.csv \
  QUARKUS_LOG_LEVEL=WARN \
    "$JAVA_HOME/bin/java" -Xmx512m "${YM_JAVA_OPTS[@]}" ${BENCH_JAVA_OPTS:-} -jar "$1/quarkus-run.jar" >"$5" 2>&1 &
  STARTED=$!
  for _ in $(seq 1 480); do
    curl -fsS "http://127.0.0.1:$3/q/health/ready" >/dev/null 2>&1 && return 0
    kill -0 $STARTED 2>/dev/null || die "Yardmaster did not start: $(tail -20 "$5")"
    sleep 0.5
  done
  die "Yardmaster did not get ready in 240 s: $(tail -20 "$5")"
}
start_app "$APP_DIR" "$HTTP_PORT" "$MANAGEMENT_PORT" "$DB" "$DIR/yardmaster.log"
app=$STARTED
A_APP=$app A_DB=$DB A_BASE=$BASE
# BENCH_APP_DIR_B: a second build (say, after a change; BENCH_APP_DIR the one before), on its
# own ports and database, rolling the same fleet in the same rounds: tool "ymb".
if [ -n "${BENCH_APP_DIR_B:-}" ]; then
  B_DB=${DB}_b B_BASE=http://127.0.0.1:$((HTTP_PORT + 10))
  ym_ensure_postgres "$B_DB"
  log "starting the second build ($BENCH_APP_DIR_B) on :$((HTTP_PORT + 10)) (database $B_DB, cleaned)"
  start_app "$BENCH_APP_DIR_B" $((HTTP_PORT + 10)) $((MANAGEMENT_PORT + 10)) "$B_DB" "$DIR/yardmaster-b.log"
  app_b=$STARTED B_APP=$STARTED
fi
# Points api, psql_q and the CPU counters at console a or b.
use_app() {
  if [ "$1" = b ]; then app=$B_APP DB=$B_DB BASE=$B_BASE; else app=$A_APP DB=$A_DB BASE=$A_BASE; fi
}
token() {
  curl -fsS -d grant_type=client_credentials -d client_id=chatops-bot -d client_secret=chatops-bot-secret \
    http://127.0.0.1:8180/realms/yardmaster/protocol/openid-connect/token | jq -r .access_token
}
api() { local method=$1 path=$2; shift 2; curl -fsS -X "$method" -H "Authorization: Bearer $(token)" "$@" "$BASE$path"; }
[ "$(api GET '/api/hosts?environment=staging' | jq length)" -eq "$HOSTS" ] || die "Yardmaster did not import $HOSTS hosts"
if [ -n "${B_APP:-}" ]; then
  use_app b
  [ "$(api GET '/api/hosts?environment=staging' | jq length)" -eq "$HOSTS" ] || die "the second build did not import $HOSTS hosts"
  use_app a
fi

# The same commands for every tool (Yardmaster also runs rpm -q before and after, and the health
# check). The peer refreshes metadata as the loop it stands for does (`yum -y --refresh update`);
# Yardmaster runs its own configured update command (BENCH_UPDATE_COMMAND overrides it).
CMD='sudo -n yum -y --refresh update flingerator && sudo -n systemctl restart flingerator'
CMD_STEPS='rpm -q flingerator; sudo -n yum -y --refresh update flingerator && rpm -q flingerator && sudo -n systemctl restart flingerator && systemctl is-active flingerator'
RELEASE=0
EVR=
# A new build in the fleet's staging repo, promoted in Yardmaster too: every host is behind again.
promote_new() {
  RELEASE=$((RELEASE + 1))
  EVR=9.0.0-$RELEASE
  local file
  file=$("$FLEET" build-rpm --dir "$FLEET_DIR" flingerator 9.0.0 "$RELEASE" "yb: benchmark build $RELEASE")
  "$FLEET" promote --dir "$FLEET_DIR" staging "${file##*/}"
  local db keep=$DB
  for db in "$A_DB" ${B_DB:+"$B_DB"}; do
  DB=$db psql_q "update promotion set state = 'superseded', superseded_at = now() where state = 'applied' and package = 'flingerator';
    insert into build (file_name, package, version, release, arch, nevra, file_size, file_mtime)
      values ('${file##*/}', 'flingerator', '9.0.0', '$RELEASE', 'noarch', 'flingerator-$EVR.noarch', 1, now());
    insert into promotion (build_id, environment_id, package, state, reason, requested_by, applied_at)
      select b.id, e.id, 'flingerator', 'applied', 'benchmark', 'bench', now()
      from build b, environment e where b.file_name = '${file##*/}' and e.name = 'staging';"
  done
  DB=$keep
}
verify() {
  local behind
  behind=$("$FLEET" state --dir "$FLEET_DIR" | awk -v want="flingerator-$EVR" 'NR > 1 && $4 != want' | wc -l)
  [ "$behind" -eq 0 ] || die "$1: $behind hosts are not at $EVR"
}
# Starts a roll of the promoted build over every host; prints its id. connectTimeout 300s gives a
# host's script 600 s to start (twice the connect timeout), the limit parallel-ssh gets (-t 600):
# at parallelism 50 the saturated fleet sometimes takes over 60 s to start one.
start_roll() {
  local parallelism=$1 canary=${2:-0} budget=${3:-2%}
  api POST /api/rolls -H 'Content-Type: application/json' \
    -d "{\"package\":\"flingerator\",\"environment\":\"staging\",\"canary\":$canary,\"batchSize\":\"100%\",\"parallelism\":$parallelism,\"connectTimeout\":\"300s\",\"failureBudget\":\"$budget\"}" \
    | jq -r .id
}
# Waits on the roll's event stream (which replays from its first event, or from after
# Last-Event-ID) for the roll's own final RollChanged: no polling, which cost a curl and a jq
# ten times a second on the same cores. Hosts that failed (on this saturated rig an exec now and
# then gives no output within its time) are retried as an operator would, inside the timing.
RETRIED=0
await_roll() {
  local id=$1 status fd pid failed after=0
  while true; do
    exec {fd}< <(exec curl -sSN -H "Authorization: Bearer $(token)" -H "Last-Event-ID: $after" "$BASE/api/rolls/$id/events")
    pid=$!
    grep -m1 -E '"package".*"status":"(SUCCEEDED|FAILED|CANCELED)"' <&"$fd" >/dev/null || true
    kill "$pid" 2>/dev/null || true
    exec {fd}<&-
    status=$(api GET "/api/rolls/$id" | jq -r .status)
    [ "$status" = CANCELED ] && die "roll $id was canceled"
    failed=$(api GET "/api/rolls/$id/hosts" | jq '[.[] | select(.status != "SUCCEEDED" and .status != "AT_TARGET")] | length')
    [ "$status" = SUCCEEDED ] && [ "$failed" -eq 0 ] && return 0
    api GET "/api/rolls/$id/hosts" | jq -r '.[] | select(.status != "SUCCEEDED" and .status != "AT_TARGET") | "  \(.name) \(.status): \(.reason)"' >&2
    RETRIED=$((RETRIED + failed))
    log "  roll $id: $failed hosts did not make it; retrying them"
    after=$(psql_q "select coalesce(max(id), 0) from roll_event where roll_id = $id")
    api POST "/api/rolls/$id/retry" >/dev/null
  done
}

declare -A WALL CPU PG FLEETCPU CLIENTCPU BUSY
TICKS=$(getconf CLK_TCK)
# CPU seconds the fleet has used so far: every connection's `sshd -i` and all it ran (the
# session's shell, yum, rpm, systemctl), reaped by the fleet's listener; waits until the
# listener has reaped every session of the run just ended (their CPU counts only then).
fleet_cpu() {
  local listener
  listener=$(cat "$FLEET_DIR/run/listener.pid")
  for _ in $(seq 1 100); do pgrep -P "$listener" >/dev/null || break; sleep 0.1; done
  awk -v t="$TICKS" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$listener/stat"
}
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# How full a roll kept its parallelism slots: the hosts' own time (connect to done, as stored)
# over parallelism x the roll's wall time. Below 1: time between hosts, or a slow start or end.
busy() {
  psql_q "select round(sum(extract(epoch from finished_at - started_at))::numeric / ($2 * $3), 3)
          from roll_host where roll_id = $1 and finished_at is not null and started_at is not null"
}
# CPU seconds Yardmaster's JVM has used so far (user + system).
app_cpu() { awk -v t="$TICKS" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$app/stat"; }
# CPU seconds PostgreSQL has used so far: its live processes, and what the postmaster reaped.
pg_cpu() {
  local pm
  pm=$(pgrep -o -x postgres)
  # shellcheck disable=SC2046
  cat $(pgrep -x postgres | sed 's|.*|/proc/&/stat|') 2>/dev/null | awk -v t="$TICKS" -v pm="$pm" \
    '{ s += $14 + $15; if ($1 == pm) s += $16 + $17 } END { printf "%.2f", s / t }'
}
: >"$DIR/hosts.txt"
tail -n +2 "$FLEET_DIR/inventory.csv" | while IFS=, read -r addr _; do echo "$USER_NAME@$addr:$PORT"; done >"$DIR/pssh-hosts"
{
  echo "[fleet]"
  tail -n +2 "$FLEET_DIR/inventory.csv" | while IFS=, read -r addr _; do echo "$addr ansible_port=$PORT"; done
  echo "[fleet:vars]"
  echo "ansible_user=$USER_NAME"
  echo "ansible_ssh_private_key_file=$FLEET_DIR/keys/deploy"
  echo "ansible_ssh_common_args='-o UserKnownHostsFile=$FLEET_DIR/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes'"
} >"$DIR/ansible-inventory"
SSH_X="-i $FLEET_DIR/keys/deploy -o UserKnownHostsFile=$FLEET_DIR/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes"

# A console runs for weeks: the measured rolls run on a warmed-up JVM. The first roll after the
# start (class loading, JIT) is timed too, and printed apart.
promote_new
log "Yardmaster warm-up roll (the first after the start), parallelism 10 -> $EVR"
c=$(app_cpu); t=$(now); id=$(start_roll 10); await_roll "$id"; WALL[ym-first]=$(since "$t")
CPU[ym-first]=$(awk -v a="$c" -v b="$(app_cpu)" 'BEGIN { printf "%.1f", b - a }'); verify "yardmaster warm-up"
log "  ${WALL[ym-first]} s (roll $id; Yardmaster's JVM used ${CPU[ym-first]} CPU-s)"
if [ -n "${B_APP:-}" ]; then
  use_app b
  promote_new
  log "second build's warm-up roll, parallelism 10 -> $EVR"
  c=$(app_cpu); t=$(now); id=$(start_roll 10); await_roll "$id"; WALL[ymb-first]=$(since "$t")
  CPU[ymb-first]=$(minus "$c" "$(app_cpu)"); verify "second build warm-up"
  log "  ${WALL[ymb-first]} s (roll $id; its JVM used ${CPU[ymb-first]} CPU-s)"
  use_app a
fi

# A Yardmaster roll at parallelism P after a new promotion; its numbers go to WALL[ym-P-ROUND] etc.
ym_run() {
  local p=$1 key=${3:-ym}-$1-$2 f c g t id
  promote_new
  log "Yardmaster roll${3:+ ($3)}, parallelism $p, $HOSTS hosts -> $EVR"
  f=$(fleet_cpu); c=$(app_cpu); g=$(pg_cpu); t=$(now); id=$(start_roll "$p"); await_roll "$id"; WALL[$key]=$(since "$t")
  CPU[$key]=$(minus "$c" "$(app_cpu)"); PG[$key]=$(minus "$g" "$(pg_cpu)"); FLEETCPU[$key]=$(minus "$f" "$(fleet_cpu)")
  CLIENTCPU[$key]=$(awk -v a="${CPU[$key]}" -v b="${PG[$key]}" 'BEGIN { printf "%.1f", a + b }')
  BUSY[$key]=$(busy "$id" "$p" "${WALL[$key]}")
  verify "yardmaster -p $p"
  log "  ${WALL[$key]} s (roll $id; Yardmaster's JVM used ${CPU[$key]} CPU-s, PostgreSQL ${PG[$key]} CPU-s, the fleet ${FLEETCPU[$key]}; slots busy ${BUSY[$key]})"
}

# parallel-ssh over every host after a new promotion; its numbers go to WALL[KEY-P-ROUND] etc.
pssh_run() {
  local p=$2 cmd=$3 label=$4 key=$1-$2-$5 f t
  promote_new
  log "parallel-ssh -p $p$label -> $EVR"
  f=$(fleet_cpu); t=$(now)
  # bash's `time` gives the CPU of parallel-ssh and its ssh clients (user and system).
  { TIMEFORMAT='%U %S'; time parallel-ssh -h "$DIR/pssh-hosts" -p "$p" -t 600 -x "$SSH_X" "$cmd" >"$DIR/$key.log" 2>&1; } \
    2>"$DIR/$key.time" || { tail -5 "$DIR/$key.log" >&2; die "parallel-ssh -p $p$label had failures"; }
  WALL[$key]=$(since "$t")
  CLIENTCPU[$key]=$(awk '{ printf "%.1f", $1 + $2 }' "$DIR/$key.time"); FLEETCPU[$key]=$(minus "$f" "$(fleet_cpu)")
  verify "parallel-ssh -p $p$label"
  log "  ${WALL[$key]} s (the fleet used ${FLEETCPU[$key]} CPU-s, parallel-ssh and its ssh clients ${CLIENTCPU[$key]})"
}

ansible_run() {
  local p=$1 key=ansible-$1 f t
  promote_new
  log "ansible -f $p (raw) -> $EVR"
  f=$(fleet_cpu); t=$(now)
  { TIMEFORMAT='%U %S'; time ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_NOCOWS=1 ANSIBLE_LOCAL_TEMP=$DIR/ansible-tmp \
    ANSIBLE_SSH_CONTROL_PATH_DIR=$DIR/ansible-cp ansible fleet -i "$DIR/ansible-inventory" -f "$p" -m raw -a "$CMD" \
    >"$DIR/$key.log" 2>&1; } 2>"$DIR/$key.time" \
    || { grep -m5 -E 'FAILED|UNREACHABLE' "$DIR/$key.log" >&2; die "ansible -f $p had failures"; }
  WALL[$key]=$(since "$t")
  # Its ssh ControlPersist masters keep their sessions open for 60 s; closed now, so that the
  # fleet's CPU for this run is counted here and not in the next run.
  for sock in "$DIR"/ansible-cp/*; do [ -S "$sock" ] && ssh -o ControlPath="$sock" -O exit fleet >/dev/null 2>&1 || true; done
  CLIENTCPU[$key]=$(awk '{ printf "%.1f", $1 + $2 }' "$DIR/$key.time"); FLEETCPU[$key]=$(minus "$f" "$(fleet_cpu)")
  verify "ansible -f $p"
  log "  ${WALL[$key]} s (the fleet used ${FLEETCPU[$key]} CPU-s, ansible ${CLIENTCPU[$key]})"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Each round runs Yardmaster, parallel-ssh and parallel-ssh with Yardmaster's steps, each after a
# new promotion, starting with a different one each round (the machine's speed drifts over
# minutes). Ratios are taken within a round; the summary gives their median and the median of
# each tool's numbers over the rounds (in WALL[TOOL-P] etc.).
declare -A RATIOS
for p in $PARALLELISMS; do
  for r in $(seq 1 "$ROUNDS"); do
    [ "$ROUNDS" -gt 1 ] && log "round $r of $ROUNDS at parallelism $p"
    tools=(ym pssh steps)
    [ -n "$YM_ONLY" ] && tools=(ym)
    [ -n "${B_APP:-}" ] && tools=(ym pssh ymb steps)
    shift_by=$(( (r - 1) % ${#tools[@]} ))
    tools=("${tools[@]:$shift_by}" "${tools[@]:0:$shift_by}")
    for tool in "${tools[@]}"; do
      case $tool in
        ym) ym_run "$p" "$r" ;;
        ymb) use_app b; ym_run "$p" "$r" ymb; use_app a ;;
        pssh) pssh_run pssh "$p" "$CMD" "" "$r" ;;
        # The same steps as a Yardmaster host (check, update, verify, restart, health): splits the
        # gap into what the extra steps cost the fleet and what Yardmaster itself costs.
        steps) pssh_run steps "$p" "$CMD_STEPS" ", Yardmaster's steps" "$r" ;;
      esac
    done
    [ -z "$YM_ONLY" ] && RATIOS[pssh-$p]+=" $(ratio "${WALL[ym-$p-$r]}" "${WALL[pssh-$p-$r]}")" \
      && RATIOS[steps-$p]+=" $(ratio "${WALL[ym-$p-$r]}" "${WALL[steps-$p-$r]}")"
    if [ -n "${B_APP:-}" ]; then
      RATIOS[bpssh-$p]+=" $(ratio "${WALL[ymb-$p-$r]}" "${WALL[pssh-$p-$r]}")"
      RATIOS[bsteps-$p]+=" $(ratio "${WALL[ymb-$p-$r]}" "${WALL[steps-$p-$r]}")"
      RATIOS[ba-$p]+=" $(ratio "${WALL[ymb-$p-$r]}" "${WALL[ym-$p-$r]}")"
    fi
  done
  for tool in ym ymb pssh steps; do
    [ -n "$YM_ONLY" ] && [ "$tool" != ym ] && continue
    for m in WALL CPU PG FLEETCPU CLIENTCPU BUSY; do
      declare -n arr=$m
      vals=()
      for r in $(seq 1 "$ROUNDS"); do [ -n "${arr[$tool-$p-$r]:-}" ] && vals+=("${arr[$tool-$p-$r]}"); done
      [ ${#vals[@]} -gt 0 ] && arr[$tool-$p]=$(median "${vals[@]}")
      unset -n arr
    done
  done
  [ -n "$YM_ONLY" ] || [ -n "$SKIP_ANSIBLE" ] || ansible_run "$p"
done

if [ -n "$YM_ONLY" ]; then
  echo
  echo "== Yardmaster rolls only: $HOSTS loopback hosts, $(nproc) cores, $(date -u '+%F %H:%M') UTC =="
  printf 'first roll after the start (parallelism 10): %.1f s (JVM %s CPU-s)\n' "${WALL[ym-first]}" "${CPU[ym-first]}"
  for p in $PARALLELISMS; do printf 'parallelism %-3s %7.1f s (JVM %s CPU-s, PostgreSQL %s CPU-s, the fleet %s CPU-s; slots busy %s)\n' \
    "$p" "${WALL[ym-$p]}" "${CPU[ym-$p]}" "${PG[ym-$p]}" "${FLEETCPU[ym-$p]}" "${BUSY[ym-$p]}"; done
  echo "hosts retried after a failure: $RETRIED"
  exit 0
fi

sse_n=- sse_p50=- sse_p99=- sse_max=-
if [ -z "$SKIP_SSE" ]; then
log "SSE delay: $CLIENTS clients on one roll (parallelism 10, a canary of 1 host first)"
promote_new
id=$(start_roll 10 1)
for _ in $(seq 1 600); do
  [ "$(api GET "/api/rolls/$id" | jq -r .status)" = WAITING ] && break
  sleep 0.1
done
# Emptied first: the background job's own redirection may come after the first look below,
# which then found the last run's "connected" (and the check after the loop failed).
: >"$DIR/sse-clients.out"
python3 "$here/bench/sse_clients.py" "$BASE" "$id" "$(token)" "$CLIENTS" "$DIR/sse-received.txt" >"$DIR/sse-clients.out" &
sse=$!
for _ in $(seq 1 1200); do grep -q connected "$DIR/sse-clients.out" 2>/dev/null && break; sleep 0.1; done
grep -q connected "$DIR/sse-clients.out" || die "the SSE clients did not connect"
before=$(psql_q "select coalesce(max(id), 0) from roll_event where roll_id = $id")
api POST "/api/rolls/$id/continue" >/dev/null
await_roll "$id"
wait $sse
psql_q "select id, (extract(epoch from created_at) * 1000000)::bigint from roll_event
        where roll_id = $id and id > $before and type = 'HostChanged'" >"$DIR/sse-stored.txt"
read -r sse_n sse_p50 sse_p99 sse_max < <(python3 - "$DIR/sse-stored.txt" "$DIR/sse-received.txt" <<'PY'
import sys
stored = {int(a): int(b) for a, b in (l.split("|") for l in open(sys.argv[1]) if l.strip())}
delays = sorted((int(at) - stored[int(eid)]) / 1000.0 for _, eid, at in (l.split() for l in open(sys.argv[2]))
                if int(eid) in stored)
pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
print(len(delays), f"{pick(0.50):.1f}", f"{pick(0.99):.1f}", f"{delays[-1]:.1f}")
PY
)
fi

if [ -z "$SKIP_BIG" ]; then
  log "growing the fleet to $BIG hosts"
  "$FLEET" up --dir "$FLEET_DIR" --hosts "$BIG" --port "$PORT" --envs staging:1 --types web:1 --shape "$SHAPE" >/dev/null
  api POST /api/hosts/import -H 'Content-Type: text/csv' --data-binary @"$FLEET_DIR/inventory.csv" >/dev/null
  [ "$(api GET '/api/hosts?environment=staging' | jq length)" -eq "$BIG" ] || die "Yardmaster did not import $BIG hosts"
  promote_new
  log "Yardmaster roll over $BIG hosts, parallelism 50, sampling heap and RSS"
  "$JAVA_HOME/bin/jstat" -gc "$app" 500 >"$DIR/jstat.txt" 2>&1 &
  jstat_pid=$!
  : >"$DIR/rss.txt"
  ( while kill -0 "$app" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$app/status" >>"$DIR/rss.txt"; sleep 0.5; done ) &
  rss_loop=$!
  t=$(now); id=$(start_roll 50); await_roll "$id"; WALL[big]=$(since "$t")
  kill "$jstat_pid" "$rss_loop" 2>/dev/null || true
  jstat_pid=
  verify "yardmaster $BIG hosts"
  # jstat -gc columns: S0U=3 S1U=4 EU=6 OU=8 (KB)
  read -r heap_max heap_avg < <(awk 'NR > 1 && $1 ~ /^[0-9.]+$/ { u = ($3 + $4 + $6 + $8) / 1024; s += u; n++; if (u > m) m = u }
    END { printf "%.0f %.0f\n", m, n ? s / n : 0 }' "$DIR/jstat.txt")
  read -r rss_max rss_avg < <(awk '{ v = $1 / 1024; s += v; n++; if (v > m) m = v } END { printf "%.0f %.0f\n", m, n ? s / n : 0 }' "$DIR/rss.txt")
fi

echo
echo "== Rollout benchmark: $HOSTS loopback hosts of shape $SHAPE (up in $FLEET_UP s), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %H:%M') UTC =="
echo "   app: $APP_DIR; Yardmaster's update command: ${BENCH_UPDATE_COMMAND:-its default}"
echo "   same commands everywhere: $CMD"
[ "$ROUNDS" -gt 1 ] && echo "   $ROUNDS rounds: each figure is the median over the rounds; the ratios are the median of each round's own ratio"
for p in $PARALLELISMS; do
  printf 'parallelism %-3s Yardmaster %7.1f s (JVM %s CPU-s, PostgreSQL %s CPU-s) | parallel-ssh %7.1f s | ansible %7.1f s | Yardmaster/parallel-ssh %s (goal <= 1.1) | Yardmaster/ansible %s\n' \
    "$p" "${WALL[ym-$p]}" "${CPU[ym-$p]}" "${PG[ym-$p]}" "${WALL[pssh-$p]}" "${WALL[ansible-$p]:-0}" "$(median ${RATIOS[pssh-$p]})" \
    "$([ -n "${WALL[ansible-$p]:-}" ] && ratio "${WALL[ym-$p]}" "${WALL[ansible-$p]}" || echo -)"
  printf '               parallel-ssh with the same steps as Yardmaster (rpm -q, yum, rpm -q, restart, is-active) %7.1f s | Yardmaster/that %s\n' \
    "${WALL[steps-$p]}" "$(median ${RATIOS[steps-$p]})"
  if [ "$ROUNDS" -gt 1 ]; then
    line=
    for r in $(seq 1 "$ROUNDS"); do
      line+=" | round $r: ${WALL[ym-$p-$r]} / ${WALL[pssh-$p-$r]} / ${WALL[steps-$p-$r]} s ($(ratio "${WALL[ym-$p-$r]}" "${WALL[pssh-$p-$r]}"), $(ratio "${WALL[ym-$p-$r]}" "${WALL[steps-$p-$r]}"))"
    done
    echo "               Yardmaster / parallel-ssh / same steps$line"
  fi
  printf '               CPU-s, the fleet / the client side: Yardmaster %s / %s (JVM + PostgreSQL; slots busy %s) | parallel-ssh %s / %s | same steps %s / %s | ansible %s / %s\n' \
    "${FLEETCPU[ym-$p]}" "${CLIENTCPU[ym-$p]}" "${BUSY[ym-$p]}" "${FLEETCPU[pssh-$p]}" "${CLIENTCPU[pssh-$p]}" \
    "${FLEETCPU[steps-$p]}" "${CLIENTCPU[steps-$p]}" "${FLEETCPU[ansible-$p]:--}" "${CLIENTCPU[ansible-$p]:--}"
  if [ -n "${B_APP:-}" ]; then
    printf '               second build (%s): %7.1f s (JVM %s CPU-s, PostgreSQL %s CPU-s; the fleet %s CPU-s; slots busy %s) | /parallel-ssh %s | /same steps %s | /first build %s\n' \
      "$BENCH_APP_DIR_B" "${WALL[ymb-$p]}" "${CPU[ymb-$p]}" "${PG[ymb-$p]}" "${FLEETCPU[ymb-$p]}" "${BUSY[ymb-$p]}" \
      "$(median ${RATIOS[bpssh-$p]})" "$(median ${RATIOS[bsteps-$p]})" "$(median ${RATIOS[ba-$p]})"
    line=
    for r in $(seq 1 "$ROUNDS"); do line+=" | round $r: ${WALL[ymb-$p-$r]} s ($(ratio "${WALL[ymb-$p-$r]}" "${WALL[pssh-$p-$r]}"), $(ratio "${WALL[ymb-$p-$r]}" "${WALL[steps-$p-$r]}"))"; done
    echo "               second build$line"
  fi
done
p1=${PARALLELISMS%% *}
printf 'first roll after the start (parallelism 10): Yardmaster %.1f s (JVM %s CPU-s), %s x parallel-ssh -p %s\n' \
  "${WALL[ym-first]}" "${CPU[ym-first]}" "$(ratio "${WALL[ym-first]}" "${WALL[pssh-$p1]}")" "$p1"
echo "hosts retried after a failure, over all Yardmaster rolls: $RETRIED (each in its roll's time)"
[ -n "$SKIP_SSE" ] || printf 'SSE delay, %s clients, %s deliveries: p50 %s ms | p99 %s ms (goal <= 250) | max %s ms\n' \
  "$CLIENTS" "$sse_n" "$sse_p50" "$sse_p99" "$sse_max"
if [ -z "$SKIP_BIG" ]; then
  printf '%s-host roll (parallelism 50): %s s | heap used max %s MB, mean %s MB | RSS max %s MB, mean %s MB (-Xmx512m)\n' \
    "$BIG" "${WALL[big]}" "$heap_max" "$heap_avg" "$rss_max" "$rss_avg"
fi
