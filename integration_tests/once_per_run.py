"""Work done once per test run, however many pytest workers (pytest-xdist) ask for it.

A session fixture runs once per worker; what must happen once per run (start the Docker engine
or the PostgreSQL server, measure the uncapped sync the capped-account tests compare with) goes
through `once_per_run(name, compute)`: the first worker to ask computes it under a file lock,
and every later caller in the same run reads the cached result. The result must be JSON.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

# The same in every worker of one run (pytest-xdist sets it); without workers, this process.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"


class FailedOnce(AssertionError):
    """What failed in the worker that did the work, reported in every worker that asks for it."""


def run_directory() -> Path:
    """A directory all the workers of this run share (and only they)."""
    directory = Path(tempfile.gettempdir()) / f"source-zoom-tests-{RUN_ID}"
    directory.mkdir(exist_ok=True)
    return directory


@contextmanager
def run_lock(name: str) -> Iterator[None]:
    """Held by one worker of the run at a time."""
    with open(run_directory() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def once_per_run(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, called by the first caller of this run only; everyone gets its result. A
    failure is cached too: the same error is raised in every caller, and the work is not retried."""
    result_path = run_directory() / f"{name}.json"
    with run_lock(name):
        if not result_path.exists():
            try:
                outcome = {"value": compute()}
            except Exception as error:  # noqa: BLE001 - every caller must see it
                outcome = {"error": f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=8)}"}
            result_path.write_text(json.dumps(outcome))
        outcome = json.loads(result_path.read_text())
    if "error" in outcome:
        raise FailedOnce(f"{name}, done once for the whole run, failed: {outcome['error']}")
    return outcome["value"]
