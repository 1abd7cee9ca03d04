"""Accepts a config written for Stitch's tap-zoom or Airbyte's Zoom source and moves it to our shape.

The pattern of Airbyte's Python sources (`should_migrate`, `transform`, `modify_and_save`,
`migrate`), run before the entrypoint: the migrated config is written back to the config file,
so this run reads it, and is sent as a CONNECTOR_CONFIG control message, so the platform stores
it and later runs need no migration.

Shapes it recognises (top-level keys; ours nests them under `credentials`):

- Stitch tap-zoom: `jwt`, or `client_id` + `client_secret` + `refresh_token` (user OAuth).
- Airbyte source-zoom 1.x: `account_id` + `client_id` + `client_secret` + `authorization_endpoint`
  (Server-to-Server OAuth); 0.x: `jwt_token`.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Tuple

import orjson

from airbyte_cdk.config_observation import emit_configuration_as_airbyte_control_message
from airbyte_cdk.connector import BaseConnector
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import AirbyteLogMessage, AirbyteMessage, AirbyteMessageSerializer, Level, Type

from source_zoom.auth import JWT, REFRESH_TOKEN, SERVER_TO_SERVER

# Top-level keys that only the older shapes have; ours keeps credentials under `credentials`.
LEGACY_CREDENTIAL_KEYS = ("jwt", "jwt_token", "account_id", "client_id", "client_secret", "refresh_token")


class MigrateLegacyConfig:
    """Stitch and Airbyte Zoom configs -> `credentials: {auth_type, ...}` and `oauth_token_url`."""

    @staticmethod
    def should_migrate(config: Any) -> bool:
        return (
            isinstance(config, Mapping)
            and "credentials" not in config
            and any(key in config for key in LEGACY_CREDENTIAL_KEYS)
        )

    @staticmethod
    def legacy_shape(config: Mapping[str, Any]) -> Tuple[str, str]:
        """(where the config comes from, which auth_type it means), in words safe to log."""
        if config.get("jwt"):
            return "Stitch tap-zoom (JWT)", JWT
        if config.get("jwt_token"):
            return "Airbyte source-zoom 0.x (JWT)", JWT
        if "account_id" in config or "authorization_endpoint" in config:
            return "Airbyte source-zoom (Server-to-Server OAuth)", SERVER_TO_SERVER
        if "refresh_token" in config:
            return "Stitch tap-zoom (OAuth refresh token)", REFRESH_TOKEN
        # Client id and secret alone: Server-to-Server is the only app type Zoom still offers, and
        # parse_config then names the missing account_id.
        return "a config without credentials object", SERVER_TO_SERVER

    @classmethod
    def transform(cls, config: Mapping[str, Any]) -> Dict[str, Any]:
        """Moves the credential keys under `credentials`; every other key (start_date, num_workers, ...) stays."""
        _, auth_type = cls.legacy_shape(config)
        migrated = {key: value for key, value in config.items() if key not in LEGACY_CREDENTIAL_KEYS}
        if auth_type == JWT:
            credentials = {"auth_type": JWT, "jwt_token": config.get("jwt") or config.get("jwt_token")}
        elif auth_type == REFRESH_TOKEN:
            credentials = {"auth_type": REFRESH_TOKEN, **{key: config.get(key) for key in ("client_id", "client_secret", "refresh_token")}}
        else:
            credentials = {"auth_type": SERVER_TO_SERVER, **{key: config.get(key) for key in ("account_id", "client_id", "client_secret")}}
        migrated["credentials"] = {key: value for key, value in credentials.items() if value is not None}
        authorization_endpoint = migrated.pop("authorization_endpoint", None)
        if authorization_endpoint and not migrated.get("oauth_token_url"):
            migrated["oauth_token_url"] = authorization_endpoint
        return migrated

    @classmethod
    def modify_and_save(cls, config_path: str, config: Mapping[str, Any]) -> Tuple[Dict[str, Any], str]:
        """Writes the migrated config where this run reads it: the config file, or, when that is
        read-only (a `:ro` Docker mount), a private temporary copy. Returns (config, its path)."""
        migrated = cls.transform(config)
        try:
            BaseConnector.write_config(migrated, config_path)
            return migrated, config_path
        except OSError:
            return migrated, write_private_copy(migrated)

    @classmethod
    def migrate(cls, args: List[str]) -> List[str]:
        """Migrates the file named by `--config` if it has an older shape; returns the arguments for this run."""
        config_path = AirbyteEntrypoint.extract_config(args)
        config = read_config_or_none(config_path)
        if config_path is None or not cls.should_migrate(config):
            return args
        source, auth_type = cls.legacy_shape(config)
        migrated, migrated_path = cls.modify_and_save(config_path, config)
        emit_log(f"The config has the shape of {source}; migrated to credentials.auth_type {auth_type} for this and later runs.")
        emit_configuration_as_airbyte_control_message(migrated)
        return replace_config_path(args, migrated_path)


def read_config_or_none(config_path: Optional[str]) -> Optional[Mapping[str, Any]]:
    """A file that is missing or not JSON is left to the entrypoint, which reports it."""
    if not config_path:
        return None
    try:
        return BaseConnector.read_config(config_path)
    except (OSError, ValueError):
        return None


def write_private_copy(config: Mapping[str, Any]) -> str:
    descriptor, path = tempfile.mkstemp(prefix="source-zoom-config-", suffix=".json")  # mode 0600: it holds secrets
    with os.fdopen(descriptor, "w") as config_file:
        json.dump(config, config_file)
    atexit.register(_remove_quietly, path)
    return path


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def replace_config_path(args: List[str], config_path: str) -> List[str]:
    replaced = list(args)
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            replaced[index + 1] = config_path
        elif arg.startswith("--config="):
            replaced[index] = f"--config={config_path}"
    return replaced


def emit_log(message: str) -> None:
    """One Airbyte LOG message on stdout: this runs before the entrypoint has set up the CDK's logger."""
    log_message = AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.INFO, message=message))
    print(f"{orjson.dumps(AirbyteMessageSerializer.dump(log_message)).decode()}\n", end="", flush=True)
