"""Listings longer than one page: Zoom pages at page_size (the connector asks for 300), so a
listing of 650 registrants or 620 participants takes three pages, each of which must be read."""

from __future__ import annotations

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records, discover_streams, full_catalog, records_by_table, run_connector

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PAGED_TABLES = ["meeting_registrants", "webinar_registrants", "report_meeting_participants"]
REGISTRANTS = 650  # 300 + 300 + 50: three pages
PARTICIPANTS = 620


@pytest.fixture(scope="module")
def fake():
    config = FakeZoomConfig.default(
        users=2, meetings_per_user=2, recurring_per_user=1, past_instances=2, webinars_per_user=1,
        registrants=REGISTRANTS, participants=PARTICIPANTS, recordings=0.0,
    )
    with FakeZoomServer(config) as server:
        yield server


def test_given_listings_of_three_pages_when_reading_then_every_page_is_read_and_nothing_is_repeated(fake):
    config = fake.connector_config()
    discovered = discover_streams(config)
    keys = {stream["name"]: stream["source_defined_primary_key"] for stream in discovered}
    truth = fake.ground_truth(config["start_date"])
    fake.reset_stats()

    code, messages, stderr = run_connector("read", config, full_catalog([s for s in discovered if s["name"] in PAGED_TABLES]))

    assert code == 0, stderr[-3000:]
    assert compare_records(records_by_table(messages), {"tables": {t: truth["tables"][t] for t in PAGED_TABLES}}, keys) == {}
    registered_meetings = truth["tables"]["meeting_questions"]["count"]
    assert registered_meetings > 0 and truth["tables"]["meeting_registrants"]["count"] == REGISTRANTS * registered_meetings
    requests = fake.stats()["requests_by_endpoint"]
    # Three pages per registered meeting at the 300 the connector asks for (more if it asks for
    # other statuses too): a connector that stopped after the first page fails the comparison above.
    assert requests["GET /v2/meetings/{meetingId}/registrants"] >= 3 * registered_meetings
    assert requests["GET /v2/report/meetings/{meetingId}/participants"] >= 3 * len({r["meeting_uuid"] for r in records_by_table(messages)["report_meeting_participants"]})
