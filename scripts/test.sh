#!/usr/bin/env bash
# The test command: every test (unit tests, integration tests against the fake Zoom API, the
# Docker image tests), on parallel workers (pytest-xdist), then the run's wall time.
#
#   bash scripts/test.sh                 # everything (what .ci/run runs)
#   bash scripts/test.sh --quick         # the edit loop: every test but those marked `slow` or `image_tests`
#   bash scripts/test.sh unit_tests -q   # extra arguments go to pytest (`-n 0`: no workers)
#
# The image tests start a Docker engine (scripts/docker_engine.sh) and the PostgreSQL test a server
# (scripts/postgres_server.sh), as root, once per run, when they first need one; a run without
# them (unit_tests, --quick) starts neither. The whole run in CI starts both up front, in the
# background (below).
#
# In CI (CI=true, as CI runners set it) or with SOURCE_ZOOM_REQUIRE_DOCKER=1, the image must be
# tested: a Docker engine that does not start makes every image test fail, and the run with it;
# under CI=true a PostgreSQL server that does not start fails the PostgreSQL test. Elsewhere
# those tests are skipped with a loud banner. Either way pytest's last section names every
# skipped and deselected test and why (root conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."

engine_required() {
  local name
  for name in SOURCE_ZOOM_REQUIRE_DOCKER CI; do
    case "$(printf '%s' "${!name:-}" | tr '[:upper:]' '[:lower:]')" in 1|true|yes) return 0 ;; esac
  done
  return 1
}
# The whole run where the image must be tested (CI), as root: on a fresh machine the Docker engine
# and its base image take minutes (apt-get, debootstrap), then the image build, then PostgreSQL. They
# start now, in the background, while .venv is made and the first tests run; the tests that need
# them run the same scripts, which wait for these (one lock, scripts/docker_engine.sh) and find
# everything ready, and build the image on the layers built here. Any other run starts neither.
if [ "$#" = 0 ] && [ "$(id -u)" = 0 ] && engine_required; then
  setup_log="${TMPDIR:-/tmp}/source-zoom-setup-$$.log"
  echo "scripts/test.sh: the Docker engine, the image and PostgreSQL are set up in the background (log: $setup_log)"
  (
    if bash scripts/docker_engine.sh; then
      bash scripts/postgres_server.sh >/dev/null &
      flock -o "${SOURCE_ZOOM_IMAGE_BUILD_LOCK:-/tmp/source-zoom-image-build.lock}" \
        docker build --quiet --network host -t "${SOURCE_ZOOM_IMAGE:-source-zoom:dev}" . >/dev/null || true
      wait
    else
      bash scripts/postgres_server.sh >/dev/null || true
    fi
  ) >"$setup_log" 2>&1 </dev/null &
fi

bash scripts/bootstrap.sh

# Four workers on two cores: much of an integration test is spent waiting (on the fake's
# latency, on the connector's pacing), so two more workers than cores keep both busy.
WORKERS="${SOURCE_ZOOM_TEST_WORKERS:-4}"
args=()
quick=0
workers_given=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -n|-n[0-9]*|--numprocesses|--numprocesses=*|-pno:xdist|no:xdist) workers_given=1; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done
options=(-rsx)
if [ "$workers_given" = 0 ]; then
  # The tests of a few modules go to one worker together (ONE_WORKER_MODULES, root conftest.py);
  # every other test goes to whichever worker is free, the longest first.
  options+=(-n "$WORKERS")
fi
if [ "$quick" = 1 ]; then
  options+=(-m "not slow and not image_tests")
fi

started=$(date +%s)
set +e
.venv/bin/python -m pytest "${options[@]}" ${args[@]+"${args[@]}"}
code=$?
set -e
elapsed=$(( $(date +%s) - started ))
printf 'scripts/test.sh: pytest ran %dm%02ds (wall time, %s workers, %s cores, load average %s)\n' \
  $((elapsed / 60)) $((elapsed % 60)) "$([ "$workers_given" = 1 ] && echo "as given" || echo "$WORKERS")" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
exit $code
