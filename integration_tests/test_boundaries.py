"""Where the contract's rules bite: a start_date inside the data, the report horizon, Zoom's
per-instance lookup limit and the month-window edges, each with an instance on both sides
(fake_zoom/generate.py, boundary_starts), synced end to end and compared record by record."""

from __future__ import annotations

from collections import Counter

import pytest

from fake_zoom.generate import boundary_starts
from fake_zoom.model import fmt_ts
from integration_tests.sync_support import compare_records, format_differences, full_catalog, records_by_table, run_connector

pytestmark = pytest.mark.integration

# Before every boundary of the fake's default dataset: the report horizon and the lookup limit too.
FAR_BACK = "2024-01-01T00:00:00Z"


def sync(fake, discovered, start_date):
    code, messages, stderr = run_connector("read", fake.connector_config(start_date=start_date), full_catalog(discovered))
    assert code == 0, stderr[-2000:]
    keys = {stream["name"]: stream["source_defined_primary_key"] for stream in discovered}
    problems = compare_records(records_by_table(messages), fake.ground_truth(start_date), keys)
    assert problems == {}, format_differences(problems)
    return records_by_table(messages), messages


def boundary_topics(records):
    return Counter(r["topic"].removeprefix("Boundary: ") for r in records["report_meetings"] if r["topic"].startswith("Boundary: "))


def test_given_a_start_date_inside_the_data_when_syncing_then_a_minute_before_it_is_out_and_the_window_edges_are_read_once(fake, discovered):
    records, _ = sync(fake, discovered, fake.example_start_date)

    topics = boundary_topics(records)
    assert topics["at_example_start"] == 1 and topics["before_example_start"] == 0
    # 23:59 on a window's last day runs past midnight into the next window: listed twice, one row.
    assert topics["example_window_last_minute"] == 1 and topics["example_window_next_day"] == 1


def test_given_a_start_date_before_every_horizon_when_syncing_then_each_boundary_falls_on_its_side(fake, discovered):
    records, messages = sync(fake, discovered, FAR_BACK)

    topics = boundary_topics(records)
    # The report horizon: listed from six calendar months back on, the day before is out of reach.
    assert topics["at_report_horizon"] == 1 and topics["before_report_horizon"] == 0
    assert topics["horizon_window_last_minute"] == 1 and topics["horizon_window_next_day"] == 1
    # The lookup limit, on a listed recurring meeting: its instance on the limit's first day has
    # participants; the one an hour before it is answered 12702 and skipped, with a log line.
    starts = boundary_starts(fake.fake.dataset.today)
    instances = {i.start_time: i.uuid for m in fake.fake.dataset.all_meetings() for i in m.instances}
    at_limit, before_limit = instances[fmt_ts(starts["at_lookup_limit"])], instances[fmt_ts(starts["before_lookup_limit"])]
    with_participants = {r["meeting_uuid"] for r in records["report_meeting_participants"]}
    assert at_limit in with_participants and before_limit not in with_participants
    logs = [m["log"]["message"] for m in messages if m["type"] == "LOG"]
    assert any("12702" in line for line in logs)
