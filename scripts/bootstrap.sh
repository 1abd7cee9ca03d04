#!/usr/bin/env bash
# Creates .venv with the connector, the fake Zoom API and the test tools (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat setup.py constraints.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  # The image's pins (constraints.txt) hold for the tests too: CI tests what ships.
  .venv/bin/pip install --quiet -c constraints.txt -e ".[tests]"
  touch "$stamp"
fi
