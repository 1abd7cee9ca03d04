"""The process-wide stop flag: set when the platform cancels a sync (SIGTERM), read by the code
that sends requests and queues records so that nothing new starts once it is set.

    from source_zoom.stopping import check_not_stopped, stop_requested
    check_not_stopped()          # before sending a request or queueing a record: raises SyncStopped

Only source_zoom.run sets it (its SIGTERM handler); tests may set and clear it.
"""

from __future__ import annotations

import threading

STOP = threading.Event()


class SyncStopped(Exception):
    """Raised where work would start after the sync was asked to stop. Not an error of the sync:
    the process is about to exit, and nothing raised after the stop is emitted."""

    def __init__(self) -> None:
        super().__init__("The sync was asked to stop (SIGTERM): no new request or record is started.")


def request_stop() -> None:
    STOP.set()


def stop_requested() -> bool:
    return STOP.is_set()


def check_not_stopped() -> None:
    if STOP.is_set():
        raise SyncStopped()
