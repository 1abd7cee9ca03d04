"""Reads and checks the connector config; every problem becomes one sentence a person can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Tuple
from urllib.parse import urlsplit

from source_zoom.auth import JWT, REFRESH_TOKEN, SERVER_TO_SERVER, ZOOM_TOKEN_URL, config_error
from source_zoom.rate_limits import DEFAULT_RATE_LIMIT_PLAN, RATE_LIMIT_PLANS

DEFAULT_API_BASE_URL = "https://api.zoom.us/v2"
DEFAULT_OAUTH_TOKEN_URL = ZOOM_TOKEN_URL
DEFAULT_HISTORY_DAYS = 182
DEFAULT_NUM_WORKERS = 10
MAX_NUM_WORKERS = 50
DEFAULT_LOOKBACK_DAYS = 1
MAX_LOOKBACK_DAYS = 30
# Seconds to connect and to wait for each read of an answer. Undocumented config key
# `request_timeout_seconds` ([connect, read]): tests shorten it to make a hung Zoom quick to see.
DEFAULT_REQUEST_TIMEOUT = (10.0, 60.0)
MAX_REQUEST_TIMEOUT_SECONDS = 600

REQUIRED_CREDENTIALS = {
    SERVER_TO_SERVER: ("account_id", "client_id", "client_secret"),
    REFRESH_TOKEN: ("client_id", "client_secret", "refresh_token"),
    JWT: ("jwt_token",),
}


@dataclass(frozen=True)
class ZoomConfig:
    auth_type: str
    start_date: datetime
    api_base_url: str
    oauth_token_url: str
    num_workers: int
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    rate_limit_plan: str = DEFAULT_RATE_LIMIT_PLAN
    request_timeout: Tuple[float, float] = DEFAULT_REQUEST_TIMEOUT  # (connect, read) seconds, as requests takes it

    @property
    def today(self) -> datetime:
        return datetime.now(timezone.utc)


# The shapes start_date is written in: a date, or a date-time with optional seconds, fractions of
# a second and a zone (Z or a numeric offset; none means UTC). spec.yaml's pattern is the same
# expression (unit_tests/test_start_date.py holds them together), so the CDK's check of the spec, which
# runs before the connector sees the config, lets through exactly what this reads.
START_DATE_SHAPES = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$")
START_DATE_FORMS = (
    "write it as a date, 2026-01-01, or a date-time such as 2026-01-01T00:00:00Z (seconds, fractions of a second "
    "and an offset such as +02:00 may be given; it is read in UTC)"
)


def parse_start_date(value: Any) -> datetime:
    """The moment start_date names, in UTC: a date alone is its midnight UTC."""
    now = datetime.now(timezone.utc)
    if value is None or value == "":
        return (now - timedelta(days=DEFAULT_HISTORY_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    text = value if isinstance(value, str) else None
    try:
        if text is None or not START_DATE_SHAPES.match(text):
            raise ValueError(text)
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        raise config_error(f"start_date {value!r} is not a date: {START_DATE_FORMS}.")
    parsed = parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    if parsed > now:
        raise config_error(f"start_date {value} is in the future: Zoom has no data after today, so choose a date in the past.")
    return parsed


def parse_url(config: Mapping[str, Any], key: str, default: str) -> str:
    value = config.get(key) or default
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        raise config_error(f"{key} '{value}' is not an http(s) URL: leave it empty for Zoom, or use e.g. {default}.")
    return value.rstrip("/")


def parse_request_timeout(value: Any) -> Tuple[float, float]:
    if value is None:
        return DEFAULT_REQUEST_TIMEOUT
    numbers = isinstance(value, (list, tuple)) and len(value) == 2 and all(
        isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 < seconds <= MAX_REQUEST_TIMEOUT_SECONDS for seconds in value
    )
    if not numbers:
        raise config_error(
            f"request_timeout_seconds {value!r} must be two numbers of seconds, [connect, read], each above 0 and at most "
            f"{MAX_REQUEST_TIMEOUT_SECONDS}, e.g. [10, 60]; leave it out for those defaults."
        )
    return float(value[0]), float(value[1])


def parse_config(config: Mapping[str, Any]) -> ZoomConfig:
    credentials = config.get("credentials")
    if not isinstance(credentials, Mapping) or not credentials:
        raise config_error("The config has no credentials: add a 'credentials' object with auth_type server_to_server_oauth, oauth2_refresh_token or jwt.")
    auth_type = credentials.get("auth_type")
    if auth_type not in REQUIRED_CREDENTIALS:
        raise config_error(
            f"credentials.auth_type '{auth_type}' is unknown: use server_to_server_oauth, oauth2_refresh_token or jwt."
        )
    missing = [field for field in REQUIRED_CREDENTIALS[auth_type] if not str(credentials.get(field) or "").strip()]
    if missing:
        raise config_error(f"credentials for {auth_type} lack {', '.join(missing)}: copy them from the Zoom app's page on marketplace.zoom.us.")
    num_workers = config.get("num_workers", DEFAULT_NUM_WORKERS)
    if not isinstance(num_workers, int) or not 1 <= num_workers <= MAX_NUM_WORKERS:
        raise config_error(f"num_workers {num_workers!r} must be a whole number from 1 to {MAX_NUM_WORKERS}.")
    lookback_days = config.get("lookback_days", DEFAULT_LOOKBACK_DAYS)
    if not isinstance(lookback_days, int) or isinstance(lookback_days, bool) or not 0 <= lookback_days <= MAX_LOOKBACK_DAYS:
        raise config_error(f"lookback_days {lookback_days!r} must be a whole number of days from 0 to {MAX_LOOKBACK_DAYS}.")
    rate_limit_plan = config.get("rate_limit_plan") or DEFAULT_RATE_LIMIT_PLAN
    if rate_limit_plan not in RATE_LIMIT_PLANS:
        raise config_error(f"rate_limit_plan {rate_limit_plan!r} is not a Zoom plan: use free, pro or business (the account's plan sets its API rate limits).")
    return ZoomConfig(
        auth_type=auth_type,
        start_date=parse_start_date(config.get("start_date")),
        api_base_url=parse_url(config, "api_base_url", DEFAULT_API_BASE_URL),
        oauth_token_url=parse_url(config, "oauth_token_url", DEFAULT_OAUTH_TOKEN_URL),
        num_workers=num_workers,
        lookback_days=lookback_days,
        rate_limit_plan=rate_limit_plan,
        request_timeout=parse_request_timeout(config.get("request_timeout_seconds")),
    )
