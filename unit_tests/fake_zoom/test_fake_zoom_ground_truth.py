"""The ground truth is deterministic and agrees with what the fake actually serves."""

import datetime as dt
from urllib.parse import quote

import pytest
import requests
from conftest import TODAY, Api, make_config

from fake_zoom import TABLES, FakeZoomServer, build_dataset, compute_ground_truth
from fake_zoom.data import add_months

SKIPPED_CODES = {200, 3000, 3001, 4400, 12702}
CRAWLED_TABLES = (
    "users", "meetings", "meeting_registrants", "meeting_polls", "report_meetings", "report_meeting_participants",
    "meeting_poll_results", "webinars", "report_webinars", "report_webinar_participants", "webinar_absentees",
    "webinar_qna_results", "cloud_recordings",
)


def encode_uuid(uuid: str) -> str:
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def month_windows(first: dt.date, last: dt.date):
    """Consecutive inclusive windows of at most one month, as the contract describes."""
    while first <= last:
        end = min(add_months(first, 1) - dt.timedelta(days=1), last)
        yield first.isoformat(), end.isoformat()
        first = end + dt.timedelta(days=1)


class NaiveCrawler:
    """Walks the fake like a simple sequential client following docs/contract.md."""

    def __init__(self, api: Api, start_date: str) -> None:
        self.api = api
        self.start_date = start_date
        self.today = dt.date.fromisoformat(TODAY)
        self.keys: dict[str, list] = {}

    def fetch(self, path: str, **params):
        """The JSON body, or None when Zoom answers one of the skip codes."""
        response = self.api.get(path, **params)
        if response.status_code in (400, 404) and response.json().get("code") in SKIPPED_CODES:
            return None
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def pages(self, path: str, key: str, **params):
        token = ""
        while True:
            body = self.fetch(path, **params, page_size=300, **({"next_page_token": token} if token else {}))
            if body is None:
                return
            yield from body[key]
            token = body.get("next_page_token", "")
            if not token:
                return

    def emit(self, table: str, *key) -> None:
        self.keys.setdefault(table, []).append(list(key))

    def crawl(self) -> dict[str, list]:
        users = list(self.pages("/users", "users"))
        for user in users:
            self.emit("users", user["id"])
            meetings = self.crawl_meetings(user["id"])
            reported = self.crawl_reports(user["id"])
            self.crawl_past_instances(meetings, reported)
            self.crawl_webinars(user["id"])
            self.crawl_recordings(user["id"])
        return self.keys

    def crawl_meetings(self, user_id: str) -> list:
        fetched = []
        for listed in self.pages(f"/users/{user_id}/meetings", "meetings", type="scheduled"):
            meeting = self.fetch(f"/meetings/{listed['id']}")
            if meeting is None:
                continue
            fetched.append(meeting)
            self.emit("meetings", meeting["uuid"])
            if meeting["settings"]["approval_type"] in (0, 1):
                for registrant in self.pages(f"/meetings/{meeting['id']}/registrants", "registrants"):
                    self.emit("meeting_registrants", registrant["id"], meeting["id"])
            polls = self.fetch(f"/meetings/{meeting['id']}/polls")
            for poll in (polls or {}).get("polls", []):
                self.emit("meeting_polls", poll["id"], meeting["id"])
        return fetched

    def crawl_reports(self, user_id: str) -> set:
        reported = set()
        first = max(dt.date.fromisoformat(self.start_date[:10]), add_months(self.today, -6) + dt.timedelta(days=1))
        for start, end in month_windows(first, self.today):
            for meeting in self.pages(f"/report/users/{user_id}/meetings", "meetings", type="past",
                                      **{"from": start, "to": end}):
                self.emit("report_meetings", meeting["uuid"])
                if meeting["uuid"] not in reported:
                    reported.add(meeting["uuid"])
                    self.crawl_instance(meeting["id"], meeting["uuid"])
        return reported

    def crawl_past_instances(self, meetings: list, reported: set) -> None:
        """Instances the report leaves out (under two participants) come from /past_meetings/{id}/instances."""
        for meeting in meetings:
            listed = self.fetch(f"/past_meetings/{meeting['id']}/instances") or {"meetings": []}
            for instance in listed["meetings"]:
                if instance["uuid"] not in reported and instance["start_time"] >= self.start_date:
                    reported.add(instance["uuid"])
                    self.crawl_instance(meeting["id"], instance["uuid"])

    def crawl_instance(self, meeting_id: int, uuid: str) -> None:
        path_uuid = encode_uuid(uuid)
        for p in self.pages(f"/report/meetings/{path_uuid}/participants", "participants"):
            self.emit("report_meeting_participants", p.get("id") or "", meeting_id, uuid, p["user_id"], p["join_time"])
        polls = self.fetch(f"/past_meetings/{path_uuid}/polls") or {"questions": []}
        for index, answer in enumerate(polls["questions"]):
            self.emit("meeting_poll_results", uuid, answer["email"] or "", index)

    def crawl_webinars(self, user_id: str) -> None:
        page = self.fetch(f"/users/{user_id}/webinars", page_size=300, page_number=1)
        for listed in (page or {}).get("webinars", []):
            webinar = self.fetch(f"/webinars/{listed['id']}")
            self.emit("webinars", webinar["uuid"])
            registration = webinar["settings"]["approval_type"] in (0, 1)
            for instance in self.fetch(f"/past_webinars/{webinar['id']}/instances")["webinars"]:
                if instance["start_time"] < self.start_date:
                    continue
                path_uuid = encode_uuid(instance["uuid"])
                report = self.fetch(f"/report/webinars/{path_uuid}")
                if report is None:
                    continue
                self.emit("report_webinars", report["uuid"])
                for p in self.pages(f"/report/webinars/{path_uuid}/participants", "participants"):
                    self.emit("report_webinar_participants", p.get("id") or "", webinar["id"], instance["uuid"],
                              p["user_id"], p["join_time"])
                if registration:
                    for absentee in self.pages(f"/past_webinars/{path_uuid}/absentees", "registrants"):
                        self.emit("webinar_absentees", absentee["id"], instance["uuid"])
                qa = self.fetch(f"/past_webinars/{path_uuid}/qa") or {"questions": []}
                for index, answer in enumerate(qa["questions"]):
                    self.emit("webinar_qna_results", instance["uuid"], answer["email"] or "", index)

    def crawl_recordings(self, user_id: str) -> None:
        for start, end in month_windows(dt.date.fromisoformat(self.start_date[:10]), self.today):
            for recording in self.pages(f"/users/{user_id}/recordings", "meetings", **{"from": start, "to": end}):
                self.emit("cloud_recordings", recording["uuid"])


def sorted_keys(keys: list) -> list:
    return sorted(keys, key=repr)


def test_given_same_seed_when_building_twice_then_ground_truth_is_identical():
    first = compute_ground_truth(build_dataset(make_config(seed=5)))
    second = compute_ground_truth(build_dataset(make_config(seed=5)))
    other = compute_ground_truth(build_dataset(make_config(seed=6)))
    assert first == second and first != other


def test_given_default_dataset_when_computing_truth_then_22_tables_with_unique_primary_keys():
    truth = compute_ground_truth(build_dataset(make_config()))
    assert tuple(truth["tables"]) == TABLES and len(TABLES) == 22
    for name, table in truth["tables"].items():
        keys = [tuple(k) for k in table["primary_keys"]]
        assert len(keys) == len(set(keys)) == table["count"], name
    assert truth["tables"]["meeting_files"]["count"] == 0 and truth["tables"]["webinar_files"]["count"] == 0
    assert all(truth["tables"][name]["count"] > 0 for name in TABLES if not name.endswith("_files"))


def test_given_meeting_ids_when_reading_truth_then_they_are_ints_and_missing_ids_are_empty_strings():
    truth = compute_ground_truth(build_dataset(make_config()))
    participants = truth["tables"]["report_meeting_participants"]["primary_keys"]
    assert all(isinstance(key[1], int) for key in participants)
    assert sum(key[0] == "" for key in participants) == 2


@pytest.mark.parametrize("start_date", [None, "2023-01-01T00:00:00Z", "2025-05-20T12:00:00Z"])
def test_given_naive_crawl_when_compared_with_ground_truth_then_tables_match(server, start_date):
    start_date = start_date or server.connector_config()["start_date"]
    crawled = NaiveCrawler(Api(server), start_date).crawl()
    truth = server.ground_truth(start_date)["tables"]
    assert set(crawled) <= set(CRAWLED_TABLES)
    for table in CRAWLED_TABLES:
        assert sorted_keys(crawled.get(table, [])) == sorted_keys(truth[table]["primary_keys"]), table


def test_given_http_endpoint_when_asking_ground_truth_then_same_as_python_api(server):
    body = requests.get(server.url + "/_fake/ground_truth", params={"start_date": "2025-03-01T00:00:00Z"},
                        timeout=10).json()
    assert body == server.ground_truth("2025-03-01T00:00:00Z")


def test_given_later_start_date_when_computing_truth_then_dated_tables_shrink_and_others_do_not(server):
    early = server.ground_truth()["tables"]
    late = server.ground_truth("2025-05-15T00:00:00Z")["tables"]
    for table in ("report_meetings", "report_webinars", "cloud_recordings"):
        assert late[table]["count"] < early[table]["count"], table
    for table in ("users", "meetings", "webinars", "meeting_registrants"):
        assert late[table]["count"] == early[table]["count"], table


def test_given_added_data_when_syncing_again_then_exactly_the_new_meetings_appear():
    with FakeZoomServer(make_config()) as server:
        before = server.ground_truth()["tables"]
        response = requests.post(server.url + "/_fake/add_data", json={"meetings_per_user": 2}, timeout=10)
        after = server.ground_truth()["tables"]
        crawled = NaiveCrawler(Api(server), server.connector_config()["start_date"]).crawl()
    assert response.json() == {"added_meetings": 10}
    new_reports = {tuple(k) for k in after["report_meetings"]["primary_keys"]} - {
        tuple(k) for k in before["report_meetings"]["primary_keys"]}
    assert len(new_reports) == 10 and after["meetings"]["count"] == before["meetings"]["count"] + 10
    assert sorted_keys(crawled["report_meetings"]) == sorted_keys(after["report_meetings"]["primary_keys"])


def test_given_same_seed_when_adding_data_then_added_records_are_deterministic():
    truths = []
    for _ in range(2):
        dataset = build_dataset(make_config())
        dataset.add_past_meetings(1)
        truths.append(compute_ground_truth(dataset))
    assert truths[0] == truths[1]
