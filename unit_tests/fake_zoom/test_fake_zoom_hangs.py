"""The fake's hanging faults and its scripted token-endpoint faults."""

from __future__ import annotations

import time

import pytest
import requests

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer

JWT = {"Authorization": "Bearer fake-jwt-token"}


@pytest.mark.parametrize("knob, client_error", [("rate_hang", requests.ReadTimeout), ("rate_stall_body", requests.ConnectionError)])
def test_given_a_hanging_fault_when_the_client_gives_up_then_the_fake_says_how_long_it_held_the_request(knob, client_error):
    with FakeZoomServer(FakeZoomConfig.default(**{knob: 1.0})) as fake:
        started = time.monotonic()
        with pytest.raises(client_error):
            requests.get(f"{fake.base_url}/users", headers=JWT, timeout=(1, 0.5))
        waited = time.monotonic() - started
        time.sleep(0.3)  # the fake notices the closed connection within 50 ms
        stats = fake.stats()

    assert 0.5 <= waited < 1.5
    (held,) = stats["hung_seconds"]
    assert 0.45 <= held <= 1.0
    assert stats["faults_injected"][knob.removeprefix("rate_")] == 1


def test_given_a_stalled_body_then_the_headers_promise_more_than_arrives():
    with FakeZoomServer(FakeZoomConfig.default(rate_stall_body=1.0, hang_seconds=0.3)) as fake:
        response = requests.get(f"{fake.base_url}/users", headers=JWT, timeout=5, stream=True)
        promised = int(response.headers["Content-Length"])
        received = b""
        with pytest.raises(requests.exceptions.ChunkedEncodingError):  # closed after hang_seconds
            for chunk in response.iter_content(1024):
                received += chunk

    assert response.status_code == 200 and 0 < len(received) < promised


def test_given_a_token_fault_script_then_the_first_token_requests_fail_in_that_order():
    with FakeZoomServer(FakeZoomConfig.default(token_fault_script=("429", "", "503", "drop"))) as fake:
        statuses = []
        for _ in range(5):
            try:
                statuses.append(requests.post(fake.token_url, params={"grant_type": "account_credentials", "account_id": "fake-account"},
                                              auth=("fake-client-id", "fake-client-secret"), timeout=5).status_code)
            except requests.ConnectionError:
                statuses.append("dropped")
        stats = fake.stats()

    assert statuses == [429, 200, 503, "dropped", 200]
    assert stats["token_faults_injected"] == {"429": 1, "5xx": 1, "drop": 1}


def test_given_an_unknown_scripted_token_fault_then_the_config_is_refused():
    with pytest.raises(ValueError):
        FakeZoomConfig.default(token_fault_script=("teapot",))
