"""The connector's Docker image, built and run for real, as Airbyte runs it.

The image is built once per session from the repository's Dockerfile with the `docker` SDK, then
`spec`, `check`, `discover` and `read` run in containers on the host network against a fake Zoom
API listening on 127.0.0.1, with the config and catalog mounted read-only at /secrets. The records
are compared with the same sync run outside the container (`python main.py read`).

These tests need a Docker engine (`sudo scripts/docker_engine.sh` starts one on this project's
machines and provides the `python:3.11-slim` base image). Where none can be reached they are
skipped with a loud "NO DOCKER ENGINE" message, unless SOURCE_ZOOM_REQUIRE_DOCKER=1, which turns
the skip into a failure (CI sets it after starting the engine).

Marker: `image_tests` (must be registered in the pytest configuration).
Run: `pytest -m image_tests integration_tests/test_docker_image.py -s` (-s shows the figures).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from source_zoom.streams import TABLES as CATALOG_TABLES  # the catalog: every table, counted nowhere else

try:  # integration_tests as a package, or as a plain directory on sys.path (pytest's rootdir mode)
    from integration_tests import docker_support as ds
    from integration_tests import sync_support
except ImportError:  # pragma: no cover - depends on how pytest was invoked
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import docker_support as ds  # type: ignore[no-redef]
    import sync_support  # type: ignore[no-redef]

pytestmark = pytest.mark.image_tests

EXPECTED_STREAM_COUNT = len(CATALOG_TABLES)
IMAGE_SIZE_LIMIT_MB = 500


# -------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def docker_client():
    try:
        client = ds.connect_engine()
    except ds.EngineUnavailable as error:
        message = ds.announce_no_engine(str(error))
        if ds.engine_required():
            pytest.fail(f"{message} ({ds.REQUIRE_ENGINE_ENV} is set, so this is a failure)")
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture(scope="session")
def image(docker_client) -> ds.BuiltImage:
    built = ds.build_image(docker_client)
    print(
        f"\n[image] {built.tag} {built.image_id[:19]}: {built.size_mb:.1f} MB, "
        f"built in {built.build_seconds:.1f}s",
        file=sys.stderr,
    )
    return built


@pytest.fixture(scope="module")
def fake_zoom() -> Iterator[Any]:
    from fake_zoom.config import FakeZoomConfig
    from fake_zoom.server import FakeZoomServer

    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        yield fake


@pytest.fixture(scope="module")
def config(fake_zoom) -> dict[str, Any]:
    return dict(fake_zoom.connector_config())


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory, config) -> Path:
    """Config (and later the catalog) in a directory the container's user 1000 can read."""
    return ds.write_secrets_dir(tmp_path_factory.mktemp("secrets"), {"config.json": config})


@pytest.fixture(scope="module")
def discovered_catalog(docker_client, image, secrets_dir) -> dict[str, Any]:
    result = ds.run_in_container(
        docker_client, ["discover", "--config", "/secrets/config.json"], secrets_dir=secrets_dir
    )
    catalogs = result.of_type("CATALOG")
    assert result.exit_code == 0 and len(catalogs) == 1, result.describe()
    return catalogs[0]["catalog"]


# ------------------------------------------------------------------------- no engine needed


def test_dockerfile_pins_base_image_by_tag():
    dockerfile = (ds.REPO_ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE | re.IGNORECASE)
    assert bases and all(base == ds.BASE_IMAGE for base in bases), bases


def test_build_context_holds_only_what_the_image_needs():
    """What `.dockerignore` lets into the context, computed as the SDK does before a build."""
    from docker.utils.build import exclude_paths

    patterns = [
        line.strip()
        for line in (ds.REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    included = sorted(exclude_paths(str(ds.REPO_ROOT), patterns))
    assert "setup.py" in included
    assert any(path.startswith("source_zoom/") for path in included)
    unwanted = re.compile(
        r"(^|/)(\.git|\.venv|venv|__pycache__|\.pytest_cache|\.hypothesis|unit_tests|fake_zoom|"
        r"integration_tests|benchmarks|docs|build|dist|secrets|\.cache|\.ci)(/|$)|\.pyc$|\.egg-info(/|$)"
    )
    leaked = [path for path in included if unwanted.search(path)]
    assert not leaked, f"the build context would include: {leaked[:20]}"


# ----------------------------------------------------------------------------- the image


def test_image_metadata(image):
    assert image.labels.get("io.airbyte.name") == "source-zoom"
    assert image.labels.get("io.airbyte.version") == ds.project_version()
    entrypoint = image.env.get("AIRBYTE_ENTRYPOINT")
    assert entrypoint, "ENV AIRBYTE_ENTRYPOINT is not set"
    assert image.entrypoint, "the image has no ENTRYPOINT"
    assert entrypoint.split() == image.entrypoint or entrypoint.split()[0] in image.entrypoint
    print(f"\n[image] size {image.size_mb:.1f} MB (limit {IMAGE_SIZE_LIMIT_MB} MB)", file=sys.stderr)
    assert image.size_mb < IMAGE_SIZE_LIMIT_MB


def test_container_runs_as_uid_1000(docker_client, image):
    result = ds.run_in_container(docker_client, ["-u"], entrypoint="id")
    assert result.exit_code == 0 and result.stdout.strip() == "1000", result.describe()
    named = ds.run_in_container(docker_client, ["-un"], entrypoint="id")
    assert named.stdout.strip() == "airbyte", named.describe()


def test_spec(docker_client, image):
    timings = []
    for _ in range(3):
        started = time.monotonic()
        result = ds.run_in_container(docker_client, ["spec"])
        timings.append(time.monotonic() - started)
        assert result.exit_code == 0, result.describe()
    print(f"\n[spec] wall times in container: {', '.join(f'{t:.2f}s' for t in timings)}", file=sys.stderr)

    specs = result.of_type("SPEC")
    assert len(specs) == 1, result.describe()
    connection_spec = specs[0]["spec"]["connectionSpecification"]
    credentials = connection_spec["properties"]["credentials"]
    secrets = ds.find_secret_fields(credentials)
    assert any(path.endswith("client_secret") for path in secrets), secrets


def test_spec_through_airbyte_entrypoint_env(docker_client, image):
    """Airbyte may override the entrypoint and call `$AIRBYTE_ENTRYPOINT spec` itself."""
    result = ds.run_in_container(
        docker_client, ["-c", 'exec $AIRBYTE_ENTRYPOINT "$@"', "sh", "spec"], entrypoint="/bin/sh"
    )
    assert result.exit_code == 0 and len(result.of_type("SPEC")) == 1, result.describe()


def test_check_succeeds_against_fake_zoom(docker_client, image, secrets_dir):
    result = ds.run_in_container(
        docker_client, ["check", "--config", "/secrets/config.json"], secrets_dir=secrets_dir
    )
    statuses = result.of_type("CONNECTION_STATUS")
    assert len(statuses) == 1, result.describe()
    assert statuses[0]["connectionStatus"]["status"] == "SUCCEEDED", result.describe()


def test_given_a_container_that_cannot_reach_zoom_when_checking_then_the_answer_names_the_network(docker_client, image, secrets_dir):
    """Without --network host the fake on the host's 127.0.0.1 is out of reach, as is any host on
    an engine without a bridge network (scripts/docker_engine.sh): the sentence says so."""
    result = ds.run_in_container(docker_client, ["check", "--config", "/secrets/config.json"], secrets_dir=secrets_dir, network_mode="none")

    statuses = result.of_type("CONNECTION_STATUS")
    assert len(statuses) == 1, result.describe()
    message = statuses[0]["connectionStatus"]["message"]
    assert statuses[0]["connectionStatus"]["status"] == "FAILED", result.describe()
    assert "cannot be reached from inside this Docker container" in message and "docker run --network host" in message, message
    assert "Traceback" not in result.stdout + result.stderr


def test_given_the_image_then_it_holds_the_connector_and_not_the_fake_zoom_api(docker_client, image):
    result = ds.run_in_container(
        docker_client,
        ["-c", "import importlib.util, os; print(importlib.util.find_spec('fake_zoom') is None, os.path.exists('/opt/venv/bin/fake-zoom'), importlib.util.find_spec('source_zoom') is not None)"],
        entrypoint="/opt/venv/bin/python",
    )

    assert result.exit_code == 0 and result.stdout.split() == ["True", "False", "True"], result.describe()


def test_check_fails_with_wrong_client_secret(docker_client, image, config, tmp_path):
    wrong, replaced = ds.replace_key(config, "client_secret", "not-the-client-secret")
    assert replaced, f"no client_secret in the fake's connector config: {sorted(config)}"
    secrets = ds.write_secrets_dir(tmp_path / "wrong", {"config.json": wrong})
    result = ds.run_in_container(
        docker_client, ["check", "--config", "/secrets/config.json"], secrets_dir=secrets
    )
    statuses = result.of_type("CONNECTION_STATUS")
    assert len(statuses) == 1, result.describe()
    assert statuses[0]["connectionStatus"]["status"] == "FAILED", result.describe()
    assert "not-the-client-secret" not in result.stdout + result.stderr, "the secret was printed"


def test_discover_lists_all_streams(discovered_catalog):
    names = sorted(stream["name"] for stream in discovered_catalog["streams"])
    assert len(names) == EXPECTED_STREAM_COUNT, names
    assert len(set(names)) == len(names), names


def test_read_in_container_matches_read_outside(docker_client, image, secrets_dir, config, discovered_catalog):
    catalog = ds.configured_catalog(discovered_catalog)
    ds.write_secrets_dir(secrets_dir, {"catalog.json": catalog})
    args = ["read", "--config", "{dir}/config.json", "--catalog", "{dir}/catalog.json"]

    in_container = ds.run_in_container(
        docker_client,
        [arg.format(dir=ds.SECRETS_DIR_IN_CONTAINER) for arg in args],
        secrets_dir=secrets_dir,
    )
    assert in_container.exit_code == 0, in_container.describe()

    # A connector that rotates credentials hands the new config back in CONTROL messages; the
    # next run must use it, as Airbyte would.
    updated = _latest_control_config(in_container.messages)
    if updated is not None:
        ds.write_secrets_dir(secrets_dir, {"config.json": updated})

    outside = ds.run_locally([arg.format(dir=secrets_dir) for arg in args])
    assert outside.exit_code == 0, outside.describe()

    inside_records = ds.records_by_stream(in_container.messages)
    outside_records = ds.records_by_stream(outside.messages)
    print(
        f"\n[read] container {in_container.seconds:.1f}s, outside {outside.seconds:.1f}s; records per "
        f"stream: {json.dumps({s: len(r) for s, r in sorted(inside_records.items())})}",
        file=sys.stderr,
    )
    assert inside_records, "the read in the container emitted no records at all"
    assert sorted(inside_records) == sorted(outside_records)
    for stream in sorted(outside_records):
        assert inside_records[stream] == outside_records[stream], (
            f"stream {stream}: {len(inside_records[stream])} records in the container, "
            f"{len(outside_records[stream])} outside, or different contents"
        )
    configured = {entry["stream"]["name"] for entry in catalog["streams"]}
    assert set(inside_records) <= configured


def test_given_non_ascii_names_and_topics_when_read_in_the_container_then_they_arrive_unchanged(docker_client, image, fake_zoom, config, secrets_dir, discovered_catalog):
    """Last in this module: it rewrites names in the shared fake, which the comparison above must not see."""
    planted = sync_support.plant_non_ascii_names(fake_zoom, config["start_date"])
    tables = {p.table for p in planted}
    catalog = ds.configured_catalog({"streams": [s for s in discovered_catalog["streams"] if s["name"] in tables]})
    ds.write_secrets_dir(secrets_dir, {"catalog_non_ascii.json": catalog})

    result = ds.run_in_container(
        docker_client,
        ["read", "--config", f"{ds.SECRETS_DIR_IN_CONTAINER}/config.json", "--catalog", f"{ds.SECRETS_DIR_IN_CONTAINER}/catalog_non_ascii.json"],
        secrets_dir=secrets_dir,
    )

    assert result.exit_code == 0, result.describe()
    # The container's stdout is decoded as UTF-8 with replacement: a wrong encoding shows as U+FFFD.
    found = sync_support.planted_values_found(sync_support.records_by_table(result.messages), planted)
    assert found == sync_support.planted_values_expected(planted)


def _latest_control_config(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    latest = None
    for message in messages:
        if message.get("type") == "CONTROL":
            control = message.get("control") or {}
            if control.get("type") == "CONNECTOR_CONFIG":
                latest = (control.get("connectorConfig") or {}).get("config")
    return latest
