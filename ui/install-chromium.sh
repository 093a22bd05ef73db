#!/usr/bin/env bash
# Makes sure the browser tests of ui/ have a Chromium to drive: Debian's chromium package, installed
# with apt-get when it is missing (as root, or through sudo). SCIMSIM_SKIP_BROWSER=1 skips the
# browser tests instead, and says so here and in the test output.
set -euo pipefail
if [[ -n "${SCIMSIM_SKIP_BROWSER:-}" && "${SCIMSIM_SKIP_BROWSER}" != "0" ]]; then
  echo "SCIMSIM_SKIP_BROWSER=${SCIMSIM_SKIP_BROWSER}: the browser tests of ui/ are skipped"
  exit 0
fi
for exe in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
  if [[ -n "$exe" ]] && command -v "$exe" >/dev/null 2>&1; then
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no Chromium for the browser tests of ui/ and no apt-get to install it: install Chromium, or set SCIMSIM_SKIP_BROWSER=1 to skip them" >&2
  exit 1
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  sudo="sudo"
fi
echo "installing Debian's chromium for the browser tests of ui/ (apt-get)"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
