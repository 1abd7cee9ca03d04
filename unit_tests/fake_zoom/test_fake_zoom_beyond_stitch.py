"""The fake's AI Companion summaries, transcript files, meeting Q&A and audit logs answer by Zoom's
documented rules (docs/contract.md), with the cases a sync must survive."""

import datetime as dt
from urllib.parse import quote

import pytest
import requests
from conftest import Api, make_config

from fake_zoom import FakeZoomServer
from fake_zoom.account import add_past_meetings, build_dataset
from fake_zoom.model import needs_double_encoding
from fake_zoom.ground_truth import compute_ground_truth
from fake_zoom.meeting_qa import ANONYMOUS
from fake_zoom.transcripts import NON_ASCII_LINE

NEW_TABLES = ("meeting_summaries", "recording_transcript_segments", "meeting_qna_results", "report_sign_in_activities",
              "report_operation_logs")


def segment(uuid: str) -> str:
    once = quote(uuid, safe="")
    return quote(once, safe="") if needs_double_encoding(uuid) else once


@pytest.fixture(scope="module")
def dataset(server):
    return server.fake.dataset


def error_of(response):
    return response.status_code, response.json()["code"]


# ----------------------------------------------------------------------------- AI Companion


def test_given_hosts_with_and_without_ai_companion_then_only_theirs_are_summarised(dataset):
    hosts = dataset.hosting_users()
    assert any(h.ai_companion for h in hosts) and any(not h.ai_companion for h in hosts)
    assert dataset.summaries and all(dataset.host_of(s.instance).ai_companion for s in dataset.summaries.values())
    assert {s.instance.kind for s in dataset.summaries.values()} == {"meeting", "webinar"}


def test_given_a_month_when_listing_summaries_then_those_of_meetings_that_started_in_it_are_listed(api, dataset):
    listed = api.pages("/meetings/meeting_summaries", "summaries", **{"from": "2025-05-01", "to": "2025-05-31"})
    expected = {s.uuid for s in dataset.summaries.values() if dt.date(2025, 5, 1) <= s.instance.start.date() <= dt.date(2025, 5, 31)}
    assert {row["meeting_uuid"] for row in listed} == expected and expected
    too_long = api.get("/meetings/meeting_summaries", **{"from": "2025-03-01", "to": "2025-05-31"})
    assert error_of(too_long) == (400, 300)


def test_given_a_summary_when_asked_by_its_uuid_then_zoom_s_encoding_rule_applies(api, dataset):
    for summary in dataset.summaries.values():
        detail = api.json(f"/meetings/{segment(summary.uuid)}/meeting_summary")
        assert detail["meeting_uuid"] == summary.uuid and detail["summary_content"].startswith("## Quick recap")
    quirky = [s for s in dataset.summaries.values() if needs_double_encoding(s.uuid)]
    for summary in quirky:
        assert error_of(api.get(f"/meetings/{quote(summary.uuid, safe='')}/meeting_summary")) == (404, 3001)


def test_given_an_edit_when_asked_again_then_the_summary_has_a_new_revision_and_a_later_modified_time():
    with FakeZoomServer(make_config()) as server:
        api = Api(server)
        uuid = sorted(server.fake.dataset.summaries.values(), key=lambda s: (s.instance.start, s.uuid))[0].uuid
        before = api.json(f"/meetings/{segment(uuid)}/meeting_summary")

        edited = server.edit_summaries(1, at=dt.datetime(2025, 6, 14, 9, 30))

        after = api.json(f"/meetings/{segment(uuid)}/meeting_summary")
    assert edited == [uuid]
    assert after["summary_last_modified_time"] == "2025-06-14T09:30:00Z" > before["summary_last_modified_time"]
    assert after["edited_summary"]["next_steps"] and after["summary_content"] != before["summary_content"]
    assert after["summary_created_time"] == before["summary_created_time"]


def test_given_an_account_without_ai_companion_then_no_summary_is_listed():
    dataset = build_dataset(make_config(ai_companion=False))
    assert dataset.summaries == {}
    assert compute_ground_truth(dataset)["tables"]["meeting_summaries"]["count"] == 0


# ----------------------------------------------------------------------------- transcripts


def transcripts_in_range(dataset):
    horizon = dt.date(2024, 12, 15)
    return [t for t in dataset.transcripts.values() if t.instance.start.date() >= horizon]


def test_given_the_default_dataset_then_its_transcripts_hold_every_case_a_sync_must_survive(dataset):
    files = transcripts_in_range(dataset)
    cues = [cue for t in files for cue in t.cues]
    assert any(len({c.speaker for c in t.cues if c.speaker}) >= 2 for t in files)
    assert any(c.speaker is None for c in cues)
    assert any(c.no_time_line for c in cues) and any(c.raw is not None for c in cues)
    assert any(NON_ASCII_LINE in c.text for c in cues)
    assert sum(not t.header for t in files) == 1
    assert sum(t.status == "processing" for t in files) == 1
    assert sum(t.foreign_host for t in files) == 1 and sum(t.deleted_after_listing for t in files) == 1


def test_given_a_transcript_when_listed_and_downloaded_then_the_listing_points_back_here_and_serves_it_with_the_token(server, api):
    recordings = [r for u in server.fake.dataset.hosting_users() if u.id for r in api.pages(
        f"/users/{u.id}/recordings", "meetings", **{"from": "2025-05-16", "to": "2025-06-15"})]
    files = [f for r in recordings for f in r["recording_files"] if f["file_type"] == "TRANSCRIPT"]
    here = [f for f in files if f["download_url"].startswith(server.url + "/rec/download/")]
    elsewhere = [f for f in files if f["download_url"].startswith(f"http://localhost:{server.port}/")]
    assert here and len(here) + len(elsewhere) == len(files)

    served = requests.get(here[0]["download_url"], headers={"Authorization": "Bearer fake-jwt-token"}, timeout=10)
    anonymous = requests.get(here[0]["download_url"], timeout=10)

    assert served.status_code == 200 and b"-->" in served.content
    assert len(served.content) == here[0]["file_size"]
    assert error_of(anonymous) == (401, 124)
    assert server.stats()["downloads_with_token_by_host"].get("127.0.0.1", 0) >= 1


def test_given_a_file_deleted_after_the_listing_when_downloaded_then_zoom_answers_404(server, dataset):
    gone = next(t for t in dataset.transcripts.values() if t.deleted_after_listing)
    response = requests.get(f"{server.url}/rec/download/{gone.id}", headers={"Authorization": "Bearer fake-jwt-token"}, timeout=10)
    assert error_of(response) == (404, 3301)


def test_given_the_truth_then_a_transcript_zoom_does_not_serve_has_no_rows_and_a_cue_without_timing_is_not_a_row(dataset):
    rows = compute_ground_truth(dataset)["tables"]["recording_transcript_segments"]["records"]
    by_file = {row["recording_file_id"] for row in rows}
    for transcript in dataset.transcripts.values():
        if not transcript.downloadable:
            assert transcript.id not in by_file
    broken = next(t for t in dataset.transcripts.values() if any(c.no_time_line for c in t.cues))
    indexes = [row["cue_index"] for row in rows if row["recording_file_id"] == broken.id]
    missing = [i for i, c in enumerate(broken.cues) if c.no_time_line]
    assert indexes == [i for i in range(len(broken.cues)) if i not in missing]


# ----------------------------------------------------------------------------- meeting Q&A


def test_given_meetings_with_q_and_a_then_the_report_has_anonymous_askers_and_the_history_report_lists_exactly_them(api, dataset):
    with_qa = [i for i in dataset.all_instances() if i.kind == "meeting" and i.qa and i.start.date() >= dt.date(2025, 5, 16)]
    assert with_qa
    body = api.json(f"/report/meetings/{segment(with_qa[0].uuid)}/qa")
    assert any(q["name"] == ANONYMOUS and q["email"] == "" for q in body["questions"])
    assert body["uuid"] == with_qa[0].uuid
    listed = api.pages("/report/history_meetings", "history_meetings", report_type="qa", **{"from": "2025-05-16", "to": "2025-06-15"})
    in_window = {i.uuid for i in dataset.all_instances() if i.qa and dt.date(2025, 5, 16) <= i.start.date() <= dt.date(2025, 6, 15)}
    assert {row["meeting_uuid"] for row in listed} == in_window
    assert dataset.parent_of(with_qa[0]).detail["settings"]["question_and_answer"]["enable"] is True


# ----------------------------------------------------------------------------- audit logs


def test_given_a_window_edge_when_listing_sign_ins_then_its_last_second_and_the_next_day_s_first_fall_in_two_windows(api):
    may = api.pages("/report/activities", "activity_logs", **{"from": "2025-05-01", "to": "2025-05-31"})
    june = api.pages("/report/activities", "activity_logs", **{"from": "2025-06-01", "to": "2025-06-15"})
    assert "2025-05-31T23:59:59Z" in {row["time"] for row in may}
    assert "2025-06-01T00:00:00Z" in {row["time"] for row in june}
    assert not {row["time"] for row in may} & {row["time"] for row in june}
    assert {row["type"] for row in may} == {"Sign in", "Sign out"}


def test_given_a_from_before_six_months_or_a_range_over_a_month_when_listing_audit_logs_then_zoom_refuses(api):
    for path in ("/report/activities", "/report/operationlogs"):
        assert error_of(api.get(path, **{"from": "2024-12-14", "to": "2025-01-10"})) == (400, 300)
        assert api.get(path, **{"from": "2024-12-15", "to": "2025-01-14"}).status_code == 200
        assert error_of(api.get(path, **{"from": "2025-03-01", "to": "2025-05-31"})) == (400, 300)


def test_given_a_category_when_listing_operation_logs_then_only_its_entries_are_listed(api):
    every = api.pages("/report/operationlogs", "operation_logs", **{"from": "2025-05-16", "to": "2025-06-15"})
    category = every[0]["category_type"]
    chosen = api.pages("/report/operationlogs", "operation_logs", category_type=category, **{"from": "2025-05-16", "to": "2025-06-15"})
    assert chosen == [row for row in every if row["category_type"] == category]
    assert len(every) > len(chosen)


def test_given_new_meetings_when_added_then_their_hosts_sign_in_and_new_summaries_q_and_a_and_transcripts_may_come():
    dataset = build_dataset(make_config())
    before = (len(dataset.sign_in_logs), len(dataset.operation_logs), len(dataset.summaries))
    add_past_meetings(dataset, 3, started_at=dt.datetime(2025, 6, 15, 8, 0))
    assert len(dataset.sign_in_logs) > before[0] and len(dataset.operation_logs) > before[1]
    assert len(dataset.summaries) > before[2]


def test_given_no_new_meetings_when_added_then_no_old_meeting_gets_a_summary_transcript_or_q_and_a_afterwards():
    """`meetings_per_user: 0` adds nothing: Zoom does not summarise or transcribe a meeting that
    ended long ago because someone asked for new data (u.meetings[-0:] was every meeting)."""
    dataset = build_dataset(make_config())
    before = (dict(dataset.summaries), dict(dataset.transcripts), [len(i.qa or []) for i in dataset.all_instances()])

    assert add_past_meetings(dataset, 0, started_at=dt.datetime(2025, 6, 15, 8, 0)) == 0

    assert (dataset.summaries, dataset.transcripts, [len(i.qa or []) for i in dataset.all_instances()]) == before


def test_given_the_default_dataset_then_every_new_table_of_the_truth_has_records_with_unique_keys(dataset):
    tables = compute_ground_truth(dataset)["tables"]
    for name in NEW_TABLES:
        keys = [tuple(key) for key in tables[name]["primary_keys"]]
        assert keys and len(keys) == len(set(keys)), name
