# shellcheck shell=bash
# Sourced (not run) by entra-probe.sh and scimmy/smoke.sh, which send requests that create and
# change resources: they talk to a base URL on this machine only.

# require_loopback BASE: exits 2 unless BASE is an http:// URL on 127.0.0.1, localhost or [::1],
# or when jq, which both scripts read answers with, is missing.
require_loopback() {
  case "$1" in
    http://127.0.0.1:*|http://127.0.0.1/*|http://localhost:*|http://localhost/*|http://\[::1\]:*) ;;
    *) echo "refusing: base URL must be loopback (127.0.0.1/localhost/[::1]), got $1" >&2; exit 2 ;;
  esac
  command -v jq >/dev/null || { echo "jq is required (apt-get install -y jq)" >&2; exit 2; }
}
