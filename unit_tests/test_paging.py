"""Zoom's two paging styles, page_size 300, the month windows and the endless-paging guard."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from source_zoom.config import ZoomConfig
from source_zoom.paths import zoom_uuid_path_segment
from source_zoom.windows import month_windows
from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, read_tables, records_of, table_requests


def mock_other_user_statuses_empty(zoom_api):
    for status in ("inactive", "pending"):
        zoom_api.get(f"{API}/users?status={status}", json={"users": [], "next_page_token": ""})


def test_given_three_token_pages_when_reading_users_then_all_are_read_with_page_size_300(zoom_api):
    mock_other_user_statuses_empty(zoom_api)
    zoom_api.get(
        f"{API}/users?status=active",
        [
            {"json": {"users": [{"id": "a"}], "next_page_token": "t1"}},
            {"json": {"users": [{"id": "b"}], "next_page_token": "t2"}},
            {"json": {"users": [{"id": "c"}], "next_page_token": ""}},
        ],
    )

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"])

    assert [r["id"] for r in records_of(output, "users")] == ["a", "b", "c"]
    queries = [parse_qs(urlsplit(r.url).query) for r in table_requests(zoom_api) if r.url.startswith(f"{API}/users")]
    active = [q for q in queries if q["status"] == ["active"]]
    assert [q.get("next_page_token") for q in active] == [None, ["t1"], ["t2"]]
    assert sorted(q["status"][0] for q in queries if "next_page_token" not in q) == ["active", "inactive", "pending"]
    assert all(q["page_size"] == ["300"] for q in queries)


def test_given_webinars_paged_by_number_when_reading_then_page_number_advances_to_page_count(zoom_api):
    zoom_api.get(f"{API}/users", json={"users": [{"id": "u"}], "next_page_token": ""})
    zoom_api.get(
        f"{API}/users/u/webinars",
        [
            {"json": {"webinars": [{"id": 1}], "page_number": 1, "page_count": 2}},
            {"json": {"webinars": [{"id": 2}], "page_number": 2, "page_count": 2}},
        ],
    )
    zoom_api.get(re.compile(rf"{re.escape(API)}/webinars/\d+$"), json={"id": 0, "uuid": "x"})

    read_tables(config_with(JWT_CREDENTIALS), ["webinars"])

    listing = [parse_qs(urlsplit(r.url).query) for r in zoom_api.request_history if "/users/u/webinars" in r.url]
    assert [q.get("page_number") for q in listing] == [None, ["2"]]


def test_given_a_repeating_next_page_token_when_reading_then_the_listing_stops_with_an_error(zoom_api):
    mock_other_user_statuses_empty(zoom_api)
    zoom_api.get(f"{API}/users?status=active", json={"users": [{"id": "a"}], "next_page_token": "same"})

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)

    assert any("already returned" in e.trace.error.message for e in output.errors)
    assert sum("status=active" in r.url for r in zoom_api.request_history) == 2


def test_given_reports_when_reading_then_windows_are_a_month_at_most_and_within_six_months(zoom_api, monkeypatch):
    # "Today" is pinned: a run that crosses 00:00 UTC must not move the windows under the test.
    pinned_now = datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)
    monkeypatch.setattr(ZoomConfig, "today", property(lambda self: pinned_now))
    today = pinned_now.date()
    zoom_api.get(f"{API}/users", json={"users": [{"id": "u"}], "next_page_token": ""})
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/users/u/meetings\?.*"), json={"meetings": [], "next_page_token": ""})

    read_tables(config_with(JWT_CREDENTIALS, start_date="2020-01-01T00:00:00Z"), ["report_meetings"])

    windows = [parse_qs(urlsplit(r.url).query) for r in zoom_api.request_history if "/report/users/" in r.url]
    starts = [date.fromisoformat(w["from"][0]) for w in windows]
    ends = [date.fromisoformat(w["to"][0]) for w in windows]
    assert (today - starts[0]).days <= 184  # six calendar months are at most 184 days
    assert all((end - start).days <= 31 for start, end in zip(starts, ends))
    assert all(next_start == (end.toordinal() + 1) for next_start, end in zip([s.toordinal() for s in starts[1:]], ends))
    assert ends[-1] == today


def test_given_a_start_date_beyond_six_months_when_reading_reports_then_the_first_window_starts_six_calendar_months_back(zoom_api, monkeypatch):
    monkeypatch.setattr(ZoomConfig, "today", property(lambda self: datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)))
    zoom_api.get(f"{API}/users", json={"users": [{"id": "u"}], "next_page_token": ""})
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/users/u/meetings\?.*"), json={"meetings": [], "next_page_token": ""})

    read_tables(config_with(JWT_CREDENTIALS, start_date="2020-01-01T00:00:00Z"), ["report_meetings"])

    first_window = parse_qs(urlsplit(next(r.url for r in zoom_api.request_history if "/report/users/" in r.url)).query)
    # Zoom: `from` within the past 6 months; six calendar months before 2026-11-20 is 2026-05-20,
    # the earliest `from` Zoom (and the fake, fake_zoom/horizons.py) accepts.
    assert first_window["from"] == ["2026-05-20"]


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 1, 1), date(2026, 1, 15), [(date(2026, 1, 1), date(2026, 1, 15))]),
        (date(2026, 1, 31), date(2026, 3, 5), [(date(2026, 1, 31), date(2026, 2, 27)), (date(2026, 2, 28), date(2026, 3, 5))]),
        (date(2026, 5, 10), date(2026, 6, 10), [(date(2026, 5, 10), date(2026, 6, 9)), (date(2026, 6, 10), date(2026, 6, 10))]),
    ],
)
def test_given_a_date_range_then_month_windows_cover_it_without_overlap(start, end, expected):
    assert list(month_windows(start, end)) == expected


@pytest.mark.parametrize(
    "uuid, segment",
    [
        ("/ajXp112QmuoKj4854875==", "%252FajXp112QmuoKj4854875%253D%253D"),
        ("ab//cd==", "ab%252F%252Fcd%253D%253D"),
        ("4444AAAiAAAAAiAiAiiAii==", "4444AAAiAAAAAiAiAiiAii%3D%3D"),
        ("a/b+c=", "a%2Fb%2Bc%3D"),
    ],
)
def test_given_a_uuid_then_zoom_double_encoding_rule_is_applied(uuid, segment):
    assert zoom_uuid_path_segment(uuid) == segment
