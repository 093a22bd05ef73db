#!/usr/bin/env bash
# Install dependencies and start Better Auth with its SCIM plugin (@better-auth/scim) in the foreground,
# on SQLite in memory (better-sqlite3 12: 13 needs Node 22).
# Env: PORT (default 8082), SCIM_TOKEN (default peer-token), SCIM_ENTRA_COMPAT=1 (the plugin's
# compatibility.microsoftEntra.acceptLegacyGroupSchema; off by default). Listens on 127.0.0.1 only.
# Base URL: http://127.0.0.1:$PORT/api/auth/scim/v2
# The bearer token is $SCIM_TOKEN: the plugin's connections and their static credentials are declared
# in code (server.js), so no token has to be issued through an API.
# Background use (record the PID; `exec` below makes it node's own PID):
#   PORT=8082 ./start.sh > peer.log 2>&1 & echo $! > peer.pid
#   ... ; kill "$(cat peer.pid)"
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
export PORT="${PORT:-8082}" SCIM_TOKEN="${SCIM_TOKEN:-peer-token}"
echo "base URL http://127.0.0.1:$PORT/api/auth/scim/v2 token $SCIM_TOKEN"
exec node server.js
