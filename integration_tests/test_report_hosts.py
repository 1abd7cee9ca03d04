"""Which hosts report_meetings asks about which windows (issue 30, a capped account's days).

`GET /report/users/{id}/meetings` costs one Heavy request per host and month window, every sync,
whether the host held anything or not (a daily sync of the benchmark's account spent 55 a day on
it once the table was whole). The account's history listing, which report_meetings reads anyway
for dept and tracking_fields, names every past instance of every host (docs/contract.md, "What a
sync returns"): a host with no instance there within a day of a window is not asked for it, and
every host is asked for a window that listing cannot speak for. Nothing is lost either way.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Mapping, Set, Tuple

import pytest

from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteCatalogSerializer
from airbyte_cdk.test.entrypoint_wrapper import read

from fake_zoom.config import FakeZoomConfig
from fake_zoom.model import User
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records, discover_streams, format_differences, incremental_catalog
from source_zoom import SourceZoom

pytestmark = [pytest.mark.integration]

HISTORY_SCOPE = "report:read:list_history_meetings:admin"
HOST_REPORT = re.compile(r"^GET /v2/report/users/([^/?]+)/meetings\?from=(\d{4}-\d{2}-\d{2})&to=(\d{4}-\d{2}-\d{2})$")
Window = Tuple[dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


def report_meetings_catalog(config: Mapping[str, Any]) -> ConfiguredAirbyteCatalog:
    catalog = incremental_catalog(discover_streams(config))
    catalog["streams"] = [stream for stream in catalog["streams"] if stream["stream"]["name"] == "report_meetings"]
    return ConfiguredAirbyteCatalogSerializer.load(catalog)


def hosts_asked(stats: Mapping[str, Any]) -> Dict[Window, Set[str]]:
    """Per window (as sent), the users whose report listing was asked for it."""
    asked: Dict[Window, Set[str]] = {}
    for path in stats["requests_by_path"]:
        found = HOST_REPORT.match(path)
        if found:
            user, start, end = found.groups()
            asked.setdefault((dt.date.fromisoformat(start), dt.date.fromisoformat(end)), set()).add(user)
    return asked


def hosted_within_a_day_of(user: User, window: Window) -> bool:
    """Whether the user hosted a meeting or webinar instance that started (UTC) within a day of the window."""
    return any(window[0] - ONE_DAY <= i.start.date() <= window[1] + ONE_DAY for parent in user.meetings + user.webinars for i in parent.instances)


def made_before(user: User, day: dt.date) -> bool:
    """Whether the user existed the day before `day` (Zoom's `created_at` and `user_created_at`)."""
    made = min(user.record.get(field) or "9999" for field in ("created_at", "user_created_at"))
    return made[:10] < (day - ONE_DAY).isoformat()


def report_meetings_of(output: Any) -> List[Dict[str, Any]]:
    return [m.record.data for m in output.records if m.record.stream == "report_meetings"]


def assert_equal_to_the_truth(rows: List[Dict[str, Any]], truth: Mapping[str, Any]) -> None:
    assert truth["tables"]["report_meetings"]["count"] > 0
    problems = compare_records({"report_meetings": rows}, {"tables": {"report_meetings": truth["tables"]["report_meetings"]}}, {"report_meetings": [["uuid"]]})
    assert problems == {}, format_differences(problems)


def latest_rows(*outputs: Any) -> List[Dict[str, Any]]:
    """What an append+dedup destination holds after these syncs: the latest row of each uuid."""
    rows: Dict[str, Dict[str, Any]] = {}
    for output in outputs:
        rows.update({row["uuid"]: row for row in report_meetings_of(output)})
    return list(rows.values())


def last_states(output: Any) -> List[Any]:
    return [message.state for message in output.state_messages][-1:]


def test_given_hosts_without_an_instance_near_a_window_when_syncing_report_meetings_then_they_are_not_asked_for_it_and_every_row_arrives():
    """A full sync, then a daily one after new meetings today: in both, a host the account's
    history shows no instance of within a day of a window gets no report request for it (before:
    every host, every window, every sync), and the rows equal the fake's truth."""
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = fake.connector_config()
        catalog = report_meetings_catalog(config)
        first = read(SourceZoom(config), config, catalog)
        asked_first = hosts_asked(fake.stats())
        fake.reset_stats()
        fake.add_data(meetings_per_user=1)
        second = read(SourceZoom(config), config, catalog, state=last_states(first))
        asked_second = hosts_asked(fake.stats())
        truth = fake.ground_truth()
        hosts = fake.fake.dataset.hosting_users()

    for asked in (asked_first, asked_second):
        idle = {(window, user.record["id"]) for window in asked for user in hosts if not hosted_within_a_day_of(user, window)}
        assert idle, "the scenario needs a host without an instance near some window"
        assert sorted((window, user) for window, user in idle if user in asked[window]) == []
    # Every active user held a meeting today: each was asked in the daily sync.
    assert {user.record["id"] for user in hosts if user.status == "active"} <= set().union(*asked_second.values())
    assert_equal_to_the_truth(latest_rows(first, second), truth)


@pytest.mark.parametrize(
    "history_cannot_speak",
    [
        pytest.param({"missing_scopes": (HISTORY_SCOPE, *FakeZoomConfig().missing_scopes)}, id="history-scope-missing"),
        # Zoom refuses every history request (400, code 300): the listing has a gap from its first window.
        pytest.param({"persistent_fault_endpoint": "/v2/report/history_meetings", "persistent_fault": "invalid"}, id="history-gap"),
    ],
)
def test_given_a_history_listing_that_cannot_speak_for_the_windows_when_syncing_report_meetings_then_every_host_is_asked_and_every_row_arrives(
    history_cannot_speak: Dict[str, Any],
):
    with FakeZoomServer(FakeZoomConfig.default(**history_cannot_speak)) as fake:
        config = fake.connector_config()
        output = read(SourceZoom(config), config, report_meetings_catalog(config))
        asked = hosts_asked(fake.stats())
        truth = fake.ground_truth()
        hosts = fake.fake.dataset.hosting_users()

    assert asked
    for window, users in sorted(asked.items()):
        existing = {user.record["id"] for user in hosts if made_before(user, window[0])}
        assert existing - users == set(), (window, existing - users)
    assert_equal_to_the_truth(report_meetings_of(output), truth)
