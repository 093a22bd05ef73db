# Shared by bench/load.sh and bench/profile.sh (sourced, not run): the repository root as the
# working directory, the knobs both scripts take, tools, background servers recorded by PID and
# always stopped, free loopback ports, and the users both scripts seed.
#
# The caller sets NAME_OF_SCRIPT (for messages) before sourcing it, calls make_work, and sets ok=1
# once it has done its job.

ROOT="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
cd "$ROOT" || exit 1

# The knobs of both scripts, with the same defaults (each script's header says what they do).
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-32}"
SCIMSIM_FLAGS="${SCIMSIM_FLAGS:-}"
KEEP="${KEEP:-0}"
GO="${GO:-go}"
TOKEN="bench-token" # loopback only; never a real secret

say() { printf '\n== %s: %s\n' "$NAME_OF_SCRIPT" "$*"; }
die() { printf '%s: %s\n' "$NAME_OF_SCRIPT" "$*" >&2; exit 1; }

# ensure_tools TOOL...: installs the Debian packages of the same names that are missing.
ensure_tools() {
  local missing=() tool sudo=()
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ "${#missing[@]}" -gt 0 ] || return 0
  say "installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

declare -A PID_OF=()

# start_server NAME LOG CMD...: runs CMD in the background and records its PID under NAME.
start_server() {
  local name="$1" log="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  PID_OF[$name]=$!
}

# stop_server NAME: SIGTERM, then SIGKILL if it has not exited within 10 s.
stop_server() {
  local name="$1" pid="${PID_OF[$1]:-}" i
  [ -n "$pid" ] || return 0
  unset 'PID_OF[$name]'
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local name
  for name in "${!PID_OF[@]}"; do stop_server "$name"; done
}

# make_work PREFIX WHAT: sets WORK to a new temporary directory named from PREFIX, and traps EXIT to
# stop every server and remove WORK; when the script has not set ok=1 (it failed or was
# interrupted) or KEEP is 1, WORK is kept and the script says that WHAT are kept there.
make_work() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  WORK_HOLDS="$2"
  ok=0
  trap end_work EXIT
  trap 'exit 130' INT TERM
}

end_work() {
  stop_all
  if [ "$ok" = 1 ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$WORK"
  else
    echo "$NAME_OF_SCRIPT: $WORK_HOLDS kept in $WORK" >&2
  fi
}

# wait_ready NAME BASE LOG: polls GET BASE/Users?count=1 until 200, for at most 60 s.
wait_ready() {
  local name="$1" base="$2" log="$3" i code=000
  for ((i = 0; i < 300; i++)); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $TOKEN" \
      "$base/Users?count=1" || true)"
    [ "$code" = 200 ] && return 0
    if ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then
      tail -n 20 "$log" >&2
      die "$name exited before answering at $base"
    fi
    sleep 0.2
  done
  tail -n 20 "$log" >&2
  die "$name did not answer 200 at $base/Users?count=1 within 60 s (last HTTP $code)"
}

# free_port: sets PORT to the first port from NEXT_PORT on that nothing on 127.0.0.1 accepts
# connections on.
NEXT_PORT="${PORT_BASE:-18090}"
free_port() {
  while (exec 3<>"/dev/tcp/127.0.0.1/$NEXT_PORT") 2>/dev/null; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT="$NEXT_PORT"
  NEXT_PORT=$((NEXT_PORT + 1))
}

# seed_body N FILE: writes the POST /admin/seed body for users user1..userN, shaped like the users
# bench/peers/load.sh creates, so that its filter target and its skip-loading check hold.
seed_body() {
  awk -v n="$1" 'BEGIN {
    printf "{\"users\":["
    for (i = 1; i <= n; i++) {
      u = "user" i
      printf "%s{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"%s\",\"active\":true,\"displayName\":\"User %d\",\"name\":{\"givenName\":\"User\",\"familyName\":\"%s\"},\"emails\":[{\"value\":\"%s@example.com\",\"type\":\"work\",\"primary\":true}],\"externalId\":\"ext-%s\"}", (i > 1 ? "," : ""), u, i, u, u, u
    }
    printf "],\"groups\":[]}"
  }' >"$2"
}

# post_seed ROOT_URL BODY OUT [TENANT]: POSTs BODY to ROOT_URL/admin/seed (of TENANT when given),
# the answer to OUT; prints the HTTP status.
post_seed() {
  curl -sS --max-time 300 -o "$3" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$2" "$1/admin/seed${4:+?tenant=$4}" || true
}

# proc_cpu_ticks PID: user plus system CPU time of PID so far, in clock ticks (proc(5) stat).
proc_cpu_ticks() {
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}' # past "pid (comm) ", utime is field 12
}
