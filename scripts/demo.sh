#!/usr/bin/env bash
# See the platform working on a laptop with demo data: sets everything up, then runs the web
# server, two Celery workers and Celery beat. Needs only Python 3.11, git and Node.js/npm:
# SQLite (var/homecare.sqlite3) and an embedded Celery broker (var/celery-broker.sqlite3) stand
# in for PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set. Ctrl-C stops everything.
#
#   PORT=8000 HOST=127.0.0.1 ./scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
case "$PORT" in ''|*[!0-9]*) echo "PORT must be a number, not '$PORT'." >&2; exit 2;; esac
if [ "${DJANGO_ENV:-development}" = "production" ]; then
  echo "scripts/demo.sh loads demo accounts with published passwords: it refuses DJANGO_ENV=production." >&2
  exit 2
fi

./scripts/setup.sh --runtime
PY=.venv/bin/python
LOG_DIR=${HOMECARE_VAR_DIR:-var}/log
mkdir -p "$LOG_DIR"
BASE_URL="http://${HOST}:${PORT}"
[ "$HOST" = "0.0.0.0" ] && BASE_URL="http://127.0.0.1:${PORT}"
# Links in emails (password resets, offers) point at this demo, whatever its port.
export HOMECARE_SITE_URL="${HOMECARE_SITE_URL:-$BASE_URL}"

echo "==> Checking the public data (ONS postcodes, Leeds wards and boundaries)"
# ../shared/data when it sits beside this checkout; otherwise fetched once from the publishers.
$PY manage.py fetch_public_data --if-missing || {
  echo "Could not fetch the public data (is this machine offline?). Download it where there is a network with" >&2
  echo "'.venv/bin/python manage.py fetch_public_data --dest DIR', copy DIR here and run" >&2
  echo "'HOMECARE_DATA_DIR=DIR ./scripts/demo.sh' (see \"Data sources\" in README.md)." >&2
  exit 1
}
echo "==> Preparing the database"
$PY manage.py migrate --no-input -v 0
echo "==> Loading demo data (a few minutes; each step is printed as it runs)"
# Unbuffered and through tee, so each step shows as it starts rather than all at the end; the accounts part
# is printed once, in the banner below.
PYTHONUNBUFFERED=1 $PY manage.py load_demo --base-url "$BASE_URL" 2>&1 | tee "$LOG_DIR/load_demo.log" \
  | sed -u '/^Sign in at /,$d; s/^/    /'

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#PIDS[@]} -gt 0 ]; then
    echo
    echo "==> Stopping the web server, workers and beat"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    # Celery finishes the task in hand (warm shutdown); give up waiting after 30 seconds.
    for _ in $(seq 1 30); do
      alive=0
      for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break
      sleep 1
    done
    kill -KILL "${PIDS[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    echo "    Stopped."
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Each runs in its own session, so Ctrl-C reaches only this script, which then stops them in
# order (SIGTERM: gunicorn finishes requests in flight, Celery finishes the task in hand).
start() {
  local log=$1; shift
  if command -v setsid >/dev/null 2>&1; then setsid "$@" >"$log" 2>&1 & else "$@" >"$log" 2>&1 & fi
  PIDS+=($!)
}
echo "==> Starting the web server (gunicorn), two Celery workers and Celery beat (logs in $LOG_DIR/)"
start "$LOG_DIR/web.log" .venv/bin/gunicorn config.wsgi:application --bind "${HOST}:${PORT}" \
  --workers 2 --threads 4 --access-logfile "$LOG_DIR/web-access.log"
# Two workers (see config/queues.py): brokering and emails on one; the beat's sweeps and the CCC alerts on a
# worker of their own, so a burst of referrals cannot make them late.
start "$LOG_DIR/worker.log" .venv/bin/celery -A config worker -Q default,notify --concurrency 2 --loglevel INFO
start "$LOG_DIR/worker-control.log" .venv/bin/celery -A config worker -Q control --concurrency 1 \
  --hostname control@%h --loglevel INFO
start "$LOG_DIR/beat.log" .venv/bin/celery -A config beat --loglevel INFO

# Wait until the sign-in page answers (or a process dies, e.g. because the port is taken).
ready=0
for _ in $(seq 1 120); do
  for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A process stopped while starting. The end of each log:" >&2
      tail -n 15 "$LOG_DIR/web.log" "$LOG_DIR/worker.log" "$LOG_DIR/worker-control.log" "$LOG_DIR/beat.log" >&2
      exit 1
    fi
  done
  if $PY - "$BASE_URL/accounts/sign-in/" <<'PYEOF'
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
except OSError:
    sys.exit(1)
PYEOF
  then ready=1; break; fi
  sleep 0.5
done
[ $ready = 1 ] || { echo "The web server did not answer at $BASE_URL within 60 seconds; see $LOG_DIR/web.log" >&2; exit 1; }

cat <<BANNER

============================================================================================
 Homecare brokerage is running (demo data; every organisation and person is fictional).
============================================================================================
$($PY manage.py load_demo --accounts --base-url "$BASE_URL")

  Service health (database, broker, worker): $BASE_URL/health/
  Logs: $LOG_DIR/web.log, worker.log, worker-control.log, beat.log.   Press Ctrl-C to stop.
============================================================================================
BANNER

# Stay up until Ctrl-C, or until any of the three stops on its own.
wait -n "${PIDS[@]}"
echo "A process stopped unexpectedly; see the logs in $LOG_DIR/." >&2
exit 1
