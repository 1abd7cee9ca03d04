"""Full-sync benchmark against the fake Zoom API (issue 8).

    python -m benchmarks.full_sync                      # everything, about 45 minutes
    python -m benchmarks.full_sync --sequential-time-cap 120 --cpu-scales 1 10
    python -m benchmarks.full_sync --skip-concurrent --skip-sequential --cpu-scales 1 10 --many-users 10000 --cpu-time-cap 300
    python -m benchmarks.full_sync --plans pro --connector-plan business --skip-sequential --cpu-scales

Runs, each a full sync of every table by the connector as a subprocess (`python main.py read`)
against the fake Zoom API in its own process (`python -m fake_zoom`):

1. rate limited: the Pro plan's limits, then Business's, 100 ms latency per request; the
   connector's `rate_limit_plan` matches the fake's (`--connector-plan` tells it another one, as a
   user who picked the wrong plan would, to see how the budget learns the real limits from 429s). Wall seconds, requests per category, 429s,
   records per table against the ground truth, the floor (per budget, Zoom's Meeting API and
   Zoom Phone, and per category: requests / the plan's rate; the largest) and wall / floor.
2. sequential baseline: the same with `num_workers=1`, per plan, for the speed-up.
3. CPU: no latency, no limits in the fake, at dataset sizes x1 and x10: CPU seconds per 10,000
   records and peak RSS of the connector process (its rusage, reported by a small launcher). The
   connector still paces at its configured plan (business: the fastest; it has no "off").
4. memory of a large account (`--many-users 10000`, issue 17): that many users with two meetings
   each and no webinars, no latency, no limits; peak RSS of the connector (target: under 1 GB).
   At business pacing such a sync takes the better part of an hour, so `--cpu-time-cap` stops it
   and reports the peak so far and the RSS over time (sampled from /proc every few seconds).

Also the requests a naive per-table walk would send (each child table re-listing its parents'
chain, as Airbyte's Zoom source does), from this sync's requests per endpoint. Prints tables and
writes everything to benchmarks/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import orjson

from fake_zoom.bench import spawn_server
from fake_zoom.phone import PHONE_QPS, is_phone
from fake_zoom.routes import ROUTES
from integration_tests.sync_support import discover_streams, full_catalog
from scripts.demo import requests_per_stream
from source_zoom.rate_limits import PLAN_RATES
from source_zoom.streams import ALL_STREAMS

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
CATEGORIES = ("light", "medium", "heavy")


class FakeZoomProcess:
    """`python -m fake_zoom` in its own process, so serving never competes with the connector's GIL."""

    def __init__(self, scale: int, plan: Optional[str], latency_ms: float, server_cpu: Optional[int],
                 dataset_args: Tuple[str, ...] = ()):
        args = list(dataset_args) or ["--dataset", "benchmark", "--scale", str(scale)]
        args += ["--latency-ms", str(latency_ms)]
        if plan:
            args += ["--rate-limit-plan", plan]
        self._args, self._server_cpu = args, server_cpu

    def __enter__(self) -> "FakeZoomProcess":
        self.process, self.url = spawn_server(self._args, self._server_cpu)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def call(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    def connector_config(self, plan: str, num_workers: Optional[int]) -> Dict[str, Any]:
        fake = self.call("/_fake/config")
        config = {
            "credentials": {"auth_type": "server_to_server_oauth", "account_id": fake["account_id"],
                            "client_id": fake["client_id"], "client_secret": fake["client_secret"]},
            "start_date": fake["default_start_date"],
            "api_base_url": self.url + "/v2",
            "oauth_token_url": self.url + "/oauth/token",
            "rate_limit_plan": plan,
        }
        if num_workers is not None:
            config["num_workers"] = num_workers
        return config


@dataclass
class ConnectorRun:
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    exit_code: int
    timed_out: bool
    keys: Dict[str, Counter] = field(default_factory=dict)
    stream_times: Dict[str, Dict[str, float]] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)
    summary: str = ""
    rss_samples: List[Tuple[float, float]] = field(default_factory=list)  # (seconds, MB) while it ran
    states: Dict[str, Any] = field(default_factory=dict)  # the last state message of each stream

    @property
    def records(self) -> int:
        return sum(sum(counter.values()) for counter in self.keys.values())


# The connector is started by a small launcher that reports its children's rusage: Linux carries
# the forking process's peak RSS over exec into the child's ru_maxrss, so a connector forked
# from this process (which holds the ground truth) would report this process's size.
LAUNCHER = (
    "import json, resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "open(sys.argv[1], 'w').write(json.dumps([code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))"
)


def run_read(config: Mapping[str, Any], catalog: Mapping[str, Any], time_cap: Optional[float],
             state: Optional[List[Any]] = None) -> ConnectorRun:
    """One `python main.py read` (from `state`, the saved states, if given); CPU and peak RSS are the connector process's own."""
    keys_of = {entry["stream"]["name"]: [path[0] for path in entry["primary_key"]] for entry in catalog["streams"]}
    with tempfile.TemporaryDirectory() as directory:
        config_path, catalog_path = Path(directory) / "config.json", Path(directory) / "catalog.json"
        config_path.write_text(json.dumps(config))
        catalog_path.write_text(json.dumps(catalog))
        state_args = []
        if state is not None:
            state_path = Path(directory) / "state.json"
            state_path.write_text(json.dumps(state))
            state_args = ["--state", str(state_path)]
        stdout_path, stderr_path, usage_path = (Path(directory) / name for name in ("stdout", "stderr", "usage.json"))
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            started = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(usage_path),
                 sys.executable, "main.py", "read", "--config", str(config_path), "--catalog", str(catalog_path), *state_args],
                cwd=REPO_ROOT, stdout=stdout, stderr=stderr, start_new_session=True,
            )
            samples: List[Tuple[float, float]] = []
            sampled_peak_kb = 0
            deadline = None if time_cap is None else started + time_cap
            while process.poll() is None and (deadline is None or time.monotonic() < deadline):
                # A killed connector reports no rusage: its peak so far comes from /proc.
                peak_kb, rss_kb = connector_memory_kb(process.pid)
                sampled_peak_kb = max(sampled_peak_kb, peak_kb)
                if rss_kb and (not samples or time.monotonic() - started - samples[-1][0] >= RSS_SAMPLE_SECONDS):
                    samples.append((round(time.monotonic() - started, 1), round(rss_kb / 1024, 1)))
                time.sleep(0.5)
            timed_out = process.poll() is None
            if timed_out:
                os.killpg(process.pid, signal.SIGKILL)  # the launcher's own session: it and the connector
            process.wait()
            wall = time.monotonic() - started
        exit_code, cpu_seconds, max_rss_kb = json.loads(usage_path.read_text()) if usage_path.exists() else (-9, 0.0, sampled_peak_kb)
        run = ConnectorRun(
            wall_seconds=wall,
            cpu_seconds=cpu_seconds,
            peak_rss_mb=max_rss_kb / 1024,  # Linux: kilobytes
            exit_code=exit_code,
            timed_out=timed_out,
            rss_samples=samples,
        )
        read_messages(stdout_path, keys_of, run)
        if exit_code != 0 and not timed_out:
            run.errors.append(stderr_path.read_text()[-2000:])
    return run


RSS_SAMPLE_SECONDS = 10


def connector_memory_kb(launcher_pid: int) -> Tuple[int, int]:
    """(peak RSS, current RSS) in kB of the launcher's child, the connector; zeros if gone."""
    try:
        children = Path(f"/proc/{launcher_pid}/task/{launcher_pid}/children").read_text().split()
        status = Path(f"/proc/{children[0]}/status").read_text() if children else ""
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kb = lambda name: int(fields.get(name, "0 kB").split()[0])  # noqa: E731
    return kb("VmHWM"), kb("VmRSS")


def read_messages(stdout_path: Path, keys_of: Mapping[str, List[str]], run: ConnectorRun) -> None:
    """Keeps only each record's primary key: at x10 the records themselves would not fit."""
    keys: Dict[str, Counter] = defaultdict(Counter)
    with open(stdout_path, "rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            message = orjson.loads(line)
            kind = message["type"]
            if kind == "RECORD":
                record = message["record"]
                keys[record["stream"]][tuple(record["data"].get(name) for name in keys_of[record["stream"]])] += 1
            elif kind == "TRACE" and message["trace"]["type"] == "STREAM_STATUS":
                status = message["trace"]["stream_status"]
                name = status["stream_descriptor"]["name"]
                run.stream_times.setdefault(name, {})[status["status"].lower()] = message["trace"]["emitted_at"] / 1000
            elif kind == "TRACE" and message["trace"]["type"] == "ERROR":
                run.errors.append(message["trace"]["error"]["message"])
            elif kind == "STATE":
                run.states[message["state"]["stream"]["stream_descriptor"]["name"]] = message["state"]
            elif kind == "LOG" and message["log"]["message"].startswith("Sync summary"):
                run.summary = message["log"]["message"]
    run.keys = dict(keys)


def compare(run: ConnectorRun, truth: Mapping[str, Any]) -> Dict[str, Dict[str, int]]:
    tables = {}
    for table, expected in sorted(truth["tables"].items()):
        got = run.keys.get(table, Counter())
        expected_keys = {tuple(key) for key in expected["primary_keys"]}
        tables[table] = {
            "records": sum(got.values()),
            "expected": expected["count"],
            "lost": len(expected_keys - set(got)),
            "duplicated": sum(count - 1 for count in got.values() if count > 1),
            "unexpected": len(set(got) - expected_keys),
        }
    return tables


def requests_by_budget(requests_by_endpoint: Mapping[str, int]) -> Dict[str, Dict[str, int]]:
    """The API requests a sync sent to each of Zoom's two rate budgets (the Meeting API's, Zoom
    Phone's), per category, from the fake's request counts per endpoint (file downloads have none)."""
    category_of = {route.name: (route.template, route.category.lower()) for route in ROUTES}
    budgets: Dict[str, Dict[str, int]] = {budget: {category: 0 for category in CATEGORIES} for budget in ("meeting", "phone")}
    for endpoint, count in requests_by_endpoint.items():
        route = category_of.get(endpoint.split("?", 1)[0])
        if route is not None:
            budgets["phone" if is_phone(route[0]) else "meeting"][route[1]] += count
    return budgets


def floor_seconds(requests_by_budget: Mapping[str, Mapping[str, int]], plan: str) -> Dict[str, float]:
    """Per budget (Zoom's Meeting API, Zoom Phone) and category: requests / the plan's rate (Zoom's
    full figure, not our paced share)."""
    rates = {"meeting": PLAN_RATES[plan], "phone": PHONE_QPS[plan]}
    return {
        f"{budget} {category}": requests_by_budget[budget].get(category, 0) / rates[budget][category.capitalize()]
        for budget in ("meeting", "phone")
        for category in CATEGORIES
    }


def naive_walk_requests(requests_by_endpoint: Mapping[str, int]) -> Dict[str, int]:
    """Per table: its own requests plus a fresh listing of every ancestor, as a per-table walk
    does. A lower bound for such a walk: it counts our page size (300) and our skipping of
    meetings without registration, which a naive walk would not have."""
    per_stream = requests_per_stream(requests_by_endpoint)
    walk = {}
    for stream in ALL_STREAMS:
        if stream.hidden:
            continue
        total, ancestor = per_stream[stream.stream_name()], stream.parent
        while ancestor is not None:
            total += per_stream[ancestor.stream_name()]
            ancestor = ancestor.parent
        walk[stream.stream_name()] = total
    return walk


def timeline(run: ConnectorRun) -> Dict[str, List[float]]:
    """Per table: [started, ended] in seconds since the first table started."""
    starts = [times["started"] for times in run.stream_times.values() if "started" in times]
    if not starts:
        return {}
    zero = min(starts)
    ends = ("complete", "incomplete")
    return {
        name: [round(times.get("started", zero) - zero, 1), round(next((times[e] for e in ends if e in times), zero) - zero, 1)]
        for name, times in sorted(run.stream_times.items(), key=lambda item: item[1].get("started", 0))
    }


def read_all_tables(fake: "FakeZoomProcess", config: Dict[str, Any], time_cap: Optional[float]) -> Tuple[Any, Dict[str, Any], Dict[str, Any]]:
    """A full read of every table against `fake`, with the fake's request counts for that read
    alone and its ground truth."""
    catalog = full_catalog(discover_streams(config))
    fake.call("/_fake/reset_stats", "POST")
    run = run_read(config, catalog, time_cap)
    stats = fake.call("/_fake/stats")
    truth = fake.call(f"/_fake/ground_truth?start_date={config['start_date']}")
    return run, stats, truth


def sync_under_limits(plan: str, scale: int, latency_ms: float, num_workers: Optional[int], time_cap: Optional[float],
                      server_cpu: Optional[int], connector_plan: Optional[str] = None) -> Dict[str, Any]:
    """The fake enforces `plan`; the connector is told `connector_plan` (default: the same)."""
    connector_plan = connector_plan or plan
    with FakeZoomProcess(scale, plan, latency_ms, server_cpu) as fake:
        run, stats, truth = read_all_tables(fake, fake.connector_config(connector_plan, num_workers), time_cap)
    budgets = requests_by_budget(stats["requests_by_endpoint"])
    floors = floor_seconds(budgets, plan)
    floor = max(floors.values())
    return {
        "plan": plan, "connector_plan": connector_plan, "scale": scale, "latency_ms": latency_ms, "num_workers": num_workers or "default",
        "wall_seconds": round(run.wall_seconds, 1), "timed_out": run.timed_out, "time_cap_seconds": time_cap,
        "exit_code": run.exit_code, "errors": run.errors[:5], "summary": run.summary,
        "cpu_seconds": round(run.cpu_seconds, 1), "peak_rss_mb": round(run.peak_rss_mb, 1),
        "requests_by_category": stats["requests_by_category"], "total_api_requests": stats["total_api_requests"],
        "requests_by_budget": budgets,
        "token_requests": stats["token_requests"], "status_counts": stats["status_counts"],
        "answered_429": stats["status_counts"].get("429", 0),
        "floor_seconds_by_category": {k: round(v, 1) for k, v in floors.items()},
        "floor_seconds": round(floor, 1), "wall_over_floor": round(run.wall_seconds / floor, 2) if floor else None,
        "records": run.records, "tables": compare(run, truth),
        "requests_by_endpoint": stats["requests_by_endpoint"],
        "naive_walk_requests": naive_walk_requests(stats["requests_by_endpoint"]),
        "timeline": timeline(run),
    }


def sync_for_cpu(scale: int, plan: str, server_cpu: Optional[int], time_cap: Optional[float] = None,
                 dataset_args: Tuple[str, ...] = (), label: Optional[str] = None) -> Dict[str, Any]:
    with FakeZoomProcess(scale, None, 0, server_cpu, dataset_args) as fake:
        config = fake.connector_config(plan, None)
        catalog = full_catalog(discover_streams(config))
        fake.call("/_fake/reset_stats", "POST")
        run = run_read(config, catalog, time_cap)
        stats = fake.call("/_fake/stats")
        # A sync stopped at the cap read part of the data: there is nothing to compare.
        truth = None if run.timed_out else fake.call(f"/_fake/ground_truth?start_date={config['start_date']}")
    tables = compare(run, truth) if truth is not None else {}
    return {
        "scale": label or f"x{scale}", "connector_plan": plan, "wall_seconds": round(run.wall_seconds, 1), "exit_code": run.exit_code,
        "timed_out": run.timed_out, "time_cap_seconds": time_cap, "rss_samples_mb": run.rss_samples,
        "requests_by_category": stats["requests_by_category"],
        "errors": run.errors[:5], "records": run.records, "total_api_requests": stats["total_api_requests"],
        "cpu_seconds": round(run.cpu_seconds, 2),
        "cpu_seconds_per_10k_records": round(run.cpu_seconds / run.records * 10_000, 3) if run.records else None,
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "lost": sum(t["lost"] for t in tables.values()) if truth is not None else None,
        "duplicated": sum(t["duplicated"] for t in tables.values()) if truth is not None else None,
    }


def many_users_dataset(users: int) -> Tuple[str, ...]:
    """The fake's arguments for issue 17's large account: `users` users with two meetings each, no webinars."""
    return ("--dataset", "default", "--set", f"users={users}", "--set", "meetings_per_user=2", "--set", "webinars_per_user=0")


# ----------------------------------------------------------------------------------- printing


def print_limited(result: Dict[str, Any]) -> None:
    categories = ", ".join(f"{c} {result['requests_by_category'][c]}" for c in CATEGORIES)
    floors = ", ".join(f"{c} {seconds}" for c, seconds in result["floor_seconds_by_category"].items())
    budgets = "; ".join(f"{budget}: " + ", ".join(f"{c} {n}" for c, n in counts.items())
                        for budget, counts in result["requests_by_budget"].items())
    capped = f" (stopped at the {result['time_cap_seconds']} s cap)" if result["timed_out"] else ""
    told = f" (connector told {result['connector_plan']})" if result.get("connector_plan", result["plan"]) != result["plan"] else ""
    print(f"\n== {result['plan']} plan{told}, num_workers {result['num_workers']}, scale x{result['scale']}, "
          f"{result['latency_ms']:g} ms latency ==")
    print(f"wall {result['wall_seconds']} s{capped}; floor {result['floor_seconds']} s (per category: {floors}); "
          f"wall/floor {result['wall_over_floor']}")
    print(f"requests per budget: {budgets}")
    print(f"requests {result['total_api_requests']} ({categories}) + {result['token_requests']} token; "
          f"429s {result['answered_429']} ({result['answered_429'] / max(1, result['total_api_requests']):.2%}); "
          f"exit code {result['exit_code']}; connector CPU {result['cpu_seconds']} s, peak RSS {result['peak_rss_mb']} MB")
    for error in result["errors"]:
        print(f"  error: {error[:300]}")


def print_tables(result: Dict[str, Any]) -> None:
    naive = result["naive_walk_requests"]
    per_stream = requests_per_stream(result["requests_by_endpoint"])
    print(f"\n{'table':<28}{'records':>9}{'truth':>8}{'lost':>6}{'dup':>5}{'requests':>10}{'naive':>8}{'start s':>9}{'end s':>7}")
    for table, row in result["tables"].items():
        started, ended = result["timeline"].get(table, ["", ""])
        print(f"{table:<28}{row['records']:>9}{row['expected']:>8}{row['lost']:>6}{row['duplicated']:>5}"
              f"{per_stream.get(table, 0):>10}{naive.get(table, 0):>8}{started:>9}{ended:>7}")
    for stream in ALL_STREAMS:
        if stream.hidden:
            print(f"{'(parent) ' + stream.stream_name():<28}{'':>9}{'':>8}{'':>6}{'':>5}{per_stream.get(stream.stream_name(), 0):>10}")
    print(f"requests: ours {result['total_api_requests']}, naive per-table walk at least {sum(naive.values())}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.full_sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", nargs="*", default=["pro", "business"], choices=["free", "pro", "business"])
    parser.add_argument("--scale", type=int, default=1, help="dataset size of the rate-limited runs (50*scale users)")
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--connector-plan", choices=["free", "pro", "business"],
                        help="the connector's rate_limit_plan in the concurrent runs (default: the fake's plan), "
                             "e.g. business against a fake at Pro's limits: a wrong plan the budget must learn from 429s")
    parser.add_argument("--time-cap", type=float, help="stop each concurrent run after this many seconds")
    parser.add_argument("--num-workers", type=int, help="the concurrent runs' num_workers (default: the connector's)")
    parser.add_argument("--sequential-scale", type=int, help="scale of the num_workers=1 baseline (default: --scale)")
    parser.add_argument("--sequential-time-cap", type=float,
                        help="stop each baseline after this many seconds and extrapolate its wall from the requests it sent")
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument("--skip-concurrent", action="store_true", help="only the baselines (no speed-up then)")
    parser.add_argument("--cpu-scales", type=int, nargs="*", default=[1, 10], help="dataset sizes of the CPU/RSS runs")
    parser.add_argument("--cpu-plan", default="business", help="the connector's rate_limit_plan in the CPU runs")
    parser.add_argument("--cpu-time-cap", type=float,
                        help="stop each CPU/RSS run after this many seconds; its peak RSS is the peak so far")
    parser.add_argument("--many-users", type=int, nargs="*", default=[],
                        help="also measure peak RSS for accounts of this many users with two meetings each (e.g. 10000)")
    parser.add_argument("--server-cpu", type=int, help="pin the fake to this CPU (taskset)")
    args = parser.parse_args(argv)

    results: Dict[str, Any] = {"started_at": datetime.now(timezone.utc).isoformat(), "argv": sys.argv[1:], "limited": [],
                               "sequential": [], "cpu": []}
    for plan in [] if args.skip_concurrent else args.plans:
        result = sync_under_limits(plan, args.scale, args.latency_ms, args.num_workers, args.time_cap, args.server_cpu,
                                   args.connector_plan)
        results["limited"].append(result)
        print_limited(result)
        print_tables(result)
    if not args.skip_sequential:
        scale = args.sequential_scale or args.scale
        for plan in args.plans:
            result = sync_under_limits(plan, scale, args.latency_ms, 1, args.sequential_time_cap, args.server_cpu)
            concurrent = next((r for r in results["limited"] if r["plan"] == plan and r["scale"] == scale), None)
            if concurrent:
                # A capped baseline sent part of the requests: its wall is extrapolated at the rate it had.
                done = max(1, result["total_api_requests"])
                estimated = result["wall_seconds"] * concurrent["total_api_requests"] / done if result["timed_out"] else result["wall_seconds"]
                result["estimated_full_wall_seconds"] = round(estimated, 1)
                result["speed_up"] = round(estimated / concurrent["wall_seconds"], 1)
            results["sequential"].append(result)
            print_limited(result)
            if "speed_up" in result:
                how = "extrapolated from the capped run" if result["timed_out"] else "measured"
                print(f"sequential {result['estimated_full_wall_seconds']} s ({how}) vs concurrent: speed-up x{result['speed_up']}")
    for scale in args.cpu_scales:
        result = sync_for_cpu(scale, args.cpu_plan, args.server_cpu, args.cpu_time_cap)
        results["cpu"].append(result)
    for users in args.many_users:
        result = sync_for_cpu(1, args.cpu_plan, args.server_cpu, args.cpu_time_cap, many_users_dataset(users), f"{users}u")
        results["cpu"].append(result)
    if results["cpu"]:
        print(f"\n== no latency, no limits in the fake (connector paced at {args.cpu_plan}) ==")
        print(f"{'data':>7}{'records':>9}{'requests':>10}{'wall s':>8}{'CPU s':>8}{'CPU s/10k rec':>15}{'peak RSS MB':>13}{'lost':>6}{'dup':>5}")
        for row in results["cpu"]:
            capped = f"  (stopped at the {row['time_cap_seconds']:g} s cap: peak so far)" if row["timed_out"] else ""
            print(f"{row['scale']:>7}{row['records']:>9}{row['total_api_requests']:>10}{row['wall_seconds']:>8}"
                  f"{row['cpu_seconds']:>8}{str(row['cpu_seconds_per_10k_records']):>15}{row['peak_rss_mb']:>13}"
                  f"{str(row['lost']):>6}{str(row['duplicated']):>5}{capped}")
            if row["rss_samples_mb"]:
                print("        RSS MB over time: " + ", ".join(f"{t:g}s {mb:g}" for t, mb in row["rss_samples_mb"]))
        scaled = results["cpu"][:len(args.cpu_scales)]
        if len(scaled) > 1:
            first, last = scaled[0], scaled[-1]
            growth = last["peak_rss_mb"] / first["peak_rss_mb"] - 1
            results["rss_growth"] = round(growth, 3)
            print(f"peak RSS {first['scale']} -> {last['scale']}: {growth:+.1%}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nResults: {path.relative_to(REPO_ROOT)}")
    failed = [r for r in results["limited"] + results["cpu"] if r["exit_code"] != 0 and not r["timed_out"]]
    lost = [r for r in results["limited"] if any(t["lost"] or t["duplicated"] or t["unexpected"] for t in r["tables"].values())]
    lost += [r for r in results["cpu"] if r["lost"] or r["duplicated"]]
    return 1 if failed or lost else 0


if __name__ == "__main__":
    sys.exit(main())
