import os
import sys
from typing import Iterator

import pytest
import requests

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

from fake_zoom import FakeZoomConfig, FakeZoomServer  # noqa: E402

TODAY = "2025-06-15"  # a fixed anchor keeps every date in the tests reproducible


def make_config(**overrides) -> FakeZoomConfig:
    overrides.setdefault("today", TODAY)
    return FakeZoomConfig.default(**overrides)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeZoomServer]:
    """A default-dataset fake shared by a module's read-only tests."""
    with FakeZoomServer(make_config()) as running:
        yield running


@pytest.fixture(scope="module")
def api(server) -> "Api":
    return Api(server)


class Api:
    """A tiny authenticated client: the JWT is always valid, so no token dance in read-only tests."""

    def __init__(self, server: FakeZoomServer, token: str = "fake-jwt-token") -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params) -> requests.Response:
        return self.session.get(self.server.base_url + path, params=params or None, timeout=10)

    def json(self, path: str, **params) -> dict:
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def pages(self, path: str, key: str, **params) -> list:
        """Every record of a next_page_token listing."""
        records, token = [], ""
        while True:
            body = self.json(path, **params, **({"next_page_token": token} if token else {}))
            records.extend(body[key])
            token = body["next_page_token"]
            if not token:
                return records
