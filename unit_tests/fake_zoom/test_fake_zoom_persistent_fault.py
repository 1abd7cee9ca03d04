"""The persistent-fault knob: one endpoint fails on every request, the others answer as usual."""

import pytest
import requests
from conftest import Api, make_config

from fake_zoom import FakeZoomServer
from fake_zoom.faults import FaultInjector

POLLS = "/v2/meetings/{meetingId}/polls"


def meeting_id(api: Api) -> int:
    user = api.json("/users")["users"][0]
    return api.json(f"/users/{user['id']}/meetings", type="scheduled")["meetings"][0]["id"]


def test_given_a_persistent_5xx_endpoint_when_requested_repeatedly_then_every_answer_is_500_and_counted():
    with FakeZoomServer(make_config(persistent_fault_endpoint=POLLS)) as server:
        api = Api(server)
        meeting = meeting_id(api)

        polls = [api.get(f"/meetings/{meeting}/polls") for _ in range(5)]
        details = api.get(f"/meetings/{meeting}")

        stats = server.stats()
    assert [r.status_code for r in polls] == [500] * 5
    assert polls[0].json()["code"] == 500
    assert details.status_code == 200
    assert stats["faults_injected"]["5xx"] == 5


def test_given_a_persistent_drop_endpoint_when_requested_then_the_connection_is_dropped_every_time():
    with FakeZoomServer(make_config(persistent_fault_endpoint=POLLS, persistent_fault="drop")) as server:
        api = Api(server)
        meeting = meeting_id(api)

        for _ in range(3):
            with pytest.raises(requests.ConnectionError):
                api.get(f"/meetings/{meeting}/polls")
        assert api.get(f"/meetings/{meeting}").status_code == 200
        assert server.stats()["faults_injected"]["drop"] == 3


def test_given_random_faults_when_a_persistent_endpoint_is_set_then_other_requests_keep_their_draws():
    rates = dict(fault_seed=3, rate_5xx=0.2, rate_429=0.2, rate_drop=0.1, rate_bad_json=0.1)
    plain = FaultInjector(make_config(**rates))
    with_persistent = FaultInjector(make_config(**rates, persistent_fault_endpoint=POLLS))
    endpoints = ["/v2/users", POLLS, "/v2/meetings/{meetingId}"] * 20

    drawn = [(plain.draw(e), with_persistent.draw(e)) for e in endpoints]

    assert all(b.kind == "5xx" and b.status == 500 for e, (_, b) in zip(endpoints, drawn) if e == POLLS)
    assert all(a == b for e, (a, b) in zip(endpoints, drawn) if e != POLLS)


def test_given_an_unknown_persistent_fault_kind_then_the_config_is_refused():
    with pytest.raises(ValueError, match="persistent_fault"):
        make_config(persistent_fault="timeout")


def test_given_a_persistent_invalid_endpoint_when_requested_then_zoom_answers_400_code_300_every_time():
    with FakeZoomServer(make_config(persistent_fault_endpoint=POLLS, persistent_fault="invalid")) as server:
        api = Api(server)
        meeting = meeting_id(api)

        polls = [api.get(f"/meetings/{meeting}/polls") for _ in range(3)]

        assert api.get(f"/meetings/{meeting}").status_code == 200
        assert server.stats()["faults_injected"]["invalid"] == 3
    assert [(r.status_code, r.json()["code"]) for r in polls] == [(400, 300)] * 3
