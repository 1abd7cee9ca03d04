"""Parents are read as they are listed, not as barriers (issue "State that never lies", point 6):
a child's first request goes out while its parent is still being listed, and the state still
moves only over windows whose parents were all listed and read.

Each "while listing" test holds one of the parent's requests open until the child's request has
arrived (or a few seconds have passed): a connector that waits for the whole parent listing
never sends that child request in time, and the test fails. The answers come from a small
threaded HTTP server, since requests_mock serialises every request under one lock (a held
answer would hold them all)."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, Union
from urllib.parse import parse_qs, urlsplit

import pytest

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from source_zoom import SourceZoom
from source_zoom.memo import SyncMemos
from unit_tests.conftest import JWT_CREDENTIALS, config_with, read_tables, records_of

# How long a held parent request waits for the child's; far more than a streamed child needs.
PATIENCE_SECONDS = 10
RECENT = (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
ACTIVE = {"id": "u-active", "email": "a@example.com", "status": "active"}

Answer = Union[Dict[str, Any], Callable[[], Dict[str, Any]]]


class StubZoom:
    """Answers by path (and `status=` for /users); a path it does not know answers 404."""

    def __init__(self) -> None:
        self.answers: Dict[str, Answer] = {
            "/v2/report/history_meetings": {"history_meetings": [], "next_page_token": ""},
            "/v2/users": {"users": [], "next_page_token": ""},  # the login check a read starts with
        }
        self.failing: set = set()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = urlsplit(self.path)
                status = parse_qs(url.query).get("status", [""])[0] if url.path == "/v2/users" else ""
                key = f"{url.path}?status={status}" if status else url.path
                answer = stub.answers.get(key)
                code = 500 if key in stub.failing else 200 if answer is not None else 404
                body = json.dumps(answer() if callable(answer) else answer or {"code": code, "message": "no"}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def config(self, **overrides: Any) -> Dict[str, Any]:
        return config_with(JWT_CREDENTIALS, api_base_url=f"http://127.0.0.1:{self.server.server_port}/v2", **overrides)


@pytest.fixture
def stub() -> Iterator[StubZoom]:
    zoom = StubZoom()
    yield zoom
    zoom.server.shutdown()
    zoom.server.server_close()


def held_until(event: threading.Event, arrived_in_time: list, body: Dict[str, Any]) -> Callable[[], Dict[str, Any]]:
    """An answer sent only once `event` is set (or PATIENCE_SECONDS passed), noting which."""

    def answer() -> Dict[str, Any]:
        arrived_in_time.append(event.wait(PATIENCE_SECONDS))
        return body

    return answer


def setting(event: threading.Event, body: Dict[str, Any]) -> Callable[[], Dict[str, Any]]:
    def answer() -> Dict[str, Any]:
        event.set()
        return body

    return answer


def test_given_a_users_listing_still_going_when_reading_report_meetings_then_the_first_user_is_asked_about_before_it_ends(stub):
    child_asked = threading.Event()
    arrived_in_time: list = []
    stub.answers["/v2/users?status=active"] = {"users": [ACTIVE], "next_page_token": ""}
    stub.answers["/v2/users?status=inactive"] = {"users": [], "next_page_token": ""}
    stub.answers["/v2/users?status=pending"] = held_until(child_asked, arrived_in_time, {"users": [], "next_page_token": ""})
    stub.answers["/v2/report/users/u-active/meetings"] = setting(
        child_asked, {"meetings": [{"uuid": "r1==", "id": 1, "start_time": RECENT}], "next_page_token": ""}
    )
    stub.answers["/v2/report/meetings/r1%3D%3D"] = {"uuid": "r1==", "dept": "Sales", "tracking_fields": []}

    output = read_tables(stub.config(), ["users", "report_meetings"])

    assert arrived_in_time == [True]  # the report listing was asked while the users listing was held open
    assert [r["uuid"] for r in records_of(output, "report_meetings")] == ["r1=="]
    assert [r["id"] for r in records_of(output, "users")] == ["u-active"]


def answer_instances(stub: StubZoom, history_rows: list, past_instances: Answer) -> None:
    """One active host with one scheduled meeting (id 5) whose instance listing answers `past_instances`."""
    stub.answers["/v2/users?status=active"] = {"users": [ACTIVE], "next_page_token": ""}
    for status in ("inactive", "pending"):
        stub.answers[f"/v2/users?status={status}"] = {"users": [], "next_page_token": ""}
    stub.answers["/v2/users/u-active/meetings"] = {"meetings": [{"id": 5}], "next_page_token": ""}
    stub.answers["/v2/meetings/5"] = {"id": 5, "uuid": "m5==", "topic": "weekly"}
    stub.answers["/v2/report/history_meetings"] = {"history_meetings": history_rows, "next_page_token": ""}
    stub.answers["/v2/past_meetings/5/instances"] = past_instances


def test_given_the_instance_listing_still_going_when_reading_participants_then_listed_instances_are_read_before_it_ends(stub):
    child_asked = threading.Event()
    arrived_in_time: list = []
    answer_instances(
        stub,
        history_rows=[{"meeting_uuid": "h1==", "meeting_id": 5, "type": "Meeting", "start_time": RECENT}],
        past_instances=held_until(child_asked, arrived_in_time, {"meetings": [{"uuid": "old==", "start_time": "2026-07-10T10:00:00Z"}]}),
    )
    stub.answers["/v2/report/meetings/h1%3D%3D/participants"] = setting(
        child_asked, {"participants": [{"id": "p1", "user_id": "1", "join_time": RECENT}], "next_page_token": ""}
    )
    stub.answers["/v2/report/meetings/old%3D%3D/participants"] = {
        "participants": [{"id": "p2", "user_id": "2", "join_time": "2026-07-10T10:01:00Z"}], "next_page_token": ""
    }

    output = read_tables(stub.config(), ["report_meeting_participants"])

    assert arrived_in_time == [True]  # h1=='s participants were asked while meeting 5's instances were held open
    rows = {(r["meeting_uuid"], r["id"]) for r in records_of(output, "report_meeting_participants")}
    assert rows == {("h1==", "p1"), ("old==", "p2")}  # and the instance listed after it is read too


def test_given_a_participants_request_failing_in_a_later_window_when_reading_incrementally_then_the_state_stops_before_that_window(stub):
    """Slices sent while the parent is listed mix windows: a failure must hold back its own
    window and the later ones only, never let the state pass it, and not undo the earlier ones.
    (The instance listing is held until new=='s request has failed once, so that request is
    surely one sent while the parent was still listed.)"""
    old_start = "2026-07-10T10:00:00Z"
    child_failed = threading.Event()
    arrived_in_time: list = []
    answer_instances(
        stub,
        history_rows=[
            {"meeting_uuid": "old==", "meeting_id": 5, "type": "Meeting", "start_time": old_start},
            {"meeting_uuid": "new==", "meeting_id": 5, "type": "Meeting", "start_time": RECENT},
        ],
        past_instances=held_until(child_failed, arrived_in_time, {"meetings": []}),
    )
    stub.answers["/v2/report/meetings/old%3D%3D/participants"] = {"participants": [{"id": "p1", "user_id": "1", "join_time": old_start}], "next_page_token": ""}
    stub.answers["/v2/report/meetings/new%3D%3D/participants"] = setting(child_failed, {"code": 500, "message": "boom"})
    stub.failing.add("/v2/report/meetings/new%3D%3D/participants")
    config = stub.config(start_date="2026-06-01T00:00:00Z")
    catalog = CatalogBuilder().with_stream("report_meeting_participants", SyncMode.incremental).build()

    output = read(SourceZoom(config), config, catalog, expecting_exception=True)

    states = [m.state.stream.stream_state.__dict__ for m in output.state_messages if m.state.stream.stream_descriptor.name == "report_meeting_participants"]
    assert arrived_in_time == [True]
    # The state says "read up to" a window's start (windows run month by month from start_date,
    # the 1st): up to new=='s month exactly, so old=='s month counts and new=='s does not.
    new_window_start = datetime.fromisoformat(RECENT.replace("Z", "+00:00")).strftime("%Y-%m-01T00:00:00Z")
    assert states[-1] == {"meeting_start_time": new_window_start}, states
    assert [r["meeting_uuid"] for r in records_of(output, "report_meeting_participants")] == ["old=="]


class StubStream:
    """What the memos need of a stream: a name, its sources, keys, a listing, and who reads it."""

    def __init__(self, name, context, sources=(), selected=True, listing=lambda stream: iter(())):
        self.name = name
        self.context = context
        self.sources = list(sources)
        self.is_selected_table = selected
        self._listing = listing

    def interested_tables(self):
        return [self]

    def fields_read_from(self, source):
        return []

    def primary_key_fields(self):
        return ["uuid"]

    def fetch_all_records(self, gaps):
        yield from self._listing(self)


def sync_context():
    context = SimpleNamespace(readers={}, selected={"meetings", "meeting_polls"}, stopped=threading.Event())
    context.memos = SyncMemos(context.stopped)
    return context


def parent_and_reader(listing, selected_table: bool = True):
    """`meetings` (listed by `listing`) and one selected table reading it."""
    context = sync_context()
    meetings = StubStream("meetings", context, selected=selected_table, listing=listing)
    polls = StubStream("meeting_polls", context, sources=[meetings])
    context.readers = {"meetings": [polls]}
    return context, meetings, polls


def test_given_an_owner_that_stops_part_way_when_its_memo_is_listed_again_then_a_reader_gets_each_record_once():
    context, meetings, _ = parent_and_reader(lambda stream: iter([{"uuid": "a"}, {"uuid": "b"}, {"uuid": "c"}]))
    memo = context.memos.memo(meetings)
    walk = memo.walk()
    with pytest.raises(RuntimeError):
        with context.memos.reading(meetings) as reading:
            assert reading.fills is memo
            memo.keep({"uuid": "a"})
            memo.keep({"uuid": "b"})
            listing = walk.while_listing()
            handed = [next(listing), next(listing)]
            raise RuntimeError("the owner's read ended before its listing did")

    handed += walk.rest()

    assert [record["uuid"] for record in handed] == ["a", "b", "c"]
    assert memo.complete


def test_given_a_hidden_parent_whose_listing_raises_when_a_reader_walks_it_then_the_reader_gets_the_error():
    def listing(stream):
        yield {"uuid": "a"}
        raise RuntimeError("listing broke")

    context, meetings, _ = parent_and_reader(listing, selected_table=False)

    with pytest.raises(RuntimeError, match="listing broke"):
        list(context.memos.memo(meetings).walk())


def test_given_the_last_reader_done_when_the_listing_completes_then_the_memo_lets_its_records_go():
    context, meetings, polls = parent_and_reader(lambda stream: iter(()))
    memo = context.memos.memo(meetings)
    memo.keep({"uuid": "a"})
    with context.memos.reading(polls):
        pass
    assert memo._records  # not complete yet: a relisting could still need them
    memo.finish([])
    assert memo._records == []


def test_given_a_table_that_fails_part_way_when_its_memo_is_listed_again_then_the_memos_it_reads_stay_until_that_listing_ends():
    """Defect 1 of issue 22: the table's own reading ended (releasing what it read) while the thread
    listing it again still walked the same parent, which emptied under it: the relisting ended
    early, without a gap, and every reader below took the short listing for the whole."""
    context = sync_context()
    parent_walked = threading.Event()
    relisting_may_go_on = threading.Event()
    users = StubStream("users", context)

    def meetings_of(stream):
        for record in context.memos.memo(users).walk():
            parent_walked.set()
            relisting_may_go_on.wait(5)  # the failed table's reading ends meanwhile
            yield {"uuid": record["uuid"]}

    meetings = StubStream("meetings", context, sources=[users], listing=meetings_of)
    polls = StubStream("meeting_polls", context, sources=[meetings])
    context.readers = {"users": [meetings], "meetings": [polls]}
    context.selected = {"users", "meetings", "meeting_polls"}
    users_memo = context.memos.memo(users)
    with context.memos.reading(users) as reading:
        for uuid in ("u1", "u2", "u3"):
            reading.fills.keep({"uuid": uuid})
        reading.fills.finish([])

    with pytest.raises(RuntimeError):
        with context.memos.reading(meetings) as reading:
            reading.fills.keep({"uuid": "u1"})
            raise RuntimeError("the token endpoint refused for longer than the login's retries")
    assert parent_walked.wait(5), "meetings was not listed again"
    assert users_memo._records, "users was freed while the relisting of meetings still walked it"
    relisting_may_go_on.set()

    with context.memos.reading(polls):
        listed = [record["uuid"] for record in context.memos.memo(meetings).walk()]

    assert listed == ["u1", "u2", "u3"]
    assert context.memos.memo(meetings).gaps == []
    assert users_memo._records == []  # freed once the relisting, its last reader, ended
