#!/usr/bin/env bash
# Sets everything up (virtual environment, dependencies, Debian's chromium for
# the browser tests, Debian's nginx for the reverse-proxy tests) and runs the
# whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
missing=""
# Playwright's own browser download does not work offline; Debian's does.
[ -x /usr/bin/chromium ] || missing="$missing chromium"
# tests/security/test_reverse_proxy.py puts a real TLS-terminating nginx in front of uvicorn.
[ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  # shellcheck disable=SC2086
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
