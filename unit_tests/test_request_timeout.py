"""`request_timeout_seconds`: the undocumented [connect, read] timeouts a test can shorten."""

from __future__ import annotations

import pytest

from airbyte_cdk.utils import AirbyteTracedException
from source_zoom.config import DEFAULT_REQUEST_TIMEOUT, parse_config
from unit_tests.conftest import config_with


def test_given_no_request_timeout_when_parsing_then_it_is_10_s_to_connect_and_60_s_to_read():
    assert parse_config(config_with()).request_timeout == DEFAULT_REQUEST_TIMEOUT == (10.0, 60.0)


@pytest.mark.parametrize("value, expected", [([2, 5], (2.0, 5.0)), ([0.5, 1.5], (0.5, 1.5)), ((3, 600), (3.0, 600.0))])
def test_given_a_request_timeout_when_parsing_then_it_is_connect_and_read_seconds(value, expected):
    assert parse_config(config_with(request_timeout_seconds=value)).request_timeout == expected


@pytest.mark.parametrize("value", [5, [5], [1, 2, 3], [0, 5], [5, -1], [5, 601], ["10", "60"], [True, 5], {"connect": 1, "read": 2}])
def test_given_a_bad_request_timeout_when_parsing_then_it_is_one_config_error_sentence(value):
    with pytest.raises(AirbyteTracedException) as error:
        parse_config(config_with(request_timeout_seconds=value))

    assert error.value.failure_type.value == "config_error"
    assert error.value.message.startswith(f"request_timeout_seconds {value!r} must be two numbers of seconds")
