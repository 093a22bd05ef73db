#!/usr/bin/env bash
# Build and start the elimity-com/scim peer (github.com/elimity-com/scim's own server, with the in-memory
# handler of this directory) in the foreground. The library version is the one go.mod pins.
# Env: PORT (default 8083), SCIM_TOKEN (default peer-token), GO (default go). Listens on 127.0.0.1 only.
# Base URL: http://127.0.0.1:$PORT/scim/v2
# Background use (record the PID; `exec` below makes it the server's own PID):
#   PORT=8083 ./start.sh > peer.log 2>&1 & echo $! > peer.pid
#   ... ; kill "$(cat peer.pid)"
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."
"${GO:-go}" build -o "$here/bin/elimity-peer" ./bench/peers/elimity
export PORT="${PORT:-8083}" SCIM_TOKEN="${SCIM_TOKEN:-peer-token}"
exec "$here/bin/elimity-peer"
