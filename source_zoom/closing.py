"""The sentence a sync with failed tables ends with: the first real cause again, with its fix and
its failure type, since the last line is the one a person (and the platform) reads.

Each failed table already said its reason in its own error trace (read_path.end_of_table); those
traces are what this module reads. A child table that failed only because a listing it reads
through failed is not a cause of its own: the first table that failed on its own requests is, and
within its message the first failed request. Its failure type decides what the platform does:
config_error for what the person must fix; transient_error for faults of Zoom or the network (the
platform retries the sync by itself); system_error for a request Zoom rejects as invalid (a
400 code 300, or an answer the error table does not know), which no retry changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.errors import MAX_RETRIES, daily_limit_in
from source_zoom.rate_limits import ENDPOINT_CATEGORIES

# The CDK ends a read some of whose streams failed with one more error, a multi-line list of
# exception reprs; SourceZoom.read says it again as one sentence, made here.
CDK_CLOSING_ERROR = "Concurrent read failure"

# What a failed request said, as the error handler words it (errors.ZoomErrorHandler), inside a
# table's message: "(first: ...)" for its own requests, "(parent: ...)" for a listing it reads through.
ANSWERED = re.compile(
    r"(?P<resource>/\S*) answered HTTP (?P<status>\d{3}), Zoom code (?P<code>[^:]*): (?P<message>.*?)\)(?=\. Its state|; a parent listing|$)"
)
NETWORK = re.compile(r"network error talking to Zoom on (?P<resource>/\S+) \((?P<error>\w+)")
# read_path.end_of_table names a table's own first failed request so; a listing it reads through, so.
OWN_FAILURE = " (first: "
PARENT_FAILURE = "a parent listing is incomplete ("
UNEXPECTED = "An unexpected error occurred"
TRIES = MAX_RETRIES + 1


@dataclass(frozen=True)
class TableError:
    table: str
    message: str
    failure_type: Optional[FailureType]


def endpoint_of(resource: str) -> str:
    """`/meetings/123/polls` -> `/meetings/{meetingId}/polls`: the endpoint, as Zoom's reference names it."""
    parts = resource.strip("/").split("/")
    for template in ENDPOINT_CATEGORIES:
        segments = template.split("/")
        if len(segments) == len(parts) and all(s.startswith("{") or s == p for s, p in zip(segments, parts)):
            return "/" + template
    return resource


def cause_of(error: TableError) -> Tuple[str, FailureType]:
    """The cause a table's message names, as one clause with its fix, and its failure type."""
    text = error.message
    own = text.split(OWN_FAILURE, 1)[1] if OWN_FAILURE in text else None
    through = text.split(PARENT_FAILURE, 1)[1] if PARENT_FAILURE in text else None
    detail = own if own is not None else through
    if error.failure_type == FailureType.config_error or detail is None:
        return text, error.failure_type or FailureType.system_error
    answered = ANSWERED.search(detail)
    if answered is not None:
        status, code, said = int(answered["status"]), answered["code"], answered["message"].strip()
        endpoint = endpoint_of(answered["resource"])
        zoom = f"HTTP {status}, code {code}: {said}" if code != "None" else f"HTTP {status}: {said}"
        if status in (408, 429) or status >= 500:
            return (
                f"Zoom answered {zoom} for {endpoint} after {TRIES} tries; that is Zoom's fault or the network's, not the config's: "
                "run the sync again, it continues from the saved states.",
                FailureType.transient_error,
            )
        named = answered["resource"] if endpoint == answered["resource"] else f"{answered['resource']} ({endpoint})"
        if status == 403:  # not allowed rather than invalid: a setting of the account's or a scope of the app's
            return (
                f"Zoom refused GET {named} ({zoom}), and no retry changes that: check what the app's scopes and the "
                "account's settings allow for it, or report this message to the connector's maintainers.",
                FailureType.system_error,
            )
        return (
            f"Zoom rejected GET {named} as invalid ({zoom}), and no retry changes that: report it to the connector's "
            "maintainers with this message.",
            FailureType.system_error,
        )
    network = NETWORK.search(detail)
    if network is not None:
        return (
            f"Zoom could not be reached for {endpoint_of(network['resource'])} ({network['error']}) after {TRIES} tries; that is "
            "the network's fault or Zoom's, not the config's: run the sync again, it continues from the saved states.",
            FailureType.transient_error,
        )
    return text, error.failure_type or FailureType.system_error


def first_real_cause(errors: List[TableError]) -> TableError:
    """What the person must fix first, else the first table that failed on its own requests, else the first error."""
    for wanted in (
        lambda e: e.failure_type == FailureType.config_error,
        lambda e: OWN_FAILURE in e.message,
        lambda e: not e.message.startswith(UNEXPECTED),
    ):
        found = next((error for error in errors if wanted(error)), None)
        if found is not None:
            return found
    return errors[0]


def closing_error(table_errors: Mapping[str, TableError]) -> AirbyteTracedException:
    errors = list(table_errors.values())
    names = sorted(table_errors)
    listed = f"{len(names)} table{'s' if len(names) != 1 else ''} incomplete ({', '.join(names)})"
    daily = [daily_limit_in(error.message) for error in errors]
    if errors and all(daily):
        category, resets_at = sorted(found for found in daily if found)[0]
        message = (
            f"The sync stopped at Zoom's daily {category + ' ' if category else ''}rate limit, used up until {resets_at}: "
            f"{len(names)} table(s) keep what they read in their state ({', '.join(names)}), and a sync after that time continues from there."
        )
        return AirbyteTracedException(message=message, internal_message=CDK_CLOSING_ERROR, failure_type=FailureType.transient_error)
    if not errors:
        return AirbyteTracedException(
            message="The sync ended incomplete without a table naming why: run it again with --debug and report the log.",
            internal_message=CDK_CLOSING_ERROR,
            failure_type=FailureType.system_error,
        )
    cause = first_real_cause(errors)
    said, failure_type = cause_of(cause)
    return AirbyteTracedException(
        message=f"{listed}: {said}" if len(names) == 1 else f"{listed}; the first cause, in {cause.table}: {said}",
        internal_message=f"{CDK_CLOSING_ERROR}: {cause.table}: {cause.message}",
        failure_type=failure_type,
    )
