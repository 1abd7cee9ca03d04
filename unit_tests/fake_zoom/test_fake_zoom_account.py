"""The fake's account around the meetings, by Zoom's documented rules: the usage reports'
horizons (refused with 400 code 300 past them), members in several groups and a member removed,
surveys with anonymous respondents listed by the history report, a plan without groups."""

import datetime as dt

import pytest
from conftest import TODAY, Api, make_config

from fake_zoom import FakeZoomServer
from fake_zoom.ground_truth import compute_ground_truth
from fake_zoom.account import build_dataset

today = dt.date.fromisoformat(TODAY)  # 2025-06-15: the report horizon is 2024-12-15


@pytest.mark.parametrize("year, month, served", [
    (2024, 12, False),  # holds days before the horizon: not a month within the recent six
    (2025, 1, True),    # the first month that starts within them
    (2025, 6, True),    # the current month, up to today
    (2025, 7, False),   # the future
])
def test_given_a_month_when_asking_the_daily_report_then_only_months_within_six_months_are_served(api, year, month, served):
    response = api.get("/report/daily", year=year, month=month)
    if served:
        assert response.status_code == 200
        days = [row["date"] for row in response.json()["dates"]]
        assert days[0] == f"{year}-{month:02d}-01" and days[-1] <= TODAY
    else:
        assert (response.status_code, response.json()["code"]) == (400, 300)


@pytest.mark.parametrize("first, last, served", [
    ("2024-12-15", "2025-01-14", True),   # from the horizon, a 30-day gap
    ("2024-12-14", "2025-01-13", False),  # a day before the horizon
    ("2025-05-15", "2025-06-14", True),   # up to yesterday
    ("2025-05-16", "2025-06-15", False),  # today is not over
    ("2025-03-01", "2025-03-31", True),   # 30 days between from and to
    ("2025-01-01", "2025-01-31", True),
    ("2024-12-31", "2025-01-31", False),  # 31 days
])
def test_given_a_window_when_asking_the_storage_report_then_zoom_s_limits_hold(api, first, last, served):
    response = api.get("/report/cloud_recording", **{"from": first, "to": last})
    assert (response.status_code == 200) == served, response.text
    if served:
        rows = response.json()["cloud_recording_storage"]
        assert [r["date"] for r in rows][0] == first and rows[-1]["date"] == last


def test_given_the_daily_report_then_a_day_counts_the_meeting_instances_that_started_on_it(api, server):
    dataset = server.fake.dataset
    busiest = max((i.start.date() for i in dataset.all_instances() if i.kind == "meeting" and i.start.date() >= dt.date(2025, 1, 1)),
                  key=lambda day: sum(i.start.date() == day and i.kind == "meeting" for i in dataset.all_instances()))
    rows = {r["date"]: r for r in api.json("/report/daily", year=busiest.year, month=busiest.month)["dates"]}
    held = [i for i in dataset.all_instances() if i.kind == "meeting" and i.start.date() == busiest]
    assert rows[busiest.isoformat()]["meetings"] == len(held) > 0
    assert rows[busiest.isoformat()]["participants"] == sum(len(i.participants) for i in held)


def test_given_groups_then_a_user_in_two_groups_is_listed_by_both_and_counted_by_both(api):
    groups = api.json("/groups")["groups"]
    members = {g["id"]: [m["id"] for m in api.json(f"/groups/{g['id']}/members")["members"]] for g in groups}
    assert all(len(members[g["id"]]) == g["total_members"] for g in groups)
    everyone = [user for listed in members.values() for user in listed]
    assert any(everyone.count(user) >= 2 for user in everyone)


def test_given_a_removed_member_then_the_group_and_role_listings_no_longer_hold_them():
    with FakeZoomServer(make_config()) as server:
        api = Api(server)
        removed = server.remove_members()
        assert removed["group_user_id"] not in [m["id"] for m in api.json(f"/groups/{removed['group_id']}/members")["members"]]
        assert removed["role_user_id"] not in [m["id"] for m in api.json(f"/roles/{removed['role_id']}/members")["members"]]
        user = api.json(f"/users/{removed['group_user_id']}")
        assert removed["group_id"] not in user["group_ids"] and user["group_ids"]


def test_given_surveys_then_the_history_report_lists_exactly_the_instances_that_have_one(api, server):
    listed = {row["meeting_uuid"] for start, end in (("2025-05-15", "2025-06-14"), ("2025-04-15", "2025-05-14"))
              for row in api.pages("/report/history_meetings", "history_meetings", report_type="survey", **{"from": start, "to": end})}
    held = {i.uuid for i in server.fake.dataset.all_instances() if i.survey is not None and dt.date(2025, 4, 15) <= i.start.date() <= dt.date(2025, 6, 14)}
    assert listed == held and held


def test_given_a_plan_without_groups_and_roles_then_their_listings_answer_code_200():
    with FakeZoomServer(make_config(groups_and_roles=False)) as server:
        api = Api(server)
        for path in ("/groups", "/roles"):
            response = api.get(path)
            assert (response.status_code, response.json()["code"]) == (400, 200)
        truth = server.ground_truth()["tables"]
    assert all(truth[table]["count"] == 0 for table in ("groups", "group_members", "roles", "role_members"))


def test_given_the_default_dataset_then_surveys_have_anonymous_respondents_and_usage_spans_months():
    truth = compute_ground_truth(build_dataset(make_config()))["tables"]
    for table in ("meeting_survey_results", "webinar_survey_results"):
        rows = truth[table]["records"]
        assert any(r["email"] == "" for r in rows) and any(r["email"] for r in rows), table
    assert {r["date"][:7] for r in truth["report_daily_usage"]["records"]} == {"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"}
    storage = [r["date"] for r in truth["report_cloud_recording_usage"]["records"]]
    assert (storage[0], storage[-1]) == ("2024-12-15", "2025-06-14")
