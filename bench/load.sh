#!/usr/bin/env bash
# make bench-load: measure scimsim, the SCIMMY peer and a bare net/http handler under the same load,
# one after the other in one run, and write the figures to docs/benchmarks.md.
#
# For each server: start it on a free 127.0.0.1 port in the background (PID recorded), wait until it
# answers, run bench/peers/load.sh against it (wrk: filtered GET, then POST create, each for
# DURATION), stop it. scimsim is measured at USERS_SMALL users (loaded by load.sh, like the peer) and
# again, fresh, at USERS_LARGE users (seeded through POST /admin/seed: load.sh then skips its own
# loading; the server's RSS after the seed is recorded); then twice more at USERS_LARGE users, POST
# only: with an Entra-shaped create body into a named tenant (the bare handler gets the same body),
# and with --state and --state-sync always. Each round also runs BenchmarkServer_HeapPerUser, the
# Go heap per stored user. bench/loadreport turns the RESULT lines into the table, the ratios and
# the targets.
#
# Knobs (environment or make variables; defaults in brackets):
#   DURATION [10s]        length of each timed phase; DURATION=3s for a quick try
#   THREADS [2] CONNS [32] LOAD_PARALLEL [32] WRK_CPUS []   passed to load.sh (see its header)
#   USERS_SMALL [10000]   users for every server; USERS_LARGE [100000] users for scimsim only
#   SERVERS [bare SCIMMY scimsim]   which servers to measure, in this order
#   ROUNDS [1]            repeat the whole sequence; the report gives medians and the spread
#   SCIMSIM_FLAGS []      extra flags for `scimsim serve`
#   SCIMSIM_BIN []        a scimsim binary to measure instead of building this repository's
#   PEERS [bench/peers]   where load.sh and scimmy/ are
#   OUT [docs/benchmarks.md]   report path (a relative one is relative to the repository root)
#   PORT_BASE [18090]     first loopback port tried; the servers take the next free ones
#   KEEP [0]              1 keeps the temporary directory (logs, results) after the run
#   GO [go]
#
# Needs wrk, curl and jq (installed with apt-get when missing), node and npm, Go. Everything it
# starts listens on 127.0.0.1 only, every phase is bounded in time or count, and every process it
# starts is stopped by its PID when it exits, also on failure or Ctrl-C.
set -euo pipefail

NAME_OF_SCRIPT=bench-load
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PEERS="${PEERS:-$ROOT/bench/peers}"
LOAD_PARALLEL="${LOAD_PARALLEL:-32}"
WRK_CPUS="${WRK_CPUS:-}"
USERS_SMALL="${USERS_SMALL:-10000}"
USERS_LARGE="${USERS_LARGE:-100000}"
SERVERS="${SERVERS:-bare SCIMMY scimsim}"
ROUNDS="${ROUNDS:-1}"
SCIMSIM_BIN="${SCIMSIM_BIN:-}"
OUT="${OUT:-docs/benchmarks.md}"

LOAD_SH="$PEERS/load.sh"
SCIMMY_SRC="$PEERS/scimmy"

[ -x "$LOAD_SH" ] || die "no executable $LOAD_SH (set PEERS= to the directory holding load.sh and scimmy/)"
for s in $SERVERS; do
  case "$s" in bare | SCIMMY | scimsim) ;; *) die "SERVERS: unknown server '$s' (bare, SCIMMY, scimsim)" ;; esac
done
[[ "$USERS_SMALL" =~ ^[1-9][0-9]*$ && "$USERS_LARGE" =~ ^[1-9][0-9]*$ ]] || die "USERS_SMALL and USERS_LARGE must be positive counts"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive count"

# ---- tools ------------------------------------------------------------------------------------
ensure_tools wrk curl jq
case " $SERVERS " in *" SCIMMY "*)
  for tool in node npm; do command -v "$tool" >/dev/null || die "the SCIMMY peer needs $tool"; done ;;
esac

# ---- processes: every one recorded (lib.sh), every one stopped --------------------------------
make_work scimsim-bench "logs and results"

# ---- the record of what ran --------------------------------------------------------------------
CMDS=()
shown() { # the command as the report shows it: repository-relative, $WORK for the temporary directory
  local s="$*"
  s="${s//"$WORK"/\$WORK}"
  s="${s//"$ROOT/.."/..}"
  s="${s//"$ROOT/"/}"
  printf '%s' "$s"
}
record() { # rounds after the first repeat the same commands (on other ports): recorded once
  [ "${round:-1}" = 1 ] || return 0
  CMDS+=("$(shown "$@")")
}

RESULTS="$WORK/results.txt"
: >"$RESULTS"

CLK_TCK="$(getconf CLK_TCK)"

# follow_phases PID LOG: copies load.sh's output to stdout and LOG, and adds to each timed RESULT
# line the CPU time the server (PID) spent per request in that phase: its user plus system time
# from the phase's "== phase N" line to the RESULT line wrk prints as it exits. Unlike req/s, this
# hardly depends on what else the machine runs.
follow_phases() {
  local pid="$1" log="$2" line start="" now n
  while IFS= read -r line; do
    case "$line" in
      "== phase 3:"* | "== phase 4:"*) start="$(proc_cpu_ticks "$pid" 2>/dev/null || true)" ;;
      "RESULT get-filter "* | "RESULT post-create"*)
        now="$(proc_cpu_ticks "$pid" 2>/dev/null || true)"
        n="$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' <<<"$line")"
        if [ -n "$start" ] && [ -n "$now" ] && [ "${n:-0}" -gt 0 ]; then
          line+="$(awk -v t="$((now - start))" -v hz="$CLK_TCK" -v n="$n" \
            'BEGIN { printf " cpu_us_per_req=%.1f", 1e6 * t / hz / n }')"
        fi
        start="" ;;
    esac
    printf '%s\n' "$line" | tee -a "$log"
  done
}

# measure NAME TAG_USERS USERS BASE [PHASES CREATE_BODY POST_LABEL]: load.sh against BASE, its
# RESULT lines tagged into RESULTS (as server NAME, or $TAG_SERVER when set).
measure() {
  local name="$1" tag_users="$2" users="$3" base="$4" phases="${5:-get post}" body="${6:-basic}" label="${7:-post-create}"
  local log="$WORK/load-$name-$users-$label-$round.log" extra=""
  : >"$log"
  [ "$phases" = "get post" ] || extra+=" PHASES='$phases'"
  [ "$body" = basic ] || extra+=" CREATE_BODY=$body"
  [ "$label" = post-create ] || extra+=" POST_LABEL=$label"
  say "load.sh against $name ($base, $users users, phases $phases, $body body)"
  record "USERS=$users PREFIX=user THREADS=$THREADS CONNS=$CONNS DURATION=$DURATION LOAD_PARALLEL=$LOAD_PARALLEL${WRK_CPUS:+ WRK_CPUS=$WRK_CPUS}$extra" \
    "$LOAD_SH $base $TOKEN"
  USERS="$users" PREFIX=user THREADS="$THREADS" CONNS="$CONNS" DURATION="$DURATION" \
    LOAD_PARALLEL="$LOAD_PARALLEL" WRK_CPUS="$WRK_CPUS" PHASES="$phases" CREATE_BODY="$body" POST_LABEL="$label" \
    "$LOAD_SH" "$base" "$TOKEN" 2>&1 |
    follow_phases "${PID_OF[$name]}" "$log"
  grep '^RESULT ' "$log" | sed "s/^/server=${TAG_SERVER:-$name} users=$tag_users round=$round /" >>"$RESULTS"
}

# record_rss NAME USERS: the resident memory of server NAME, holding USERS users, as a RESULT line.
record_rss() {
  local name="$1" users="$2" kb
  kb="$(awk '/^VmRSS:/ {print $2}' "/proc/${PID_OF[$name]}/status" 2>/dev/null || true)"
  [ -n "$kb" ] || return 0
  awk -v n="$users" -v kb="$kb" 'BEGIN { printf "RESULT rss users=%d rss_kb=%d kb_per_user=%.2f\n", n, kb, kb / n }' |
    tee -a "$WORK/rss-$round.log" | sed "s/^/server=${TAG_SERVER:-$name} users=$users round=$round /" >>"$RESULTS"
}

# record_heap: the Go heap per stored user of this repository's simulator, as a RESULT line:
# BenchmarkServer_HeapPerUser, in-process (no server, no load). It measures the source of this
# tree, so not when SCIMSIM_BIN measures another build.
record_heap() {
  [ -z "$SCIMSIM_BIN" ] || return 0
  local out users bytes
  say "measuring the Go heap per stored user (BenchmarkServer_HeapPerUser)"
  record "$GO test ./simulator -run '^\$' -bench '^BenchmarkServer_HeapPerUser\$' -benchtime 1x"
  out="$("$GO" test ./simulator -run '^$' -bench '^BenchmarkServer_HeapPerUser$' -benchtime 1x 2>&1)" ||
    die "BenchmarkServer_HeapPerUser failed: $out"
  read -r bytes users < <(awk '/^BenchmarkServer_HeapPerUser/ {
    for (i = 2; i <= NF; i++) { if ($i == "heapB/user") b = $(i - 1); if ($i == "users") u = $(i - 1) }
    print b, u }' <<<"$out")
  [[ "${bytes:-}" =~ ^[0-9.]+$ && "${users:-}" =~ ^[0-9]+$ ]] || die "BenchmarkServer_HeapPerUser printed no heapB/user and users: $out"
  echo "RESULT heap bytes_per_user=$bytes" | tee -a "$WORK/heap-$round.log" |
    sed "s/^/server=scimsim users=$users round=$round /" >>"$RESULTS"
}

# seed_scimsim ROOT_URL USERS [TENANT] [QUIET]: POST /admin/seed with users shaped like load.sh's
# (user1..userN), into TENANT when given; QUIET=1 leaves its rate out of the report. Returns 1 when
# the server has no seed route, so that load.sh loads the users itself.
seed_scimsim() {
  local root="$1" users="$2" tenant="${3:-}" quiet="${4:-}" body="$WORK/seed-$2.json" start end code
  seed_body "$users" "$body"
  say "seeding $users users through POST $root/admin/seed${tenant:+?tenant=$tenant}"
  record "curl -X POST -H 'Content-Type: application/json' --data-binary @\$WORK/seed-$users.json '$root/admin/seed${tenant:+?tenant=$tenant}'"
  start="$(date +%s.%N)"
  code="$(post_seed "$root" "$body" "$WORK/seed-$users.out" "$tenant")"
  end="$(date +%s.%N)"
  rm -f "$body"
  case "$code" in
    2??) ;;
    404 | 405)
      echo "POST /admin/seed answered $code: load.sh loads the users with POST /Users instead"
      return 1 ;;
    *) die "POST /admin/seed answered HTTP $code: $(head -c 300 "$WORK/seed-$users.out")" ;;
  esac
  local got
  got="$(jq -r '.users // empty' "$WORK/seed-$users.out")"
  [ "$got" = "$users" ] || die "POST /admin/seed stored '$got' users, want $users: $(head -c 300 "$WORK/seed-$users.out")"
  [ -z "$quiet" ] || return 0
  awk -v n="$users" -v s="$start" -v e="$end" 'BEGIN {
    printf "RESULT seed users=%d elapsed_s=%.2f rate_per_s=%.1f\n", n, e - s, n / (e - s) }' |
    tee "$WORK/seed-$users-$round.log" | sed "s/^/server=scimsim users=$users round=$round /" >>"$RESULTS"
  cat "$WORK/seed-$users-$round.log"
}

knobs="DURATION=$DURATION THREADS=$THREADS CONNS=$CONNS USERS_SMALL=$USERS_SMALL USERS_LARGE=$USERS_LARGE"
[ "$SERVERS" = "bare SCIMMY scimsim" ] || knobs+=" SERVERS='$SERVERS'"
[ "$ROUNDS" = 1 ] || knobs+=" ROUNDS=$ROUNDS"
[ -z "$WRK_CPUS" ] || knobs+=" WRK_CPUS=$WRK_CPUS"
[ -z "$SCIMSIM_FLAGS" ] || knobs+=" SCIMSIM_FLAGS='$SCIMSIM_FLAGS'"
record "make bench-load $knobs"

# machine_load: the 1-minute load average and, where the kernel has PSI, the share of the last
# minute in which runnable tasks waited for a CPU. Other work on the machine skews every figure.
machine_load() {
  local la psi
  la="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
  psi="$(awk '/^some/ {sub("avg60=", "", $3); print $3 "%"}' /proc/pressure/cpu 2>/dev/null || true)"
  printf 'load average %s%s' "$la" "${psi:+, CPU pressure $psi}"
}
LOAD_BEFORE="$(machine_load)"

# ---- build and install -------------------------------------------------------------------------
say "building bench/bare and bench/loadreport"
"$GO" build -o "$WORK/bare" ./bench/bare
"$GO" build -o "$WORK/loadreport" ./bench/loadreport
case " $SERVERS " in *" scimsim "*)
  if [ -n "$SCIMSIM_BIN" ]; then
    say "measuring $SCIMSIM_BIN"
    record "cp $SCIMSIM_BIN \$WORK/scimsim"
    cp "$SCIMSIM_BIN" "$WORK/scimsim"
  else
    say "building scimsim"
    record "go build -o \$WORK/scimsim ./cmd/scimsim"
    "$GO" build -o "$WORK/scimsim" ./cmd/scimsim
  fi
  "$WORK/scimsim" serve --help >/dev/null 2>&1 ||
    die "this scimsim has no working 'serve' command; SERVERS='bare SCIMMY' measures the others"
  ;;
esac
case " $SERVERS " in *" SCIMMY "*)
  # Install the peer's dependencies in a copy, so that the tree stays clean.
  say "installing the SCIMMY peer in $WORK/scimmy"
  cp -R "$SCIMMY_SRC/." "$WORK/scimmy"
  chmod -R u+w "$WORK/scimmy"
  record "cp -R bench/peers/scimmy \$WORK/scimmy && (cd \$WORK/scimmy && npm ci)"
  (cd "$WORK/scimmy" && npm ci --no-audit --no-fund --loglevel=error)
  ;;
esac

# ---- measure -----------------------------------------------------------------------------------
for ((round = 1; round <= ROUNDS; round++)); do
  [ "$ROUNDS" = 1 ] || say "round $round of $ROUNDS"
  for server in $SERVERS; do
    case "$server" in
      bare)
        free_port
        base="http://127.0.0.1:$PORT/scim/v2"
        record "\$WORK/bare --addr 127.0.0.1:$PORT --token $TOKEN &"
        start_server bare "$WORK/bare.log" "$WORK/bare" --addr "127.0.0.1:$PORT" --token "$TOKEN"
        wait_ready bare "$base" "$WORK/bare.log"
        # It stores nothing (users=0 in the results): load.sh finds user1 and userN and skips loading.
        measure bare 0 "$USERS_SMALL" "$base"
        measure bare 0 "$USERS_SMALL" "$base" post entra post-create-entra
        stop_server bare
        ;;
      SCIMMY)
        free_port
        base="http://127.0.0.1:$PORT/scim/v2"
        record "(cd \$WORK/scimmy && PORT=$PORT SCIM_TOKEN=$TOKEN node server.js) &"
        start_server SCIMMY "$WORK/scimmy.log" \
          bash -c 'cd "$1" && PORT="$2" SCIM_TOKEN="$3" exec node server.js' _ "$WORK/scimmy" "$PORT" "$TOKEN"
        wait_ready SCIMMY "$base" "$WORK/scimmy.log"
        measure SCIMMY "$USERS_SMALL" "$USERS_SMALL" "$base"
        stop_server SCIMMY
        ;;
      scimsim)
        for users in "$USERS_SMALL" "$USERS_LARGE"; do
          free_port
          base="http://127.0.0.1:$PORT/scim/v2"
          # shellcheck disable=SC2086 # SCIMSIM_FLAGS is a list of flags
          record "\$WORK/scimsim serve --addr 127.0.0.1:$PORT --token $TOKEN${SCIMSIM_FLAGS:+ $SCIMSIM_FLAGS} &"
          # shellcheck disable=SC2086
          start_server scimsim "$WORK/scimsim-$users.log" \
            "$WORK/scimsim" serve --addr "127.0.0.1:$PORT" --token "$TOKEN" $SCIMSIM_FLAGS
          wait_ready scimsim "$base" "$WORK/scimsim-$users.log"
          # The small run loads like the peer does; the large one is seeded when the server can be.
          if [ "$users" = "$USERS_LARGE" ]; then
            seed_scimsim "http://127.0.0.1:$PORT" "$users" || true
            record_rss scimsim "$users"
          fi
          measure scimsim "$users" "$users" "$base"
          stop_server scimsim
        done
        record_heap
        # Entra's create into a named tenant that holds USERS_LARGE users.
        free_port
        record "\$WORK/scimsim serve --addr 127.0.0.1:$PORT --token $TOKEN${SCIMSIM_FLAGS:+ $SCIMSIM_FLAGS} &"
        # shellcheck disable=SC2086
        start_server scimsim "$WORK/scimsim-entra.log" \
          "$WORK/scimsim" serve --addr "127.0.0.1:$PORT" --token "$TOKEN" $SCIMSIM_FLAGS
        wait_ready scimsim "http://127.0.0.1:$PORT/scim/v2" "$WORK/scimsim-entra.log"
        seed_scimsim "http://127.0.0.1:$PORT" "$USERS_LARGE" bench 1
        measure scimsim "$USERS_LARGE" "$USERS_LARGE" "http://127.0.0.1:$PORT/tenants/bench/scim/v2" post entra post-create-entra
        stop_server scimsim
        # Creates that are fsynced to a state log before they are answered.
        free_port
        state="$WORK/state-$round/state.json"
        mkdir -p "$(dirname "$state")"
        sync_flag=(--state-sync always)
        "$WORK/scimsim" serve --help 2>&1 | grep -q -- --state-sync || sync_flag=() # a scimsim from before the log
        record "\$WORK/scimsim serve --addr 127.0.0.1:$PORT --token $TOKEN --state \$WORK/state-$round/state.json ${sync_flag[*]}${SCIMSIM_FLAGS:+ $SCIMSIM_FLAGS} &"
        # shellcheck disable=SC2086
        start_server scimsim "$WORK/scimsim-state.log" \
          "$WORK/scimsim" serve --addr "127.0.0.1:$PORT" --token "$TOKEN" --state "$state" "${sync_flag[@]}" $SCIMSIM_FLAGS
        wait_ready scimsim "http://127.0.0.1:$PORT/scim/v2" "$WORK/scimsim-state.log"
        seed_scimsim "http://127.0.0.1:$PORT" "$USERS_LARGE" "" 1
        measure scimsim "$USERS_LARGE" "$USERS_LARGE" "http://127.0.0.1:$PORT/scim/v2" post basic post-create-state
        stop_server scimsim
        rm -rf "$WORK/state-$round"
        ;;
    esac
  done
done

# ---- report ------------------------------------------------------------------------------------
cpu="$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
mem="$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)"
wrk_version="$({ wrk --version 2>&1 || true; } | awk 'NR == 1 {print $2}')" # wrk -v exits 1
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"
machine=(
  -machine "nproc=$(nproc)"
  -machine "CPU=${cpu:-$(uname -m)}"
  -machine "memory=${mem:-unknown}"
  -machine "OS=$(uname -sr)"
  -machine "Go=$("$GO" version)"
  -machine "Node=$(node --version 2>/dev/null || echo none)"
  -machine "wrk=$wrk_version"
  -machine "scimsim commit=$commit"
)
if [ -f "$SCIMMY_SRC/package.json" ]; then
  machine+=(-machine "SCIMMY peer=$(jq -r '.dependencies | to_entries | map(.key + " " + .value) | join(", ")' "$SCIMMY_SRC/package.json")")
fi
settings=(
  -setting "wrk=$THREADS threads, $CONNS connections, $DURATION per timed phase, --timeout 10s"
  -setting "users=$USERS_SMALL for every server; $USERS_LARGE for scimsim (a fresh process)"
  -setting "loading=load.sh: POST /Users with curl --parallel $LOAD_PARALLEL; scimsim at $USERS_LARGE: POST /admin/seed"
  -setting "filter=userName eq \"user$((USERS_SMALL / 2))\" at $USERS_SMALL users, \"user$((USERS_LARGE / 2))\" at $USERS_LARGE (load.sh first checks that it finds exactly one user)"
  -setting "machine load=at the start: $LOAD_BEFORE; at the end: $(machine_load) (with nproc=$(nproc); other work skews the figures)"
  -setting "CPU pinning=${WRK_CPUS:+wrk on CPUs $WRK_CPUS}${WRK_CPUS:-none: wrk and the server share all cores}"
)
case "$ROUNDS" in
  1) ;;
  2) CMDS+=("# round 2: the same servers and load.sh runs again, in the same order") ;;
  *) CMDS+=("# rounds 2 to $ROUNDS: the same servers and load.sh runs again, in the same order") ;;
esac
cmd_flags=()
for c in "${CMDS[@]}"; do cmd_flags+=(-cmd "$c"); done

say "report"
case "$OUT" in /*) out="$OUT" ;; *) out="$ROOT/$OUT" ;; esac
mkdir -p "$(dirname "$out")"
"$WORK/loadreport" -results "$RESULTS" -out "$out" "${machine[@]}" "${settings[@]}" "${cmd_flags[@]}"
echo
echo "bench-load: wrote $OUT"
ok=1
