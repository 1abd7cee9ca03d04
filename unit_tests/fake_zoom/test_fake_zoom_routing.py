"""The fake's router: a family of routes can be listed in any order, because a literal segment
wins over a param where two templates fit one path."""

import pytest

from fake_zoom.routes import ROUTES
from fake_zoom.routing import Route, Router


def answer(ctx):
    return {}


SUMMARIES = Route("/v2/meetings/meeting_summaries", "Medium", answer, "meeting:read:list_summaries:admin")
MEETING = Route("/v2/meetings/{meetingId}", "Light", answer, "meeting:read:meeting:admin")


@pytest.mark.parametrize("routes", [[SUMMARIES, MEETING], [MEETING, SUMMARIES]], ids=["literal first", "param first"])
def test_given_a_literal_and_a_param_template_in_either_order_when_matching_then_the_literal_wins_its_path(routes):
    router = Router(routes)
    assert router.match("/v2/meetings/meeting_summaries") == (SUMMARIES, {})
    assert router.match("/v2/meetings/81234567890") == (MEETING, {"meetingId": "81234567890"})


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_given_the_fake_s_route_list_in_any_order_then_every_template_matches_itself(order):
    routes = ROUTES if order == "as listed" else ROUTES[::-1]
    router = Router(routes)
    for route in ROUTES:
        path = "/".join("x%2Fy" if s.startswith("{") else s for s in route.template.split("/"))
        assert router.match(path)[0] is route, route.template
