from pathlib import Path

from setuptools import find_packages, setup

MAIN_REQUIREMENTS = [
    "airbyte-cdk==7.39.1",
]

TEST_REQUIREMENTS = [
    "pytest==9.2.0",
    # Parallel workers for scripts/test.sh (the suite in minutes on two cores).
    "pytest-xdist==3.8.0",
    "requests-mock==1.12.1",
    "hypothesis==6.*",
    "docker==7.2.0",
    "jsonschema>=4.20",
]

# PyAirbyte, for the test that loads the connector as a notebook user does; it installs
# beside airbyte-cdk 7.39.1 without conflicts.
PYAIRBYTE_REQUIREMENTS = [
    "airbyte==0.71.3",
]

FAKE_REQUIREMENTS = [
    "aiohttp==3.14.5",
]

setup(
    name="source-zoom",
    version="0.2.0",
    description="Airbyte source connector for the Zoom REST API v2",
    author="source-zoom developers",
    license="MIT",
    python_requires=">=3.11,<3.12",
    packages=find_packages(include=["source_zoom", "source_zoom.*", "fake_zoom", "fake_zoom.*"]),
    install_requires=MAIN_REQUIREMENTS,
    package_data={"source_zoom": ["spec.yaml", "schemas/*.json"]},
    extras_require={"tests": TEST_REQUIREMENTS + PYAIRBYTE_REQUIREMENTS + FAKE_REQUIREMENTS, "fake": FAKE_REQUIREMENTS},
    entry_points={
        # The fake Zoom API is a development tool: where it is not in the source (the Docker
        # image's build), there is no fake-zoom command either.
        "console_scripts": ["source-zoom=source_zoom.run:run"]
        + (["fake-zoom=fake_zoom.__main__:main"] if (Path(__file__).parent / "fake_zoom").is_dir() else []),
    },
)
