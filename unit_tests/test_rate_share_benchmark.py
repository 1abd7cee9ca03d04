"""benchmarks/rate_share.py measures the budget a sync paces by: its requests must reach the
policy of their endpoint's API and category (a bare ZoomAPIBudget paces nothing)."""

from __future__ import annotations

from typing import Any, List

import pytest
import requests

from benchmarks.rate_share import ENDPOINT_OF_CATEGORY, limited_session, url_path
from fake_zoom.phone import is_phone
from fake_zoom.routes import ROUTES
from fake_zoom.routing import Router
from source_zoom.declarations import MEETING, PHONE
from unit_tests.test_rate_limits import FakeClock

# Zoom's figures (Business and Pro), written here so that a wrong figure in the connector fails.
ZOOM_RATES = {
    ("business", MEETING, "Light"): 80, ("business", MEETING, "Medium"): 60, ("business", MEETING, "Heavy"): 40,
    ("business", PHONE, "Light"): 40, ("business", PHONE, "Medium"): 20, ("business", PHONE, "Heavy"): 10,
    ("pro", MEETING, "Heavy"): 10, ("pro", PHONE, "Light"): 20,
}


class AnswersAtOnce(requests.adapters.BaseAdapter):
    """Answers 200 without a network, noting the (fake) time each request was sent at."""

    def __init__(self, clock: FakeClock):
        super().__init__()
        self.clock = clock
        self.sent_at: List[float] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent_at.append(self.clock.monotonic())
        response = requests.Response()
        response.status_code, response.request, response._content = 200, request, b"{}"
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize("plan, api, category", sorted(ZOOM_RATES, key=str))
@pytest.mark.parametrize("share", [1.0, 0.97, 0.95])
def test_the_benchmark_paces_at_the_categorys_rate_times_the_share(plan, api, category, share):
    clock = FakeClock()
    session = limited_session(plan, api, category, share, clock=clock)
    adapter = AnswersAtOnce(clock)
    session.mount("http://", adapter)
    requests_sent = 200
    for _ in range(requests_sent):
        session.get("http://zoom.test" + url_path(ENDPOINT_OF_CATEGORY[(api, category)]))
    rate = ZOOM_RATES[(plan, api, category)] * share
    gaps = [later - earlier for earlier, later in zip(adapter.sent_at, adapter.sent_at[1:])]
    assert min(gaps) == pytest.approx(1 / rate)
    # In any one second, at most rate x share requests (a microsecond off for the sums' rounding).
    for first, start in enumerate(adapter.sent_at):
        in_the_second = [t for t in adapter.sent_at[first:] if t < start + 1.0 - 1e-6]
        assert len(in_the_second) <= int(rate) + (0 if rate == int(rate) else 1)


@pytest.mark.parametrize("api, category", sorted(ENDPOINT_OF_CATEGORY, key=str))
def test_the_benchmarks_path_is_counted_by_the_fake_in_the_endpoints_api_and_category(api, category):
    route, _ = Router(ROUTES).match(url_path(ENDPOINT_OF_CATEGORY[(api, category)]))
    assert route is not None
    assert route.category == category
    assert is_phone(route.template) == (api == PHONE)
