"""What keeps a table short: the gaps of what it reads through (its parents, the listings it
joins, their parents) and its own unavailability, which keep a window from counting as read
(read_path.py asks after each window); and how a table ends once read: quietly, with a warning,
or as a failure that names what went wrong."""

from __future__ import annotations

import logging
from typing import Any, List, Optional, Protocol

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.errors import Fault, TableFailure
from source_zoom.memo import Gap
from source_zoom.windows import Window


class Reader(Protocol):
    """What the verdict needs of a table or a listing (a zoom_stream.ZoomStream): its name, what it
    reads through, and where its failure is kept and said."""

    name: str
    context: Any  # parents.SyncContext: the memos, the report
    sources: List[Any]
    logger: logging.Logger

    def takes_only_what_is_read(self, source: Any) -> bool: ...


def upstream_gaps(stream: Reader) -> List[Gap]:
    """What the stream reads through that is short: gaps of its sources' listings (and theirs),
    and sources Zoom would not serve at all (unavailable: a gap from the beginning). A listing
    joined only for what it reads for its own table anyway (`Join.only_what_it_reads_anyway`) adds
    nothing another source lacks, so its gaps make no reader short."""
    found: List[Gap] = []
    for source in stream.sources:
        if stream.takes_only_what_is_read(source):
            continue
        unavailable = stream.context.report.unavailable.get(source.name)
        if unavailable:
            said = source.name in stream.context.report.said_for_product
            found.append(Gap(f"{source.name} is unavailable ({unavailable})", None, 0, unavailable=True, said=said))
        found += [gap.through(source.name) for gap in stream.context.memo(source).gaps] + upstream_gaps(source)
    return found


def blocked(stream: Reader, window: Optional[Window]) -> bool:
    """Whether an upstream gap or the stream's own unavailability keeps this window from counting as read."""
    if stream.context.report.unavailable.get(stream.name):
        return True
    return any(gap.reaches(window) for gap in upstream_gaps(stream))


def end_of_table(stream: Reader, gaps: List[Gap]) -> None:
    """A table that read everything ends quietly; one whose parents were unavailable ends with a
    warning (it is not this sync's fault, and the state waits for the data); any other gap ends it
    incomplete, with the first failure named and the failure type of what went wrong: an answer
    no retry changes (system_error) before a daily cap before Zoom or the network failing
    (transient_error, which the platform retries on its own)."""
    upstream = upstream_gaps(stream)
    failed = [gap for gap in gaps + upstream if not gap.unavailable]
    if not failed:
        if any(not gap.said for gap in upstream):
            stream.logger.warning(
                f"{stream.name}: not read, because {upstream[0].message}; its state stays where it was, so the next "
                "sync after Zoom serves it reads this table's whole history."
            )
        return
    own = [gap for gap in gaps if not gap.unavailable]
    refused = [gap for gap in own if gap.failure_type == FailureType.system_error]
    if refused:
        fail(stream, TableFailure(
            stream.name,
            f"{stream.name} is incomplete: Zoom refused {sum(gap.requests for gap in refused)} request(s) (first: "
            f"{refused[0].message}). Its state stays before the gap while the other tables finish, and asking again gets the "
            "same answer: report this message to the connector's maintainers.",
            FailureType.system_error,
            cause=refused[0].failure,
            names_own=True,
        ), internal_message="; ".join(gap.message for gap in failed[:3]))
    daily = next((gap.failure for gap in failed if gap.failure is not None and gap.failure.fault == Fault.DAILY_CAP), None)
    if daily is not None:
        fail(stream, TableFailure(
            stream.name,
            f"{stream.name} stopped at Zoom's daily {daily.category + ' ' if daily.category else ''}rate limit, used up until "
            f"{daily.resets_at:%Y-%m-%dT%H:%M:%SZ}: what it read is in its state, and a sync after that time continues from there.",
            FailureType.transient_error,
            daily_cap=daily,
        ), internal_message="; ".join(gap.message for gap in failed[:3]))
    problems = []
    requests = sum(gap.requests for gap in own)
    if requests:
        problems.append(f"{requests} request(s) failed after every retry (first: {own[0].message})")
    upstream_failed = [gap for gap in upstream if not gap.unavailable]
    if upstream_failed:
        problems.append(f"a parent listing is incomplete ({upstream_failed[0].message})")
    if not problems:  # only a stop: nothing after it reaches anyone
        problems.append(own[0].message)
    fail(stream, TableFailure(
        stream.name,
        f"{stream.name} is incomplete: {'; '.join(problems)}. Its state did not move past the gap; run the sync again.",
        FailureType.transient_error,
        cause=own[0].failure if requests else (upstream_failed[0].failure if upstream_failed else None),
        names_own=bool(requests),
    ))


def fail(stream: Reader, failure: TableFailure, internal_message: Optional[str] = None) -> None:
    """Ends the table with its failure: kept as data for the sync's closing sentence, raised as its error."""
    stream.context.report.table_failed(failure)
    raise AirbyteTracedException(message=failure.message, internal_message=internal_message, failure_type=failure.failure_type)
