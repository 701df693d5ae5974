#!/usr/bin/env bash
# Set up and run the whole test suite, with the same checks CI runs: lint, format, types,
# migrations, deployment checks, then pytest (unit, API, Celery, browser and accessibility tests).
# Uses SQLite and the embedded broker unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

# Browser tests drive Debian's Chromium; Playwright cannot download its own browser here.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian's Chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: install it (sudo apt-get install chromium) or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi

PY=.venv/bin
echo "==> ruff check"; $PY/ruff check .
echo "==> ruff format --check"; $PY/ruff format --check .
echo "==> mypy"; $PY/mypy .
echo "==> makemigrations --check"; $PY/python manage.py makemigrations --check --dry-run
echo "==> check --deploy (production settings)"
DJANGO_ENV=production DJANGO_SECRET_KEY="check-deploy-only-$(printf 'k%.0s' {1..60})" \
  HOMECARE_FIELD_ENCRYPTION_KEYS="$($PY/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
  DJANGO_ALLOWED_HOSTS=homecare.example.gov.uk $PY/python manage.py check --deploy --fail-level WARNING
echo "==> pytest"
exec $PY/pytest "$@"
