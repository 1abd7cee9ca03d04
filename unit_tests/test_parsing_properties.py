"""Property-based tests: Zoom answers that are odd but valid JSON never crash the parsing.

Missing optional fields, nulls, ids beyond 2^63, unicode, empty lists, wrong-typed values and
nested junk are fed to every table's parse_response and next_page_token, to the error helpers,
to the UUID path rule, to has_registration and to the month windows; the invariants the sync
relies on (primary keys present, stamped parent keys, paging tokens, windows without gaps) must hold.
Examples are derandomized so that CI sees the same cases on every run.
"""

from __future__ import annotations

import json
import string
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping, Optional
from urllib.parse import unquote

import requests
from dateutil.relativedelta import relativedelta
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution
from airbyte_cdk.utils import AirbyteTracedException

from fake_zoom.context import decode_uuid_segment
from source_zoom.auth import ZoomAuthenticator
from source_zoom.config import parse_config
from source_zoom.errors import Outcome, ZoomError, ZoomErrorHandler, classify, response_json, zoom_error_body
from source_zoom.paging import Paging
from source_zoom.memo import has_registration
from source_zoom.parents import SyncContext
from source_zoom.paths import zoom_uuid_path_segment
from source_zoom.streams import ALL_STREAMS
from source_zoom.windows import month_windows, window_of
from source_zoom.zoom_stream import ZoomStream
from unit_tests.conftest import API, JWT_CREDENTIALS, TOKEN_URL, config_with

# Fixed examples and no example database: the same cases on every machine and every run.
DETERMINISTIC = settings(derandomize=True, max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

HUGE_IDS = st.integers(min_value=2**63, max_value=2**80) | st.integers(max_value=-(2**63), min_value=-(2**80))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE_IDS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00", "2026-03-01", "not a time", "ünïcødé ☃ 会议", "/ab//c=="])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
# The fields the connector reads or stamps, so that junk lands where it can hurt.
KNOWN_FIELDS = sorted(
    {"id", "uuid", "start_time", "settings", "occurrences", "registration_required", "email", "file_name", "join_time", "user_id"}
    | {field for stream in ALL_STREAMS for field in (*stream.stamp_from_parent, *stream.stamp_from_parent.values(), *stream.stamp_from_self.values())}
)
SETTINGS = st.fixed_dictionaries({}, optional={"approval_type": JSON_VALUES}) | JSON_VALUES
ITEMS = st.fixed_dictionaries({}, optional={**{field: JSON_VALUES for field in KNOWN_FIELDS}, "settings": SETTINGS}).flatmap(
    lambda known: st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=2).map(lambda junk: {**junk, **known})
)
STREAM_CLASSES = st.sampled_from(ALL_STREAMS)


def body_for(stream_class: type) -> st.SearchStrategy:
    """A page as Zoom might send it for this endpoint, with junk in any slot, or a body of the wrong shape."""
    paging = {"next_page_token": JSON_VALUES, "page_number": JSON_VALUES, "page_count": JSON_VALUES, "page_size": JSON_VALUES}
    if stream_class.records_key is None:
        page = ITEMS
    else:
        records = st.lists(ITEMS | JSON_VALUES, max_size=4) | ITEMS | JSON_VALUES
        page = st.fixed_dictionaries({}, optional={stream_class.records_key: records, **paging})
    return page | JSON_VALUES


def stream_of(stream_class: type) -> ZoomStream:
    config = config_with(JWT_CREDENTIALS, start_date="2026-01-01T00:00:00Z")
    return stream_class(SyncContext(parse_config(config), ZoomAuthenticator(config, TOKEN_URL)))


def answer(body: Any = None, status: int = 200, raw: Optional[bytes] = None, headers: Optional[Mapping[str, str]] = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = raw if raw is not None else json.dumps(body).encode()
    response.headers.update(headers or {})
    response.request = requests.Request("GET", f"{API}/users/u1/meetings?page_size=300&type=scheduled").prepare()
    response.url = response.request.url
    return response


@pytest.mark.slow  # 150 examples over every table
@DETERMINISTIC
@given(st.data())
def test_given_odd_json_pages_when_parsing_any_table_then_every_record_carries_its_primary_key_and_parent_keys(data):
    stream_class = data.draw(STREAM_CLASSES, label="table")
    body = data.draw(body_for(stream_class), label="body")
    parent = data.draw(ITEMS, label="parent")
    stream = stream_of(stream_class)

    records = list(stream.parse_response(answer(body), stream_slice={"parent": parent}))

    for record in records:
        assert isinstance(record, dict)
        for key_field in stream.primary_key_fields():
            assert record.get(key_field) is not None, (key_field, record)
        for field, parent_field in stream_class.stamp_from_parent.items():
            assert record[field] == (parent.get(parent_field) if parent.get(parent_field) is not None or field not in stream.primary_key_fields() else "")
        if stream_class.position_field:
            assert isinstance(record[stream_class.position_field], int)


@DETERMINISTIC
@given(st.data())
def test_given_odd_json_pages_when_asking_for_the_next_page_then_the_answer_is_a_token_or_the_end(data):
    stream_class = data.draw(st.sampled_from([s for s in ALL_STREAMS if s.paging != Paging.NONE]), label="table")
    body = data.draw(body_for(stream_class), label="body")

    stream = stream_of(stream_class)

    try:
        token = stream.next_page_token(answer(body))
    except AirbyteTracedException as stopped:
        # Paging fields of a type Zoom never sends end that listing with a named error.
        assert stopped.message.startswith(f"{stream.name}: Zoom sent a ") and "/users/u1/meetings" in stopped.message
        return
    if token is not None:
        ((name, value),) = token.items()
        if stream_class.paging == Paging.NEXT_PAGE_TOKEN:
            assert name == "next_page_token" and isinstance(value, str) and value
        else:
            assert name == "page_number" and isinstance(value, int) and value >= 2


def well_formed_page(stream_class: type, items: list) -> Any:
    """Zoom's page for this endpoint holding `items`, each with its own primary key and no
    start_time (so no start_date or lookup horizon may drop it)."""
    stream = stream_of(stream_class)
    stamped = {*stream_class.stamp_from_parent, *stream_class.stamp_from_self, stream_class.position_field}
    own_key_fields = [field for field in stream.primary_key_fields() if field not in stamped]
    distinct = []
    for index, item in enumerate(items):
        item = {field: value for field, value in item.items() if field != "start_time"}
        distinct.append({**item, **{field: f"key-{index}" for field in own_key_fields}})
    if stream_class.records_key is None:
        distinct = distinct[:1]
        return distinct, (distinct[0] if distinct else None)
    return distinct, {stream_class.records_key: distinct, "next_page_token": ""}


@pytest.mark.slow  # 150 examples over every table
@DETERMINISTIC
@given(st.data())
def test_given_a_well_formed_page_when_parsing_any_table_then_every_record_comes_out_with_zooms_values_unchanged(data):
    # Tables only: a hidden parent's records are not emitted and may carry what its children need.
    stream_class = data.draw(st.sampled_from([s for s in ALL_STREAMS if not s.hidden]), label="table")
    items = data.draw(st.lists(ITEMS, min_size=1, max_size=4), label="items")
    parent = data.draw(ITEMS, label="parent")
    sent, body = well_formed_page(stream_class, items)
    stream = stream_of(stream_class)

    records = list(stream.parse_response(answer(body), stream_slice={"parent": parent}))

    # The connector adds fields (stamped parent keys, the position, "" for a null key, Stitch's
    # `occurences` copy) but never drops a record or changes a value Zoom sent.
    # Also the fields of the response around the records (a survey's id), and a key Zoom renamed
    # (the Phone call history's two shapes) filled under both its names.
    added = {*stream_class.stamp_from_parent, *stream_class.stamp_from_self, *stream_class.stamp_from_response,
             stream_class.position_field, "occurences", *getattr(stream_class, "key_names", ())}
    assert len(records) == len(sent)
    for record, item in zip(records, json.loads(json.dumps(sent))):
        for field, value in item.items():
            if field not in added and not (value is None and field in stream.primary_key_fields()):
                assert field in record and record[field] == value, (field, value, record.get(field))
        assert set(record) - set(item) <= added | set(stream.primary_key_fields())


@DETERMINISTIC
@given(st.data())
def test_given_a_page_that_names_a_next_page_when_asking_for_the_next_page_then_that_page_is_requested(data):
    stream_class = data.draw(st.sampled_from([s for s in ALL_STREAMS if s.paging != Paging.NONE]), label="table")
    stream = stream_of(stream_class)
    records = {stream_class.records_key: []}

    if stream_class.paging == Paging.NEXT_PAGE_TOKEN:
        token = data.draw(st.text(min_size=1, max_size=40), label="token")
        assert stream.next_page_token(answer({**records, "next_page_token": token})) == {"next_page_token": token}
        assert stream.next_page_token(answer({**records, "next_page_token": ""})) is None
        assert stream.next_page_token(answer(records)) is None
    else:
        page_count = data.draw(st.integers(2, 500), label="page_count")
        page_number = data.draw(st.integers(1, page_count - 1), label="page_number")
        assert stream.next_page_token(answer({**records, "page_number": page_number, "page_count": page_count})) == {"page_number": page_number + 1}
        assert stream.next_page_token(answer({**records, "page_number": page_count, "page_count": page_count})) is None


@DETERMINISTIC
@given(body=JSON_VALUES | st.dictionaries(st.sampled_from(["code", "message", "reason"]), JSON_VALUES), status=st.integers(200, 599))
def test_given_any_json_body_when_reading_zoom_errors_then_code_is_an_int_or_none_and_message_a_string(body, status):
    response = answer(body, status)

    assert response_json(response) == json.loads(json.dumps(body))
    assert response_json(response) is response_json(response)  # parsed once, shared by handler and stream
    code, message = zoom_error_body(response)
    assert code is None or isinstance(code, int)
    assert isinstance(message, str)
    error = classify(status, code)
    assert error is None or isinstance(error, ZoomError)
    # Zoom's faults and rate limits are retried whatever the body says (zoom-api.md, error table).
    retried_whatever_the_body = {408: Outcome.RETRY, 429: Outcome.RATE_LIMITED, 500: Outcome.RETRY, 502: Outcome.RETRY, 503: Outcome.RETRY, 504: Outcome.RETRY}
    if status in retried_whatever_the_body:
        assert error is not None and error.outcome == retried_whatever_the_body[status]


@DETERMINISTIC
@given(
    raw=st.binary(max_size=40) | st.text(max_size=40).map(str.encode),
    status=st.integers(200, 599),
    retry_after=st.none() | st.text(max_size=30) | st.sampled_from(["1", "-5", "nan", "inf", "2031-01-01T00:00:00Z", "2020-01-01T00:00:00"]),
    code=st.none() | st.integers() | HUGE_IDS,
)
def test_given_any_body_and_status_when_the_handler_interprets_it_then_it_resolves_without_crashing(raw, status, retry_after, code):
    headers = {"Retry-After": retry_after} if retry_after is not None and retry_after.isprintable() else {}
    handler = ZoomErrorHandler("meetings")

    for response in (answer(raw=raw, status=status, headers=headers), answer({"code": code, "message": None}, status, headers=headers)):
        resolution = handler.interpret_response(response)
        assert isinstance(resolution, ErrorResolution)
    try:
        response_json(answer(raw=raw, status=status))
    except ValueError:
        pass  # the only way a body may fail to parse


@DETERMINISTIC
@given(uuid=st.text(min_size=1, max_size=30))
def test_given_any_uuid_when_put_in_a_path_then_it_has_no_slash_and_decodes_back_by_zoom_rule(uuid):
    segment = zoom_uuid_path_segment(uuid)

    assert "/" not in segment and segment.isascii()
    encoded_twice = uuid.startswith("/") or "//" in uuid
    assert (unquote(unquote(segment)) if encoded_twice else unquote(segment)) == uuid


@DETERMINISTIC
@given(uuid=st.text(alphabet=string.ascii_letters + string.digits + "+/=", min_size=1, max_size=30))
def test_given_a_base64_uuid_when_put_in_a_path_then_the_fake_zoom_decodes_the_same_uuid(uuid):
    assert decode_uuid_segment(zoom_uuid_path_segment(uuid)) == uuid


@DETERMINISTIC
@given(record=ITEMS | st.dictionaries(st.sampled_from(["settings", "registration_required"]), JSON_VALUES))
def test_given_any_parent_record_when_asking_for_registration_then_the_answer_is_a_bool(record):
    assert isinstance(has_registration(record), bool)


@DETERMINISTIC
@given(start=st.dates(date(2000, 1, 1), date(2040, 12, 31)), days=st.integers(-40, 800))
def test_given_any_date_range_when_cut_into_month_windows_then_they_cover_it_without_gaps_or_overlap(start, days):
    end = start + timedelta(days=days)

    windows = list(month_windows(start, end))

    if end < start:
        assert windows == []
        return
    assert windows[0][0] == start and windows[-1][1] == end
    for (window_from, window_to), (next_from, _) in zip(windows, windows[1:]):
        assert next_from == window_to + timedelta(days=1)
    for window_from, window_to in windows:
        assert window_from <= window_to < window_from + relativedelta(months=1)


@DETERMINISTIC
@given(start=st.dates(date(2020, 1, 1), date(2030, 12, 31)), days=st.integers(0, 400))
def test_given_an_instance_start_on_a_window_edge_when_placing_it_then_that_window_holds_it(start, days):
    windows = list(month_windows(start, start + timedelta(days=days)))

    def at(day: date, minutes: int) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=minutes)

    for window_from, window_to in windows:  # the first minute of the first day, the last of the last day
        assert window_of(at(window_from, 0), windows) == (window_from, window_to)
        assert window_of(at(window_to, 24 * 60 - 1), windows) == (window_from, window_to)
    assert window_of(None, windows) == windows[-1]  # no start time: the last window
    assert window_of(at(windows[-1][1] + timedelta(days=1), 0), windows) == windows[-1]  # after them all: the last
