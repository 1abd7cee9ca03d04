"""Run the fake Zoom API in the foreground.

    python -m fake_zoom --port 0 --seed 42 --dataset benchmark --scale 2 --rate-limit-plan pro

The first stdout line is `FAKE_ZOOM_URL=http://127.0.0.1:PORT`; it serves until SIGTERM/SIGINT.
`--help` names the credentials it accepts (integration_tests/sample_config.json uses them).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
from typing import Any, Optional

from aiohttp import web

from .config import FakeZoomConfig
from .server import create_app


# The port integration_tests/sample_config.json points at (the README's "Running the connector").
SAMPLE_CONFIG_PORT = 48765


def credentials_help() -> str:
    """What a connector config needs to log in to this fake, from the config's own defaults."""
    config = FakeZoomConfig()
    return (
        "Credentials it accepts (change them with --set FIELD=VALUE):\n"
        f"  Server-to-Server OAuth: account_id {config.account_id}, client_id {config.client_id}, client_secret {config.client_secret}\n"
        f"  OAuth refresh token:    client_id {config.client_id}, client_secret {config.client_secret}, refresh_token "
        f"{config.refresh_token} (single use: the fake rotates it, as Zoom does; restart the fake to use it again)\n"
        f"  JWT (legacy):           jwt_token {config.jwt_token}\n"
        "Connector URLs: api_base_url http://127.0.0.1:PORT/v2, oauth_token_url http://127.0.0.1:PORT/oauth/token.\n"
        f"integration_tests/sample_config.json is a Server-to-Server config for --port {SAMPLE_CONFIG_PORT}. The fake has no\n"
        "rate limits unless --rate-limit-plan is given: set the connector's rate_limit_plan to business to read at full speed."
    )


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m fake_zoom",
        description="Fake Zoom REST API v2 server",
        epilog=credentials_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dataset", choices=("default", "benchmark"), default="default")
    parser.add_argument("--scale", type=int, default=1, help="benchmark dataset: 50*scale users")
    parser.add_argument("--today", help="date anchor YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--rate-limit-plan", choices=("free", "pro", "business"))
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--token-ttl", type=float, default=3600, help="access token lifetime, seconds")
    parser.add_argument("--fault-seed", type=int, default=1)
    parser.add_argument("--rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--rate-429-no-retry-after-share", type=float, default=0.0)
    parser.add_argument("--rate-drop", type=float, default=0.0)
    parser.add_argument("--rate-bad-json", type=float, default=0.0)
    parser.add_argument("--rate-hang", type=float, default=0.0, help="share of requests accepted and never answered")
    parser.add_argument("--rate-stall-body", type=float, default=0.0, help="share of answers that stop half-way through the body")
    parser.add_argument("--hang-seconds", type=float, default=300, help="a hung request is closed unanswered after this long")
    parser.add_argument("--token-expire-every", type=int, default=0, help="force 401/124 after N requests per token")
    parser.add_argument("--faults-on-token-endpoint", action="store_true")
    parser.add_argument("--files-endpoints-present", action="store_true",
                        help="serve /past_*/{uuid}/files instead of 404 'removed'")
    parser.add_argument("--no-quirks", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override any FakeZoomConfig field, e.g. --set users=10 (repeatable)")
    return parser.parse_args(argv)


def _coerce(field: dataclasses.Field, text: str) -> Any:
    kind = str(field.type)
    if "bool" in kind:
        return text.lower() in ("1", "true", "yes", "on")
    if "int" in kind:
        return int(text)
    if "float" in kind:
        return float(text)
    return None if text.lower() == "none" else text


def build_config(args: argparse.Namespace) -> FakeZoomConfig:
    overrides: dict[str, Any] = dict(
        seed=args.seed,
        today=args.today,
        rate_limit_plan=args.rate_limit_plan,
        latency_ms=args.latency_ms,
        token_ttl_seconds=args.token_ttl,
        fault_seed=args.fault_seed,
        rate_5xx=args.rate_5xx,
        rate_429=args.rate_429,
        rate_429_no_retry_after_share=args.rate_429_no_retry_after_share,
        rate_drop=args.rate_drop,
        rate_bad_json=args.rate_bad_json,
        rate_hang=args.rate_hang,
        rate_stall_body=args.rate_stall_body,
        hang_seconds=args.hang_seconds,
        token_expire_every_n_requests=args.token_expire_every,
        faults_on_token_endpoint=args.faults_on_token_endpoint,
        files_endpoints_removed=not args.files_endpoints_present,
        quirks=not args.no_quirks,
    )
    fields = {f.name: f for f in dataclasses.fields(FakeZoomConfig)}
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        if name not in fields:
            raise SystemExit(f"unknown config field {name!r}")
        overrides[name] = _coerce(fields[name], value)
    return FakeZoomConfig.named(args.dataset, args.scale, **overrides)


async def serve(config: FakeZoomConfig, host: str, port: int) -> None:
    runner = web.AppRunner(create_app(config), access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_host, bound_port = runner.addresses[0][:2]
    print(f"FAKE_ZOOM_URL=http://{bound_host}:{bound_port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Optional[list[str]] = None) -> None:
    args = parse_args(argv)
    asyncio.run(serve(build_config(args), args.host, args.port))


if __name__ == "__main__":
    sys.exit(main())
