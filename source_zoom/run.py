"""Entry point of `source-zoom` and `python main.py`."""

import json
import logging
import sys

import orjson
from typing import Any, List, Mapping, Optional

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import AirbyteMessageSerializer, ConnectorSpecification, FailureType
from airbyte_cdk.utils import AirbyteTracedException
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.logger import PRINT_BUFFER

from source_zoom.config import parse_config
from source_zoom.config_migrations import MigrateLegacyConfig
from source_zoom.source import SourceZoom


class ZoomEntrypoint(AirbyteEntrypoint):
    @staticmethod
    def validate_connection(source_spec: ConnectorSpecification, config: Any) -> None:
        # Our checks first: the JSON-schema validator's wording for a oneOf ("{} is not valid
        # under any of the given schemas") does not tell a person what to fix.
        parse_config(config)
        AirbyteEntrypoint.validate_connection(source_spec, config)


def _config_from_args(args: List[str]) -> Optional[Mapping[str, Any]]:
    """The number of workers is fixed when the source is built, before the CDK reads the config."""
    try:
        config_path = AirbyteEntrypoint.extract_config(args)
        if config_path:
            with open(config_path) as config_file:
                config = json.load(config_file)
                return config if isinstance(config, dict) else None
    except (OSError, ValueError):
        return None
    return None


def run(args: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if args is None else args
    # Before anything reads the config: a Stitch or Airbyte Zoom config becomes ours for this run.
    args = MigrateLegacyConfig.migrate(args)
    entrypoint = ZoomEntrypoint(SourceZoom(_config_from_args(args)))
    parsed_args = entrypoint.parse_args(args)
    # As the CDK's launch(): one write per message, so concurrent output never interleaves.
    try:
        with PRINT_BUFFER:
            for message in entrypoint.run(parsed_args):
                print(f"{message}\n", end="")
    except AirbyteTracedException as error:
        if error.failure_type != FailureType.config_error:
            raise
        # A config or state a person must fix: their sentence, without the CDK's stack trace.
        logging.getLogger("airbyte").error(error.message)
        message = error.as_airbyte_message()
        message.trace.error.stack_trace = None  # type: ignore[union-attr]
        print(filter_secrets(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode()))
        sys.exit(1)
