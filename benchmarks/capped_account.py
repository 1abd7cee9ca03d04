"""A capped account synced once a day (issue 22): how many days, and how many Heavy requests,
until every table equals the truth.

    python -m benchmarks.capped_account --daily-heavy-cap 200
    python -m benchmarks.full_sync --skip-concurrent --skip-sequential --cpu-scales --daily-heavy-cap 200

The fake Zoom API (`python -m fake_zoom`, benchmark dataset, no latency, no per-second limits)
first serves one uncapped incremental sync of every table: its Heavy requests are the *need*.
Then a fresh fake with a Heavy daily cap serves one sync a "day" (the cap resets between syncs,
as at 00:00 UTC), each from the states the previous one emitted, as Airbyte runs a daily
schedule, until a sync ends without error. The union of what the days emitted (per primary key,
as an append+dedup destination holds it) is compared with the ground truth, table by table.

The target (issue 22): done within ceil(1.25 x need / cap) days, Heavy spent at most 1.25 x need.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional

from benchmarks.full_sync import ConnectorRun, FakeZoomProcess, compare, run_read
from integration_tests.sync_support import discover_streams, incremental_catalog
from source_zoom.declarations import HEAVY, MEETING
from source_zoom.streams import ENDPOINTS

SPENT_BOUND = 1.25
# The fake's names of Zoom's Heavy endpoints ("GET /v2/..."), from the connector's own table of categories.
HEAVY_ENDPOINTS = {f"GET /v2{endpoint.zoom_name}" for endpoint in ENDPOINTS if endpoint.category == HEAVY and endpoint.api == MEETING}


def daily_sync(fake: FakeZoomProcess, config: Mapping[str, Any], catalog: Mapping[str, Any], state: Optional[List[Any]]) -> ConnectorRun:
    fake.call("/_fake/reset_stats", "POST")
    return run_read(config, catalog, None, state)


def union_keys(runs: List[ConnectorRun]) -> ConnectorRun:
    """What the days' syncs left in an append+dedup destination, as one run's keys."""
    union = ConnectorRun(0, 0, 0, 0, False)
    for run in runs:
        for table, keys in run.keys.items():
            union.keys.setdefault(table, Counter()).update({key: 1 for key in keys})
    for counter in union.keys.values():
        for key in counter:
            counter[key] = 1
    return union


def capped_account(cap: int, max_days: int, scale: int = 1, dataset_args: tuple = ()) -> Dict[str, Any]:
    args = dataset_args or ("--dataset", "benchmark", "--scale", str(scale))
    with FakeZoomProcess(scale, None, 0, None, args) as fake:
        config = fake.connector_config("business", None)
        catalog = incremental_catalog(discover_streams(config))
        uncapped = daily_sync(fake, config, catalog, None)
        uncapped_stats = fake.call("/_fake/stats")
        need_by_endpoint = heavy_by_endpoint(uncapped_stats)
        need = sum(need_by_endpoint.values())
        assert uncapped.exit_code == 0, uncapped.errors[:3]

    capped_args = (*args, "--set", f"heavy_daily_limit={cap}", "--set", "daily_limit_headers=real")
    days: List[Dict[str, Any]] = []
    runs: List[ConnectorRun] = []
    with FakeZoomProcess(scale, None, 0, None, capped_args) as fake:
        config = fake.connector_config("business", None)
        state: Optional[List[Any]] = None
        truth = fake.call(f"/_fake/ground_truth?start_date={config['start_date']}")
        for day in range(1, max_days + 1):
            run = daily_sync(fake, config, catalog, state)
            stats = fake.call("/_fake/stats")
            runs.append(run)
            tables = compare(union_keys(runs), truth)
            unequal = {table: row for table, row in tables.items() if row["lost"] or row["duplicated"] or row["unexpected"]}
            exact = len(tables) - len(unequal)
            heavy_endpoints = heavy_by_endpoint(stats)
            days.append({
                "day": day, "exit_code": run.exit_code, "heavy": sum(heavy_endpoints.values()), "heavy_by_endpoint": heavy_endpoints,
                "heavy_429": stats["status_counts"].get("429", 0), "records": run.records, "tables_exact": exact,
                "tables": len(tables), "first_error": run.errors[0][:200] if run.errors else "",
                # A table still short shows how much: a flat count of equal tables can hide days of progress.
                "missing": {table: row["lost"] for table, row in unequal.items()},
            })
            print(f"day {day:>2}: exit {run.exit_code}, Heavy {days[-1]['heavy']:>5} (429: {days[-1]['heavy_429']}), "
                  f"records {run.records:>6}, tables equal to the truth {exact}/{len(tables)}; Heavy by endpoint: "
                  + ", ".join(f"{endpoint.split(' ', 1)[-1]} {count}" for endpoint, count in sorted(heavy_endpoints.items()))
                  + (f"; keys still missing: " + ", ".join(f"{table} {lost}" for table, lost in sorted(days[-1]["missing"].items())) if unequal else ""),
                  flush=True)
            state = list(run.states.values())
            fake.call("/_fake/reset_daily", "POST")
            if run.exit_code == 0:
                break
    spent = sum(day["heavy"] for day in days)
    spent_by_endpoint: Counter = Counter()
    for day in days:
        spent_by_endpoint.update(day["heavy_by_endpoint"])
    return {
        "cap": cap, "need": need, "days": days, "days_used": len(days), "finished": runs[-1].exit_code == 0,
        "ideal_days": math.ceil(need / cap), "allowed_days": math.ceil(SPENT_BOUND * need / cap),
        "heavy_spent": spent, "spent_over_need": round(spent / need, 2) if need else None,
        "tables_exact": days[-1]["tables_exact"], "tables": days[-1]["tables"],
        # Where the days beyond the need went: Heavy requests spent over one uncapped sync's, per endpoint.
        "beyond_need": {endpoint: spent_by_endpoint[endpoint] - need_by_endpoint.get(endpoint, 0)
                        for endpoint in spent_by_endpoint if spent_by_endpoint[endpoint] != need_by_endpoint.get(endpoint, 0)},
    }


def heavy_by_endpoint(stats: Mapping[str, Any]) -> Dict[str, int]:
    """The fake's Heavy requests of the Meeting API per endpoint ("GET /v2/...", with the query that
    tells a listing apart): what the cap counts. The fake's Heavy total also holds Zoom Phone's
    (call history, voicemails: 20 in an uncapped sync, 2 a day after), which Zoom Phone's own
    daily cap counts, so a day spent 202 of a cap of 200."""
    return {endpoint: count for endpoint, count in stats["requests_by_endpoint"].items() if endpoint.split("?")[0] in HEAVY_ENDPOINTS}


def print_result(result: Mapping[str, Any]) -> None:
    print(f"\nHeavy need {result['need']} (one uncapped sync), cap {result['cap']} a day: ideal {result['ideal_days']} days, "
          f"allowed {result['allowed_days']} (1.25 x need / cap)")
    print(f"{'finished' if result['finished'] else 'NOT finished'} in {result['days_used']} day(s); Heavy spent "
          f"{result['heavy_spent']} = {result['spent_over_need']} x the need; tables equal to the truth "
          f"{result['tables_exact']}/{result['tables']}")
    print("Heavy per day: " + ", ".join(str(day["heavy"]) for day in result["days"]))
    beyond = sorted(result["beyond_need"].items(), key=lambda item: -item[1])
    print("Heavy spent beyond the uncapped sync's, by endpoint: " + ", ".join(f"{endpoint.split(' ', 1)[-1]} {count:+d}" for endpoint, count in beyond))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capped_account", description=__doc__.split("\n\n")[0])
    parser.add_argument("--daily-heavy-cap", type=int, default=200)
    parser.add_argument("--max-days", type=int, default=30)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    result = capped_account(args.daily_heavy_cap, args.max_days, args.scale)
    print_result(result)
    ok = result["finished"] and result["days_used"] <= result["allowed_days"] and result["heavy_spent"] <= SPENT_BOUND * result["need"]
    ok = ok and result["tables_exact"] == result["tables"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
