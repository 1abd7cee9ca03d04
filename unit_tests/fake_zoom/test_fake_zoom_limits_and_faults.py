import datetime as dt
import time

import requests
from conftest import Api, make_config

from fake_zoom import FakeZoomServer


def statuses(api: Api, path: str, count: int) -> list:
    results = []
    for _ in range(count):
        try:
            results.append(api.get(path).status_code)
        except requests.ConnectionError:
            results.append("drop")
    return results


class FakeClock:
    """The limiter's clock in these tests: time moves only when the test says so."""

    def __init__(self, now: dt.datetime = dt.datetime(2025, 6, 15, 12, 0, 0, tzinfo=dt.timezone.utc)) -> None:
        self.now = now
        self.seconds = 5000.25  # inside a one-second window, far from its edges

    def monotonic(self) -> float:
        return self.seconds

    def utc_now(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.seconds += seconds
        self.now += dt.timedelta(seconds=seconds)


def with_fake_clock(server: FakeZoomServer) -> FakeClock:
    clock = FakeClock()
    server.fake.limiter.clock = clock
    return clock


def test_given_free_plan_when_bursting_medium_requests_then_429_with_rate_limit_headers():
    with FakeZoomServer(make_config(rate_limit_plan="free")) as server:
        with_fake_clock(server)  # the whole burst falls in one second, however slow the machine
        responses = [Api(server).get("/users") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    limited = responses[-1]
    assert limited.json() == {
        "code": 429, "message": "You have reached the maximum per-second rate limit for this API. Try again later."}
    assert limited.headers["X-RateLimit-Category"] == "Medium"
    assert limited.headers["X-RateLimit-Type"] == "QPS"
    assert limited.headers["X-RateLimit-Limit"] == "2" and limited.headers["X-RateLimit-Remaining"] == "0"


def test_given_free_plan_when_window_passes_then_requests_are_admitted_again():
    with FakeZoomServer(make_config(rate_limit_plan="free")) as server:
        clock = with_fake_clock(server)
        api = Api(server)
        burst = statuses(api, "/users", 3)
        clock.advance(0.5)  # same second: still limited
        same_second = api.get("/users").status_code
        clock.advance(0.5)  # next second: a new window
        next_second = statuses(api, "/users", 3)
    assert burst == [200, 200, 429] and same_second == 429 and next_second == [200, 200, 429]


def test_given_a_limit_per_category_when_one_category_is_used_up_then_another_is_still_admitted():
    with FakeZoomServer(make_config(rate_limit_plan="free")) as server:
        with_fake_clock(server)
        api = Api(server)
        medium = statuses(api, "/users", 3)
        light = api.get(f"/meetings/{server.fake.dataset.users[0].meetings[0].id}").status_code
    assert medium == [200, 200, 429] and light == 200


def test_given_same_fault_seed_when_replaying_requests_then_same_faults_in_same_order():
    config = dict(fault_seed=7, rate_5xx=0.15, rate_429=0.15, rate_429_no_retry_after_share=0.5, rate_drop=0.1,
                  rate_bad_json=0.1)
    runs = []
    for _ in range(2):
        with FakeZoomServer(make_config(**config)) as server:
            runs.append((statuses(Api(server), "/users", 60), server.stats()["faults_injected"]))
    assert runs[0] == runs[1]
    observed = set(runs[0][0])
    assert {200, 429, "drop"} <= observed and observed & {500, 502, 503, 504}


def test_given_429_faults_when_no_retry_after_share_is_half_then_some_lack_retry_after():
    with FakeZoomServer(make_config(rate_429=1.0, rate_429_no_retry_after_share=0.5)) as server:
        headers = [Api(server).get("/users").headers.get("Retry-After") for _ in range(20)]
    assert "1" in headers and None in headers


def test_given_bad_json_faults_when_requesting_then_200_body_is_not_json():
    with FakeZoomServer(make_config(rate_bad_json=1.0)) as server:
        response = Api(server).get("/users")
        stats = server.stats()
    assert response.status_code == 200
    try:
        response.json()
        parsed = True
    except ValueError:
        parsed = False
    assert not parsed and stats["faults_injected"]["bad_json"] == 1


def test_given_faults_when_calling_fake_endpoints_and_token_then_never_injected():
    with FakeZoomServer(make_config(rate_5xx=1.0)) as server:
        assert requests.get(server.url + "/_fake/stats", timeout=10).status_code == 200
        token = requests.post(server.token_url, auth=("fake-client-id", "fake-client-secret"), timeout=10,
                              params={"grant_type": "account_credentials", "account_id": "fake-account"})
        assert token.status_code == 200


def test_given_requests_when_reading_stats_then_counted_by_route_category_and_status():
    with FakeZoomServer(make_config()) as server:
        api = Api(server)
        user_id = api.json("/users")["users"][0]["id"]
        api.get(f"/users/{user_id}/meetings")
        api.get(f"/users/{user_id}/meetings")
        api.get("/meetings/1")
        api.get(f"/report/users/{user_id}/meetings", **{"from": "2025-06-01", "to": "2025-06-15"})
        stats = server.stats()
        server.reset_stats()
        after_reset = requests.get(server.url + "/_fake/stats", timeout=10).json()
    assert stats["requests_by_endpoint"] == {
        "GET /v2/users": 1, "GET /v2/users/{userId}/meetings": 2, "GET /v2/meetings/{meetingId}": 1,
        "GET /v2/report/users/{userId}/meetings": 1}
    assert stats["requests_by_category"] == {"light": 1, "medium": 3, "heavy": 1}
    assert stats["status_counts"] == {"200": 4, "404": 1} and stats["total_api_requests"] == 5
    assert after_reset["total_api_requests"] == 0


def test_given_the_history_listing_asked_for_two_report_types_then_each_is_counted_apart_and_both_are_heavy():
    """One path, two listings (every instance; the instances with Q&A): a benchmark's request table
    gives each its own requests instead of both the sum."""
    window = {"from": "2025-06-01", "to": "2025-06-15"}
    with FakeZoomServer(make_config()) as server:
        api = Api(server)
        api.get("/report/history_meetings", **window)
        api.get("/report/history_meetings", report_type="qa", **window)
        api.get("/report/history_meetings", report_type="qa", **window)
        stats = server.stats()
    assert stats["requests_by_endpoint"] == {
        "GET /v2/report/history_meetings": 1, "GET /v2/report/history_meetings?report_type=qa": 2}
    assert stats["requests_by_category"]["heavy"] == 3


def test_given_latency_when_requesting_then_answer_is_delayed():
    with FakeZoomServer(make_config(users=1, latency_ms=200)) as server:
        started = time.monotonic()
        Api(server).get("/users")
        elapsed = time.monotonic() - started
    assert elapsed >= 0.2


def test_given_documented_daily_headers_when_heavy_cap_exhausted_then_429_daily_limit_with_iso_retry_after():
    config = make_config(rate_limit_plan="business", heavy_daily_limit=2, daily_limit_headers="documented")
    with FakeZoomServer(config) as server:
        clock = with_fake_clock(server)
        api = Api(server)
        user_id = server.fake.dataset.users[0].id
        window = {"from": "2025-06-01", "to": "2025-06-15"}
        responses = []
        for _ in range(3):
            responses.append(api.get(f"/report/users/{user_id}/meetings", **window))
            clock.advance(1)  # never the per-second limit: only the daily one can answer 429
        light = api.get(f"/meetings/{server.fake.dataset.users[0].meetings[0].id}")
    assert [r.status_code for r in responses] == [200, 200, 429] and light.status_code == 200
    limited = responses[-1]
    assert limited.json()["message"] == "You have reached the maximum daily rate limit for this API. Try again later."
    assert limited.headers["X-RateLimit-Type"] == "Daily-limit" and limited.headers["X-RateLimit-Category"] == "Heavy"
    assert limited.headers["Retry-After"] == "2025-06-16T00:00:00Z"  # the next 00:00 UTC


def test_given_heavy_daily_limit_used_up_when_00_00_utc_passes_then_heavy_requests_are_admitted_again():
    with FakeZoomServer(make_config(rate_limit_plan="business", heavy_daily_limit=1)) as server:
        clock = with_fake_clock(server)
        api = Api(server)
        path = f"/report/users/{server.fake.dataset.users[0].id}/meetings"
        window = {"from": "2025-06-01", "to": "2025-06-15"}
        first = api.get(path, **window).status_code
        clock.advance(11 * 3600 + 59 * 60 + 58)  # 23:59:58 UTC, the same day
        late_same_day = api.get(path, **window).status_code
        clock.advance(3)  # 00:00:01 UTC the next day
        next_day = api.get(path, **window).status_code
    assert (first, late_same_day, next_day) == (200, 429, 200)


def test_given_faults_on_token_endpoint_flag_when_requesting_token_then_faults_apply():
    with FakeZoomServer(make_config(rate_5xx=1.0, faults_on_token_endpoint=True)) as server:
        token = requests.post(server.token_url, auth=("fake-client-id", "fake-client-secret"), timeout=10,
                              params={"grant_type": "account_credentials", "account_id": "fake-account"})
    assert token.status_code in (500, 502, 503, 504)
