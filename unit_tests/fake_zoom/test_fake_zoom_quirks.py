"""Each special case of the default dataset answers like Zoom does (docs/contract.md, Errors)."""

from urllib.parse import quote

import pytest
from conftest import Api, make_config

from fake_zoom import FakeZoomServer
from fake_zoom.model import needs_double_encoding


def once(uuid: str) -> str:
    return quote(uuid, safe="")


def twice(uuid: str) -> str:
    return quote(quote(uuid, safe=""), safe="")


def error_of(response) -> tuple[int, int, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


@pytest.fixture(scope="module")
def dataset(server):
    return server.fake.dataset


def meeting_instances(dataset):
    return [i for m in dataset.all_meetings() for i in m.instances]


# ----------------------------------------------------------------------------- uuid encoding


def test_given_quirks_when_generating_then_one_uuid_starts_with_slash_and_one_contains_double_slash(dataset):
    uuids = [i.uuid for i in meeting_instances(dataset)]
    assert sum(u.startswith("/") for u in uuids) == 1
    assert sum("//" in u for u in uuids) == 1
    assert all(len(u) == 24 and u.endswith("==") for u in uuids)


@pytest.mark.parametrize("path", ["/past_meetings/{}/polls", "/report/meetings/{}/participants", "/report/meetings/{}"])
def test_given_uuid_needing_double_encoding_when_double_encoded_then_200_and_single_encoded_then_404_3001(
    api, dataset, path
):
    for instance in [i for i in meeting_instances(dataset) if needs_double_encoding(i.uuid)]:
        assert api.get(path.format(twice(instance.uuid))).status_code == 200
        status, code, message = error_of(api.get(path.format(once(instance.uuid))))
        assert (status, code) == (404, 3001) and message.startswith("Meeting does not exist: ")


def test_given_ordinary_uuid_when_single_encoded_then_200_and_double_encoded_then_404_3001(api, dataset):
    instance = next(i for i in meeting_instances(dataset)
                    if ("+" in i.uuid or "/" in i.uuid) and not needs_double_encoding(i.uuid))
    body = api.json(f"/past_meetings/{once(instance.uuid)}/polls")
    assert body["uuid"] == instance.uuid
    assert error_of(api.get(f"/past_meetings/{twice(instance.uuid)}/polls"))[:2] == (404, 3001)


def test_given_meeting_id_when_asking_past_polls_then_latest_instance_answers(api, dataset):
    meeting = next(m for m in dataset.all_meetings() if len(m.instances) > 1)
    latest = max(meeting.instances, key=lambda i: i.start)
    assert api.json(f"/past_meetings/{meeting.id}/polls")["uuid"] == latest.uuid


# ----------------------------------------------------------------------------- errors


def test_given_user_without_webinar_licence_when_listing_webinars_then_400_code_200(api, dataset):
    user = next(u for u in dataset.users if not u.webinar_licence)
    assert error_of(api.get(f"/users/{user.id}/webinars")) == (
        400, 200, "Webinar plan is missing. You must subscribe to the webinar plan and enable webinar for this "
                  "user in order to perform this action.")


def test_given_deleted_meeting_when_listed_then_detail_and_children_answer_404_3001(api, dataset):
    meeting = next(m for m in dataset.all_meetings() if m.deleted)
    listed = api.json(f"/users/{meeting.host_id}/meetings")["meetings"]
    assert meeting.id in [m["id"] for m in listed]
    for suffix in ("", "/registrants", "/registrants/questions", "/polls"):
        assert error_of(api.get(f"/meetings/{meeting.id}{suffix}")) == (
            404, 3001, f"Meeting does not exist: {meeting.id}.")


def test_given_registration_disabled_when_asking_registrants_or_questions_then_400_code_3000(api, dataset):
    meeting = next(m for m in dataset.all_meetings() if not m.deleted and not m.has_registration)
    assert api.json(f"/meetings/{meeting.id}")["settings"]["approval_type"] == 2
    for suffix in ("/registrants", "/registrants/questions"):
        assert error_of(api.get(f"/meetings/{meeting.id}{suffix}")) == (
            400, 3000, f"Registration has not been enabled for this meeting: {meeting.id}.")


def test_given_polls_disabled_user_when_asking_meeting_polls_then_400_code_4400(api, dataset):
    meeting = next(m for m in dataset.all_meetings() if m.polls_disabled)
    assert error_of(api.get(f"/meetings/{meeting.id}/polls")) == (400, 4400, "Meeting poll is not enabled")


@pytest.mark.parametrize("suffix", ["/report/webinars/{}", "/report/webinars/{}/participants",
                                    "/past_webinars/{}/polls", "/past_webinars/{}/qa", "/past_webinars/{}/absentees"])
def test_given_webinar_instance_older_than_a_year_when_looked_up_then_400_code_12702(api, dataset, suffix):
    instance = next(i for w in dataset.all_webinars() for i in w.instances if i.too_old(dataset.today))
    assert error_of(api.get(suffix.format(once(instance.uuid)))) == (
        400, 12702, "Can not access a webinar a year ago.")


def test_given_rejoining_participant_and_guests_when_reading_report_then_rows_are_distinct(api, dataset):
    instance = next(i for i in meeting_instances(dataset) if any(p["id"] == "" for p in i.participants))
    rows = api.pages(f"/report/meetings/{once(instance.uuid)}/participants", "participants")
    guests = [p for p in rows if p["id"] == ""]
    assert len(guests) == 2 and len({g["user_id"] for g in guests}) == 2
    by_join = {}
    for row in rows:
        by_join.setdefault((row["id"], row["user_id"]), []).append(row["join_time"])
    assert any(len(set(times)) == 2 for times in by_join.values())


def test_given_anonymous_poll_when_reading_past_polls_then_two_respondents_have_empty_email(api, dataset):
    instance = next(i for i in meeting_instances(dataset) if any(r["email"] == "" for r in i.poll_results))
    questions = api.json(f"/past_meetings/{once(instance.uuid)}/polls")["questions"]
    anonymous = [q for q in questions if q["email"] == ""]
    assert len(anonymous) == 2 and all(q["name"] == "Anonymous" for q in anonymous)


def test_given_files_endpoints_removed_when_asking_files_then_404_endpoint_removed(api, dataset):
    meeting_uuid = meeting_instances(dataset)[-1].uuid
    webinar_uuid = next(dataset.all_webinars()).instances[0].uuid
    for path in (f"/past_meetings/{once(meeting_uuid)}/files", f"/past_webinars/{once(webinar_uuid)}/files"):
        assert error_of(api.get(path)) == (404, 404, "This API endpoint has been removed.")


def test_given_files_endpoints_present_when_asking_files_then_in_meeting_files_listed():
    with FakeZoomServer(make_config(files_endpoints_removed=False)) as server:
        instance = next(i for m in server.fake.dataset.all_meetings() for i in m.instances
                        if not needs_double_encoding(i.uuid))
        files = Api(server).json(f"/past_meetings/{once(instance.uuid)}/files")["in_meeting_files"]
    assert files and set(files[0]) == {"file_name", "download_url", "file_size"}


# ----------------------------------------------------------------------------- date-ranged listings


def test_given_span_over_a_month_when_listing_report_meetings_then_400_code_300(api, dataset):
    user_id = dataset.users[0].id
    assert api.get(f"/report/users/{user_id}/meetings", **{"from": "2025-05-01", "to": "2025-06-02"}).status_code == 200
    response = api.get(f"/report/users/{user_id}/meetings", **{"from": "2025-05-01", "to": "2025-06-03"})
    assert error_of(response)[:2] == (400, 300)


def test_given_from_older_than_six_months_when_listing_report_meetings_then_400_code_300(api, dataset):
    user_id = dataset.users[0].id
    ok = api.get(f"/report/users/{user_id}/meetings", **{"from": "2024-12-15", "to": "2025-01-14"})
    too_old = api.get(f"/report/users/{user_id}/meetings", **{"from": "2024-12-14", "to": "2025-01-13"})
    assert ok.status_code == 200 and error_of(too_old)[:2] == (400, 300)


def test_given_missing_dates_when_listing_recordings_then_400_code_300(api, dataset):
    assert error_of(api.get(f"/users/{dataset.users[0].id}/recordings"))[:2] == (400, 300)


def test_given_single_participant_instance_when_listing_reports_then_it_is_not_listed(api, dataset):
    lonely = next(i for i in meeting_instances(dataset) if len(i.participants) == 1)
    host = dataset.meetings_by_id[lonely.parent_id].host_id
    day = lonely.start.date().isoformat()
    listed = api.json(f"/report/users/{host}/meetings", **{"from": day, "to": day})["meetings"]
    assert lonely.uuid not in [m["uuid"] for m in listed]
