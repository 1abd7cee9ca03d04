#!/usr/bin/env bash
# Rewrites constraints.txt: the pinned runtime closure of source-zoom, resolved together with the
# test extra (PyAirbyte shares many packages with the CDK), so that the image and the tests use the
# same versions. Run it after changing install_requires or the test extras in setup.py.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" install --quiet ".[tests]"
"$work/venv/bin/python" - <<'PY' > constraints.new
import re
from importlib.metadata import distribution
from packaging.requirements import Requirement

def closure(name, extras, seen):
    """Every installed distribution `name[extras]` needs, extras of its requirements included."""
    key = re.sub(r"[-_.]+", "-", name).lower()
    if (key, extras) in visited:
        return
    visited.add((key, extras))
    dist = distribution(name)
    seen[key] = (dist.metadata["Name"], dist.version)
    for text in dist.requires or []:
        requirement = Requirement(text)
        wanted = requirement.marker is None or any(requirement.marker.evaluate({"extra": extra}) for extra in ("",) + extras)
        if wanted:
            closure(requirement.name, tuple(sorted(requirement.extras)), seen)

visited = set()
seen = {}
closure("source-zoom", (), seen)
seen.pop("source-zoom")
print("# Runtime dependencies of source-zoom, pinned (scripts/refresh_constraints.sh); the Dockerfile and")
print("# scripts/bootstrap.sh install with -c constraints.txt so the image and the tests use these versions.")
for name, version in sorted(seen.values(), key=lambda item: item[0].lower()):
    print(f"{name}=={version}")
PY
mv constraints.new constraints.txt
