"""The CDK's standard test suite (`SourceTestSuiteBase`), run against the fake Zoom API.

The scenarios are the configs of `acceptance-test-config.yml` at the repository root; the CDK's
hooks (loaded by the root conftest.py) parametrize the suite's tests with them. The fake listens
on a port chosen when this module starts, so a module fixture starts it and writes those config
files, pointed at it, before any test runs.

In process: `spec` and its lint, the config against the spec, `check` (SUCCEEDED with the fake's
app, FAILED with a wrong client secret, no secret in the output), `discover` and its catalog
checks, a full-refresh `read` of every table (each returns records valid against its schema,
except the files tables Zoom removed, meeting_files and webinar_files), and a `read` with a broken catalog that must fail.

In the image (marked `image_tests`): `spec`, the config against the image's spec, `check`,
`discover` and `read` run with `docker run` by the CDK. The image is the one
integration_tests/docker_support.py builds from the Dockerfile (the same as the image tests of
test_docker_image.py), or the one given with `--connector-image`. Without a Docker engine these
are skipped with a loud NO DOCKER ENGINE banner, or fail when SOURCE_ZOOM_REQUIRE_DOCKER=1.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from source_zoom import SourceZoom

try:  # integration_tests as a package, or as a plain directory on sys.path (pytest's rootdir mode)
    from integration_tests import docker_support as ds
except ImportError:  # pragma: no cover - depends on how pytest was invoked
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import docker_support as ds  # type: ignore[no-redef]

# Where acceptance-test-config.yml expects the scenario configs (git-ignored through /tmp/).
SCENARIO_CONFIG_DIR = ds.REPO_ROOT / "tmp" / "standard_suite"
WRONG_CLIENT_SECRET = "not-the-fake-client-secret"

# The catalog checks the CDK does not enforce yet only warn; this connector passes them, and
# must keep passing them.
pytestmark = pytest.mark.filterwarnings(
    "error::airbyte_cdk.test.standard_tests.DiscoveredCatalogWarning"
)


@pytest.fixture(scope="module", autouse=True)
def fake_zoom_scenario_configs() -> Iterator[FakeZoomServer]:
    """The fake Zoom API, and the scenario configs of acceptance-test-config.yml pointed at it."""
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = fake.connector_config()
        invalid_config, replaced = ds.replace_key(config, "client_secret", WRONG_CLIENT_SECRET)
        assert replaced == 1, f"no client_secret in the fake's connector config: {sorted(config)}"
        ds.write_secrets_dir(
            SCENARIO_CONFIG_DIR, {"config.json": config, "invalid_config.json": invalid_config}
        )
        try:
            yield fake
        finally:
            # The port dies with the fake: stale configs must not outlive it.
            shutil.rmtree(SCENARIO_CONFIG_DIR, ignore_errors=True)


@pytest.fixture(scope="module")
def docker_cli_on_host_network(tmp_path_factory) -> Iterator[None]:
    """The CDK's image tests call `docker run` with no network option: put them on the host's."""
    shim_dir = ds.host_network_docker_cli(tmp_path_factory.mktemp("docker-cli"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{shim_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


@pytest.fixture(scope="module")
def suite_image(request, docker_cli_on_host_network) -> str:
    """`--connector-image` if given, else the image built from the Dockerfile by docker_support."""
    client = ds.connect_engine_or_skip()
    try:
        given = request.config.getoption("--connector-image")
        if given:
            return given
        built = ds.build_image(client)
        print(
            f"\n[standard suite image] {built.tag}: {built.size_mb:.1f} MB, built in "
            f"{built.build_seconds:.1f}s",
            file=sys.stderr,
        )
        return built.tag
    finally:
        client.close()


@pytest.fixture
def connector_image_override(suite_image) -> str:
    """Overrides the CDK's fixture of the same name, which every image test of the suite asks for:
    without it the CDK would build the image itself from Airbyte's own Dockerfile template, off
    the host network."""
    return suite_image


@pytest.fixture
def read_from_streams(read_from_streams, request) -> Any:
    """Overrides the CDK's fixture: its image `read` test reads nothing unless `--read-from-streams`
    is given. Without it, read what the in-process read does: every table but `empty_streams`."""
    if request.config.getoption("--read-from-streams") is None:
        return "default"
    return read_from_streams


class TestSourceZoomStandardSuite(SourceTestSuiteBase):
    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return ds.REPO_ROOT

    @classmethod
    def create_connector(cls, scenario: ConnectorTestScenario | None) -> SourceZoom:
        """As `source-zoom` builds it (source_zoom/run.py): from the config, which sets the workers."""
        config: dict[str, Any] = {}
        if scenario is not None:
            config = scenario.get_config_dict(
                connector_root=cls.get_connector_root_dir(), empty_if_missing=True
            )
        return SourceZoom(config or None)

    # Compares the image's spec with the latest one published in Airbyte's connector registry
    # (connectors.airbyte.com). This connector has never been published there, so there is
    # nothing to compare with, and CI reaches no host but the package registries.
    test_docker_image_spec_backward_compatibility = None

