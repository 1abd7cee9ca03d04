"""One version number everywhere: the package, the connector metadata, the image label and the
latest entry of the docs' changelog (the platform shows the tag; people read the changelog)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def version_key(version: str) -> tuple:
    return tuple(int(part) for part in version.split("."))


def versions() -> dict:
    changelog = (ROOT / "docs" / "zoom.md").read_text().split("## Changelog", 1)[1]
    logged = re.findall(r"^\| (\d+\.\d+\.\d+) \|", changelog, flags=re.MULTILINE)
    return {
        "setup.py": re.search(r'version="([^"]+)"', (ROOT / "setup.py").read_text()).group(1),
        "metadata.yaml dockerImageTag": str(yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]["dockerImageTag"]),
        "Dockerfile io.airbyte.version": re.search(r'io\.airbyte\.version="([^"]+)"', (ROOT / "Dockerfile").read_text()).group(1),
        "docs/zoom.md changelog, latest entry": max(logged, key=version_key),
    }


def test_given_the_repository_then_every_place_names_the_same_version():
    found = versions()

    assert len(set(found.values())) == 1, found
