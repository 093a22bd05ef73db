#!/usr/bin/env bash
# Runs the conformance checks against the SCIMMY peer (a third-party SCIM server on the npm packages
# scimmy and scimmy-routers), then reproduces each failure with curl so that it can be read without
# our code in the way. Needs node, npm, curl and jq; not part of `make test`.
#
#   conformance/scimmy.sh            # peer from bench/peers/scimmy, port 8081
#   PEER_DIR=/path/to/scimmy PORT=18081 conformance/scimmy.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
peer="${PEER_DIR:-$root/bench/peers/scimmy}"
port="${PORT:-8081}"
token="${SCIM_TOKEN:-peer-token}"
base="http://127.0.0.1:$port/scim/v2"

# The peer directory is read-only: install and run a copy.
work="$(mktemp -d)"
cp -r "$peer" "$work/scimmy"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start.sh ends in `exec node`, so $! is the server's own PID.
cd "$work/scimmy"
PORT="$port" SCIM_TOKEN="$token" ./start.sh > "$work/peer.log" 2>&1 &
pid=$!
cd "$root"
for _ in $(seq 1 300); do
  if curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/ServiceProviderConfig" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/peer.log"; echo "scimmy peer did not start" >&2; exit 1; fi
  sleep 0.2
done

status=0
make -C "$root" --no-print-directory conformance TARGET="$base" TOKEN="$token" PREFIX=scimmy- || status=$?

echo
echo "== reproducing SCIMMY's failures with curl"
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/scim+json")
id=$(curl -sS "${auth[@]}" -X POST "$base/Users" --data '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"scimmy-curl@example.com","active":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"12345"}}' | jq -r .id)
echo "-- enterprise-extension: POST with department and employeeNumber, then GET:"
curl -sS "${auth[@]}" "$base/Users/$id" | jq -c '{userName, enterprise: .["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]}'
curl -sS "${auth[@]}" "$base/Schemas" | jq -c '[.Resources[].id]'
echo "-- patch-entra-active: Entra's default disable:"
curl -sS "${auth[@]}" -X PATCH "$base/Users/$id" --data '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}' | jq -c .
echo "-- the same with a JSON boolean (entra-compliant):"
curl -sS "${auth[@]}" -X PATCH "$base/Users/$id" --data '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}' | jq -c '{active}'
curl -sS -o /dev/null -w 'DELETE: %{http_code}\n' "${auth[@]}" -X DELETE "$base/Users/$id"
echo "-- left behind by the run (want 0 users, 0 groups):"
curl -sS "${auth[@]}" "$base/Users" | jq -c '{users: .totalResults}'
curl -sS "${auth[@]}" "$base/Groups" | jq -c '{groups: .totalResults}'
exit "$status"
