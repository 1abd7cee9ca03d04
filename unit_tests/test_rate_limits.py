"""The call budget: Zoom's category of every endpoint, the plans' figures, waiting (never
raising) for a slot, and failing fast once the Heavy daily cap is used up. Time is a fake clock."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import List

import pytest
import requests

from airbyte_cdk.sources.streams.call_rate import CallRateLimitHit
from airbyte_cdk.utils import AirbyteTracedException

from fake_zoom.ratelimit import HEAVY_DAILY, PLAN_QPS
from fake_zoom.server import ROUTES
from source_zoom import SourceZoom
from source_zoom.config import parse_config
from source_zoom.rate_limits import (
    DEFAULT_RATE_LIMIT_PLAN,
    ENDPOINT_CATEGORIES,
    RATE_LIMIT_PLANS,
    CategoryRatePolicy,
    Clock,
    ZoomAPIBudget,
    build_api_budget,
)
from unit_tests.conftest import config_with

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


def test_given_the_fake_zoom_routes_when_compared_then_the_connector_knows_every_endpoint_with_the_same_category():
    fake_categories = {route.template.removeprefix("/v2/"): route.category for route in ROUTES}
    assert ENDPOINT_CATEGORIES == fake_categories


@pytest.mark.parametrize("root", API_ROOTS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.template)
def test_given_a_request_to_any_route_of_the_fake_when_matched_then_its_policy_is_the_fakes_category(route, root):
    budget = build_api_budget("pro")
    for value in PATH_PARAMETERS:
        path = fill(route.template.removeprefix("/v2/"), value)
        assert budget.category_of(request_to(path, root)) == route.category, path


def test_given_a_token_request_or_an_unknown_path_when_matched_then_no_policy_limits_it():
    budget = build_api_budget("pro")
    token_request = requests.Request("POST", "https://zoom.us/oauth/token", params={"grant_type": "account_credentials"}).prepare()
    assert budget.category_of(token_request) is None
    assert budget.category_of(request_to("accounts/abc/settings")) is None


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
    budget = build_api_budget("pro", clock=clock, rate_share=1.0)
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
    budget = build_api_budget("pro", clock=clock, rate_share=1.0)
    for _ in range(5):
        budget.acquire_call(request_to("report/users/u1/meetings"))
    waited = len(clock.sleeps)
    budget.acquire_call(request_to("meetings/123"))
    budget.acquire_call(request_to("users"))
    assert len(clock.sleeps) == waited


def test_given_a_spent_second_when_acquired_without_blocking_then_it_raises_with_the_wait_and_takes_no_slot():
    clock = FakeClock()
    budget = build_api_budget("pro", clock=clock, rate_share=1.0)
    budget.acquire_call(request_to("users"))
    with pytest.raises(CallRateLimitHit) as hit:
        budget.acquire_call(request_to("users"), block=False)
    assert hit.value.time_to_wait == timedelta(seconds=0.05)
    budget.acquire_call(request_to("users"))
    assert clock.sleeps == [pytest.approx(0.05)]


def test_given_forty_threads_when_they_acquire_at_once_then_every_slot_is_handed_out_once_in_order():
    clock = FrozenClock()
    budget = build_api_budget("business", clock=clock, rate_share=1.0)
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


def heavy_only_budget(clock: FakeClock, daily_cap: int) -> ZoomAPIBudget:
    return ZoomAPIBudget([CategoryRatePolicy("Heavy", 10, daily_cap, "pro", clock)], clock)


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
    budget = build_api_budget("pro", clock=clock)
    request = request_to("report/meetings/%252Fab%253D%253D/participants")
    resets = (now + timedelta(hours=5)).replace(microsecond=0)
    budget.update_from_response(request, zoom_429("Heavy", "Daily-limit", f"{resets:%Y-%m-%dT%H:%M:%SZ}"))
    with pytest.raises(AirbyteTracedException) as failure:
        budget.acquire_call(request_to("past_webinars/9/absentees"))
    assert "daily Heavy rate limit is used up" in failure.value.message
    assert f"used up until {resets:%Y-%m-%dT%H:%M:%SZ}" in failure.value.message
    budget.acquire_call(request_to("users/u1/meetings"))


def test_given_a_per_second_429_when_seen_then_the_budget_keeps_pacing_and_the_error_handler_retries():
    clock = FakeClock()
    budget = build_api_budget("pro", clock=clock)
    budget.update_from_response(request_to("users"), zoom_429("Medium", "QPS"))
    budget.acquire_call(request_to("users"))
    assert clock.sleeps == []


def test_given_a_config_when_the_source_reads_then_every_stream_shares_one_budget_with_the_configured_plan():
    config = config_with(rate_limit_plan="business")
    source = SourceZoom(config)
    context = source.sync_context(config)
    assert isinstance(context.api_budget, ZoomAPIBudget)
    assert context.api_budget.policies_by_category["Heavy"].daily_cap == 60_000  # Business: 60,000 Heavy requests a day
    budgets = {id(stream._http_client._api_budget) for stream in (facade._legacy_stream for facade in source.streams(config))}
    assert budgets == {id(context.api_budget)}


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
