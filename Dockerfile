# Airbyte source connector for Zoom.
#
#   docker build --network host -t source-zoom .
#   docker run --rm source-zoom spec
#   docker run --rm --network host -v "$PWD/secrets:/secrets:ro" source-zoom check --config /secrets/config.json
#
# --network host: the build's pip must reach the package index, and the container must reach Zoom
# (or a fake Zoom on the host's 127.0.0.1). On an engine with a bridge network and a registry in
# reach, both work without it; on one started with --bridge=none (scripts/docker_engine.sh) they
# need it.
#
# Two stages: the builder installs the package and its pinned dependencies into a virtualenv at
# /opt/venv; the final image holds only the base image, that venv and an unprivileged user. The
# fake Zoom API (fake_zoom/) is a test tool and stays out.

# ---------------------------------------------------------------------------- builder
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"

WORKDIR /build

# Dependencies first, in their own layer: it is rebuilt only when setup.py or constraints.txt
# changes, not when the connector's code does. Empty placeholder packages let `pip install .`
# resolve setup.py's requirements; constraints.txt (a `pip freeze` of the runtime dependencies,
# see README) pins every transitive one, so two builds install the same versions.
# The test suites bundled inside pandas and numpy (~55 MB) are never imported: dropped.
COPY setup.py constraints.txt ./
RUN mkdir -p source_zoom \
 && touch source_zoom/__init__.py \
 && { pip install --no-cache-dir -c constraints.txt . \
      || { echo "pip could not install the dependencies: if it could not reach the package index, build with 'docker build --network host' (an engine started with --bridge=none gives a build no other network)." >&2; exit 1; }; } \
 && pip uninstall -y source-zoom \
 && rm -rf source_zoom build ./*.egg-info \
 && site=$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
 && rm -rf "$site/pandas/tests" \
 && find "$site/numpy" -depth -type d -name tests -exec rm -rf {} +

# Then the connector itself (no dependency resolution: they are all installed above).
COPY source_zoom ./source_zoom
# Byte-compiled here (pip does not always do it for a local project), so the unprivileged user,
# who cannot write to /opt/venv, never compiles on start-up. pip/setuptools are not needed at run time.
RUN pip install --no-cache-dir --no-deps . \
 && site=$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
 && python -m compileall -q "$site/source_zoom" \
 && pip uninstall -y pip setuptools wheel 2>/dev/null \
 && rm -rf build ./*.egg-info

# ---------------------------------------------------------------------------- runtime
FROM python:3.11-slim

LABEL io.airbyte.name="source-zoom" \
      io.airbyte.version="0.2.0" \
      org.opencontainers.image.title="source-zoom" \
      org.opencontainers.image.description="Airbyte source connector for the Zoom REST API v2" \
      org.opencontainers.image.licenses="MIT"

RUN groupadd --gid 1000 airbyte \
 && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/airbyte --shell /bin/sh airbyte \
 && mkdir -p /airbyte/integration_code \
 && chown airbyte:airbyte /airbyte/integration_code

COPY --from=builder /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/airbyte \
    AIRBYTE_ENTRYPOINT="/opt/venv/bin/source-zoom"

WORKDIR /airbyte/integration_code
USER 1000:1000

# Airbyte runs `IMAGE spec|check|discover|read ...`; the console script takes those arguments.
ENTRYPOINT ["/opt/venv/bin/source-zoom"]
