#!/usr/bin/env bash
# The main job: a full sync of every table against the bundled fake Zoom API, with a per-table summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python scripts/demo.py "$@"
