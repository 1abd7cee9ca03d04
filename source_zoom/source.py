"""SourceZoom: spec, check, discover and a concurrent read of the 22 Zoom tables."""

from __future__ import annotations

import logging
import time
from typing import Any, Iterator, List, Mapping, Optional, Tuple

import requests

from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    FailureType,
    Level,
    Status,
)
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.concurrent_source.concurrent_source_adapter import ConcurrentSourceAdapter
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message.repository import InMemoryMessageRepository
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import ZoomAuthenticator
from source_zoom.config import DEFAULT_NUM_WORKERS, parse_config
from source_zoom.errors import response_json, zoom_error_body
from source_zoom.rate_limits import build_api_budget
from source_zoom.streams import SyncContext, build_streams

logger = logging.getLogger("airbyte")


class SourceZoom(ConcurrentSourceAdapter):
    message_repository = InMemoryMessageRepository(Level(AirbyteLogFormatter.level_mapping[logger.level]))

    def __init__(self, config: Optional[Mapping[str, Any]] = None, **kwargs: Any):
        num_workers = DEFAULT_NUM_WORKERS
        if config and isinstance(config.get("num_workers"), int) and config["num_workers"] > 0:
            num_workers = config["num_workers"]
        # The CDK wants more workers than partition generators; one generator per stream at a
        # time keeps parents listed before their children ask for them.
        concurrent_source = ConcurrentSource.create(
            max(num_workers, 2), 1, logger, self._slice_logger, self.message_repository
        )
        super().__init__(concurrent_source, **kwargs)
        self._context: Optional[SyncContext] = None
        self._context_config_id: Optional[int] = None
        self._streams: List[Stream] = []
        self._streams_context: Optional[SyncContext] = None

    # --- one authenticator and one context per process ------------------------------------------

    def sync_context(self, config: Mapping[str, Any]) -> SyncContext:
        if self._context is None or self._context_config_id != id(config):
            zoom_config = parse_config(config)
            authenticator = ZoomAuthenticator(config, zoom_config.oauth_token_url)  # type: ignore[arg-type]
            self._context = SyncContext(zoom_config, authenticator, build_api_budget(zoom_config.rate_limit_plan))
            self._context_config_id = id(config)
        return self._context

    # --- check ---------------------------------------------------------------------------------

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        succeeded, message = self.check_connection(logger, config)
        if succeeded:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        return AirbyteConnectionStatus(status=Status.FAILED, message=message)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, Optional[str]]:
        try:
            context = self.sync_context(config)
            token = context.authenticator.get_access_token()
            url = f"{context.config.api_base_url}/users"
            response = requests.get(url, params={"page_size": 1}, headers={"Authorization": f"Bearer {token}"}, timeout=(10, 30))
        except AirbyteTracedException as error:
            return False, error.message
        except requests.RequestException as error:
            return False, f"Cannot reach Zoom at {context.config.api_base_url}: {type(error).__name__}. Check api_base_url and the network."
        if response.ok:
            try:
                response_json(response)
            except ValueError:
                return False, f"{url} did not answer with JSON: check that api_base_url is Zoom's API root (https://api.zoom.us/v2)."
            return True, None
        code, message = zoom_error_body(response)
        return False, (
            f"Zoom accepted the credentials but refused to list users (HTTP {response.status_code}, code {code}: {message}): "
            "give the app the user:read:admin scope (and the other read scopes in the docs)."
        )

    # --- streams -------------------------------------------------------------------------------

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        context = self.sync_context(config)
        if not self._streams or self._streams_context is not context:
            state_manager = ConnectorStateManager(state=None)
            self._streams = [
                self.convert_to_concurrent_stream(logger, stream, state_manager)
                for stream in build_streams(context)
                if not stream.hidden
            ]
            self._streams_context = context
        return self._streams

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        known = {stream.name for stream in self.streams(config)}
        unknown = sorted(s.stream.name for s in catalog.streams if s.stream.name not in known)
        if unknown:
            raise AirbyteTracedException(
                message=f"The catalog names tables this source does not have: {', '.join(unknown)}. Refresh the source schema and select tables again.",
                failure_type=FailureType.config_error,
            )
        started = time.monotonic()
        try:
            yield from super().read(logger, config, catalog, state)
        finally:
            self._log_summary(logger, time.monotonic() - started)

    def _log_summary(self, logger: logging.Logger, seconds: float) -> None:
        if self._context is None:
            return
        report = self._context.report
        skips = ", ".join(f"{stream} {count} (code {code})" for (stream, code), count in sorted(report.skips.items(), key=str)) or "none"
        unavailable = "; ".join(f"{stream}: {reason}" for stream, reason in sorted(report.unavailable.items())) or "none"
        logger.info(
            f"Sync summary: {seconds:.1f} s, {self._context.authenticator.token_requests} token request(s); "
            f"skipped resources: {skips}; unavailable tables: {unavailable}."
        )
