#!/usr/bin/env bash
# Creates .venv and installs the project with its test tools (again only when
# pyproject.toml changed), then applies the migrations.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.occ-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet ".[test]"
  echo "$want" > "$stamp"
fi
.venv/bin/python manage.py migrate --noinput -v0
