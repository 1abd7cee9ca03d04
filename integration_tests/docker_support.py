"""Helpers for the image tests: reach the Docker engine, build the image, run the connector in it.

Everything goes through the `docker` Python SDK (the same daemon the CLI talks to through
/var/run/docker.sock). Containers always use the host network: on the project's machines the
engine runs with `--bridge=none` (see scripts/docker_engine.sh), and the fake Zoom API listens on
127.0.0.1 of the host.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
IMAGE_TAG = os.environ.get("SOURCE_ZOOM_IMAGE", "source-zoom:dev")
# Held by scripts/test.sh while it builds the image in the background (CI, as root).
IMAGE_BUILD_LOCK = os.environ.get("SOURCE_ZOOM_IMAGE_BUILD_LOCK", "/tmp/source-zoom-image-build.lock")
BASE_IMAGE = "python:3.11-slim"
# Where the config and catalog directory is mounted (read-only) in the container.
SECRETS_DIR_IN_CONTAINER = "/secrets"
# Set to 1 where an engine must exist (CI after scripts/docker_engine.sh): no engine then fails
# the tests instead of skipping them.
REQUIRE_ENGINE_ENV = "SOURCE_ZOOM_REQUIRE_DOCKER"
CONTAINER_TIMEOUT_SECONDS = float(os.environ.get("SOURCE_ZOOM_CONTAINER_TIMEOUT", "900"))


def project_version() -> str:
    """The version setup.py gives the package (unit_tests/test_versions.py holds the others to it)."""
    import re

    return re.search(r'version="([^"]+)"', (REPO_ROOT / "setup.py").read_text()).group(1)


class EngineUnavailable(RuntimeError):
    """No Docker engine answered."""


# What makes an engine and the base image here (as root); a stand-in can be given to test without one.
ENGINE_SCRIPT = os.environ.get("SOURCE_ZOOM_DOCKER_ENGINE_SCRIPT", str(REPO_ROOT / "scripts" / "docker_engine.sh"))


def start_engine_once() -> None:
    """As root, `scripts/docker_engine.sh` once per test run, by the first image test to need it (no
    other test starts an engine). Once it has started one, a lost engine fails the image tests
    instead of skipping them. Not root: an engine someone else started is used as it is."""
    if os.geteuid() != 0:
        return
    from integration_tests.once_per_run import once_per_run, run_directory

    def start() -> dict:
        log = run_directory() / "docker_engine.log"
        with open(log, "w") as output:
            code = subprocess.run(["bash", ENGINE_SCRIPT], stdout=output, stderr=subprocess.STDOUT, cwd=REPO_ROOT).returncode
        return {"code": code, "log_tail": log.read_text()[-3000:]}

    started = once_per_run("docker_engine", start)
    if started["code"] == 0:
        os.environ[REQUIRE_ENGINE_ENV] = "1"
    else:
        print(f"\n{ENGINE_SCRIPT} failed (exit {started['code']}):\n{started['log_tail']}", file=sys.stderr, flush=True)


def connect_engine():
    """Return a `docker.DockerClient` for a live engine, or raise `EngineUnavailable` saying why."""
    start_engine_once()
    try:
        import docker
    except ImportError as error:  # pragma: no cover - the tests extra installs it
        raise EngineUnavailable(f"the `docker` Python SDK is not installed ({error})") from error
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means "no engine here"
        raise EngineUnavailable(
            f"{type(error).__name__}: {error}. Start one with `sudo scripts/docker_engine.sh`."
        ) from error
    return client


def engine_required() -> bool:
    return os.environ.get(REQUIRE_ENGINE_ENV, "").strip().lower() in {"1", "true", "yes"}


def announce_no_engine(reason: str) -> str:
    """Say loudly, on stderr and as a warning, that the image tests cannot run; return the text."""
    message = f"NO DOCKER ENGINE: the image tests of source-zoom did NOT run: {reason}"
    banner = "!" * 100
    print(f"\n{banner}\n{message}\n{banner}\n", file=sys.stderr, flush=True)
    warnings.warn(message, stacklevel=2)
    return message


def connect_engine_or_skip():
    """`connect_engine()` for a fixture: no engine skips the test loudly, or fails it where one is required."""
    import pytest

    try:
        return connect_engine()
    except EngineUnavailable as error:
        message = announce_no_engine(str(error))
        if engine_required():
            pytest.fail(f"{message} ({REQUIRE_ENGINE_ENV} is set, so this is a failure)")
        pytest.skip(message)


def host_network_docker_cli(directory: Path) -> Path:
    """Write into `directory` a `docker` command that runs every `docker run` on the host network.

    The CDK's standard image tests call the `docker` CLI without a network option. Here the engine
    has no bridge (scripts/docker_engine.sh starts it with --bridge=none) and the fake Zoom API
    listens on the host's 127.0.0.1, so their containers must share the host's network: put
    `directory` first on PATH while they run. Every other docker command goes through unchanged.
    """
    real_docker = shutil.which("docker")
    if real_docker is None:
        raise EngineUnavailable("the docker CLI is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / "docker"
    shim.write_text(
        "#!/bin/sh\n"
        "# Written by integration_tests/docker_support.py: `docker run` on the host network.\n"
        'if [ "$1" = run ]; then\n'
        "  shift\n"
        f'  exec "{real_docker}" run --network host "$@"\n'
        "fi\n"
        f'exec "{real_docker}" "$@"\n'
    )
    shim.chmod(0o755)
    return directory


# ------------------------------------------------------------------------------------- build


@dataclass
class BuiltImage:
    tag: str
    image_id: str
    size_bytes: int
    labels: dict[str, str]
    env: dict[str, str]
    entrypoint: list[str]
    user: str
    build_seconds: float

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1_000_000


def build_image(client, tag: str = IMAGE_TAG, path: Path = REPO_ROOT) -> BuiltImage:
    """Build the image from the repository's Dockerfile once; print the build log on failure."""
    from docker.errors import BuildError

    if not _image_exists(client, BASE_IMAGE):
        raise AssertionError(
            f"base image {BASE_IMAGE} is not present and no registry is reachable here: "
            "run `sudo scripts/docker_engine.sh` first (it makes a stand-in when needed)"
        )
    from integration_tests.once_per_run import run_lock

    # One build at a time in a run (parallel workers share the tag), and none while scripts/test.sh
    # builds the image in the background (its lock): the second finds every layer cached.
    with run_lock(f"docker_build_{tag.replace('/', '_').replace(':', '_')}"), open(IMAGE_BUILD_LOCK, "a") as machine_lock:
        fcntl.flock(machine_lock, fcntl.LOCK_EX)
        started = time.monotonic()
        try:
            image, _logs = client.images.build(
                path=str(path), tag=tag, network_mode="host", rm=True, forcerm=True
            )
        except BuildError as error:
            log = "".join(chunk.get("stream", "") or chunk.get("error", "") for chunk in error.build_log)
            raise AssertionError(f"docker build of {tag} failed: {error.msg}\n{log[-8000:]}") from error
        seconds = time.monotonic() - started
    image.reload()
    config = image.attrs.get("Config") or {}
    env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
    return BuiltImage(
        tag=tag,
        image_id=image.id,
        size_bytes=int(image.attrs.get("Size", 0)),
        labels=dict(config.get("Labels") or {}),
        env=env,
        entrypoint=list(config.get("Entrypoint") or []),
        user=str(config.get("User") or ""),
        build_seconds=seconds,
    )


def _image_exists(client, name: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(name)
    except ImageNotFound:
        return False
    return True


# --------------------------------------------------------------------------------------- run


@dataclass
class RunResult:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    messages: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, message_type: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == message_type]

    def describe(self, limit: int = 4000) -> str:
        return (
            f"exit code {self.exit_code} after {self.seconds:.1f}s\n"
            f"--- stdout (tail) ---\n{self.stdout[-limit:]}\n--- stderr (tail) ---\n{self.stderr[-limit:]}"
        )


def parse_messages(stdout: str) -> list[dict[str, Any]]:
    """Airbyte messages from a connector's stdout: one JSON object per line; other lines skipped."""
    messages = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and "type" in message:
            messages.append(message)
    return messages


def run_in_container(
    client,
    args: Sequence[str],
    *,
    image: str = IMAGE_TAG,
    secrets_dir: Path | None = None,
    entrypoint: str | list[str] | None = None,
    user: str | None = None,
    environment: Mapping[str, str] | None = None,
    timeout: float = CONTAINER_TIMEOUT_SECONDS,
    network_mode: str = "host",
    mount_point: str = SECRETS_DIR_IN_CONTAINER,
) -> RunResult:
    """`docker run --rm --network host [-v secrets_dir:/secrets:ro] IMAGE args...`, as Airbyte calls it
    (`network_mode="none"`: a container that reaches nothing, as one on an engine without a bridge)."""
    volumes = {}
    if secrets_dir is not None:
        volumes[str(secrets_dir)] = {"bind": mount_point, "mode": "ro"}
    kwargs: dict[str, Any] = {
        "command": list(args),
        "detach": True,
        "network_mode": network_mode,
        "volumes": volumes,
        "environment": dict(environment or {}),
    }
    if entrypoint is not None:
        kwargs["entrypoint"] = entrypoint
    if user is not None:
        kwargs["user"] = user
    started = time.monotonic()
    container = client.containers.run(image, **kwargs)
    try:
        try:
            status = container.wait(timeout=timeout)
        except Exception as error:  # requests' ReadTimeout / ConnectionError
            container.kill()
            raise AssertionError(f"`{' '.join(args)}` did not finish within {timeout:.0f}s") from error
        seconds = time.monotonic() - started
        stdout = container.logs(stdout=True, stderr=False).decode("utf-8", "replace")
        stderr = container.logs(stdout=False, stderr=True).decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    return RunResult(int(status.get("StatusCode", -1)), stdout, stderr, seconds, parse_messages(stdout))


def run_locally(args: Sequence[str], timeout: float = CONTAINER_TIMEOUT_SECONDS) -> RunResult:
    """`python main.py args...` from the repository root, outside any container."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seconds = time.monotonic() - started
    return RunResult(
        completed.returncode, completed.stdout, completed.stderr, seconds, parse_messages(completed.stdout)
    )


# ------------------------------------------------------------------------------ files, records


def write_secrets_dir(directory: Path, files: Mapping[str, Any]) -> Path:
    """Write JSON files into `directory`, readable by the container's unprivileged user."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o755)
    for name, content in files.items():
        path = directory / name
        path.write_text(json.dumps(content, indent=2))
        os.chmod(path, 0o644)
    return directory


def configured_catalog(catalog: Mapping[str, Any]) -> dict[str, Any]:
    """Every discovered stream, full refresh, overwrite."""
    streams = []
    for stream in catalog["streams"]:
        modes = stream.get("supported_sync_modes") or ["full_refresh"]
        assert "full_refresh" in modes, f"stream {stream['name']} does not support full_refresh"
        streams.append(
            {"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
        )
    return {"streams": streams}


def records_by_stream(messages: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Per stream, the records' data as sorted canonical JSON strings (a multiset, order-free)."""
    grouped: dict[str, list[str]] = {}
    for message in messages:
        if message.get("type") != "RECORD":
            continue
        record = message["record"]
        grouped.setdefault(record["stream"], []).append(json.dumps(record["data"], sort_keys=True))
    return {stream: sorted(rows) for stream, rows in grouped.items()}


def find_secret_fields(schema: Any, path: str = "") -> list[str]:
    """Paths of every property marked `airbyte_secret: true` anywhere under `schema`."""
    found: list[str] = []
    if isinstance(schema, Mapping):
        if schema.get("airbyte_secret") is True:
            found.append(path or "/")
        for key, value in schema.items():
            found.extend(find_secret_fields(value, f"{path}/{key}"))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found.extend(find_secret_fields(value, f"{path}/{index}"))
    return found


def replace_key(value: Any, key: str, replacement: Any) -> tuple[Any, int]:
    """Deep copy of `value` with every `key` entry set to `replacement`; also the count replaced."""
    if isinstance(value, Mapping):
        count = 0
        out = {}
        for k, v in value.items():
            if k == key:
                out[k] = replacement
                count += 1
            else:
                out[k], n = replace_key(v, key, replacement)
                count += n
        return out, count
    if isinstance(value, list):
        count = 0
        items = []
        for v in value:
            item, n = replace_key(v, key, replacement)
            items.append(item)
            count += n
        return items, count
    return value, 0
