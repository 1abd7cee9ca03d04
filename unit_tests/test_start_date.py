"""start_date as people write it: a date, or a date-time with or without seconds, fractions of a
second and a zone, read in UTC. The CDK checks the config against the spec's pattern before the
connector sees it (AirbyteEntrypoint.validate_connection), so each form goes through that check
too, and anything else ends with one sentence giving the forms, never a regular expression."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from airbyte_cdk.utils import AirbyteTracedException

from source_zoom import SourceZoom
from source_zoom.config import START_DATE_SHAPES, parse_config
from source_zoom.run import ZoomEntrypoint
from unit_tests.conftest import S2S_CREDENTIALS, config_with

UTC = timezone.utc
WRITTEN = {
    "2026-10-01": datetime(2026, 10, 1, tzinfo=UTC),
    "2026-10-01T00:00:00Z": datetime(2026, 10, 1, tzinfo=UTC),
    "2026-10-01T00:00:00.000Z": datetime(2026, 10, 1, tzinfo=UTC),
    "2026-10-01T09:30:15.123456Z": datetime(2026, 10, 1, 9, 30, 15, 123456, tzinfo=UTC),
    "2026-10-01T00:00:00+00:00": datetime(2026, 10, 1, tzinfo=UTC),
    "2026-10-01T02:00:00+02:00": datetime(2026, 10, 1, tzinfo=UTC),
    "2026-10-01T00:00:00-0500": datetime(2026, 10, 1, 5, tzinfo=UTC),
    "2026-10-01T00:00Z": datetime(2026, 10, 1, tzinfo=UTC),
    "2026-10-01 08:00:00": datetime(2026, 10, 1, 8, tzinfo=UTC),
}
NOT_DATES = ["last tuesday", "01/10/2026", "2026-13-01", "2026-10-01T25:00:00Z", "2026-10-01T00:00:00 UTC", " 2026-10-01", "20261001", 20261001]


@pytest.fixture(scope="module")
def spec():
    return SourceZoom().spec(None)


@pytest.mark.parametrize("written", sorted(WRITTEN))
def test_given_a_start_date_as_people_write_it_then_the_spec_check_passes_and_it_means_that_utc_moment(spec, written):
    config = config_with(S2S_CREDENTIALS, start_date=written)

    ZoomEntrypoint.validate_connection(spec, config)  # the CDK's check of the spec's pattern included

    assert parse_config(config).start_date == WRITTEN[written]


@pytest.mark.parametrize("written", NOT_DATES, ids=str)
def test_given_something_that_is_not_a_date_then_one_sentence_gives_the_forms_and_no_pattern(spec, written):
    with pytest.raises(AirbyteTracedException) as refused:
        ZoomEntrypoint.validate_connection(spec, config_with(S2S_CREDENTIALS, start_date=written))

    message = refused.value.message
    assert message.startswith(f"start_date {written!r} is not a date: write it as a date, 2026-01-01, or a date-time such as 2026-01-01T00:00:00Z")
    assert "[0-9]" not in message and "^" not in message and "\n" not in message


def test_given_the_spec_then_its_start_date_pattern_is_the_one_the_connector_reads(spec):
    start_date = spec.connectionSpecification["properties"]["start_date"]

    assert start_date["pattern"] == START_DATE_SHAPES.pattern
    assert start_date["format"] == "date-time"  # the form's date-time picker
