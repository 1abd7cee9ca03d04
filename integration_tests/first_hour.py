"""The first hour of a new user, as a table: every mistake people make with the config (and the
faults of Zoom and the network they meet), each run as `python main.py check|read` against the
fake Zoom API, and what the user reads last.

Used by integration_tests/test_first_hour.py, which asserts each row, and runnable on its own to
print the table for any checkout of the connector (the fake always comes from this one):

    .venv/bin/python -m integration_tests.first_hour [--connector-root PATH] [--markdown]

The connector runs through `integration_tests/quick_waits.py`, which only shortens the sleeps
between retries (their number and order are the connector's own), so that a Zoom that fails for
good is given up on in seconds instead of minutes.
"""

from __future__ import annotations

import argparse
import json
import queue
import socket
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
QUICK_WAITS = Path(__file__).resolve().parent / "quick_waits.py"
THREE_TABLES = ("users", "meetings", "report_meetings")
POLL_TABLES = ("users", "meetings", "meeting_polls")
ALL_TABLES = "all"
TRACEBACK = "Traceback (most recent call last)"
S2S, REFRESH, JWT = "server_to_server_oauth", "oauth2_refresh_token", "jwt"
AUTH_LABEL = {S2S: "S2S", REFRESH: "refresh token", JWT: "JWT"}


@dataclass(frozen=True)
class Places:
    """Where the odd URLs of a case point: a server that is not Zoom, a port nobody listens on."""

    fake: Any  # FakeZoomServer
    not_zoom: str
    closed: str


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # check | read
    auth: str
    change: Callable[[Dict[str, Any], Places], None] = lambda config, places: None
    fake: Mapping[str, Any] = field(default_factory=dict)  # FakeZoomConfig overrides
    tables: Any = THREE_TABLES
    # What the user must read last (a part of the sentence), its failure type ("FAILED" for a
    # check that fails, None for a run that ends well), the exit code, the token requests spent.
    last: str = ""
    failure_type: Optional[str] = None
    exit_code: int = 0
    token_requests: Optional[int] = 1
    # A refused login ends the sync with exactly one error trace.
    one_error: bool = False

    def command_line(self, tables_read: int) -> str:
        """The command as the table prints it; a read says how many tables its catalog held."""
        if self.command == "check":
            return "check --config config.json"
        return f"read --config config.json --catalog catalog.json ({tables_read} tables)"


@dataclass
class Outcome:
    exit_code: int
    last_line: str
    failure_type: Optional[str]
    token_requests: int
    error_traces: int
    tracebacks: List[str]
    lines: int
    tables_read: int = 0  # the streams of the catalog a read was given (its count comes from discover)


def set_credentials(**values: Any) -> Callable[[Dict[str, Any], Places], None]:
    return lambda config, places: config["credentials"].update(values)


def set_config(key: str, value: Callable[[Places], Any]) -> Callable[[Dict[str, Any], Places], None]:
    def change(config: Dict[str, Any], places: Places) -> None:
        config[key] = value(places)

    return change


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


LOGIN_FAULT = {"persistent_fault_endpoint": "/v2/users"}
TOKEN_ENDPOINT_DOWN = {"token_fault_script": ("503",) * 5}
USERS_SCOPE_MISSING = {"missing_scopes": "user:read:list_users:admin"}
CASES: List[Case] = [
    # --- check ----------------------------------------------------------------------------------
    Case("the fake's own app", "check", S2S, last="SUCCEEDED"),
    Case("wrong client secret", "check", S2S, set_credentials(client_secret="wrong-secret-4242"), last="fix credentials.client_id and client_secret", failure_type="FAILED"),
    Case("wrong account id", "check", S2S, set_credentials(account_id="other-account-4242"), last="fix credentials.account_id", failure_type="FAILED"),
    Case("refresh token used up", "check", REFRESH, set_credentials(refresh_token="used-refresh-token-4242"), last="credentials.refresh_token is no longer valid", failure_type="FAILED"),
    Case("JWT expired or revoked", "check", JWT, set_credentials(jwt_token="revoked-jwt-4242"), last="the JWT expired or was revoked", failure_type="FAILED", token_requests=0),
    Case("a JWT Zoom takes", "check", JWT, last="SUCCEEDED", token_requests=0),
    Case("api_base_url path typo (/v3)", "check", S2S, set_config("api_base_url", lambda p: p.fake.url + "/v3"), last="/v3 is wrong: GET", failure_type="FAILED"),
    Case("api_base_url without /v2", "check", REFRESH, set_config("api_base_url", lambda p: p.fake.url), last="/users answered HTTP 404", failure_type="FAILED"),
    Case("api_base_url not Zoom", "check", S2S, set_config("api_base_url", lambda p: p.not_zoom), last="is not Zoom's API", failure_type="FAILED"),
    # The fake counts requests to its token endpoint only: one to a wrong path is not seen there.
    Case("oauth_token_url path typo", "check", S2S, set_config("oauth_token_url", lambda p: p.fake.url + "/oauth/tokens"), last="is not Zoom's token endpoint", failure_type="FAILED", token_requests=0),
    Case("users scope missing", "check", S2S, fake=USERS_SCOPE_MISSING, last="add the scope user:read:list_users:admin to the Zoom app", failure_type="FAILED"),
    Case("Zoom unreachable", "check", S2S, set_config("api_base_url", lambda p: p.closed), last="(api_base_url) cannot be reached (ConnectionError: connection refused): this machine's network", failure_type="FAILED"),
    Case("Zoom answers 500 to the login check", "check", JWT, fake=LOGIN_FAULT, last="failed 5 times, the last with HTTP 500", failure_type="FAILED", token_requests=0),
    Case("start_date as YYYY-MM-DD", "check", S2S, set_config("start_date", lambda p: days_ago(60)), last="SUCCEEDED"),
    Case("start_date in words", "check", S2S, set_config("start_date", lambda p: "last tuesday"), last="is not a date: write it as a date, 2026-01-01,", failure_type="FAILED", token_requests=0),
    # --- read -----------------------------------------------------------------------------------
    Case("the fake's own app", "read", S2S, last="Sync summary:"),
    Case("wrong client secret", "read", S2S, set_credentials(client_secret="wrong-secret-4242"), last="fix credentials.client_id and client_secret", failure_type="config_error", exit_code=1, one_error=True),
    Case("wrong client secret, all tables", "read", S2S, set_credentials(client_secret="wrong-secret-4242"), tables=ALL_TABLES, last="fix credentials.client_id and client_secret", failure_type="config_error", exit_code=1, one_error=True),
    Case("refresh token used up", "read", REFRESH, set_credentials(refresh_token="used-refresh-token-4242"), last="re-authorize the Zoom app", failure_type="config_error", exit_code=1, one_error=True),
    Case("JWT expired or revoked", "read", JWT, set_credentials(jwt_token="revoked-jwt-4242"), last="create a Server-to-Server OAuth app", failure_type="config_error", exit_code=1, token_requests=0, one_error=True),
    Case("api_base_url path typo (/v3)", "read", JWT, set_config("api_base_url", lambda p: p.fake.url + "/v3"), last="/v3 is wrong: GET", failure_type="config_error", exit_code=1, token_requests=0, one_error=True),
    Case("oauth_token_url path typo", "read", REFRESH, set_config("oauth_token_url", lambda p: p.fake.url + "/oauth/tokens"), last="is not Zoom's token endpoint", failure_type="config_error", exit_code=1, token_requests=0, one_error=True),
    Case("token endpoint down (503)", "read", S2S, fake=TOKEN_ENDPOINT_DOWN, last="Zoom or the network is failing, not the credentials", failure_type="transient_error", exit_code=1, token_requests=5, one_error=True),
    Case("Zoom answers 500 to the login check", "read", S2S, fake=LOGIN_FAULT, last="the last with HTTP 500", failure_type="transient_error", exit_code=1, one_error=True),
    Case("Zoom unreachable", "read", S2S, set_config("api_base_url", lambda p: p.closed), last="cannot be reached (ConnectionError: connection refused)", failure_type="transient_error", exit_code=1, one_error=True),
    Case("one endpoint always 500", "read", S2S, fake={"persistent_fault_endpoint": "/v2/meetings/{meetingId}/polls"}, tables=POLL_TABLES,
         last="Zoom answered HTTP 500, code 500: Internal Error (injected fault) for /meetings/{meetingId}/polls after 9 tries", failure_type="transient_error", exit_code=1),
    Case("one endpoint rejected as invalid (400/300)", "read", REFRESH, fake={"persistent_fault_endpoint": "/v2/meetings/{meetingId}/polls", "persistent_fault": "invalid"},
         tables=POLL_TABLES, last="as invalid (HTTP 400, code 300: Validation Failed.)", failure_type="system_error", exit_code=1),
    Case("users scope missing", "read", S2S, fake=USERS_SCOPE_MISSING, last="add user:read:list_users:admin to the Zoom app's scopes; the next sync then reads their whole history."),
    Case("start_date with an offset", "read", JWT, set_config("start_date", lambda p: f"{days_ago(60)}T02:00:00.000+02:00"), last="Sync summary:", token_requests=0),
]


# --- the places a case points at ---------------------------------------------------------------


class NotZoom(BaseHTTPRequestHandler):
    """A web server that is not Zoom: a page for every path."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<html><body><h1>Welcome</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- running a case ------------------------------------------------------------------------------


def catalog_of(tables: Any, discovered: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    return {
        "streams": [
            {"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
            for stream in discovered
            if tables == ALL_TABLES or stream["name"] in tables
        ]
    }


def messages_of(stdout: str) -> List[Dict[str, Any]]:
    found = []
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            found.append(message)
    return found


def user_visible(messages: List[Dict[str, Any]]) -> Iterator[tuple]:
    """(kind, text, failure type) of every message a person reads: logs, errors, the check's answer."""
    for message in messages:
        if message.get("type") == "LOG":
            yield "LOG", message["log"]["message"], None
        elif message.get("type") == "TRACE" and message["trace"].get("type") == "ERROR":
            error = message["trace"]["error"]
            yield "TRACE", error["message"], error.get("failure_type")
            yield "TRACE detail", f"{error.get('internal_message') or ''} {error.get('stack_trace') or ''}", None
        elif message.get("type") == "CONNECTION_STATUS":
            status = message["connectionStatus"]
            said = f"{status['status']}: {status['message']}" if status.get("message") else status["status"]
            yield "STATUS", said, "FAILED" if status["status"] == "FAILED" else None


class Connector:
    """A warm connector process (quick_waits.py --serve): each command runs in a fresh child of it."""

    def __init__(self, connector_root: Path = REPO_ROOT):
        self.process = subprocess.Popen(
            [sys.executable, str(QUICK_WAITS), str(connector_root), "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=connector_root,
        )

    def run(self, args: List[str], directory: str) -> subprocess.CompletedProcess:
        stdout, stderr = Path(directory) / "stdout", Path(directory) / "stderr"
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"args": args, "stdout": str(stdout), "stderr": str(stderr)}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the connector process ended early (exit {self.process.wait()})")
        return subprocess.CompletedProcess(args, json.loads(answer)["exit_code"], stdout.read_text(), stderr.read_text())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def run_case(case: Case, discovered: Sequence[Mapping[str, Any]], connector: Connector) -> Outcome:
    from fake_zoom.config import FakeZoomConfig
    from fake_zoom.server import FakeZoomServer

    not_zoom = ThreadingHTTPServer(("127.0.0.1", 0), NotZoom)
    threading.Thread(target=not_zoom.serve_forever, daemon=True).start()
    try:
        with FakeZoomServer(FakeZoomConfig.default(**case.fake)) as fake, tempfile.TemporaryDirectory() as directory:
            places = Places(fake, f"http://127.0.0.1:{not_zoom.server_port}/v2", f"http://127.0.0.1:{closed_port()}/v2")
            config = fake.connector_config(case.auth)
            case.change(config, places)
            config_path, catalog_path = Path(directory) / "config.json", Path(directory) / "catalog.json"
            config_path.write_text(json.dumps(config))
            args = [case.command, "--config", str(config_path)]
            catalog = catalog_of(case.tables, discovered) if case.command == "read" else {"streams": []}
            if case.command == "read":
                catalog_path.write_text(json.dumps(catalog))
                args += ["--catalog", str(catalog_path)]
            finished = connector.run(args, directory)
            token_requests = fake.stats()["token_requests"]
    finally:
        not_zoom.shutdown()
        not_zoom.server_close()
    messages = messages_of(finished.stdout)
    visible = list(user_visible(messages))
    readable = [(kind, text, failure_type) for kind, text, failure_type in visible if kind != "TRACE detail"]
    _, last_line, failure_type = readable[-1] if readable else ("", finished.stderr.strip().splitlines()[-1:] or [""], None)
    tracebacks = [kind for kind, text, _ in visible if TRACEBACK in text] + (["stderr"] if TRACEBACK in finished.stderr else [])
    return Outcome(
        exit_code=finished.returncode,
        last_line=str(last_line),
        failure_type=failure_type,
        token_requests=token_requests,
        error_traces=sum(1 for kind, _, _ in visible if kind == "TRACE"),
        tracebacks=tracebacks,
        lines=len(finished.stdout.splitlines()),
        tables_read=len(catalog["streams"]),
    )


def discover_streams() -> List[Dict[str, Any]]:
    from fake_zoom.config import FakeZoomConfig
    from fake_zoom.server import FakeZoomServer
    from integration_tests.sync_support import discover_streams as discover

    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        return discover(fake.connector_config())


def run_all(connector_root: Path = REPO_ROOT, workers: int = 2) -> List[tuple]:
    """Every case, `workers` at a time, each on a warm connector process of its own."""
    discovered = discover_streams()
    idle: "queue.Queue[Connector]" = queue.Queue()
    connectors = [Connector(connector_root) for _ in range(workers)]
    for connector in connectors:
        idle.put(connector)

    def run_one(case: Case) -> Outcome:
        connector = idle.get()
        try:
            return run_case(case, discovered, connector)
        finally:
            idle.put(connector)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(run_one, CASES))
    finally:
        for connector in connectors:
            connector.close()
    return list(zip(CASES, outcomes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connector-root", type=Path, default=REPO_ROOT, help="the checkout whose connector runs (default: this one)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    rows = run_all(args.connector_root)
    if args.markdown:
        print("| case | login | command | exit | last line the user reads | type | token requests | error traces | tracebacks |")
        print("|---|---|---|---|---|---|---|---|---|")
    for case, outcome in rows:
        cells = [case.name, AUTH_LABEL[case.auth], case.command_line(outcome.tables_read), str(outcome.exit_code), outcome.last_line.replace("|", "/"),
                 outcome.failure_type or "-", str(outcome.token_requests), str(outcome.error_traces), str(len(outcome.tracebacks))]
        print("| " + " | ".join(cells) + " |" if args.markdown else "\t".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
