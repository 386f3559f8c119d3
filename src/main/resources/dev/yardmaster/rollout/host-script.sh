# shellcheck shell=sh
# The steps of one host in a roll, run on the host as one exec (rollout/HostScript). The runner
# appends the four commands as functions (change, exact, restart, health: each execs a validated
# command), the http function (http_check with quoted tokens, or nothing) and the call of
# roll_host with quoted tokens.
#
# Comment lines are dropped before the text is sent, and the text is sent single-quoted to sh -c:
# it must hold no single quote (HostScript refuses one).

# Globs off: rpm output is split into words.
set -f
# TERM (the channel closed: timeout, cancel, the console gone) is passed on to the running command.
trap "kill -TERM \$p 2>/dev/null; exit 143" TERM

# A step marker: only lines with this run's random nonce are markers; anything else is output,
# also what a package scriptlet prints.
say() {
  echo "@@yardmaster-$nonce $1"
}

# Runs a command in the background and waits, so the TERM trap can reach it.
run() {
  "$@" </dev/null &
  p=$!
  wait "$p"
}

# rpm -q, printed, and the installed EVR in $current the way the runner reads it (no arch, no 0: epoch).
query_installed() {
  out=$(rpm -q --qf "%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}\n" "$pkg" </dev/null 2>&1)
  echo "$out"
  current=
  for line in $out; do
    case $line in
      "$pkg"-*) current=${line#"$pkg"-}; break ;;
    esac
  done
  case $current in
    *.noarch|*.x86_64|*.aarch64|*.i686|*.i386|*.ppc64le|*.s390x|*.armv7hl|*.src) current=${current%.*} ;;
  esac
  current=${current#0:}
}

# True when the service started at or after the package was installed: the restart after the
# update is done (the console may have died before storing it). Compared in whole seconds, as rpm
# stores INSTALLTIME; false when either time cannot be read, so the host is restarted.
restarted_since_install() {
  installed_at=$(rpm -q --qf "%{INSTALLTIME}\n" "$pkg" </dev/null 2>/dev/null | head -n 1)
  started=$(systemctl show -p ExecMainStartTimestamp --value "$service" </dev/null 2>/dev/null)
  if [ -z "$started" ] || [ "$started" = n/a ]; then
    started=$(systemctl show -p ActiveEnterTimestamp --value "$service" </dev/null 2>/dev/null)
  fi
  case $installed_at in
    ""|*[!0-9]*) return 1 ;;
  esac
  [ -n "$started" ] && [ "$started" != n/a ] || return 1
  started_at=$(date -d "$started" +%s 2>/dev/null) || return 1
  echo "$service started $started; $pkg installed at $installed_at (epoch s)"
  [ "$started_at" -ge "$installed_at" ]
}

# roll_host PACKAGE EVR NONCE SERVICE AT_TARGET HAS_EXACT
#   AT_TARGET: what a host found at the target does. stop: nothing (it was there before the roll);
#   check: restart unless restarted_since_install (an earlier attempt changed it, or may have);
#   health: the health check only (the restart was stored as done).
#   HAS_EXACT: non-empty when change is an update and exact installs the exact build, for a host
#   the update did not bring to the target (yum update never goes down; dnf install does).
roll_host() {
  pkg=$1
  evr=$2
  nonce=$3
  service=$4
  at_target=$5
  has_exact=$6
  restart_needed=1
  say check
  query_installed
  if [ "$current" = "$evr" ]; then
    say at-target
    case $at_target in
      stop) exit 0 ;;
      health) restart_needed= ;;
      *)
        if restarted_since_install; then
          say restart-done
          restart_needed=
        fi ;;
    esac
  else
    say update
    run change || exit $?
    say verify
    query_installed
    if [ "$current" != "$evr" ] && [ -n "$has_exact" ]; then
      say install
      run exact || exit $?
      say verify
      query_installed
    fi
    [ "$current" = "$evr" ] || exit 97
  fi
  if [ -n "$restart_needed" ]; then
    say restart
    run restart || exit $?
  fi
  say health
  run health || exit $?
  http
}

# http_check URL STATUS SECONDS RETRIES BODY: GET URL from this host with curl; passes when the
# answer has STATUS and, when BODY is not empty, a line matching the extended regex BODY. Tried
# RETRIES more times, a second apart. Every attempt prints one line; the last says why it failed
# (the runner stores that line as the host's reason). From the host, not from the console: it
# tests the service where it runs, needs no route or firewall rule from the console, and its
# answer comes back with the rest of the host's steps.
http_check() {
  tries=0
  answer=$(mktemp) || return 1
  while :; do
    tries=$((tries + 1))
    code=$(curl -sS -o "$answer" -w "%{http_code}" --max-time "$3" "$1" </dev/null 2>"$answer.err")
    if [ "$code" = "$2" ] && { [ -z "$5" ] || grep -Eq -e "$5" "$answer"; }; then
      echo "HTTP $code from $1"
      rm -f "$answer" "$answer.err"
      return 0
    fi
    if [ -z "$code" ] || [ "$code" = 000 ]; then
      echo "no HTTP answer from $1: $(tail -n 1 "$answer.err")"
    elif [ "$code" != "$2" ]; then
      echo "HTTP $code from $1, expected $2: $(tail -n 1 "$answer")"
    else
      echo "HTTP $code from $1 but no line matches $5: $(tail -n 1 "$answer")"
    fi
    [ "$tries" -le "$4" ] || break
    sleep 1
  done
  rm -f "$answer" "$answer.err"
  return 1
}
