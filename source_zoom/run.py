"""Entry point of `source-zoom` and `python main.py`."""

import json
import sys
from typing import Any, List, Mapping, Optional

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch

from source_zoom.source import SourceZoom


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
    launch(SourceZoom(_config_from_args(args)), args)
