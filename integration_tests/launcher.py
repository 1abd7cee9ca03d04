"""`python main.py ...` as a fresh process, without paying two seconds of imports each time.

The tests launch the connector about a hundred times; each `python main.py` spends most of its
start importing the CDK. Here one warm process (the fork server, started on first use, once per
pytest process) imports `source_zoom.run` and nothing else, then forks one child per launch. The
child takes the caller's stdin, stdout and stderr (passed over a Unix socket), working directory,
environment and arguments, and runs main.py as `__main__`: from there it is a process like any
other, with its own pid, signals, exit status and interpreter shutdown (the exception that ends
main.py leaves the child's top level exactly as it would leave a fresh interpreter's).

What differs from a fresh interpreter: modules were imported before the child existed (an
environment variable read at import time is the server's: it was started with the caller's
environment), and every child shares the server's hash seed. A test of the interpreter itself
(an encoding, a locale, an import error) runs `python main.py` with subprocess instead.

Unpaced (`paced=False`, for the tests that do not test pacing): against a fake Zoom without
per-second limits the connector still paces itself at the plan's rates (38 Heavy requests a
second on Business: most of a default sync's wall time). Unpaced, the child's plans allow
UNPACED_PER_SECOND requests a second in every category; what is asked, in which order, retried
and counted against a daily cap stays the connector's own.

    launch(args, stdout=PIPE) -> Launched   # a subprocess.Popen look-alike
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
MAIN = REPO_ROOT / "main.py"
PIPE = subprocess.PIPE
UNPACED_PER_SECOND = 100_000
DEVNULL = subprocess.DEVNULL
# Set to 0 to launch `python main.py` with subprocess every time (to compare, or to rule the
# fork server out when a test behaves oddly).
USE_FORK_SERVER = os.environ.get("SOURCE_ZOOM_TEST_FORK_SERVER", "1") != "0"


# --- the server (its own process) -----------------------------------------------------------------


def _serve(socket_path: str) -> Optional[Dict[str, Any]]:
    """Accepts launches until stdin closes. Returns only in a forked child: its launch request."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    print("ready", flush=True)  # the client waits for this line before its first launch
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wakeup fd is written
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    selector.register(sys.stdin, selectors.EVENT_READ, "client")
    children: Dict[int, socket.socket] = {}
    while True:
        for key, _ in selector.select():
            if key.data == "client":
                if not sys.stdin.buffer.read1(4096):  # the client is gone: so are we, and our children
                    for pid in children:
                        _kill_quietly(pid)
                    return None
            elif key.data == "child":
                os.read(wake_read, 4096)
                _reap(children)
            else:
                connection, _ = listener.accept()
                message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
                request = json.loads(message)
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    selector.close()
                    for fd in (listener.fileno(), wake_read, wake_write, *(c.fileno() for c in children.values())):
                        os.close(fd)
                    _become(request, fds, connection)
                    return request
                for fd in fds:
                    os.close(fd)
                connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
                children[pid] = connection
        _reap(children)


def _reap(children: Dict[int, socket.socket]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is not None:
            try:
                connection.sendall(json.dumps({"exit_code": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
            except OSError:
                pass  # the caller stopped waiting
            connection.close()


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _become(request: Mapping[str, Any], fds: Sequence[int], connection: socket.socket) -> None:
    """In the child: the caller's streams on 0, 1 and 2, its directory, environment and arguments."""
    sys.stdout.flush()
    sys.stderr.flush()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)  # dup2 makes 0, 1 and 2 inheritable, as they are in any process
        os.close(fd)
    connection.close()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [str(MAIN), *request["args"]]
    if not request["paced"]:
        from source_zoom import rate_limits

        rate_limits.API_RATES = unpaced_rates(rate_limits.API_RATES)


def unpaced_rates(api_rates: Mapping[Any, Any]) -> Dict[Any, Any]:
    """source_zoom.rate_limits.API_RATES with each API's per-second rates per plan at
    UNPACED_PER_SECOND (its daily caps stay): for the launcher's unpaced children, and for the
    in-process syncs of modules whose fakes have no per-second limits (integration_tests/conftest.py)."""

    def unlimited(rates: Mapping[str, Mapping[str, int]]) -> Dict[str, Dict[str, int]]:
        return {plan: {category: UNPACED_PER_SECOND for category in per_plan} for plan, per_plan in rates.items()}

    # Loud if the table moves: a silent miss would only make the suite slow.
    assert api_rates, "source_zoom.rate_limits.API_RATES is gone"
    return {api: (unlimited(rates), caps) for api, (rates, caps) in api_rates.items()}


# --- the client (in the test process) -------------------------------------------------------------


def as_a_terminal_starts_it() -> None:
    """In a new process before its interpreter starts: SIGINT at its default, so that Python
    installs its KeyboardInterrupt handler, as in any connector a person runs in a terminal. A
    test run started as a background job (`.ci/run &`, nohup) has SIGINT ignored, every process
    under it inherits that, and a Python started so keeps ignoring it: Ctrl-C, which the stop
    tests send as a person would, would never reach the connector."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)



class _Server:
    """The fork server of this process, started on first use and stopped when the process ends."""

    _lock = threading.Lock()
    _running: Optional["_Server"] = None

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="source-zoom-launcher-")
        self.socket_path = os.path.join(self.directory, "socket")
        self.process = subprocess.Popen(
            [sys.executable, __file__, self.socket_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, cwd=REPO_ROOT,
            preexec_fn=as_a_terminal_starts_it,  # its children inherit its SIGINT handler
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        if ready.strip() != b"ready":
            raise RuntimeError(f"the connector's fork server did not start (exit {self.process.wait()})")

    @classmethod
    def get(cls) -> "_Server":
        with cls._lock:
            if cls._running is None or cls._running.process.poll() is not None:
                cls._running = cls()
                atexit.register(cls._running.stop)
            return cls._running

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for name in os.listdir(self.directory):
            os.unlink(os.path.join(self.directory, name))
        os.rmdir(self.directory)


class Launched:
    """A launched connector process, with the part of subprocess.Popen's interface the tests use."""

    def __init__(self, args: List[str], pid: int, connection: Optional[socket.socket], popen: Optional[subprocess.Popen], stdin: Any, stdout: Any, stderr: Any):
        self.args = args
        self.pid = pid
        self.returncode: Optional[int] = None
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self._connection = connection
        self._popen = popen
        self._answer = b""

    def poll(self) -> Optional[int]:
        return self._wait(0) if self.returncode is None else self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        if self.returncode is None and self._wait(timeout) is None:
            raise subprocess.TimeoutExpired(self.args, timeout)  # type: ignore[arg-type]
        return self.returncode  # type: ignore[return-value]

    def _wait(self, timeout: Optional[float]) -> Optional[int]:
        if self._popen is not None:
            try:
                self.returncode = self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
            return self.returncode
        assert self._connection is not None
        self._connection.settimeout(timeout)
        try:
            while not self._answer.endswith(b"\n"):
                chunk = self._connection.recv(4096)
                if not chunk:
                    raise RuntimeError("the connector's fork server went away before the process ended")
                self._answer += chunk
        except (socket.timeout, BlockingIOError):
            return None
        self.returncode = json.loads(self._answer)["exit_code"]
        self._connection.close()
        return self.returncode

    def send_signal(self, signal_number: int) -> None:
        if self.poll() is None:  # never signal a pid that may already belong to another process
            os.kill(self.pid, signal_number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __enter__(self) -> "Launched":
        return self

    def __exit__(self, *exc: Any) -> None:
        for stream in (self.stdin, self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        if self.returncode is None:
            self.wait()


def launch(args: Sequence[str], stdin: Any = DEVNULL, stdout: Any = None, stderr: Any = None, text: bool = False, env: Optional[Mapping[str, str]] = None, cwd: Path = REPO_ROOT, paced: bool = True) -> Launched:
    """`python main.py *args` as a new process. Each stream is PIPE (a file object on this side,
    as Popen gives), DEVNULL, None (this process's own) or an open file. `paced=False`: see above."""
    args = [str(arg) for arg in args]
    if not USE_FORK_SERVER:
        # (paced whatever `paced` says: a fresh interpreter takes the connector as it is)
        popen = subprocess.Popen([sys.executable, str(MAIN), *args], stdin=stdin, stdout=stdout, stderr=stderr, text=text, env=None if env is None else dict(env), cwd=cwd,
                                 preexec_fn=as_a_terminal_starts_it)
        return Launched(args, popen.pid, None, popen, popen.stdin, popen.stdout, popen.stderr)
    ours: List[Any] = [None, None, None]
    theirs: List[int] = []
    to_close: List[int] = []
    for index, stream in enumerate((stdin, stdout, stderr)):
        if stream is PIPE:
            read_end, write_end = os.pipe()
            mine, child = (write_end, read_end) if index == 0 else (read_end, write_end)
            ours[index] = open(mine, "w" if index == 0 else "r", encoding="utf-8" if text else None) if text else open(mine, "wb" if index == 0 else "rb", buffering=0 if index == 0 else -1)
            theirs.append(child)
            to_close.append(child)
        elif stream is DEVNULL:
            fd = os.open(os.devnull, os.O_RDWR)
            theirs.append(fd)
            to_close.append(fd)
        elif stream is None:
            theirs.append(index)
        else:
            theirs.append(stream.fileno())
    server = _Server.get()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(server.socket_path)
        request = {"args": args, "cwd": str(cwd), "env": dict(os.environ if env is None else env), "paced": paced}
        socket.send_fds(connection, [json.dumps(request).encode()], theirs)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = connection.recv(4096)
            if not chunk:
                raise RuntimeError("the connector's fork server went away")
            answer += chunk
    finally:
        for fd in to_close:
            os.close(fd)
    return Launched(args, json.loads(answer)["pid"], connection, None, *ours)


def run(args: Sequence[str], timeout: float, env: Optional[Mapping[str, str]] = None, cwd: Path = REPO_ROOT, paced: bool = True) -> subprocess.CompletedProcess:
    """subprocess.run(`python main.py *args`, capture_output=True, text=True, timeout=timeout):
    the output goes to files, so a child that prints a lot never waits on a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = launch(args, stdout=out, stderr=err, env=env, cwd=cwd, paced=paced)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(list(args), process.returncode, out.read().decode("utf-8"), err.read().decode("utf-8", "replace"))


if __name__ == "__main__":
    sys.path[0] = str(REPO_ROOT)  # as for `python main.py`: the script's directory first
    import source_zoom.run  # noqa: E402,F401  the two seconds every launch would pay

    if _serve(sys.argv[1]) is not None:
        # A child: main.py as `python main.py` runs it; whatever ends it ends this process the same way.
        import runpy

        runpy.run_path(str(MAIN), run_name="__main__")
