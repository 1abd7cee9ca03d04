#!/usr/bin/env bash
# The test command: unit tests, integration tests against the fake Zoom API, and the Docker image tests.
#
# In CI (CI=true, as CI runners set it) or with SOURCE_ZOOM_REQUIRE_DOCKER=1, the image must be
# tested: a Docker engine that does not start makes every image test fail, and the run with it.
# Elsewhere the image tests are skipped with a loud banner. Either way pytest's last section names
# every skipped and deselected test and why (root conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The engine set-up can be swapped for a stand-in (the no-engine path is tested that way).
DOCKER_ENGINE_SCRIPT="${SOURCE_ZOOM_DOCKER_ENGINE_SCRIPT:-scripts/docker_engine.sh}"

is_true() { case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]')" in 1|true|yes) return 0;; *) return 1;; esac; }
engine_required=0
if is_true "${CI:-}" || is_true "${SOURCE_ZOOM_REQUIRE_DOCKER:-}"; then
  engine_required=1
fi

engine_up=0
if [ "$(id -u)" = "0" ]; then
  bash "$DOCKER_ENGINE_SCRIPT" && engine_up=1
elif docker info >/dev/null 2>&1; then
  engine_up=1  # not root, but an engine someone else started answers
fi

if [ "$engine_up" = 1 ]; then
  # The engine is up: from here a lost engine must fail the image tests, not skip them.
  export SOURCE_ZOOM_REQUIRE_DOCKER=1
elif [ "$engine_required" = 1 ]; then
  export SOURCE_ZOOM_REQUIRE_DOCKER=1
  echo "!!!!! NO DOCKER ENGINE, and this run must test the image (CI or SOURCE_ZOOM_REQUIRE_DOCKER is set): the image tests will FAIL, and so will the run !!!!!" >&2
else
  echo "!!!!! NO DOCKER ENGINE: $DOCKER_ENGINE_SCRIPT could not start one (it needs root); the image tests will be SKIPPED !!!!!" >&2
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
exec .venv/bin/python -m pytest -rsx "$@"
