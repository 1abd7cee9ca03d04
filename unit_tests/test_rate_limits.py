"""The call budget: Zoom's category of every endpoint, the plans' figures, waiting (never
raising) for a slot, and failing fast once the Heavy daily cap is used up. Time is a fake clock."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import List

import pytest
import requests

from airbyte_cdk.sources.streams.call_rate import CallRateLimitHit
from airbyte_cdk.utils import AirbyteTracedException

from fake_zoom.ratelimit import HEAVY_DAILY, PLAN_QPS
from fake_zoom.routes import ROUTES
from source_zoom import SourceZoom
from source_zoom.config import parse_config
from source_zoom.declarations import FILES
from source_zoom.rate_limits import (
    DEFAULT_RATE_LIMIT_PLAN,
    RATE_LIMIT_PLANS,
    CategoryRatePolicy,
    Clock,
    ZoomAPIBudget,
    build_api_budget,
)
from source_zoom.streams import ENDPOINTS
from unit_tests.conftest import BudgetByPath, budget_by_path, config_with, declared_endpoint

API_ROOTS = [
    "https://api.zoom.us/v2",
    "https://api.zoomgov.com/v2",
    "http://127.0.0.1:8080/v2",
    "https://proxy.example.com/zoom/v2",
]
# A plain id, an id that reads like a path word, and a UUID that Zoom's rule encodes twice.
PATH_PARAMETERS = ["85746065432", "report", "%252FajXp1%252B%253D%253D"]

# Zoom's published per-second rates per plan and category, and the Heavy daily quota
# (/work/shared/zoom-api.md, "Rate limits"; Free is unconfirmed and its daily cap taken as Pro's).
# Written here, not imported, so that a wrong figure in the connector or the fake fails a test.
ZOOM_PLAN_RATES = {
    "free": {"Light": 4, "Medium": 2, "Heavy": 1},
    "pro": {"Light": 30, "Medium": 20, "Heavy": 10},
    "business": {"Light": 80, "Medium": 60, "Heavy": 40},
}
ZOOM_HEAVY_DAILY_CAPS = {"free": 30_000, "pro": 30_000, "business": 60_000}


class FakeClock(Clock):
    """Advances only when slept on; records every sleep."""

    def __init__(self, now: datetime = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)):
        self.seconds = 1000.0
        self.start = now
        self.sleeps: List[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.seconds += seconds

    def utc_now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds - 1000.0)


class FrozenClock(FakeClock):
    """Never advances: each thread's reserved slot is now + the wait it was told."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def request_to(path: str, root: str = "https://api.zoom.us/v2") -> requests.PreparedRequest:
    return requests.Request("GET", f"{root}/{path}", params={"page_size": 300}).prepare()


def fill(template: str, value: str) -> str:
    return template.replace("{userId}", value).replace("{meetingId}", value).replace("{webinarId}", value)


# GET /users/{userId}: served by the fake (its types are in the snapshot), called by no table.
FAKE_ONLY_ROUTES = {"users/{userId}"}


def test_given_the_fake_zoom_routes_when_compared_then_the_connector_knows_every_endpoint_with_the_same_category():
    fake_categories = {route.template.removeprefix("/v2/"): route.category for route in ROUTES}
    declared = {endpoint.zoom_name.removeprefix("/"): endpoint.category for endpoint in ENDPOINTS if endpoint.api != FILES}
    assert declared == {template: category for template, category in fake_categories.items() if template not in FAKE_ONLY_ROUTES}
    assert FAKE_ONLY_ROUTES <= set(fake_categories)


@pytest.mark.parametrize("root", API_ROOTS)
@pytest.mark.parametrize("route", [route for route in ROUTES if route.template.removeprefix("/v2/") not in FAKE_ONLY_ROUTES], ids=lambda route: route.template)
def test_given_a_request_to_any_route_of_the_fake_when_matched_then_its_policy_is_the_fakes_category(route, root):
    budget = build_api_budget("pro")
    for value in PATH_PARAMETERS:
        path = fill(route.template.removeprefix("/v2/"), value)
        endpoint = declared_endpoint(f"{root}/{path}")
        assert endpoint.zoom_name == route.template.removeprefix("/v2"), path
        assert budget.for_endpoint(endpoint).get_matching_policy(request_to(path, root)).category == route.category, path


def test_given_a_token_request_or_a_file_download_when_matched_then_no_policy_limits_it():
    budget = build_api_budget("pro")
    token_request = requests.Request("POST", "https://zoom.us/oauth/token", params={"grant_type": "account_credentials"}).prepare()
    assert budget.get_matching_policy(token_request) is None  # what no endpoint declares is not paced
    download = next(endpoint for endpoint in ENDPOINTS if endpoint.api == FILES)
    assert budget.for_endpoint(download).get_matching_policy(request_to("rec/download/abc")) is None


@pytest.mark.parametrize("plan", ["free", "pro", "business"])
def test_given_a_plan_when_the_budget_is_built_then_each_category_has_the_plans_rate_and_heavy_its_daily_cap(plan):
    budget = build_api_budget(plan, rate_share=1.0)
    assert {category: policy.per_second for category, policy in budget.policies_by_category.items()} == ZOOM_PLAN_RATES[plan]
    assert {category: policy.daily_cap for category, policy in budget.policies_by_category.items()} == {
        "Light": None, "Medium": None, "Heavy": ZOOM_HEAVY_DAILY_CAPS[plan],
    }


def test_given_the_fake_zoom_limiter_when_read_then_it_enforces_zooms_published_figures():
    assert PLAN_QPS == ZOOM_PLAN_RATES
    assert HEAVY_DAILY == ZOOM_HEAVY_DAILY_CAPS


def test_given_the_default_share_when_the_budget_is_built_then_it_sends_below_zooms_rate():
    budget = build_api_budget("business")
    for category, policy in budget.policies_by_category.items():
        assert 0 < policy.per_second < ZOOM_PLAN_RATES["business"][category]


def test_given_more_requests_than_a_second_allows_when_acquired_then_each_waits_for_its_slot_instead_of_raising():
    clock = FakeClock()
    budget = budget_by_path("pro", clock=clock, rate_share=1.0)
    sent_at = []
    for _ in range(25):
        budget.acquire_call(request_to("report/meetings/123/participants"))
        sent_at.append(clock.monotonic() - 1000.0)
    assert sent_at == pytest.approx([index * 0.1 for index in range(25)])
    per_calendar_second = [sum(1 for moment in sent_at if second <= moment < second + 1) for second in range(3)]
    assert max(per_calendar_second) <= 10  # Pro Heavy: 10 req/s
    assert len(clock.sleeps) == 24  # one sleep per waiting request, no retry loop


def test_given_categories_when_one_is_busy_then_the_others_do_not_wait_for_it():
    clock = FakeClock()
    budget = budget_by_path("pro", clock=clock, rate_share=1.0)
    for _ in range(5):
        budget.acquire_call(request_to("report/users/u1/meetings"))
    waited = len(clock.sleeps)
    budget.acquire_call(request_to("meetings/123"))
    budget.acquire_call(request_to("users"))
    assert len(clock.sleeps) == waited


def test_given_a_spent_second_when_acquired_without_blocking_then_it_raises_with_the_wait_and_takes_no_slot():
    clock = FakeClock()
    budget = budget_by_path("pro", clock=clock, rate_share=1.0)
    budget.acquire_call(request_to("users"))
    with pytest.raises(CallRateLimitHit) as hit:
        budget.acquire_call(request_to("users"), block=False)
    assert hit.value.time_to_wait == timedelta(seconds=0.05)
    budget.acquire_call(request_to("users"))
    assert clock.sleeps == [pytest.approx(0.05)]


def test_given_forty_threads_when_they_acquire_at_once_then_every_slot_is_handed_out_once_in_order():
    clock = FrozenClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    barrier = threading.Barrier(40)

    def worker() -> None:
        barrier.wait()
        for _ in range(5):
            budget.acquire_call(request_to("webinars/42/registrants"))

    threads = [threading.Thread(target=worker) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slots = sorted([0.0] + clock.sleeps)  # the first request did not sleep
    assert len(slots) == 200
    assert slots == pytest.approx([index / 60 for index in range(200)])


def heavy_only_budget(clock: FakeClock, daily_cap: int) -> BudgetByPath:
    return BudgetByPath(ZoomAPIBudget([CategoryRatePolicy("Heavy", 10, daily_cap, "pro", clock)], clock))


def test_given_the_daily_heavy_cap_used_up_when_another_heavy_request_comes_then_it_fails_at_once_with_the_reset_time():
    clock = FakeClock()
    budget = heavy_only_budget(clock, daily_cap=3)
    for _ in range(3):
        budget.acquire_call(request_to("report/webinars/9"))
    slept = list(clock.sleeps)
    with pytest.raises(AirbyteTracedException) as failure:
        budget.acquire_call(request_to("report/webinars/9"))
    assert clock.sleeps == slept
    assert "daily Heavy rate limit is used up until 2026-03-02T00:00:00Z (3 requests a day on the pro plan" in failure.value.message
    assert "used up until 2026-03-02T00:00:00Z" in failure.value.message


def test_given_the_daily_cap_used_up_when_the_utc_day_turns_then_heavy_requests_go_again():
    clock = FakeClock()
    budget = heavy_only_budget(clock, daily_cap=1)
    budget.acquire_call(request_to("report/webinars/9"))
    with pytest.raises(AirbyteTracedException):
        budget.acquire_call(request_to("report/webinars/9"))
    clock.seconds += 12 * 3600
    budget.acquire_call(request_to("report/webinars/9"))


def zoom_429(category: str, limit_type: str, retry_after: str = "") -> requests.Response:
    response = requests.Response()
    response.status_code = 429
    response.headers["x-ratelimit-category"] = category
    response.headers["x-ratelimit-type"] = limit_type
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return response


def test_given_zoom_says_the_daily_cap_is_spent_when_more_heavy_requests_come_then_they_fail_at_once_and_others_go_on(pinned_now):
    now = pinned_now  # Retry-After is read against source_zoom.errors' "now", pinned to the fake clock's
    clock = FakeClock(now)
    budget = budget_by_path("pro", clock=clock)
    request = request_to("report/meetings/%252Fab%253D%253D/participants")
    resets = (now + timedelta(hours=5)).replace(microsecond=0)
    budget.update_from_response(request, zoom_429("Heavy", "Daily-limit", f"{resets:%Y-%m-%dT%H:%M:%SZ}"))
    with pytest.raises(AirbyteTracedException) as failure:
        budget.acquire_call(request_to("past_webinars/9/absentees"))
    assert "daily Heavy rate limit is used up" in failure.value.message
    assert f"used up until {resets:%Y-%m-%dT%H:%M:%SZ}" in failure.value.message
    budget.acquire_call(request_to("users/u1/meetings"))


def zoom_answer(status: int, body: dict, headers: dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(headers)
    return response


# What the fake (after Zoom) answers when a category's second is used up, and when the Heavy
# daily cap is, as seen from real accounts: lowercase headers, no type, no Retry-After.
PER_SECOND_HEAVY_429 = dict(
    status=429,
    body={"code": 429, "message": "You have reached the maximum per-second rate limit for this API. Try again later."},
    headers={"X-RateLimit-Category": "Heavy", "X-RateLimit-Type": "QPS", "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"},
)
REAL_DAILY_HEAVY_429 = dict(
    status=429,
    body={"code": 429, "message": "You have reached the maximum daily rate limit for this API. Try again later."},
    headers={"x-ratelimit-category": "Heavy", "x-ratelimit-remaining": "0"},
)
OK_200 = dict(status=200, body={"participants": []}, headers={})
HEAVY_PATH = "report/meetings/85746065432/participants"


def heavy_rate(budget: ZoomAPIBudget) -> float:
    return budget.policies_by_category["Heavy"].per_second


def answer_heavy_request(budget: ZoomAPIBudget, answer: dict) -> None:
    """One Heavy request through the budget: it takes its slot, then Zoom answers it."""
    request = request_to(HEAVY_PATH)
    budget.acquire_call(request)
    budget.update_from_response(request, zoom_answer(**answer))


def test_given_a_per_second_429_when_seen_then_that_category_alone_slows_to_seven_tenths():
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    answer_heavy_request(budget, PER_SECOND_HEAVY_429)
    assert {category: policy.per_second for category, policy in budget.policies_by_category.items()} == pytest.approx(
        {"Light": 80, "Medium": 60, "Heavy": 28}  # Heavy: 40 x 0.7
    )
    clock.sleeps.clear()
    for _ in range(3):
        budget.acquire_call(request_to(HEAVY_PATH))
    # The slot after the 429'd request was handed out at 40/s (1/40 s on); the next ones are 1/28 s apart.
    assert clock.sleeps == pytest.approx([1 / 40, 1 / 28, 1 / 28])


def test_given_a_burst_of_429s_in_one_second_when_seen_then_it_slows_once_and_again_only_a_second_later():
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    policy = budget.policies_by_category["Heavy"]
    requests_in_flight = [request_to(HEAVY_PATH) for _ in range(6)]
    for request in requests_in_flight:
        budget.acquire_call(request)
    clock.seconds = 1000.0  # the six were sent together: their answers come at one moment
    for request in requests_in_flight[:3]:
        budget.update_from_response(request, zoom_answer(**PER_SECOND_HEAVY_429))
    assert policy.per_second == pytest.approx(28)
    paced_after = request_to(HEAVY_PATH)
    budget.acquire_call(paced_after)
    clock.seconds = 1000.5
    budget.update_from_response(paced_after, zoom_answer(**PER_SECOND_HEAVY_429))
    assert policy.per_second == pytest.approx(28)  # half a second after the slowdown: the same burst
    clock.seconds = 1001.0
    budget.update_from_response(paced_after, zoom_answer(**PER_SECOND_HEAVY_429))
    assert policy.per_second == pytest.approx(19.6)  # 28 x 0.7


def test_given_a_request_paced_before_the_last_slowdown_when_its_429_comes_late_then_it_does_not_slow_again():
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    policy = budget.policies_by_category["Heavy"]
    paced_at_40 = request_to(HEAVY_PATH)
    budget.acquire_call(paced_at_40)
    answer_heavy_request(budget, PER_SECOND_HEAVY_429)
    clock.seconds += 5
    budget.update_from_response(paced_at_40, zoom_answer(**PER_SECOND_HEAVY_429))
    assert policy.per_second == pytest.approx(28)
    answer_heavy_request(budget, PER_SECOND_HEAVY_429)  # paced at 28 and still too fast
    assert policy.per_second == pytest.approx(19.6)


def test_given_429s_second_after_second_when_seen_then_the_rate_stops_at_a_tenth_of_the_plans():
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    rates = []
    for _ in range(9):
        answer_heavy_request(budget, PER_SECOND_HEAVY_429)
        rates.append(heavy_rate(budget))
        clock.seconds += 1
    assert rates == pytest.approx([28, 19.6, 13.72, 9.604, 6.7228, 4.70596, 4, 4, 4])


def test_given_zoom_names_another_category_in_the_429_when_seen_then_that_category_slows():
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    request = request_to("users")
    budget.acquire_call(request)
    budget.update_from_response(request, zoom_answer(429, {"code": 429, "message": "per-second"}, {"x-ratelimit-category": "medium", "x-ratelimit-type": "QPS"}))
    assert budget.policies_by_category["Medium"].per_second == pytest.approx(42)  # 60 x 0.7
    assert heavy_rate(budget) == pytest.approx(40)


def test_given_a_daily_cap_429_with_real_accounts_headers_when_seen_then_heavy_fails_fast_without_slowing(pinned_now):
    clock = FakeClock(pinned_now)
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    answer_heavy_request(budget, REAL_DAILY_HEAVY_429)
    assert heavy_rate(budget) == pytest.approx(40)
    with pytest.raises(AirbyteTracedException) as failure:
        budget.acquire_call(request_to(HEAVY_PATH))
    assert f"used up until {pinned_now + timedelta(days=1):%Y-%m-%d}T00:00:00Z" in failure.value.message
    budget.acquire_call(request_to("users"))


def test_given_a_slowed_category_when_zoom_accepts_its_requests_then_it_climbs_a_hundredth_of_the_plan_per_second():
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    answer_heavy_request(budget, PER_SECOND_HEAVY_429)
    answer_heavy_request(budget, OK_200)
    assert heavy_rate(budget) == pytest.approx(28)  # the same second as the slowdown
    clock.seconds += 1
    for _ in range(5):
        answer_heavy_request(budget, OK_200)
    assert heavy_rate(budget) == pytest.approx(28.4)  # one step of 40 x 0.01 however many answers in that second
    skipped = zoom_answer(404, {"code": 3001, "message": "Meeting does not exist"}, {})
    clock.seconds += 1
    budget.update_from_response(request_to(HEAVY_PATH), skipped)
    assert heavy_rate(budget) == pytest.approx(28.8)  # a skip is an answer within the limit too
    clock.seconds += 1
    budget.update_from_response(request_to(HEAVY_PATH), zoom_answer(500, {"message": "server error"}, {}))
    assert heavy_rate(budget) == pytest.approx(28.8)  # a server error says nothing about the rate


def test_given_a_slowed_category_when_zoom_keeps_accepting_then_it_is_back_at_the_plans_rate_after_thirty_steps(caplog):
    clock = FakeClock()
    budget = budget_by_path("business", clock=clock, rate_share=1.0)
    answer_heavy_request(budget, PER_SECOND_HEAVY_429)
    rates = []
    for _ in range(32):
        clock.seconds += 1
        answer_heavy_request(budget, OK_200)
        rates.append(heavy_rate(budget))
    assert rates[28:] == pytest.approx([39.6, 40, 40, 40])  # 28 + 30 x 0.4, and never above
    messages = [record.getMessage() for record in caplog.records if "rate limit" in record.getMessage()]
    assert messages == [
        "Zoom's Heavy rate limit: slowing Heavy requests from 40.0 to 28.0 per second (Zoom answered 429 for its "
        "per-second limit; the business plan allows 40.0 at our share): the account's real limit is lower, because "
        "of the rate_limit_plan setting or another app using the same account's limits.",
        "Zoom's Heavy rate limit: Heavy requests are back at the business plan's 40.0 per second after 1 slowdown(s).",
    ]


def test_given_the_plans_rate_when_zoom_accepts_requests_then_nothing_changes_and_nothing_is_logged(caplog):
    clock = FakeClock()
    budget = budget_by_path("pro", clock=clock, rate_share=1.0)
    for _ in range(20):
        clock.seconds += 1
        answer_heavy_request(budget, OK_200)
    assert heavy_rate(budget) == pytest.approx(10)
    assert [record for record in caplog.records if "rate limit" in record.getMessage()] == []


def test_given_a_config_when_the_source_reads_then_every_stream_shares_one_budget_with_the_configured_plan():
    config = config_with(rate_limit_plan="business")
    source = SourceZoom(config)
    context = source.sync_context(config)
    assert isinstance(context.api_budget, ZoomAPIBudget)
    assert context.api_budget.policies_by_category["Heavy"].daily_cap == 60_000  # Business: 60,000 Heavy requests a day
    views = [stream._http_client._api_budget for stream in (facade._legacy_stream for facade in source.streams(config))]
    assert {id(view.budget) for view in views} == {id(context.api_budget)}  # each stream's view of the one budget
    assert all(view.endpoint is stream.endpoint for view, stream in zip(views, (f._legacy_stream for f in source.streams(config))))


def test_given_no_rate_limit_plan_when_the_config_is_parsed_then_the_plan_is_pro():
    assert parse_config(config_with()).rate_limit_plan == "pro"


def test_given_an_unknown_rate_limit_plan_when_the_config_is_parsed_then_one_sentence_names_the_plans():
    with pytest.raises(AirbyteTracedException) as failure:
        parse_config(config_with(rate_limit_plan="enterprise"))
    assert failure.value.message == (
        "rate_limit_plan 'enterprise' is not a Zoom plan: use free, pro or business "
        "(the account's plan sets its API rate limits)."
    )


def test_given_the_spec_when_read_then_rate_limit_plan_offers_the_three_plans_with_pro_by_default():
    spec = SourceZoom().spec(logging.getLogger("airbyte"))
    plan = spec.connectionSpecification["properties"]["rate_limit_plan"]
    assert plan["enum"] == list(RATE_LIMIT_PLANS)
    assert plan["default"] == DEFAULT_RATE_LIMIT_PLAN == "pro"
