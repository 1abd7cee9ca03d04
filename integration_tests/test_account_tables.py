"""The account around the meetings against the fake Zoom API: groups, roles and their members,
meeting and webinar survey answers, daily usage and recording storage. Every record compared
with the fake's ground truth in a full sync and in an incremental sync after new activity (new
surveys, a new day's usage, members removed); the survey reports asked only where Zoom's history
report lists a survey; a plan without groups, an account without webinars and an app without the
new scopes end those tables empty with one line naming the plan or scope; all three logins."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.horizons import window_last_day
from fake_zoom.server import FakeZoomServer
from integration_tests import sync_support
from integration_tests.sync_support import compare_records, error_traces as errors, format_differences, latest_states, log_lines as logs, records_by_table, run_connector

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # a dozen syncs

ACCOUNT_TABLES = ("groups", "group_members", "roles", "role_members", "meeting_survey_results", "webinar_survey_results",
                  "report_daily_usage", "report_cloud_recording_usage")
CURSORS = {"meeting_survey_results": "meeting_start_time", "webinar_survey_results": "webinar_start_time",
           "report_daily_usage": "date", "report_cloud_recording_usage": "date"}
FULL_REFRESH_ONLY = ("groups", "group_members", "roles", "role_members")


def key_of(record: Mapping[str, Any], fields: List[List[str]]) -> tuple:
    return tuple(str(record.get(field[0])) for field in fields)


def catalog_of(discovered, sync_mode: str, tables=ACCOUNT_TABLES) -> Dict[str, Any]:
    return sync_support.catalog_of(discovered, sync_mode, tables)


def only_account_tables(truth: Mapping[str, Any]) -> Dict[str, Any]:
    return sync_support.only_tables(truth, ACCOUNT_TABLES)



@pytest.fixture(scope="module")
def full_sync(fake, discovered):
    fake.reset_stats()
    code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "full_refresh"))
    return code, messages, stderr, fake.stats()


def test_given_discover_then_the_account_tables_are_offered_with_their_keys_and_cursors(discovered):
    offered = {s["name"]: s for s in discovered}
    expected_keys = {"groups": [["id"]], "group_members": [["group_id"], ["id"]], "roles": [["id"]],
                     "role_members": [["role_id"], ["id"]],
                     "meeting_survey_results": [["meeting_uuid"], ["email"], ["respondent_index"]],
                     "webinar_survey_results": [["webinar_uuid"], ["email"], ["respondent_index"]],
                     "report_daily_usage": [["date"]], "report_cloud_recording_usage": [["date"]]}
    for table, key in expected_keys.items():
        assert offered[table]["source_defined_primary_key"] == key, table
    for table, cursor in CURSORS.items():
        assert (offered[table]["supported_sync_modes"], offered[table].get("default_cursor_field")) == (["full_refresh", "incremental"], [cursor])
    for table in FULL_REFRESH_ONLY:
        assert offered[table]["supported_sync_modes"] == ["full_refresh"], table


def test_given_a_full_sync_then_every_record_of_the_account_tables_equals_the_ground_truth(fake, full_sync, keys):
    code, messages, stderr, _ = full_sync
    assert code == 0, stderr[-3000:]
    truth = only_account_tables(fake.ground_truth())

    problems = compare_records(records_by_table(messages), truth, keys)

    assert problems == {}, format_differences(problems)
    assert all(truth["tables"][table]["count"] > 0 for table in ACCOUNT_TABLES)
    # What the model is built to hold: a user in two groups (once per group), anonymous respondents
    # (no email, told apart by position), usage days on both sides of a month's end.
    members = truth["tables"]["group_members"]["records"]
    assert any(sum(m["id"] == member["id"] for m in members) == 2 for member in members)
    assert any(r["email"] == "" for r in truth["tables"]["meeting_survey_results"]["records"])
    assert any(r["email"] == "" for r in truth["tables"]["webinar_survey_results"]["records"])
    months = {r["date"][:7] for r in truth["tables"]["report_daily_usage"]["records"]}
    assert len(months) >= 2


def test_given_a_full_sync_then_survey_reports_are_asked_only_for_instances_the_history_report_lists(fake, full_sync):
    _, _, _, stats = full_sync
    requested = stats["requests_by_endpoint"]
    truth = fake.ground_truth()["tables"]
    # The default start_date is the history report's horizon: no instance is older than it reaches,
    # so one survey request per instance with a survey, and none for the others.
    with_meeting_survey = {r["meeting_uuid"] for r in truth["meeting_survey_results"]["records"]}
    with_webinar_survey = {r["webinar_uuid"] for r in truth["webinar_survey_results"]["records"]}
    assert requested["GET /v2/report/meetings/{meetingId}/survey"] == len(with_meeting_survey)
    assert requested["GET /v2/report/webinars/{webinarId}/survey"] == len(with_webinar_survey)
    # One daily report per calendar month it serves, one storage report per window of at most 30 days.
    months = {r["date"][:7] for r in truth["report_daily_usage"]["records"]}
    assert requested["GET /v2/report/daily"] == len(months)
    storage_days = [dt.date.fromisoformat(r["date"]) for r in truth["report_cloud_recording_usage"]["records"]]
    windows, first = 0, storage_days[0]
    while first <= storage_days[-1]:
        windows, first = windows + 1, window_last_day(first) + dt.timedelta(days=1)
    assert requested["GET /v2/report/cloud_recording"] == windows
    assert requested["GET /v2/groups/{groupId}/members"] == truth["groups"]["count"]
    assert requested["GET /v2/roles/{roleId}/members"] == truth["roles"]["count"]


def test_given_the_reports_horizons_then_no_request_asked_past_them_and_each_table_said_so_once(fake, full_sync):
    """The fake refuses a daily report of a month not wholly within six months, and a storage
    window reaching today or past six months (400 code 300, which fails the table): the sync
    succeeding with every day of the truth shows no window asked past them."""
    code, messages, stderr, _ = full_sync
    assert code == 0, stderr[-3000:]
    assert not errors(messages)
    # The default start_date is the report horizon's day: the daily report's first whole month
    # comes after it, and the days before are said once (the storage report starts on that day).
    daily = [line for line in logs(messages) if "reaches past what Zoom keeps for report_daily_usage" in line]
    assert len(daily) == 1 and "GET /report/daily" in daily[0], daily
    assert not [line for line in logs(messages) if "report_cloud_recording_usage" in line and "reaches past" in line]


def test_given_new_activity_and_removed_members_when_syncing_again_then_what_changed_arrives_and_together_they_equal_the_truth(discovered, keys):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = {**fake.connector_config(), "lookback_days": 0}
        catalog = catalog_of(discovered, "incremental")
        code, first, stderr = run_connector("read", config, catalog)
        assert code == 0, stderr
        first_truth = only_account_tables(fake.ground_truth())
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        # New meetings today: some with surveys (drawn per meeting), and today's usage grows.
        fake.add_data(meetings_per_user=3, started_at=now)
        removed = fake.remove_members()
        fake.reset_stats()

        code, second, stderr = run_connector("read", config, catalog, state=latest_states(first))

        assert code == 0, stderr
        truth = only_account_tables(fake.ground_truth())
        requested = fake.stats()["requests_by_endpoint"]
    first_records, second_records = records_by_table(first), records_by_table(second)
    # The membership removed is gone from the second full refresh; the user's other group stays.
    second_members = {(r["group_id"], r["id"]) for r in second_records["group_members"]}
    assert (removed["group_id"], removed["group_user_id"]) not in second_members
    assert (removed["group_id"], removed["group_user_id"]) in {(r["group_id"], r["id"]) for r in first_records["group_members"]}
    assert any(user == removed["group_user_id"] for _, user in second_members)
    assert (removed["role_id"], removed["role_user_id"]) not in {(r["role_id"], r["id"]) for r in second_records["role_members"]}
    # New surveys arrive; the survey reports already read are not asked again.
    new_surveys = {r["meeting_uuid"] for r in truth["tables"]["meeting_survey_results"]["records"]} - \
                  {r["meeting_uuid"] for r in first_truth["tables"]["meeting_survey_results"]["records"]}
    assert new_surveys and {r["meeting_uuid"] for r in second_records["meeting_survey_results"]} == new_surveys
    assert requested["GET /v2/report/meetings/{meetingId}/survey"] == len(new_surveys)
    # Today's usage: read again (the current month until it is over) with the new meetings in it.
    today = truth["today"]
    today_row = next(r for r in second_records["report_daily_usage"] if r["date"] == today)
    assert today_row == next(r for r in truth["tables"]["report_daily_usage"]["records"] if r["date"] == today)
    assert today_row["meetings"] > next(r for r in first_truth["tables"]["report_daily_usage"]["records"] if r["date"] == today)["meetings"]
    assert requested["GET /v2/report/daily"] == 1
    # Storage is served up to yesterday, which the first sync read: no day is over since.
    assert requested.get("GET /v2/report/cloud_recording", 0) == 0
    # What a destination holds after both: full refresh tables are the second sync's; incremental
    # ones the first's rows, replaced by the second's where the key is the same.
    merged = {}
    for table in ACCOUNT_TABLES:
        rows = {}
        for record in ([] if table in FULL_REFRESH_ONLY else first_records.get(table, [])) + second_records.get(table, []):
            rows[key_of(record, keys[table])] = record
        merged[table] = list(rows.values())
    problems = compare_records(merged, truth, keys)
    assert problems == {}, format_differences(problems)


def test_given_a_plan_without_groups_and_roles_then_those_tables_end_empty_with_one_line_naming_the_plan(discovered):
    with FakeZoomServer(FakeZoomConfig.default(groups_and_roles=False)) as fake:
        tables = ("groups", "group_members", "roles", "role_members")
        code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "full_refresh", tables))
    assert code == 0, stderr
    assert not errors(messages)
    assert not any(records_by_table(messages).get(table) for table in tables)
    for table in ("groups", "roles"):
        named = [line for line in logs(messages) if line.startswith(f"{table}: not available") and "Pro plan or higher" in line]
        assert len(named) == 1, (table, logs(messages))
    for table, listing in (("group_members", "groups"), ("role_members", "roles")):
        named = [line for line in logs(messages) if line.startswith(f"{table}: not read, because {listing} is unavailable") and "paid account" in line]
        assert len(named) == 1, (table, logs(messages))


def test_given_an_account_without_the_webinar_add_on_then_webinar_surveys_end_empty_complete_and_the_plan_is_named(discovered):
    with FakeZoomServer(FakeZoomConfig.default(webinars_per_user=0)) as fake:
        hosts = fake._in_loop(lambda: [setattr(user, "webinar_licence", False) or user.id for user in fake.fake.dataset.hosting_users()])
        code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "full_refresh", ("webinar_survey_results",)))
        truth = fake.ground_truth()["tables"]["webinar_survey_results"]
    assert code == 0, stderr
    assert not errors(messages)
    assert truth["count"] == 0 and not records_by_table(messages).get("webinar_survey_results")
    assert [line for line in logs(messages) if line.startswith("webinar_survey_results: complete, 0 records")]
    # Zoom answers each host's webinar listing "Webinar plan is missing" (400 code 200): said once per host.
    named = [line for line in logs(messages) if "Webinar plan is missing" in line]
    assert len(named) == len(hosts), named


def test_given_an_app_without_the_new_scopes_then_those_tables_end_empty_with_one_warning_naming_the_scope(discovered):
    missing = ("group:read:list_groups:admin", "role:read:list_members:admin", "report:read:meeting_survey:admin",
               "report:read:webinar_survey:admin", "report:read:daily_usage:admin", "report:read:cloud_recording:admin")
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=missing)) as fake:
        code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "full_refresh"))
        truth = only_account_tables(fake.ground_truth())
    assert code == 0, stderr
    assert not errors(messages)
    emptied = ("groups", "group_members", "role_members", "meeting_survey_results", "webinar_survey_results",
               "report_daily_usage", "report_cloud_recording_usage")
    assert not any(records_by_table(messages).get(table) for table in emptied)
    for scope in missing:
        named = [line for line in logs(messages) if f"Add {scope}" in line]
        assert len(named) == 1, (scope, named)
    # roles itself is served: only its members need the missing scope.
    assert compare_records({"roles": records_by_table(messages)["roles"]}, {**truth, "tables": {"roles": truth["tables"]["roles"]}}, {"roles": [["id"]]}) == {}


@pytest.mark.parametrize("auth_type", ["server_to_server_oauth", "oauth2_refresh_token", "jwt"])
def test_given_each_login_when_discovering_and_reading_the_account_tables_then_they_equal_the_ground_truth(auth_type, keys):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        code, discovered_messages, stderr = run_connector("discover", fake.connector_config(auth_type=auth_type))
        assert code == 0, stderr
        streams = next(m["catalog"]["streams"] for m in discovered_messages if m["type"] == "CATALOG")
        assert set(ACCOUNT_TABLES) <= {s["name"] for s in streams}
        # discover used the refresh token up: the read takes the rotated one, as the platform would.
        code, messages, stderr = run_connector("read", fake.connector_config(auth_type=auth_type), catalog_of(streams, "full_refresh"))
        assert code == 0, stderr
        problems = compare_records(records_by_table(messages), only_account_tables(fake.ground_truth()), keys)
    assert problems == {}, format_differences(problems)
