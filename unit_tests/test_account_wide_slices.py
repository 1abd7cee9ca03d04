"""A slice as large as the account (a month of the account's call history, the users listing) goes
out page by page (issue 29, "Peak memory stays flat"): its first page's records reach the consumer
before its next page is answered, and a slice that fails part-way keeps what went out once,
leaving a gap so that the state does not move past it.

The listing answered here is Zoom Phone's call history (account-wide, by month window, next_page_token
paging): the table whose slices grew with the account (docs/benchmarks.md, "What holds it")."""

from __future__ import annotations

import logging
import re
import threading
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

from airbyte_cdk.models import SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from source_zoom.source import SourceZoom
from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, records_of

# How long the held second page waits for the consumer to see the first page's records; far more
# than a record needs to reach it when pages go out one by one, even on a loaded machine (the
# wait ends as soon as the record is out: only a connector that gathers the slice first waits it
# all).
PATIENCE_SECONDS = 30
EARLIER = (datetime.now(timezone.utc) - timedelta(days=3)).replace(microsecond=0)
CALL_HISTORY = re.compile(rf"{re.escape(API)}/phone/call_history\?.*")


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def call(number: int, listed_in: str = "") -> Dict[str, Any]:
    """A finished call; `listed_in` (its `caller_name`) tells which answer a record came from."""
    started = EARLIER + timedelta(minutes=number)
    return {"call_history_uuid": f"call-{number}", "start_time": at(started), "end_time": at(started + timedelta(minutes=1)), "caller_name": listed_in}


def query_of(request: Any) -> Dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(request.url).query).items()}


def holds_the_calls(query: Dict[str, str]) -> bool:
    """The window the calls happened in (the others are answered empty)."""
    return date.fromisoformat(query["from"]) <= EARLIER.date() <= date.fromisoformat(query["to"])


def config_of_two_windows() -> Dict[str, Any]:
    # Two month windows: an empty one, then the one the calls are in (three days ago).
    return config_with(JWT_CREDENTIALS, start_date=at(EARLIER - timedelta(days=35)))


def test_given_a_month_of_calls_over_two_pages_when_read_then_the_first_page_s_records_reach_the_consumer_before_the_second_page_is_answered(zoom_api):
    first_record_out = threading.Event()
    answered_in_time: List[bool] = []

    def call_history(request: Any, context: Any) -> Dict[str, Any]:
        query = query_of(request)
        if not holds_the_calls(query):
            return {"call_history": [], "next_page_token": ""}
        if "next_page_token" not in query:
            return {"call_history": [call(1), call(2)], "next_page_token": "page-2"}
        # The second page is answered once a record of the first is out (or the patience ran out).
        answered_in_time.append(first_record_out.wait(PATIENCE_SECONDS))
        return {"call_history": [call(3)], "next_page_token": ""}

    zoom_api.get(CALL_HISTORY, json=call_history)
    config = config_of_two_windows()
    catalog = CatalogBuilder().with_stream("phone_call_history", SyncMode.full_refresh).build()

    got: List[str] = []
    for message in SourceZoom(config).read(logging.getLogger("airbyte"), config, catalog):
        if message.type == Type.RECORD and message.record.stream == "phone_call_history":
            got.append(message.record.data["id"])
            first_record_out.set()

    assert answered_in_time == [True], "the slice's second page was answered before any record of its first went out"
    assert got == ["call-1", "call-2", "call-3"]


def test_given_a_month_whose_second_page_fails_when_read_incrementally_then_its_first_page_s_records_go_out_once_and_the_state_stays_before_that_month(zoom_api):
    """The first month fails on its second page; the next month lists its first page's calls
    again (a call listed in two windows) with one more."""
    failing_windows: List[str] = []
    config = config_of_two_windows()
    first_day = config["start_date"][:10]

    def call_history(request: Any, context: Any) -> Dict[str, Any]:
        query = query_of(request)
        if query["from"] != first_day:
            return {"call_history": [call(1, "second month"), call(2, "second month"), call(3, "second month")], "next_page_token": ""}
        if "next_page_token" not in query:
            return {"call_history": [call(1, "first month"), call(2, "first month")], "next_page_token": "page-2"}
        failing_windows.append(query["from"])
        context.status_code = 500  # every retry of the second page fails
        return {"code": 500, "message": "planted for the test"}

    zoom_api.get(CALL_HISTORY, json=call_history)
    catalog = CatalogBuilder().with_stream("phone_call_history", SyncMode.incremental).build()

    output = read(SourceZoom(config), config, catalog, expecting_exception=True)

    assert failing_windows, "the second page was never asked: nothing was tested"
    # Out as the failed month listed them, and not again when the next month listed them.
    assert [(r["id"], r["caller_name"]) for r in records_of(output, "phone_call_history")] == [
        ("call-1", "first month"), ("call-2", "first month"), ("call-3", "second month")]
    states = [m.state.stream.stream_state.__dict__ for m in output.state_messages if m.state.stream.stream_descriptor.name == "phone_call_history"]
    failed_from = datetime.fromisoformat(first_day).replace(tzinfo=timezone.utc)
    assert all(datetime.fromisoformat(s["start_time"].replace("Z", "+00:00")) <= failed_from for s in states if s.get("start_time")), states
    assert not any(s.get("read_beyond_cursor") for s in states), states
