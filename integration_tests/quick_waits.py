"""`python main.py` with short sleeps between retries, for tests that let Zoom fail for good.

    python integration_tests/quick_waits.py CONNECTOR_ROOT check --config config.json
    python integration_tests/quick_waits.py CONNECTOR_ROOT --serve

Runs the connector found at CONNECTOR_ROOT exactly as main.py does, except that every wait
between two retries lasts at most a few hundredths of a second: what is retried, how often and in
which order stays the connector's own (the same shortening as the in-process tests').

With --serve it imports the connector once and then runs one command per line of stdin
(`{"args": [...], "stdout": PATH, "stderr": PATH}`) in a forked child whose stdout and stderr go
to those files, answering `{"exit_code": N}` per line: each run is a fresh process as Airbyte
starts it, without paying the two seconds of importing the CDK again.
"""

from __future__ import annotations

import json
import os
import sys
import time
from types import SimpleNamespace

sys.path.insert(0, sys.argv.pop(1))

from airbyte_cdk.sources.streams.http import rate_limiting  # noqa: E402

from source_zoom import auth, errors  # noqa: E402
from source_zoom.run import run  # noqa: E402

rate_limiting.time = SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, 0.02)))  # the CDK's retries
errors.BACKOFF_BASE_SECONDS, errors.BACKOFF_CAP_SECONDS = 0.01, 0.05  # the connector's own backoff
auth.TOKEN_RETRY_BASE_SECONDS = 0.001  # the token endpoint's


def run_in_child(args: list, stdout_path: str, stderr_path: str) -> int:
    """The exit code of `run(args)` in a forked child writing to the two files."""
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        code = 1
        try:
            for fd, path in ((1, stdout_path), (2, stderr_path)):
                target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(target, fd)
                os.close(target)
            sys.argv = ["main.py", *args]
            try:
                run(args)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            except BaseException:  # what the CDK's hook would print for an uncaught exception
                sys.excepthook(*sys.exc_info())
                code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def serve() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        code = run_in_child(request["args"], request["stdout"], request["stderr"])
        print(json.dumps({"exit_code": code}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        run()
