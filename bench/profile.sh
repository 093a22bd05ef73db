#!/usr/bin/env bash
# Where does `scimsim serve` spend its CPU under load? Starts it on a free 127.0.0.1 port, seeds
# USERS users through POST /admin/seed, runs one phase of bench/peers/load.sh (wrk) for
# DURATION while `perf record` samples the server's process, then prints the server's CPU cost
# per request and the functions that take the largest share of its CPU samples.
#
# perf rather than pprof: it profiles the unmodified binary, with no profiling flag or endpoint.
#
# Usage: bench/profile.sh [get-filter|post-create|post-create-entra]      (default get-filter)
#
# post-create-entra is bench-load's "POST create, Entra's body, named tenant": the body Entra ID's
# create sends (load.sh CREATE_BODY=entra) into a tenant "bench" seeded with the USERS users.
#
# Knobs (defaults in brackets): USERS [100000], DURATION [10s], THREADS [2], CONNS [32],
#   FREQ [999] samples per second, TOP [40] rows per table, SCIMSIM_FLAGS [], KEEP [0] keeps
#   $WORK (perf.data, logs) for `perf report -i $WORK/perf.data`, GO [go].
#
# Needs perf (Debian package linux-perf; installed when missing), wrk, curl, jq, and root or
# kernel.perf_event_paranoid <= 1. Talks only to 127.0.0.1; every phase is bounded in time.
set -euo pipefail

NAME_OF_SCRIPT=profile
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PHASE="${1:-get-filter}"
USERS="${USERS:-100000}"
FREQ="${FREQ:-999}"
TOP="${TOP:-40}"

case "$PHASE" in get-filter | post-create | post-create-entra) ;; *) die "unknown phase '$PHASE' (get-filter, post-create, post-create-entra)" ;; esac
[[ "$USERS" =~ ^[1-9][0-9]*$ ]] || die "USERS must be a positive count"
[[ "$DURATION" =~ ^([1-9][0-9]*)s$ ]] || die "DURATION must be whole seconds, such as 10s"
seconds="${BASH_REMATCH[1]}"

ensure_tools wrk curl jq
command -v perf >/dev/null || ensure_tools linux-perf
command -v perf >/dev/null || die "perf is not installed (apt-get install -y linux-perf)"

make_work scimsim-profile files

say "building scimsim"
"$GO" build -o "$WORK/scimsim" ./cmd/scimsim

free_port
root="http://127.0.0.1:$PORT"
base="$root/scim/v2"
# shellcheck disable=SC2086 # SCIMSIM_FLAGS is a list of flags
start_server scimsim "$WORK/scimsim.log" "$WORK/scimsim" serve --addr "127.0.0.1:$PORT" --token "$TOKEN" $SCIMSIM_FLAGS
wait_ready scimsim "$base" "$WORK/scimsim.log"
pid="${PID_OF[scimsim]}"

say "seeding $USERS users"
seed_body "$USERS" "$WORK/seed.json"
tenant=""
[ "$PHASE" = post-create-entra ] && tenant=bench
code="$(post_seed "$root" "$WORK/seed.json" "$WORK/seed.out" "$tenant")"
[[ "$code" == 2?? ]] || die "POST /admin/seed answered HTTP $code: $(head -c 300 "$WORK/seed.out")"

# The requests of bench/peers/load.sh's phase 3 (get-filter) or 4 (post-create), which finds the
# users just seeded and skips its own loading.
body=basic
case "$PHASE" in
  get-filter) phases="get" ;;
  post-create) phases="post" ;;
  post-create-entra) phases="post" body=entra base="$root/tenants/$tenant/scim/v2" ;;
esac

say "$PHASE for $DURATION at $USERS users, perf sampling pid $pid at $FREQ Hz"
ticks_before="$(proc_cpu_ticks "$pid")"
perf record -F "$FREQ" -g -p "$pid" -o "$WORK/perf.data" -- sleep "$seconds" >"$WORK/perf.log" 2>&1 &
perf_pid=$!
USERS="$USERS" PHASES="$phases" CREATE_BODY="$body" THREADS="$THREADS" CONNS="$CONNS" DURATION="$DURATION" \
  bench/peers/load.sh "$base" "$TOKEN" | tee "$WORK/wrk.txt"
wait "$perf_pid" || { cat "$WORK/perf.log" >&2; die "perf record failed"; }
ticks_after="$(proc_cpu_ticks "$pid")"

requests="$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")"
awk -v t="$((ticks_after - ticks_before))" -v hz="$(getconf CLK_TCK)" -v n="$requests" -v s="$seconds" 'BEGIN {
  cpu = t / hz
  printf "\nserver CPU: %.2f s in %d s (%.2f cores), %.1f µs per request over %d requests\n", cpu, s, cpu / s, 1e6 * cpu / n, n }'

# report MODE: the top rows of perf report, kernel frames left out (they are the same for any
# server: the loopback TCP stack).
report() {
  perf report -i "$WORK/perf.data" --stdio --sort symbol -g none --percent-limit 0.5 "$1" >"$WORK/report$1.txt" 2>/dev/null
  grep -v -e '^#' -e '^$' -e '\[k\]' "$WORK/report$1.txt" | sed 's/ *- *- *$//' | head -n "$TOP" || true
}
say "functions by share of the server's CPU samples, including callees (cumulative)"
report --children
say "functions by share of the server's CPU samples, own code only (flat)"
report --no-children
ok=1
