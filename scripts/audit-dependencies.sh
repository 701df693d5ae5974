#!/usr/bin/env bash
# Check the pinned Python and npm packages against public vulnerability databases.
# Run it where those databases can be reached (PyPI's JSON API and OSV for pip-audit, the npm registry's
# advisory endpoint for npm audit); a workplace that only reaches the package indexes cannot run it.
# Exit status is non-zero when a known vulnerability affects an installed version.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

AUDIT_VENV=${HOMECARE_VAR_DIR:-var}/audit-venv
if [ ! -x "$AUDIT_VENV/bin/pip-audit" ]; then
  python3 -m venv "$AUDIT_VENV"
  "$AUDIT_VENV/bin/python" -m pip install --quiet "pip-audit==2.10.1"
fi
echo "==> pip-audit (the packages installed from pyproject.toml's pins)"
"$AUDIT_VENV/bin/pip-audit" --strict --path .venv/lib/python3.11/site-packages --skip-editable
echo "==> npm audit (GOV.UK Frontend, htmx, Chart.js)"
npm audit --omit=dev
