#!/usr/bin/env bash
# Set up a development environment: a virtualenv with pinned Python packages, and the pinned
# front-end assets from npm. Safe to run again; it only reinstalls when the pins change.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || { echo "Python 3.11 is required (found $("$PYTHON" --version 2>&1))." >&2; exit 1; }

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating virtualenv in .venv"
  "$PYTHON" -m venv .venv
fi
py_stamp=$(stamp_of pyproject.toml)
installed=$(cat .venv/.homecare-stamp 2>/dev/null || true)
if [ "${1:-}" = "--runtime" ]; then
  # scripts/demo.sh: only what the platform runs on, not the test and lint tools (about half the install
  # time on a fresh clone). A full development install satisfies it too; a later plain run adds the tools.
  if [ "$installed" != "$py_stamp" ] && [ "$installed" != "$py_stamp-runtime" ]; then
    echo "==> Installing Python packages (pinned in pyproject.toml; without the development tools)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    PYTHONWARNINGS=ignore::UserWarning .venv/bin/python -m pip install --quiet -e .
    echo "$py_stamp-runtime" > .venv/.homecare-stamp
  fi
elif [ "$installed" != "$py_stamp" ]; then
  echo "==> Installing Python packages (pinned in pyproject.toml)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  # The editable install's build backend warns about folders named like the package; that is this repo.
  PYTHONWARNINGS=ignore::UserWarning .venv/bin/python -m pip install --quiet -e ".[dev]"
  echo "$py_stamp" > .venv/.homecare-stamp
fi

npm_stamp=$(stamp_of package.json package-lock.json)
if [ "$(cat node_modules/.homecare-stamp 2>/dev/null)" != "$npm_stamp" ]; then
  echo "==> Installing front-end assets (GOV.UK Frontend, htmx, Chart.js) from npm"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" > node_modules/.homecare-stamp
fi
