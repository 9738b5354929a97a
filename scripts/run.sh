#!/usr/bin/env bash
# Sets everything up and serves OCC at http://127.0.0.1:8000 on the embedded
# default (SQLite, in-memory channel layer) with the built-in Twilio sandbox
# and demo data, and runs a task worker beside the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DEBUG="${DEBUG:-1}"
export OCC_SANDBOX="${OCC_SANDBOX:-1}"
export OCC_PUBLIC_BASE_URL="${OCC_PUBLIC_BASE_URL:-http://127.0.0.1:8000}"
if [ "$OCC_SANDBOX" = "1" ]; then
  # The sandbox's fake Twilio is served by the application itself.
  export TWILIO_API_BASE_URL="${TWILIO_API_BASE_URL:-http://127.0.0.1:8000/sandbox/twilio}"
  export TWILIO_MESSAGING_BASE_URL="${TWILIO_MESSAGING_BASE_URL:-http://127.0.0.1:8000/sandbox/twilio}"
  # Its Content API too: the demo account's templates (approved, pending,
  # rejected) are synced from it like a real account's.
  export TWILIO_CONTENT_BASE_URL="${TWILIO_CONTENT_BASE_URL:-http://127.0.0.1:8000/sandbox/twilio}"
fi
.venv/bin/python manage.py seed_demo
# The task worker runs beside the server: webhook deliveries and their
# retries, presence timers, sweeps. Ctrl+C (or any exit) stops both.
.venv/bin/python manage.py worker &
worker_pid=$!
stop_worker() { kill "$worker_pid" 2>/dev/null || true; wait "$worker_pid" 2>/dev/null || true; }
trap stop_worker EXIT
trap 'exit 130' INT TERM
echo "OCC is starting at http://127.0.0.1:8000 with a task worker (stop with Ctrl+C)"
.venv/bin/python manage.py runserver 127.0.0.1:8000
