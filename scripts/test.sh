#!/usr/bin/env bash
# The test command: unit tests, integration tests against the fake Zoom API, and the Docker image tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [ "$(id -u)" = "0" ] && bash scripts/docker_engine.sh; then
  # The engine is up: from here a lost engine must fail the image tests, not skip them.
  export SOURCE_ZOOM_REQUIRE_DOCKER=1
else
  echo "!!!!! NO DOCKER ENGINE: scripts/docker_engine.sh could not start one (it needs root); the image tests will be SKIPPED !!!!!" >&2
fi
# A real PostgreSQL server for the PyAirbyte PostgresCache test (integration_tests/test_pyairbyte.py).
if [ "$(id -u)" = "0" ] && POSTGRES_DSN=$(bash scripts/postgres_server.sh); then
  export SOURCE_ZOOM_POSTGRES_DSN="$POSTGRES_DSN"
elif [ "${CI:-}" = "true" ]; then
  echo "!!!!! NO POSTGRESQL SERVER: scripts/postgres_server.sh could not start one; under CI=true that fails the run !!!!!" >&2
  exit 1
else
  echo "!!!!! NO POSTGRESQL SERVER: scripts/postgres_server.sh could not start one (it needs root); the PostgreSQL test will be SKIPPED !!!!!" >&2
fi
exec .venv/bin/python -m pytest -rs "$@"
