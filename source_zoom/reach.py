"""What to say when Zoom cannot be reached: the network that failed, named, and what to change.

A Zoom that does not answer is a transient fault (Zoom or the network); but inside a Docker
container the usual cause is the container's own network, which no retry changes: a server on the
host's 127.0.0.1 is not the container's 127.0.0.1, and an engine started without a bridge network
(`dockerd --bridge=none`, as scripts/docker_engine.sh does) gives a container no route out unless
it runs with `--network host`.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import requests

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
# Docker writes this file into every container it starts; the connector's image sets the variable
# (a development container has the file too, but not the variable: there 127.0.0.1 is the machine).
DOCKER_MARKER = "/.dockerenv"
IMAGE_VARIABLE = "AIRBYTE_ENTRYPOINT"


def in_container() -> bool:
    """Whether this is the connector's image run by `docker run`."""
    return os.path.exists(DOCKER_MARKER) and bool(os.environ.get(IMAGE_VARIABLE))


def what_failed(error: BaseException) -> str:
    """The failure in a few words (`ConnectionError: connection refused`), without urllib3's reprs."""
    text = str(error).lower()
    for said, plain in (
        ("connection refused", "connection refused"),
        ("name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("temporary failure in name resolution", "host name not resolved"),
        ("failed to resolve", "host name not resolved"),
        ("network is unreachable", "network unreachable"),
        ("no route to host", "no route to host"),
        ("timed out", "timed out"),
        ("certificate verify failed", "TLS certificate not trusted"),
    ):
        if said in text:
            return f"{type(error).__name__}: {plain}"
    return type(error).__name__


def unreachable(field: str, url: str, error: BaseException) -> str:
    """One sentence for `url` (the value of config field `field`) that could not be reached."""
    host = urlsplit(url).hostname or url
    failed = what_failed(error)
    if in_container():
        where = (
            f"{host} is this container itself, not the machine running Docker"
            if host in LOOPBACK_HOSTS
            else "the container's network does not reach it"
        )
        return (
            f"{url} ({field}) cannot be reached from inside this Docker container ({failed}): {where}; run the container "
            "with `docker run --network host` (needed on an engine without a bridge network, e.g. dockerd --bridge=none, "
            "and for a server on the host's 127.0.0.1)."
        )
    if isinstance(error, requests.exceptions.SSLError):
        return f"{url} ({field}) answered with a TLS certificate this machine does not trust ({failed}): check {field} and the machine's CA certificates."
    if "host name" in failed:
        return f"{url} ({field}) cannot be reached ({failed}): check the host name in {field} and this machine's DNS; Zoom is api.zoom.us (ZoomGov: api.zoomgov.com)."
    return (
        f"{url} ({field}) cannot be reached ({failed}): this machine's network, a proxy or firewall, or Zoom is failing, "
        f"not the credentials; check {field} and the network, then run it again."
    )
