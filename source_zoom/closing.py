"""The sentence a sync with failed tables ends with: the first real cause again, with its fix and
its failure type, since the last line is the one a person (and the platform) reads.

Each failed table already said its reason in its own error trace (incremental.end_of_table), and
left how it ended as data (errors.TableFailure): that data is what this module reads, never the
sentence. A child table that failed only because a listing it reads through failed is not a cause of its own: the first table that failed on its own requests is, and
within its message the first failed request. Its failure type decides what the platform does:
config_error for what the person must fix; transient_error for faults of Zoom or the network (the
platform retries the sync by itself); system_error for a request Zoom rejects as invalid (a
400 code 300, or an answer the error table does not know), which no retry changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.errors import MAX_RETRIES, Fault, TableFailure

# The CDK ends a read some of whose streams failed with one more error, a multi-line list of
# exception reprs; SourceZoom.read says it again as one sentence, made here.
CDK_CLOSING_ERROR = "Concurrent read failure"
UNEXPECTED = "An unexpected error occurred"
TRIES = MAX_RETRIES + 1


@dataclass(frozen=True)
class TableError:
    """A table's error trace, and how it ended as data when the table ended it itself (None: an
    error the table did not word, e.g. a bug)."""

    table: str
    message: str
    failure_type: Optional[FailureType]
    ended: Optional[TableFailure] = None


def cause_of(error: TableError) -> Tuple[str, FailureType]:
    """The cause a table's error names, as one clause with its fix, and its failure type."""
    text = error.message
    failure = error.ended.cause if error.ended is not None else None
    if error.failure_type == FailureType.config_error or failure is None:
        return text, error.failure_type or FailureType.system_error
    endpoint = failure.endpoint_name
    if failure.fault in (Fault.REFUSED, Fault.ZOOM_OR_NETWORK) and failure.status not in (None, 200):
        status, said = failure.status, failure.said.strip()
        zoom = f"HTTP {status}, code {failure.code}: {said}" if failure.code is not None else f"HTTP {status}: {said}"
        if status in (408, 429) or status >= 500:  # type: ignore[operator]
            return (
                f"Zoom answered {zoom} for {endpoint} after {TRIES} tries; that is Zoom's fault or the network's, not the config's: "
                "run the sync again, it continues from the saved states.",
                FailureType.transient_error,
            )
        named = failure.resource if endpoint == failure.resource else f"{failure.resource} ({endpoint})"
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
    if failure.fault == Fault.NO_ANSWER and failure.resource:
        return (
            f"Zoom could not be reached for {endpoint} ({failure.error_name}) after {TRIES} tries; that is "
            "the network's fault or Zoom's, not the config's: run the sync again, it continues from the saved states.",
            FailureType.transient_error,
        )
    return text, error.failure_type or FailureType.system_error


def first_real_cause(errors: List[TableError]) -> TableError:
    """What the person must fix first, else the first table that failed on its own requests, else the first error."""
    for wanted in (
        lambda e: e.failure_type == FailureType.config_error,
        lambda e: e.ended is not None and e.ended.names_own,
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
    daily = [error.ended.daily_cap if error.ended is not None else None for error in errors]
    if errors and all(daily):
        category, resets_at = sorted((cap.category, f"{cap.resets_at:%Y-%m-%dT%H:%M:%SZ}") for cap in daily if cap)[0]
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
