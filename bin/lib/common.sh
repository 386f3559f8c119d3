# Shared by bin/demo and bin/test: find a JDK, install and start the services Yardmaster
# needs on a Debian 12 machine (root), and stop only what this script started.
# shellcheck shell=bash

YM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
YM_STATE=${YM_STATE:-$YM_ROOT/.state}
KEYCLOAK_VERSION=26.7.3
KEYCLOAK_PORT=${KEYCLOAK_PORT:-8180}
KEYCLOAK_MANAGEMENT_PORT=${KEYCLOAK_MANAGEMENT_PORT:-9180}
YM_STARTED_PIDS=()
# The JVM options Yardmaster ships with (the Dockerfile's JAVA_OPTS says the same). C1 only:
# the console orchestrates I/O over a large code base (Quarkus, Hibernate, Netty, MINA, the
# PostgreSQL driver), and C2 kept compiling it for several 200-host rolls, 2.4 of the JVM's 8
# CPU-s per roll on 2 cores, beside the fleet's sshd. With C1 alone a roll took 4.6 CPU-s instead
# of 8.0, the console starts in 2.9 s instead of 3.5-3.8 s, and the catalog's goals still hold
# (API 5,900 req/s, cold index 0.79x createrepo_c); bench/README.md has the runs.
YM_JAVA_OPTS=(-XX:TieredStopAtLevel=1)

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing; runs apt-get update once, only when needed.
ym_apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (run as root or apt-get install them)"
  log "installing ${missing[*]}"
  if [ -z "${YM_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    YM_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Debian's Prometheus, for the gates between a roll's batches: bin/fleet prometheus starts it
# over the loopback fleet (the tests start it themselves through the same command).
ym_ensure_prometheus() {
  command -v prometheus >/dev/null || ym_apt_install prometheus
}

# Java 21 is the floor (maven.compiler.release 21). The Debian default is 17, so look beside it.
ym_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ]; then
      export JAVA_HOME=$candidate
      return 0
    fi
  done
  die "Yardmaster needs a JDK 21 or newer and none was found under /usr/lib/jvm.
  Install one, for example Eclipse Temurin 21 or 25 (https://adoptium.net), or on Debian 13
  'apt-get install openjdk-21-jdk', then run this again (or set JAVA_HOME to it)."
}

ym_mvn() { (cd "$YM_ROOT" && ./mvnw -B -q "$@"); }

# PostgreSQL on 127.0.0.1:5432 with database 'yardmaster' and two roles: 'yardmaster' owns
# the database and the schema (Flyway migrates as it), 'yardmaster_app' is the console's runtime
# role, which may only read and append the audit log (V75); passwords = role names.
ym_ensure_postgres() {
  command -v pg_lsclusters >/dev/null || ym_apt_install postgresql
  if ! pg_lsclusters -h | grep -q .; then
    local version
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$version" main >&2
  fi
  local version cluster status
  read -r version cluster _ status _ < <(pg_lsclusters -h | head -1)
  if [ "$status" != online ]; then
    log "starting PostgreSQL $version/$cluster"
    pg_ctlcluster "$version" "$cluster" start
  fi
  local i
  for i in $(seq 1 60); do
    su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
    sleep 0.5
  done
  local dbs=("yardmaster" "$@")
  su postgres -c "psql -qtA" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yardmaster') THEN
    CREATE ROLE yardmaster LOGIN PASSWORD 'yardmaster';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yardmaster_app') THEN
    CREATE ROLE yardmaster_app LOGIN PASSWORD 'yardmaster_app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END \$\$;
SQL
  local db
  for db in "${dbs[@]}"; do
    if ! su postgres -c "psql -qtAc \"select 1 from pg_database where datname = '$db'\"" | grep -q 1; then
      su postgres -c "createdb -O yardmaster '$db'"
    fi
  done
}

# The Ed25519 key that signs audit checkpoints and the directory they are written to, kept
# under .state (outside PostgreSQL); exported for the console. On Kubernetes both come from
# the chart (a Secret and a volume).
ym_audit_checkpoints() {
  local dir=$YM_STATE/audit
  mkdir -p "$dir/checkpoints"
  if [ ! -s "$dir/checkpoint-key.pem" ]; then
    command -v openssl >/dev/null || ym_apt_install openssl
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/checkpoint-key.pem")
    openssl pkey -in "$dir/checkpoint-key.pem" -pubout -out "$dir/checkpoint-key.pub.pem"
    log "made an audit checkpoint key: $dir/checkpoint-key.pem (public: checkpoint-key.pub.pem)"
  fi
  export YARDMASTER_AUDIT_CHECKPOINT_KEY=$dir/checkpoint-key.pem
  export YARDMASTER_AUDIT_CHECKPOINT_DIR=$dir/checkpoints
}

ym_keycloak_up() {
  curl -fsS -o /dev/null "http://127.0.0.1:$KEYCLOAK_PORT/realms/yardmaster/.well-known/openid-configuration" 2>/dev/null
}

# Keycloak from Maven Central (org.keycloak:keycloak-quarkus-dist), started with the project's
# realm. Keycloak never re-imports a realm that already exists, so its data is wiped whenever
# the realm file changes (tracked by hash).
ym_ensure_keycloak() {
  if ym_keycloak_up; then
    log "Keycloak already answers on 127.0.0.1:$KEYCLOAK_PORT"
    return 0
  fi
  local home=$YM_STATE/keycloak/keycloak-$KEYCLOAK_VERSION
  if [ ! -x "$home/bin/kc.sh" ]; then
    log "fetching Keycloak $KEYCLOAK_VERSION through Maven"
    mkdir -p "$YM_STATE/keycloak"
    ym_mvn -Dfrontend.skip dependency:unpack -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
      -DoutputDirectory="$YM_STATE/keycloak" >&2
  fi
  local realm=$YM_ROOT/src/main/keycloak/yardmaster-realm.json
  local digest
  digest=$(sha256sum "$realm" | cut -c1-16)
  if [ "$(cat "$home/data/realm.sha256" 2>/dev/null)" != "$digest" ]; then
    rm -rf "$home/data/h2" "$home/data/import"
    mkdir -p "$home/data/import"
    cp "$realm" "$home/data/import/yardmaster-realm.json"
    echo "$digest" >"$home/data/realm.sha256"
  fi
  log "starting Keycloak on 127.0.0.1:$KEYCLOAK_PORT (log: $YM_STATE/keycloak.log)"
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    setsid "$home/bin/kc.sh" start-dev --http-host 127.0.0.1 --http-port "$KEYCLOAK_PORT" \
      --http-management-port "$KEYCLOAK_MANAGEMENT_PORT" \
      --import-realm --hostname "http://127.0.0.1:$KEYCLOAK_PORT" \
      --health-enabled true --http-management-health-enabled false \
      >"$YM_STATE/keycloak.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$YM_STATE/keycloak.pid"
  YM_STARTED_PIDS+=("$pid")
  local i
  for i in $(seq 1 180); do
    ym_keycloak_up && { log "Keycloak is ready"; return 0; }
    kill -0 "$pid" 2>/dev/null || { tail -30 "$YM_STATE/keycloak.log" >&2; die "Keycloak exited"; }
    sleep 1
  done
  tail -30 "$YM_STATE/keycloak.log" >&2
  die "Keycloak did not answer within 180 s"
}

# Stops what this script started, by pid (the whole process group), never by name.
ym_stop_started() {
  local pid
  for pid in "${YM_STARTED_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${YM_STARTED_PIDS[@]}"; do
    local i
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  YM_STARTED_PIDS=()
}
