"""Deterministic fault injection: one draw sequence from random.Random(fault_seed) per request."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

from .config import FakeZoomConfig

SERVER_ERRORS = (500, 502, 503, 504)


@dataclass(frozen=True)
class Fault:
    kind: str  # "5xx" | "429" | "drop" | "bad_json" | "hang" | "stall_body" | "invalid" (persistent only)
    status: int = 0  # for 5xx
    retry_after: bool = True  # for 429
    variant: int = 0  # for bad_json: 0 = truncated JSON, 1 = HTML error page


class FaultInjector:
    def __init__(self, config: FakeZoomConfig) -> None:
        self.config = config
        self.rng = random.Random(config.fault_seed)
        thresholds = []
        total = 0.0
        # New kinds go last: a config without them draws exactly as before.
        for kind, rate in (("5xx", config.rate_5xx), ("429", config.rate_429), ("drop", config.rate_drop),
                           ("bad_json", config.rate_bad_json), ("hang", config.rate_hang),
                           ("stall_body", config.rate_stall_body)):
            total += rate
            thresholds.append((total, kind))
        self.thresholds = thresholds
        self.enabled = total > 0

    def scripted_token_fault(self, token_request_number: int) -> Optional[Fault]:
        """The fault `token_fault_script` sets for the n-th token request (1-based), if any."""
        script = self.config.token_fault_script
        if not 1 <= token_request_number <= len(script) or not script[token_request_number - 1]:
            return None
        kind = script[token_request_number - 1]
        if kind.isdigit():
            return Fault(kind="429" if kind == "429" else "5xx", status=int(kind))
        return Fault(kind=kind)

    def draw(self, endpoint: Optional[str] = None) -> Optional[Fault]:
        """The fault for the next request; `endpoint` is its route template (None when unrouted)."""
        persistent = None
        if endpoint is not None and endpoint == self.config.persistent_fault_endpoint:
            persistent = Fault(kind=self.config.persistent_fault, status=500)
        if not self.enabled:
            return persistent
        # Always consume the same three numbers so a request's fate depends only on its position
        # (also on the persistently failing endpoint, so the knob does not reshuffle other faults).
        roll, pick, share = self.rng.random(), self.rng.random(), self.rng.random()
        if persistent is not None:
            return persistent
        kind = next((kind for limit, kind in self.thresholds if roll < limit), None)
        if kind is None:
            return None
        return Fault(
            kind=kind,
            status=SERVER_ERRORS[int(pick * len(SERVER_ERRORS))],
            retry_after=share >= self.config.rate_429_no_retry_after_share,
            variant=int(pick * 2),
        )
