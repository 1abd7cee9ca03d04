"""The default dataset models a real company's account (docs/contract.md, "What a sync returns")."""

import datetime as dt
from urllib.parse import quote

import pytest
import requests
from conftest import Api, make_config

from fake_zoom import FakeZoomServer
from fake_zoom.generate import boundary_starts

TODAY_DATE = dt.date(2025, 6, 15)
REPORT_LISTING_FIELDS = {
    "uuid", "id", "type", "topic", "user_name", "user_email", "start_time", "end_time", "duration", "total_minutes",
    "participants_count", "source", "session_key", "custom_keys", "has_recording", "has_screen_share", "has_chat",
    "schedule_time", "host_name", "host_organization", "meeting_encryption_status", "join_time", "leave_time",
    "participants_count_my_account",
}
REPORT_DETAIL_FIELDS = {
    "uuid", "id", "type", "topic", "user_name", "user_email", "start_time", "end_time", "duration", "total_minutes",
    "participants_count", "dept", "custom_keys", "tracking_fields",
}
HISTORY_FIELDS = {
    "meeting_uuid", "meeting_id", "type", "host_display_name", "host_email", "start_time", "end_time", "topic",
    "participants", "duration", "total_participant_minutes", "department", "group", "source", "create_time",
    "custom_fields", "tracking_fields", "feature_used",
}


def once(uuid: str) -> str:
    encoded = quote(uuid, safe="")
    return quote(encoded, safe="") if uuid.startswith("/") or "//" in uuid else encoded


def error_of(response) -> tuple[int, int, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


@pytest.fixture(scope="module")
def dataset(server):
    return server.fake.dataset


def instance_at(dataset, start: dt.datetime):
    matches = [i for m in dataset.all_meetings() for i in m.instances if i.start == start]
    assert len(matches) == 1, start
    return matches[0]


# ----------------------------------------------------------------------------- users


@pytest.mark.parametrize("status, count", [("active", 5), ("inactive", 2), ("pending", 2)])
def test_given_status_when_listing_users_then_only_users_of_that_status(api, status, count):
    users = api.pages("/users", "users", status=status)
    assert len(users) == count and {u["status"] for u in users} == {status}


def test_given_no_status_when_listing_users_then_active_only(api):
    assert {u["status"] for u in api.pages("/users", "users")} == {"active"}
    assert api.get("/users", status="deleted").json()["code"] == 300


def test_given_pending_users_when_listing_then_one_has_no_id_and_their_endpoints_answer_1001(api):
    pending = api.pages("/users", "users", status="pending")
    assert ["id" in u for u in pending] == [False, True]
    for user in pending:
        for path in ("/users/{}/meetings", "/users/{}/webinars"):
            assert error_of(api.get(path.format(user["email"])))[:2] == (404, 1001)
        assert error_of(api.get(f"/report/users/{user['email']}/meetings",
                                **{"from": "2025-06-01", "to": "2025-06-15"}))[:2] == (404, 1001)


def test_given_pending_user_when_getting_by_email_then_its_record_with_status_pending(api):
    for user in api.pages("/users", "users", status="pending"):
        assert api.json(f"/users/{user['email']}") == user


def test_given_inactive_user_when_reading_per_user_endpoints_then_they_still_hold_history(api):
    user = api.pages("/users", "users", status="inactive")[0]
    assert api.pages(f"/users/{user['id']}/meetings", "meetings", type="scheduled")
    assert api.json(f"/users/{user['id']}/webinars", page_size=300)["webinars"]
    windows = [("2025-05-16", "2025-06-15"), ("2025-04-16", "2025-05-15"), ("2025-03-16", "2025-04-15"),
               ("2025-02-16", "2025-03-15"), ("2025-01-16", "2025-02-15")]
    reports = [r for start, end in windows
               for r in api.pages(f"/report/users/{user['id']}/meetings", "meetings", **{"from": start, "to": end})]
    recordings = [r for start, end in windows
                  for r in api.pages(f"/users/{user['id']}/recordings", "meetings", **{"from": start, "to": end})]
    assert reports and recordings
    assert {r["user_email"] for r in reports} == {user["email"]}


# ----------------------------------------------------------------------------- registrants


def registrant_statuses(api, kind: str, entity_id: int) -> dict[str, list[str]]:
    return {status: [r["id"] for r in api.pages(f"/{kind}/{entity_id}/registrants", "registrants", status=status)]
            for status in ("approved", "pending", "denied")}


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
def test_given_manual_approval_when_listing_each_status_then_approved_pending_and_denied(api, dataset, kind):
    parents = dataset.all_meetings() if kind == "meetings" else dataset.all_webinars()
    parent = next(p for p in parents if p.served and p.detail["settings"]["approval_type"] == 1)
    by_status = registrant_statuses(api, kind, parent.id)
    assert {status: len(ids) for status, ids in by_status.items()} == {"approved": 3, "pending": 1, "denied": 1}
    every = [i for ids in by_status.values() for i in ids]
    assert len(every) == len(set(every)) == 5
    assert [r["id"] for r in api.pages(f"/{kind}/{parent.id}/registrants", "registrants")] == by_status["approved"]


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
def test_given_automatic_approval_when_listing_each_status_then_approved_and_denied_never_pending(api, dataset, kind):
    parents = dataset.all_meetings() if kind == "meetings" else dataset.all_webinars()
    parent = next(p for p in parents if p.served and p.detail["settings"]["approval_type"] == 0)
    by_status = registrant_statuses(api, kind, parent.id)
    assert {status: len(ids) for status, ids in by_status.items()} == {"approved": 4, "pending": 0, "denied": 1}
    rows = api.pages(f"/{kind}/{parent.id}/registrants", "registrants", status="denied")
    assert [r["status"] for r in rows] == ["denied"]


# ----------------------------------------------------------------------------- report listing vs detail


def test_given_report_listing_when_reading_rows_then_rivet_fields_without_dept_host_or_tracking(api, dataset):
    user = dataset.users[0]
    rows = api.pages(f"/report/users/{user.id}/meetings", "meetings", type="past",
                     **{"from": "2025-05-16", "to": "2025-06-15"})
    assert rows and all(set(row) == REPORT_LISTING_FIELDS for row in rows)
    detail = api.json(f"/report/meetings/{once(rows[0]['uuid'])}")
    assert set(detail) == REPORT_DETAIL_FIELDS
    assert detail["dept"] == user.record["dept"]
    assert detail["tracking_fields"] == [{"field": "Project", "value": "Fake"}]


def test_given_report_listing_when_reading_rows_then_the_host_s_own_attendance_and_account_count(api, dataset):
    rows = [row for user in dataset.hosting_users()
            for row in api.pages(f"/report/users/{user.id}/meetings", "meetings", type="past",
                                 **{"from": "2025-05-16", "to": "2025-06-15"})]
    assert rows
    for row in rows:
        assert (row["join_time"], row["leave_time"]) == (row["start_time"], row["end_time"])
        participants = api.pages(f"/report/meetings/{once(row['uuid'])}/participants", "participants")
        assert row["participants_count_my_account"] == len([p for p in participants if p["id"]])
        meeting = dataset.meetings_by_id[row["id"]]
        assert row["custom_keys"] == ([{"key": "booking_ref", "value": f"BK-{row['id']}"}] if meeting.has_registration else [])
    assert any(row["custom_keys"] for row in rows) and any(row["participants_count_my_account"] for row in rows)
    # The instance with two guests: 4 participants, one of them again (a rejoin), and the 2 guests.
    crowded = next(i for m in dataset.all_meetings() for i in m.instances if any(not p["id"] for p in i.participants))
    day = crowded.start.date().isoformat()
    listed = api.pages(f"/report/users/{dataset.host_of(crowded).id}/meetings", "meetings", type="past",
                       **{"from": day, "to": day})
    row = next(r for r in listed if r["uuid"] == crowded.uuid)
    assert (row["participants_count"], row["participants_count_my_account"]) == (7, 5)


def test_given_webinar_report_when_reading_then_detail_fields(api, dataset):
    webinar = next(w for w in dataset.all_webinars() if w.listed)
    instance = next(i for i in webinar.instances if not i.too_old(TODAY_DATE))
    assert set(api.json(f"/report/webinars/{once(instance.uuid)}")) == REPORT_DETAIL_FIELDS


# ----------------------------------------------------------------------------- include_fields


@pytest.mark.parametrize("kind", ["meetings", "webinars"])
def test_given_include_fields_when_reading_participants_then_registrant_id_only_when_asked(api, dataset, kind):
    parents = dataset.all_meetings() if kind == "meetings" else dataset.all_webinars()
    parent = next(p for p in parents if p.served and p.has_registration and p.instances
                  and not p.instances[0].too_old(TODAY_DATE))
    path = f"/report/{kind}/{once(parent.instances[0].uuid)}/participants"
    plain = api.pages(path, "participants")
    asked = api.pages(path, "participants", include_fields="registrant_id")
    assert plain and all("registrant_id" not in row for row in plain)
    approved = {r["id"] for r in api.pages(f"/{kind}/{parent.id}/registrants", "registrants")}
    assert {row["registrant_id"] for row in asked if row["id"]} <= approved
    assert all(row["registrant_id"] for row in asked if row["id"])


# ----------------------------------------------------------------------------- history listing


def history(api, start: str, end: str, **params) -> list:
    return api.pages("/report/history_meetings", "history_meetings", **{"from": start, "to": end}, **params)


def test_given_history_listing_when_reading_then_every_instance_of_every_host_in_the_window(api, dataset):
    rows = history(api, "2025-05-16", "2025-06-15", date_type="start_time", meeting_type="all")
    expected = {i.uuid for u in dataset.users for p in u.meetings + u.webinars for i in p.instances
                if dt.date(2025, 5, 16) <= i.start.date() <= dt.date(2025, 6, 15)}
    assert {r["meeting_uuid"] for r in rows} == expected
    assert all(set(r) == HISTORY_FIELDS for r in rows)
    unlisted = [m for m in dataset.all_meetings() if not m.listed and m.instances]
    lonely = [i.uuid for m in dataset.all_meetings() for i in m.instances if len(i.participants) == 1]
    everywhere = {r["meeting_uuid"] for r in history(api, "2025-05-16", "2025-06-15")} | {
        r["meeting_uuid"] for start, end in (("2024-12-15", "2025-01-14"), ("2025-01-15", "2025-02-14"),
                                             ("2025-02-15", "2025-03-14"), ("2025-03-15", "2025-04-14"),
                                             ("2025-04-15", "2025-05-15"))
        for r in history(api, start, end)}
    assert any(m.instances[0].uuid in everywhere for m in unlisted) and set(lonely) <= everywhere


def test_given_history_row_when_reading_then_department_tracking_fields_and_features_are_the_instances(api, dataset):
    rows = {r["meeting_uuid"]: r for r in history(api, "2025-05-16", "2025-06-15")}
    for uuid, row in rows.items():
        instance = dataset.meeting_instances_by_uuid.get(uuid) or dataset.webinar_instances_by_uuid[uuid]
        parent, host = dataset.parent_of(instance), dataset.host_of(instance)
        assert row["type"] == ("Meeting" if instance.kind == "meeting" else "Webinar")
        assert row["department"] == host.record["dept"] and row["host_email"] == host.record["email"]
        assert row["tracking_fields"] == [{"field": "Project", "value": "Fake"}]  # without the meeting's `visible`
        assert row["feature_used"]["registration"] is (parent.detail["settings"]["approval_type"] in (0, 1))
        assert row["feature_used"]["poll"] is bool(parent.polls)
        assert row["participants"] == len(instance.participants)


def test_given_meeting_type_when_listing_history_then_only_that_kind(api, dataset):
    webinar_instance = next(i for w in dataset.all_webinars() for i in w.instances
                            if i.start.date() >= dt.date(2024, 12, 15))
    day = webinar_instance.start.date().isoformat()
    every = history(api, day, day)
    webinars = history(api, day, day, meeting_type="webinar")
    meetings = history(api, day, day, meeting_type="meeting")
    assert webinar_instance.uuid in {r["meeting_uuid"] for r in webinars}
    assert {r["type"] for r in webinars} == {"Webinar"} and "Webinar" not in {r["type"] for r in meetings}
    assert sorted(r["meeting_uuid"] for r in every) == sorted(r["meeting_uuid"] for r in webinars + meetings)


def test_given_from_before_report_horizon_when_listing_history_then_400_code_300_like_the_report(api, dataset):
    ok = api.get("/report/history_meetings", **{"from": "2024-12-15", "to": "2025-01-14"})
    refused = api.get("/report/history_meetings", **{"from": "2024-12-14", "to": "2025-01-13"})
    report = api.get(f"/report/users/{dataset.users[0].id}/meetings", **{"from": "2024-12-14", "to": "2025-01-13"})
    assert ok.status_code == 200
    assert error_of(refused) == error_of(report) == (
        400, 300, "The 'from' date cannot be earlier than 6 months before today.")
    assert error_of(api.get("/report/history_meetings", **{"from": "2025-05-01", "to": "2025-06-03"}))[:2] == (400, 300)
    assert error_of(api.get("/report/history_meetings"))[:2] == (400, 300)


def test_given_small_pages_when_listing_history_then_tokens_lead_through_every_row(api):
    window = {"from": "2025-05-16", "to": "2025-06-15"}
    whole = api.json("/report/history_meetings", page_size=300, **window)["history_meetings"]
    first = api.json("/report/history_meetings", page_size=2, **window)
    paged = api.pages("/report/history_meetings", "history_meetings", page_size=2, **window)
    assert len(first["history_meetings"]) == 2 and first["next_page_token"]
    assert len(whole) > 4 and paged == whole


# ----------------------------------------------------------------------------- history beyond listings


def test_given_expired_one_time_meeting_when_asked_then_unlisted_3001_but_its_instance_served(api, dataset):
    meeting = next(m for m in dataset.all_meetings() if m.expired and m.instances
                   and m.instances[0].start.date() >= dt.date(2024, 12, 15) and len(m.instances[0].participants) > 1)
    assert meeting.detail["type"] == 2
    assert (TODAY_DATE - meeting.instances[0].start.date()).days > 30
    listed = api.pages(f"/users/{meeting.host_id}/meetings", "meetings", type="scheduled")
    assert meeting.id not in [m["id"] for m in listed]
    assert error_of(api.get(f"/meetings/{meeting.id}"))[:2] == (404, 3001)
    uuid = meeting.instances[0].uuid
    assert [i["uuid"] for i in api.json(f"/past_meetings/{meeting.id}/instances")["meetings"]] == [uuid]
    for path in ("/report/meetings/{}", "/report/meetings/{}/participants", "/past_meetings/{}/polls"):
        assert api.get(path.format(once(uuid))).status_code == 200, path


@pytest.mark.parametrize("meeting_type", [1, 4])
def test_given_instant_or_pmi_meeting_when_asked_then_never_listed_but_instances_served(api, dataset, meeting_type):
    meeting = next(m for m in dataset.all_meetings() if m.detail["type"] == meeting_type)
    listed = api.pages(f"/users/{meeting.host_id}/meetings", "meetings", type="scheduled")
    assert meeting.id not in [m["id"] for m in listed]
    if meeting_type == 4:
        assert meeting.id == dataset.users_by_id[meeting.host_id].record["pmi"]
    uuid = meeting.instances[0].uuid
    assert api.json(f"/past_meetings/{meeting.id}/instances")["meetings"][0]["uuid"] == uuid
    for path in ("/report/meetings/{}", "/report/meetings/{}/participants", "/past_meetings/{}/polls"):
        assert api.get(path.format(once(uuid))).status_code == 200, path


def test_given_webinar_deleted_90_days_after_it_ended_when_asked_then_unlisted_3001_but_instance_served(
        api, dataset):
    webinar = next(w for w in dataset.all_webinars() if w.expired and w.has_registration)
    assert (TODAY_DATE - webinar.instances[0].end.date()).days > 90
    listed = api.json(f"/users/{webinar.host_id}/webinars", page_size=300)["webinars"]
    assert webinar.id not in [w["id"] for w in listed]
    assert error_of(api.get(f"/webinars/{webinar.id}"))[:2] == (404, 3001)
    uuid = once(webinar.instances[0].uuid)
    for path in ("/report/webinars/{}", "/report/webinars/{}/participants", "/past_webinars/{}/polls",
                 "/past_webinars/{}/qa", "/past_webinars/{}/absentees"):
        assert api.get(path.format(uuid)).status_code == 200, path


def test_given_unlisted_instances_older_than_report_horizon_when_listing_then_nothing_lists_them(api, dataset):
    out_of_reach = [i for p in list(dataset.all_meetings()) + list(dataset.all_webinars()) if not p.listed
                    for i in p.instances if i.start.date() < dt.date(2024, 12, 15)]
    assert len(out_of_reach) >= 3 and not any(i.too_old(TODAY_DATE) for i in out_of_reach)
    for instance in out_of_reach:  # still served by a lookup ...
        kind = "meetings" if instance.kind == "meeting" else "webinars"
        assert api.get(f"/report/{kind}/{once(instance.uuid)}").status_code == 200
    truth_uuids = {key[0] for table in ("report_meetings", "report_webinars")
                   for key in api.server.ground_truth("2023-01-01T00:00:00Z")["tables"][table]["primary_keys"]}
    assert not truth_uuids & {i.uuid for i in out_of_reach}  # ... but out of a sync's reach


# ----------------------------------------------------------------------------- lookup limit


@pytest.mark.parametrize("path", ["/report/meetings/{}", "/report/meetings/{}/participants", "/past_meetings/{}/polls"])
def test_given_instance_beyond_lookup_limit_when_looked_up_then_12702_and_one_day_later_served(api, dataset, path):
    starts = boundary_starts(TODAY_DATE)
    served = instance_at(dataset, starts["at_lookup_limit"])
    too_old = instance_at(dataset, starts["before_lookup_limit"])
    assert api.get(path.format(once(served.uuid))).status_code == 200
    assert error_of(api.get(path.format(once(too_old.uuid)))) == (400, 12702, "Can not access a meeting a year ago.")
    listed = api.json(f"/past_meetings/{served.parent_id}/instances")["meetings"]
    assert {served.uuid, too_old.uuid} <= {i["uuid"] for i in listed}


# ----------------------------------------------------------------------------- boundaries


def report_uuids(api, dataset, user_id: str, start: str, end: str) -> set:
    rows = api.pages(f"/report/users/{user_id}/meetings", "meetings", **{"from": start, "to": end})
    return {r["uuid"] for r in rows}


def test_given_window_edge_instances_when_listing_both_windows_then_last_minute_is_in_both(api, dataset):
    starts = boundary_starts(TODAY_DATE)
    host = dataset.users[0].id
    for prefix, first, second in (("example_window", ("2025-05-01", "2025-05-31"), ("2025-06-01", "2025-06-15")),
                                  ("horizon_window", ("2024-12-15", "2025-01-14"), ("2025-01-15", "2025-02-14"))):
        last_minute = instance_at(dataset, starts[f"{prefix}_last_minute"]).uuid
        next_day = instance_at(dataset, starts[f"{prefix}_next_day"]).uuid
        before, after = report_uuids(api, dataset, host, *first), report_uuids(api, dataset, host, *second)
        assert last_minute in before and last_minute in after  # it runs past midnight
        assert next_day in after and next_day not in before


def test_given_report_horizon_boundary_when_listing_then_day_of_horizon_listed_and_day_before_not(api, dataset):
    starts = boundary_starts(TODAY_DATE)
    at = instance_at(dataset, starts["at_report_horizon"])
    before = instance_at(dataset, starts["before_report_horizon"])
    host = dataset.users[0].id
    assert at.uuid in report_uuids(api, dataset, host, "2024-12-15", "2025-01-14")
    assert at.uuid in {r["meeting_uuid"] for r in history(api, "2024-12-15", "2025-01-14")}
    truth = {i for k in api.server.ground_truth("2023-01-01T00:00:00Z")["tables"]["report_meeting_participants"][
        "primary_keys"] for i in [k[2]]}
    assert at.uuid in truth and before.uuid not in truth


def test_given_example_start_date_when_computing_truth_then_instance_at_it_counts_and_one_minute_earlier_not(server):
    dataset = server.fake.dataset
    starts = boundary_starts(TODAY_DATE)
    at = instance_at(dataset, starts["at_example_start"])
    before = instance_at(dataset, starts["before_example_start"])
    truth = server.ground_truth(server.example_start_date)["tables"]
    reported = {k[0] for k in truth["report_meetings"]["primary_keys"]}
    assert server.example_start_date == "2025-05-01T12:00:00Z"
    assert at.uuid in reported and before.uuid not in reported
    older = [i for m in dataset.all_meetings() for i in m.instances if i.start < starts["at_example_start"]]
    assert len(older) > 10  # the start date lies inside the data


# ----------------------------------------------------------------------------- scopes


def test_given_missing_scope_when_calling_its_endpoint_then_4711_until_granted(dataset):
    with FakeZoomServer(make_config()) as server:
        api = Api(server)
        webinar = next(w for w in server.fake.dataset.all_webinars() if w.listed and w.has_registration)
        before = api.get(f"/webinars/{webinar.id}/tracking_sources")
        other = api.get(f"/webinars/{webinar.id}/panelists")
        truth_before = server.ground_truth()["tables"]["webinar_tracking_sources"]["count"]
        server.grant_scope("webinar:read:list_tracking_sources:admin")
        after = api.get(f"/webinars/{webinar.id}/tracking_sources")
        truth_after = server.ground_truth()["tables"]["webinar_tracking_sources"]["count"]
    assert error_of(before) == (400, 4711, "Invalid access token, does not contain "
                                           "scopes:[webinar:read:list_tracking_sources:admin]")
    assert other.status_code == 200 and after.status_code == 200 and after.json()["tracking_sources"]
    assert truth_before == 0 and truth_after > 0


def test_given_http_grant_scope_when_posted_then_scope_granted():
    with FakeZoomServer(make_config(missing_scopes=("user:read:list_users:admin",))) as server:
        refused = Api(server).get("/users")
        granted = requests.post(server.url + "/_fake/grant_scope", json={"scope": "user:read:list_users:admin"},
                                timeout=10)
        bad = requests.post(server.url + "/_fake/grant_scope", json={}, timeout=10)
        answered = Api(server).get("/users")
    assert error_of(refused)[:2] == (400, 4711)
    assert granted.json() == {"missing_scopes": []} and bad.status_code == 400 and answered.status_code == 200


def test_given_every_route_when_mapping_scopes_then_each_has_one_granular_scope():
    from fake_zoom.routes import ROUTES
    assert len({r.template for r in ROUTES}) == len(ROUTES)
    scoped = [r for r in ROUTES if r.scope is not None]
    assert all(r.scope.count(":") == 3 and r.scope.endswith(":admin") and ":read:" in r.scope for r in scoped)
    # Only the endpoints Zoom removed check none: its granular-scope page names none for them.
    assert sorted(r.template for r in ROUTES if r.scope is None) == ["/v2/past_meetings/{meetingId}/files", "/v2/past_webinars/{webinarId}/files"]


# ----------------------------------------------------------------------------- daily cap


def test_given_daily_cap_used_up_when_heavy_request_then_real_429_without_type_or_retry_after_until_reset():
    with FakeZoomServer(make_config(heavy_daily_limit=2)) as server:
        api = Api(server)
        path, window = f"/report/users/{server.fake.dataset.users[0].id}/meetings", {"from": "2025-06-01",
                                                                                    "to": "2025-06-15"}
        used = [api.get(path, **window).status_code for _ in range(2)]
        capped = api.get(path, **window)
        medium = api.get("/users")
        server.reset_daily_limits()
        next_day = api.get(path, **window)
        capped_again = [api.get(path, **window).status_code for _ in range(2)]
        requests.post(server.url + "/_fake/reset_daily", timeout=10)
        after_http_reset = api.get(path, **window)
    assert used == [200, 200] and medium.status_code == 200
    assert capped.status_code == 429 and capped.json() == {
        "code": 429, "message": "You have reached the maximum daily rate limit for this API. Try again later."}
    names = set(capped.raw.headers.keys())
    assert {"x-ratelimit-category", "x-ratelimit-remaining"} <= names
    assert capped.headers["x-ratelimit-category"] == "Heavy" and capped.headers["x-ratelimit-remaining"] == "0"
    assert "X-RateLimit-Category" not in names
    assert "x-ratelimit-type" not in {n.lower() for n in names} and "retry-after" not in {n.lower() for n in names}
    assert next_day.status_code == 200 and capped_again == [200, 429] and after_http_reset.status_code == 200


def test_given_report_type_past_one_when_listing_then_only_single_participant_instances(api, dataset):
    lonely = next(i for m in dataset.all_meetings() for i in m.instances if len(i.participants) == 1)
    host = dataset.parent_of(lonely).host_id
    day = lonely.start.date().isoformat()
    past = api.pages(f"/report/users/{host}/meetings", "meetings", type="past", **{"from": day, "to": day})
    one = api.pages(f"/report/users/{host}/meetings", "meetings", type="pastOne", **{"from": day, "to": day})
    assert lonely.uuid not in {r["uuid"] for r in past}
    assert [r["uuid"] for r in one] == [lonely.uuid] and one[0]["participants_count"] == 1
    assert api.get(f"/report/users/{host}/meetings", type="all", **{"from": day, "to": day}).json()["code"] == 300


def test_given_date_type_end_time_when_listing_history_then_an_instance_past_midnight_is_on_its_end_day(api, dataset):
    last_minute = instance_at(dataset, boundary_starts(TODAY_DATE)["example_window_last_minute"])
    by_start = {r["meeting_uuid"] for r in history(api, "2025-06-01", "2025-06-01", date_type="start_time")}
    by_end = {r["meeting_uuid"] for r in history(api, "2025-06-01", "2025-06-01", date_type="end_time")}
    assert last_minute.end.date() == dt.date(2025, 6, 1)
    assert last_minute.uuid in by_end and last_minute.uuid not in by_start
