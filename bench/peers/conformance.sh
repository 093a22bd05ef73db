#!/usr/bin/env bash
# Runs scimsim's conformance checks against SCIM servers nobody on this project wrote.
#
#   bench/peers/conformance.sh NAME...   # NAME: scimmy, better-auth, elimity, or all
#
# For each peer: start bench/peers/NAME/start.sh in the background on a free 127.0.0.1 port (its PID
# recorded: every start.sh ends in `exec`), wait until it answers, run the conformance checks against
# it, count what the run left behind, and stop it by its PID, also on failure or Ctrl-C. Logs and
# reports go to $OUT (default reports/peers/NAME.{log,json}). With PROBE=1, entra-probe.sh then sends
# the peer Entra's requests by hand and writes $OUT/NAME-probe.md. Exit status: the number of peers
# whose conformance run failed.
#
# Needs curl and jq, node and npm (the Node peers install their locked dependencies with `npm ci`),
# and Go (which fetches the Go peer's library through the module proxy).
set -euo pipefail

# The conformance run, evaluated once per peer with $scimsim (the binary, built first), $target (SCIM
# base URL), $token, $prefix (of every resource the run creates) and $report (a JSON report path) set.
CONFORMANCE='"$scimsim" conformance --target "$target" --token "$token" --prefix "$prefix" --json "$report"'

# name:base path of each peer's SCIM base URL (see each start.sh).
PEERS=(scimmy:/scim/v2 better-auth:/api/auth/scim/v2 elimity:/scim/v2)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/peers"
out="${OUT:-$root/reports/peers}"
token="${SCIM_TOKEN:-peer-token}" # loopback only; never a real secret

usage() {
  echo "usage: $0 NAME... | all   (NAME: ${PEERS[*]%%:*})" >&2
  exit 2
}
[ "$#" -gt 0 ] || usage
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "$0: $tool is required" >&2; exit 2; }; done

declare -A base_path=()
for p in "${PEERS[@]}"; do base_path[${p%%:*}]="${p#*:}"; done
names=()
for n in "$@"; do
  if [ "$n" = all ]; then names+=("${PEERS[@]%%:*}"); continue; fi
  [ -n "${base_path[$n]:-}" ] || usage
  names+=("$n")
done

# Each peer runs in a process group of its own (setsid), led by $pid: start.sh ends in `exec`, so
# $pid is the server once it runs, and stopping the group also stops an `npm ci` or `go build` that
# is still running when the script is interrupted.
pid=""
stop() {
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

# free_port: the first port from 18100 on that nothing on 127.0.0.1 accepts connections on.
next_port=18100
free_port() {
  while (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; do next_port=$((next_port + 1)); done
  port=$next_port
  next_port=$((next_port + 1))
}

# count RESOURCE: totalResults of GET $target/RESOURCE (the peers start empty, so all of it is the run's).
count() {
  curl -s -H "Authorization: Bearer $token" "$target/$1?count=0" | jq -r '.totalResults // "?"'
}

mkdir -p "$out"
scimsim="$out/scimsim"
echo "== building scimsim into $scimsim"
(cd "$root" && "${GO:-go}" build -o "$scimsim" ./cmd/scimsim)
failed=0
summary=()
for name in "${names[@]}"; do
  free_port
  target="http://127.0.0.1:$port${base_path[$name]}"
  prefix="$name-"
  report="$out/$name.json"
  log="$out/$name.log"
  echo "== $name: starting on 127.0.0.1:$port (log $log)"
  PORT="$port" SCIM_TOKEN="$token" setsid "$here/$name/start.sh" >"$log" 2>&1 &
  pid=$!
  ready=""
  for _ in $(seq 1 900); do # npm ci or go build may take a while on a cold cache: up to 180 s
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $token" "$target/ServiceProviderConfig" || true)"
    if [ "$code" = 200 ]; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$ready" ]; then
    tail -n 20 "$log" >&2
    echo "== $name: did not answer 200 at $target/ServiceProviderConfig" >&2
    stop
    failed=$((failed + 1))
    summary+=("$name: did not start")
    continue
  fi
  echo "== $name: $target"
  users_before="$(count Users)" groups_before="$(count Groups)"
  status=0
  rm -f "$report"
  eval "$CONFORMANCE" || status=$?
  echo "== $name: left behind by the run: users $users_before -> $(count Users), groups $groups_before -> $(count Groups)"
  if [ "${PROBE:-0}" = 1 ]; then
    "$here/entra-probe.sh" "$target" "$token" "$name" >"$out/$name-probe.md" && echo "== $name: probe $out/$name-probe.md"
  fi
  stop
  [ "$status" = 0 ] || failed=$((failed + 1))
  summary+=("$name: exit $status, report $report")
done
printf '== %s\n' "${summary[@]}"
exit "$failed"
